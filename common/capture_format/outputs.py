"""An endpoint's response body -> one (score, predicted class) per input row.

Recognised without configuration (the shapes SageMaker's framework containers return):

* one value per row, CSV (``0.73`` per line, or ``0.1,0.8`` for a batch) or JSON
  (``[0.73, 0.12]``, ``{"predictions": [0.73]}``, ``{"probabilities": [0.73]}``, ``[[0.73]]``);
* two class probabilities per row (scikit-learn ``predict_proba``, TensorFlow Serving,
  TorchServe): ``[[0.27, 0.73]]``, ``{"predictions": [[0.27, 0.73]]}``, CSV ``0.27,0.73``;
  the score is the probability of ``positive_class``;
* a class and a score per row: CSV ``1,0.73``, JSON ``[[1, 0.73]]``;
* objects: XGBoost / Linear Learner ``{"predictions": [{"score": 0.73, "predicted_label": 1}]}``
  (``score`` may also be the two class probabilities), ``probability``;
* Hugging Face ``[{"label": "POSITIVE", "score": 0.98}]`` (the score is the confidence of that
  label) and ``[[{"label": ..., "score": ...}, ...]]`` (all classes).

Anything else: ``schema.json`` ``output`` (JMESPath, column_schema/io_spec.py). Class names
(``"POSITIVE"``, ``">50K"``) map to 0/1 through ``output.classes`` / ``label_classes``; without
them only 0/1 and Hugging Face's default ``LABEL_0``/``LABEL_1`` are classes.
"""

from __future__ import annotations

import json
from typing import Any

from orjson import JSONDecodeError
from orjson import loads as json_loads

from capture_format.errors import RecordError
from column_schema import ColumnSchema

# Keys under which a response object holds its per-row values.
_WRAPPERS = ("predictions", "outputs", "scores", "probabilities", "results")
_SCORE_KEYS = ("score", "probability", "probabilities", "scores")
_CLASS_KEYS = ("predicted_label", "label", "prediction", "class")
_SUM_TOLERANCE = 1e-6
_HINT = 'point "output" in schema.json at it (a JMESPath expression, docs/contracts.md)'


def loads_json(text: str | bytes, what: str) -> Any:
    """orjson, with the standard library as fallback for ``NaN``/``Infinity`` (what Python's
    ``json.dumps`` writes); NaN then reads as a missing value, infinity is rejected later."""
    try:
        return json_loads(text)
    except JSONDecodeError as exc:
        body = text if isinstance(text, str) else text.decode("utf-8", "replace")
        if "NaN" in body or "Infinity" in body:
            try:
                return json.loads(text)
            except ValueError:
                pass
        raise RecordError(f"{what}: JSON payload does not parse ({exc})") from None


def _csv_value(field: str) -> str:
    return field.strip().strip('"')


