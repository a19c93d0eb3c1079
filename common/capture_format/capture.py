"""Parse one SageMaker data-capture line into typed model-input rows with the model's output.

Formats (aws-contracts §1.3-1.5): CSV and JSON ``endpointInput`` payloads, BASE64 payloads
decoded and then parsed by ``observedContentType``, single and batched (multi-row) requests.
Anything that cannot be turned into rows raises :class:`RecordError` with a reason that the
caller writes to the quarantine file; nothing is dropped silently.
"""

from __future__ import annotations

import base64
import binascii
import csv
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from capture_format.errors import RecordError, json_object_line
from capture_format.outputs import OutputReader, loads_json
from column_schema import ColumnSchema


@dataclass(slots=True)
class CaptureRecord:
    """One invocation: its ids, time and one entry per model-input row."""

    event_id: str
    key: str  # inferenceId when present, else eventId (the ground-truth join key)
    inference_time: datetime
    rows: list[tuple]  # feature values in schema order (float | str | None)
    scores: list[float] | None  # None when the schema's output_format is "class"
    predictions: list[int]

    def row_ids(self) -> list[str]:
        """Join keys per row: the key itself, or ``{key}:{row_index}`` for batched requests."""
        if len(self.rows) == 1:
            return [self.key]
        return [f"{self.key}:{index}" for index in range(len(self.rows))]


def parse_time(value: Any) -> datetime:
    if not isinstance(value, str):
        raise RecordError(f"eventMetadata.inferenceTime missing or not a string: {value!r}")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise RecordError(f"eventMetadata.inferenceTime {value!r} is not ISO-8601") from exc
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _media_type(content_type: Any) -> tuple[str, str]:
    """(media type, charset) of a Content-Type header value."""
    text = str(content_type or "").lower()
    media, *params = (part.strip() for part in text.split(";"))
    charset = "utf-8"
    for param in params:
        name, _, value = param.partition("=")
        if name.strip() == "charset" and value.strip():
            charset = value.strip().strip('"')
    return media, charset


def _format_of(media: str) -> str | None:
    subtype = media.rpartition("/")[2]
    if subtype.endswith("csv"):
        return "csv"
    if "jsonl" in subtype or "ndjson" in subtype:
        return "jsonl"
    if subtype == "json" or subtype.endswith("+json"):
        return "json"
    return None


def decode_payload(capture: Any, side: str) -> tuple[str, str]:
    """(format, text) of ``endpointInput``/``endpointOutput``: format is "csv" or "json"."""
    if not isinstance(capture, dict):
        raise RecordError(
            f"captureData.{side} is missing (is capture mode "
            f"{'Input' if side == 'endpointInput' else 'Output'} enabled?)"
        )
    data = capture.get("data")
    if not isinstance(data, str):
        raise RecordError(f"captureData.{side}.data is missing or not a string")
    encoding = capture.get("encoding")
    if encoding == "CSV":
        return "csv", data
    encoding = str(encoding or "").upper()
    if encoding == "JSON":  # JSON Lines too, by content type (application/jsonlines)
        content = str(capture.get("observedContentType") or "").lower()
        return ("jsonl" if "jsonl" in content or "ndjson" in content else "json"), data
    if encoding == "CSV":
        return "csv", data
    content_type = capture.get("observedContentType")
    if encoding != "BASE64":
        raise RecordError(
            f"captureData.{side}.encoding {capture.get('encoding')!r} is not "
            "one of CSV, JSON, BASE64"
        )
    media, charset = _media_type(content_type)
    fmt = _format_of(media)
    if fmt is None:
        raise RecordError(
            f"captureData.{side}: BASE64 payload with unsupported content type "
            f"{content_type!r} (supported: CSV and JSON media types)"
        )
    try:
        text = base64.b64decode(data, validate=True).decode(charset)
    except (binascii.Error, ValueError, LookupError) as exc:
        raise RecordError(
            f"captureData.{side}: BASE64 payload does not decode as {charset} text ({exc})"
        ) from exc
    return fmt, text


