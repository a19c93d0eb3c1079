"""The optional ``schema.json`` keys that say how an endpoint's payloads and labels are written.

::

    "label_classes": {"positive": ">50K", "negative": "<=50K"},   # or ["<=50K", ">50K"]
    "output": {                       # JMESPath expressions over the decoded response body
      "score": "predictions[*].probability",       # probability of the positive class, or
      "probabilities": "predictions[*].probs",     # [p(class 0), p(class 1)] per row
      "prediction": "predictions[*].label",        # the predicted class (a 0/1 or a class name)
      "classes": {"positive": "POSITIVE", "negative": "NEGATIVE"}  # the model's class names
    },
    "input": {"rows": "body.records"}  # JMESPath to the list of rows of a JSON request body

``label_classes`` names the ground-truth classes: a mapping ``positive``/``negative`` (the
positive one is class ``positive_class``), or a list of two names for class 0 and class 1.
Without it labels are 0/1. ``output.classes`` names the classes as the model writes them
(default: ``label_classes``). Every expression is evaluated on the whole payload (a CSV body
is a list of rows, each a list of fields) and must give one value per input row (a single
value for a one-row request). All keys are optional; without them the parser recognises the
framework containers' own shapes (docs/contracts.md "Endpoint payloads").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

OUTPUT_EXPRESSIONS = ("score", "probabilities", "prediction")
OUTPUT_KEYS = (*OUTPUT_EXPRESSIONS, "classes")
INPUT_KEYS = ("rows",)


class SpecError(ValueError):
    """One optional key is invalid; the message names the key (the caller adds the source)."""


@dataclass(frozen=True)
class OutputSpec:
    """Where the score, class probabilities and prediction are in the response body."""

    score: str | None = None
    probabilities: str | None = None
    prediction: str | None = None
    classes: tuple[str, str] | None = None  # names of class 0 and class 1

    def to_dict(self, positive_class: int) -> dict[str, Any]:
        out: dict[str, Any] = {
            key: getattr(self, key) for key in OUTPUT_EXPRESSIONS if getattr(self, key)
        }
        if self.classes:
            out["classes"] = classes_to_dict(self.classes, positive_class)
        return out


@dataclass(frozen=True)
class InputSpec:
    """Where the rows are in a JSON request body."""

    rows: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"rows": self.rows} if self.rows else {}


def classes_to_dict(classes: tuple[str, str], positive_class: int) -> dict[str, str]:
    return {"positive": classes[positive_class], "negative": classes[1 - positive_class]}


def parse_classes(raw: Any, key: str, positive_class: int) -> tuple[str, str]:
    """``{"positive": ..., "negative": ...}`` or ``[class 0, class 1]`` -> (class 0, class 1)."""
    expected = (
        f'{key} must be {{"positive": "<name>", "negative": "<name>"}} '
        "or a list of two names [class 0, class 1]"
    )
    if isinstance(raw, dict):
        if set(raw) != {"positive", "negative"}:
            raise SpecError(f"{expected}; got the keys {sorted(raw)}")
        names = [raw["negative"], raw["positive"]]
        if positive_class == 0:
            names.reverse()
    elif isinstance(raw, list) and len(raw) == 2:
        names = list(raw)
    else:
        raise SpecError(f"{expected}; got {raw!r}")
    if not all(isinstance(name, str) and name.strip() for name in names):
        raise SpecError(f"{expected}; class names are non-empty strings, got {names!r}")
    if names[0].strip() == names[1].strip():
        raise SpecError(f"{key}: the two classes have the same name {names[0]!r}")
    return names[0].strip(), names[1].strip()


def _expression(raw: Any, key: str) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise SpecError(f"{key} must be a JMESPath expression (a non-empty string), got {raw!r}")
    import jmespath  # only schemas that use expressions need it
    from jmespath.exceptions import JMESPathError

    try:
        jmespath.compile(raw)
    except JMESPathError as exc:
        message = " ".join(str(exc).split())
        raise SpecError(f"{key}: {raw!r} is not a valid JMESPath expression ({message})") from None
    return raw


def _object(raw: Any, key: str, allowed: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise SpecError(f"{key!r} must be an object with the keys {list(allowed)}")
    unknown = sorted(set(raw) - set(allowed))
    if unknown:
        raise SpecError(f"{key!r} has unknown keys {unknown} (allowed: {list(allowed)})")
    return raw


def parse_output(raw: Any, output_format: str, positive_class: int) -> OutputSpec | None:
    if raw is None:
        return None
    spec = _object(raw, "output", OUTPUT_KEYS)
    exprs = {
        key: _expression(spec[key], f"output.{key}") for key in OUTPUT_EXPRESSIONS if key in spec
    }
    if "score" in exprs and "probabilities" in exprs:
        raise SpecError("output.score and output.probabilities are alternatives; give one")
    if output_format == "class" and ({"score", "probabilities"} & set(exprs)):
        raise SpecError(
            'output.score/output.probabilities need output_format "probability" '
            '(the schema says "class": the endpoint returns only a class)'
        )
    classes = None
    if "classes" in spec:
        classes = parse_classes(spec["classes"], "output.classes", positive_class)
    return OutputSpec(classes=classes, **exprs)


def parse_input(raw: Any) -> InputSpec | None:
    if raw is None:
        return None
    spec = _object(raw, "input", INPUT_KEYS)
    return InputSpec(rows=_expression(spec["rows"], "input.rows") if "rows" in spec else None)