class OutputReader:
    """Scores and predicted classes from ``endpointOutput`` for one schema."""

    def __init__(self, schema: ColumnSchema, separator: str = "auto") -> None:
        self.separator = separator
        self.class_output = schema.output_format == "class"
        self.positive = schema.positive_class
        self.threshold = schema.decision_threshold
        self.score_key = schema.score
        self.class_keys = tuple(dict.fromkeys((schema.prediction, *_CLASS_KEYS)))
        self.names = schema.output_classes
        spec = schema.output
        self._expressions: dict[str, Any] = {}
        if spec is not None:
            import jmespath  # only schemas with expressions need it

            for key in ("score", "probabilities", "prediction"):
                if getattr(spec, key):
                    self._expressions[key] = jmespath.compile(getattr(spec, key))

    # --- the body ---------------------------------------------------------------------------
    def read(self, fmt: str, text: str, n_rows: int) -> tuple[list[float] | None, list[int]]:
        if fmt == "csv" and not self._expressions and not self.class_output and "," not in text:
            fast = self._one_score_per_line(text, n_rows)
            if fast is not None:
                return fast
        payload = self._payload(fmt, text, n_rows)
        if self._expressions:
            return self._by_expression(payload, n_rows)
        return self.read_auto(payload, n_rows)

    def _one_score_per_line(self, text: str, n_rows: int) -> tuple[list[float], list[int]] | None:
        """The common CSV case without the general machinery; None: take the general path
        (which also words the errors)."""
        lines = text.strip().splitlines()
        if len(lines) != n_rows:
            return None
        try:
            scores = [float(line) for line in lines]
        except ValueError:
            return None
        if not all(0.0 <= score <= 1.0 for score in scores):  # NaN fails too
            return None
        return scores, [self._decide(score) for score in scores]

    def _payload(self, fmt: str, text: str, n_rows: int) -> Any:
        if fmt == "json":
            return loads_json(text, "endpointOutput")
        if fmt == "jsonl":
            return [loads_json(line, "endpointOutput") for line in text.splitlines() if line]
        stripped = text.strip()
        lines = stripped.splitlines() if stripped else []
        if self.separator == "," or (
            self.separator == "auto" and len(lines) == 1 and n_rows > 1
        ):  # one value per row, comma-separated
            return [_csv_value(v) for line in lines for v in line.split(",")]
        return [[_csv_value(v) for v in line.split(",")] for line in lines]

    def _rows(self, payload: Any, n_rows: int) -> list[Any]:
        if isinstance(payload, dict):
            wrapper = next((key for key in _WRAPPERS if key in payload), None)
            payload = payload[wrapper] if wrapper else [payload]
        if not isinstance(payload, list):
            payload = [payload]
        if n_rows == 1 and len(payload) > 1 and all(_scalar_or_labelled(v) for v in payload):
            payload = [payload]  # one row's class probabilities or (class, score)
        if len(payload) != n_rows:
            raise RecordError(f"endpointOutput has {len(payload)} values for {n_rows} input rows")
        return payload

    # --- one row ----------------------------------------------------------------------------
    def _row(self, value: Any, index: int) -> tuple[float | None, int]:
        where = f"endpointOutput row {index}"
        if isinstance(value, list) and len(value) == 1:
            value = value[0]
        if self.class_output:
            return None, self._class_of_row(value, where)
        if isinstance(value, dict):
            return self._object(value, where)
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            score = self._labelled(value, where)
            return score, self._decide(score)
        if isinstance(value, list):
            return self._pair(value, where)
        score = self.score(value, where)
        return score, self._decide(score)

    def _object(self, item: dict[str, Any], where: str) -> tuple[float, int]:
        if "label" in item and "score" in item and "predicted_label" not in item:
            return self._labelled([item], where), self.class_of(item["label"], where)
        keys = (self.score_key or "score", *_SCORE_KEYS)
        key = next((k for k in keys if k in item), None)
        if key is None:
            raise RecordError(
                f"{where}: an object without any of the keys {list(dict.fromkeys(keys))}; "
                f"if the score is elsewhere, {_HINT}"
            )
        score = self.score(item[key], where)  # a number or two class probabilities
        if "predicted_label" in item:
            return score, self.class_of(item["predicted_label"], where)
        return score, self._decide(score)

    def _labelled(self, items: list[dict[str, Any]], where: str) -> float:
        """Hugging Face: each ``{"label", "score"}`` is the confidence of that label."""
        for item in items:
            if "label" not in item or "score" not in item:
                raise RecordError(f"{where}: expected objects with 'label' and 'score'")
            cls = self.class_of(item["label"], where)
            confidence = self.score(item["score"], where)
            if cls == self.positive:
                return confidence
            if len(items) == 1:
                return 1.0 - confidence
        raise RecordError(f"{where}: no entry for the positive class among {items!r}")

    def _pair(self, values: list[Any], where: str) -> tuple[float, int]:
        numbers = [_number(v) for v in values]
        if len(values) == 2 and None not in numbers:
            first, second = numbers[0] or 0.0, numbers[1] or 0.0
            if abs(first + second - 1.0) <= _SUM_TOLERANCE and 0 <= first <= 1:
                score = self.score(values[self.positive], where)
                return score, self._decide(score)
            if first in (0.0, 1.0):  # (class, score)
                return self.score(second, where), int(first)
        raise RecordError(
            f"{where}: {values!r} is not one score, two class probabilities (summing to 1) "
            f"or a (class, score) pair; if the score is elsewhere, {_HINT}"
        )

    # --- values -----------------------------------------------------------------------------
    def score(self, value: Any, where: str) -> float:
        if isinstance(value, list) and len(value) == 1:
            value = value[0]
        if isinstance(value, list) and len(value) == 2:  # class probabilities
            value = value[self.positive]
        number = _number(value)
        if number is None:
            raise RecordError(
                f"{where}: {value!r} is not a probability (expected a number in [0, 1]); "
                f"if the score is elsewhere, {_HINT}"
            )
        if not 0.0 <= number <= 1.0:
            raise RecordError(f"{where}: score {number} is outside [0, 1]")
        return number

    def class_of(self, value: Any, where: str) -> int:
        return class_index(
            value, self.names, f"{where}: predicted class", "output.classes", numeric=True
        )

    def _class_of_row(self, value: Any, where: str) -> int:
        if isinstance(value, dict):
            key = next((k for k in self.class_keys if k in value), None)
            if key is None:
                raise RecordError(
                    f"{where}: an object without any of the keys {list(self.class_keys)}; "
                    f"if the class is elsewhere, {_HINT}"
                )
            value = value[key]
        elif isinstance(value, list) and len(value) == 2:  # (class, score)
            value = value[0]
        return self.class_of(value, where)

    def _decide(self, score: float) -> int:
        return self.positive if score >= self.threshold else 1 - self.positive

    # --- schema.json "output" expressions ---------------------------------------------------
    def _by_expression(self, payload: Any, n_rows: int) -> tuple[list[float] | None, list[int]]:
        found = {
            key: self._per_row(expr, key, payload, n_rows)
            for key, expr in self._expressions.items()
        }
        scores: list[float] | None = None
        if "score" in found or "probabilities" in found:
            values = found.get("score", found.get("probabilities", []))
            scores = [self.score(v, f"endpointOutput row {i}") for i, v in enumerate(values)]
        elif not self.class_output:
            scores, _ = self.read_auto(payload, n_rows)
        if "prediction" in found:
            predictions = [
                self.class_of(v, f"endpointOutput row {i}")
                for i, v in enumerate(found["prediction"])
            ]
        elif scores is not None:
            predictions = [self._decide(s) for s in scores]
        else:
            predictions = self.read_auto(payload, n_rows)[1]
        return (None if self.class_output else scores), predictions

    def read_auto(self, payload: Any, n_rows: int) -> tuple[list[float] | None, list[int]]:
        pairs = [self._row(v, i) for i, v in enumerate(self._rows(payload, n_rows))]
        scores = None if self.class_output else [s or 0.0 for s, _ in pairs]
        return scores, [p for _, p in pairs]

    def _per_row(self, expression: Any, key: str, payload: Any, n_rows: int) -> list[Any]:
        result = expression.search(payload)
        setting = f"output.{key} {expression.expression!r}"
        if result is None:
            raise RecordError(f"endpointOutput: {setting} in schema.json found nothing")
        if n_rows == 1 and not (isinstance(result, list) and len(result) == 1):
            return [result]
        if not isinstance(result, list) or len(result) != n_rows:
            count = len(result) if isinstance(result, list) else 1
            raise RecordError(
                f"endpointOutput: {setting} in schema.json gave {count} values "
                f"for {n_rows} input rows"
            )
        return result


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number == number else None


def _scalar_or_labelled(value: Any) -> bool:
    return _number(value) is not None or (isinstance(value, dict) and "label" in value)


def class_index(
    value: Any, names: tuple[str, str] | None, what: str, setting: str, *, numeric: bool = False
) -> int:
    """0/1 of a class: a configured name, else 0/1 ("1", 1.0) or ``LABEL_0``/``LABEL_1``.

    With ``names`` only those names are classes, unless ``numeric`` (model outputs: a model
    may write 0/1 while the labels are names).
    """
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if isinstance(value, str):
        text = value.strip()
        if names is not None and text in names:
            return names.index(text)
        if text in ("LABEL_0", "LABEL_1") and (names is None or numeric):
            return int(text[-1])
    number = _number(value)
    if number in (0.0, 1.0) and (names is None or numeric):
        return int(number or 0)
    known = f"one of {list(names)}" if names else "0 or 1"
    raise RecordError(
        f"{what} {value!r} is not {known}; class names are set by {setting} in schema.json"
    )