def _numerical(value: Any, name: str) -> float | None:
    """A float, or None when missing: empty, null, or NaN (``NaN``/``nan`` as most serialisers
    write a missing value); infinities and other text are errors."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise RecordError(f"feature {name!r}: {value!r} is not a number")
    try:
        number = float(value)
    except ValueError:
        raise RecordError(f"feature {name!r}: {value!r} is not a number") from None
    if number != number:  # NaN: a missing value
        return None
    if not math.isfinite(number):
        raise RecordError(f"feature {name!r}: {value!r} is not a finite number")
    return number


def _categorical(value: Any, name: str) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise RecordError(f"feature {name!r}: {value!r} is not a category (string or number)")


class CaptureParser:
    """Turns capture lines into :class:`CaptureRecord` for one column schema."""

    def __init__(self, schema: ColumnSchema, output_row_separator: str = "auto") -> None:
        self.schema = schema
        self.names = schema.feature_names
        self.width = len(self.names)
        self._index = {name: i for i, name in enumerate(self.names)}
        self._convert: list[Callable[[Any, str], Any]] = [
            _numerical if f.is_numerical else _categorical for f in schema.features
        ]
        self._numerical_at = [i for i, f in enumerate(schema.features) if f.is_numerical]
        self._categorical_at = [i for i, f in enumerate(schema.features) if not f.is_numerical]
        self.separator = output_row_separator
        self.class_output = schema.output_format == "class"
        self._outputs = OutputReader(schema, output_row_separator)
        self._rows_at: Any = None
        if schema.input is not None and schema.input.rows:
            import jmespath  # only schemas with expressions need it

            self._rows_at = jmespath.compile(schema.input.rows)

    # --- whole line -------------------------------------------------------------------------
    def parse(self, line: bytes | str) -> CaptureRecord:
        record = json_object_line(line, "capture")
        capture = record.get("captureData")
        if not isinstance(capture, dict):
            raise RecordError("missing captureData object (not a data-capture record)")
        if "batchTransformOutput" in capture and "endpointInput" not in capture:
            raise RecordError(
                "captureData.batchTransformOutput: batch-transform capture is read from "
                "its input/ and output/ manifests (CAPTURE_SOURCE, docs/contracts.md), "
                "not as capture lines"
            )
        meta = record.get("eventMetadata")
        if not isinstance(meta, dict):
            raise RecordError("missing eventMetadata object")
        event_id = meta.get("eventId")
        if not isinstance(event_id, str) or not event_id:
            raise RecordError("eventMetadata.eventId missing or empty")
        inference_id = meta.get("inferenceId")
        key = inference_id if isinstance(inference_id, str) and inference_id else event_id
        moment = parse_time(meta.get("inferenceTime"))
        return self.record(
            event_id,
            key,
            moment,
            decode_payload(capture.get("endpointInput"), "endpointInput"),
            decode_payload(capture.get("endpointOutput"), "endpointOutput"),
        )

    def record(
        self,
        event_id: str,
        key: str,
        moment: datetime,
        model_input: tuple[str, str],
        model_output: tuple[str, str],
    ) -> CaptureRecord:
        """One record from its ids and its decoded (format, text) input and output; batch
        transform capture (capture_format.batch_transform) comes in here too."""
        rows = self.parse_input(*model_input)
        if not rows:
            raise RecordError("endpointInput holds no rows")
        scores, predictions = self._outputs.read(*model_output, len(rows))
        return CaptureRecord(event_id, key, moment, rows, scores, predictions)

    # --- model input ------------------------------------------------------------------------
    def parse_input(self, fmt: str, text: str) -> list[tuple]:
        if fmt == "csv":
            rows = _csv_rows(text)
            if rows and rows[0] and rows[0][0].strip() in self._index:
                return self._with_header(rows)
            return [self._typed_csv(fields, i) for i, fields in enumerate(rows)]
        if fmt == "jsonl":
            lines = [line for line in text.splitlines() if line.strip()]
            payloads = [loads_json(line, "endpointInput (JSON Lines)") for line in lines]
            found = [row for payload in payloads for row in self._json_rows(payload)]
        else:
            found = self._json_rows(self._json_body(text))
        return [self._typed(row, i) for i, row in enumerate(found)]

    def _json_body(self, text: str) -> Any:
        """The decoded JSON body; several JSON values on separate lines are JSON Lines."""
        try:
            payload = loads_json(text, "endpointInput")
        except RecordError:
            lines = [line for line in text.splitlines() if line.strip()]
            if len(lines) < 2:
                raise
            payload = [loads_json(line, "endpointInput (JSON Lines)") for line in lines]
        if self._rows_at is not None:
            found = self._rows_at.search(payload)
            if found is None:
                raise RecordError(
                    f"endpointInput: input.rows {self._rows_at.expression!r} in schema.json "
                    "found nothing (expected the list of rows)"
                )
            return found if isinstance(found, list) else [found]
        return payload

    def _with_header(self, rows: Sequence[list[str]]) -> list[tuple]:
        """CSV whose first line names the columns (any order, a subset of the features)."""
        header = [name.strip() for name in rows[0]]
        unknown = [name for name in header if name not in self._index]
        if unknown or len(set(header)) != len(header):
            raise RecordError(
                f"endpointInput: CSV header {header[:5]}... has unknown or repeated "
                f"columns {unknown[:5]} (features: {', '.join(self.names[:3])}, ...)"
            )
        typed = []
        for index, fields in enumerate(rows[1:]):
            if len(fields) != len(header):
                raise RecordError(
                    f"endpointInput row {index}: expected {len(header)} fields "
                    f"(as the CSV header), got {len(fields)}"
                )
            typed.append(self._typed(dict(zip(header, fields, strict=True)), index))
        return typed

    def _json_rows(self, payload: Any) -> list[Any]:
        if isinstance(payload, dict):
            if "instances" in payload:
                payload = payload["instances"]
            elif isinstance(payload.get("inputs"), list):  # TensorFlow Serving row format
                payload = payload["inputs"]
            elif "features" in payload:
                return [payload["features"]]
            else:
                return [payload]  # one object keyed by feature name
        if not isinstance(payload, list):
            raise RecordError(
                f"endpointInput: unsupported JSON payload of type {type(payload).__name__}"
            )
        if payload and all(not isinstance(v, list | dict) for v in payload):
            return [payload]  # a single flat row
        rows = []
        for item in payload:
            if isinstance(item, dict) and "features" in item:
                item = item["features"]
            rows.append(item)
        return rows

    def _typed_csv(self, fields: list[str], index: int) -> tuple:
        """Fast path for CSV fields (all strings); errors are re-derived by :meth:`_typed`."""
        if len(fields) != self.width:
            return self._typed(fields, index)
        values: list[Any] = fields.copy()
        try:
            for i in self._numerical_at:
                text = values[i]
                if text:
                    number = float(text)
                    if number - number:  # NaN or ±inf (x - x is NaN, which is truthy)
                        raise ValueError(text)
                    values[i] = number
                else:
                    values[i] = None
        except ValueError:
            return self._typed(fields, index)
        for i in self._categorical_at:
            if not values[i]:
                values[i] = None
        return tuple(values)

    def _typed(self, row: Any, index: int) -> tuple:
        where = f"row {index}"
        if isinstance(row, dict):
            unknown = sorted(set(row) - set(self._index))
            if unknown:
                raise RecordError(f"endpointInput {where}: unknown feature names {unknown[:5]}")
            row = [row.get(name) for name in self.names]
        elif not isinstance(row, list):
            raise RecordError(
                f"endpointInput {where}: expected a list of "
                f"{self.width} values, got {type(row).__name__}"
            )
        if len(row) != self.width:
            raise RecordError(
                f"endpointInput {where}: expected {self.width} fields "
                f"({', '.join(self.names[:3])}, ...), got {len(row)}"
            )
        try:
            return tuple(
                [
                    convert(value, name)
                    for convert, value, name in zip(self._convert, row, self.names, strict=True)
                ]
            )
        except RecordError as exc:
            raise RecordError(f"endpointInput {where}: {exc}") from None


def parse_binary(value: Any, what: str) -> int:
    """A 0/1 class from "1", "0", "1.0", 1, 1.0; anything else is an error naming ``what``."""
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if isinstance(value, bool):
        raise RecordError(f"{what} {value!r} is not 0 or 1")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise RecordError(f"{what} {value!r} is not 0 or 1") from None
    if number not in (0.0, 1.0):
        raise RecordError(f"{what} {value!r} is not 0 or 1")
    return int(number)


def _csv_rows(text: str) -> Sequence[list[str]]:
    """Rows of a CSV body; the common unquoted case skips the csv module for speed."""
    body = text.strip("\r\n")
    if not body:
        return []
    if '"' not in body:
        if "\n" not in body and "\r" not in body:
            return [body.split(",")]
        return [line.split(",") for line in body.splitlines()]
    return list(csv.reader(body.splitlines()))
