"""Read raw SageMaker data-capture JSONL (Model Monitor's ``sagemakerCaptureJson`` format).

Walks ``{dataset_source}/**/*.jsonl`` (the ``{endpoint}/{variant}/yyyy/mm/dd/hh/`` tree),
keeps records with ``inferenceTime`` in ``[start, end)``, splits batched requests into rows
(CSV lines, or JSON ``{"instances": [{"features": [...]}]}`` / ``{"instances": [[...]]}`` / a
list of rows / a list of objects keyed by feature name) and zips them with the outputs (CSV
values, or JSON ``{"predictions": [...]}`` of numbers or objects with ``score`` /
``probability`` / ``predicted_label``). There are no labels in capture data. Lines that
cannot be used are counted and reported (with examples), never dropped silently.
"""

from __future__ import annotations

import base64
import binascii
import csv
import json
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa

from column_schema import ColumnSchema
from drift_monitor.errors import InputError
from drift_monitor.window import IngestReport, WindowData, from_table

_MAX_EXAMPLES = 5


def _payload(block: dict) -> tuple[str, bool]:
    """The payload text and whether it is JSON (by encoding or content type)."""
    data = block.get("data")
    if not isinstance(data, str):
        raise ValueError("'data' is missing or not a string")
    encoding = str(block.get("encoding", "CSV")).upper()
    is_json = encoding == "JSON" or "json" in str(block.get("observedContentType", "")).lower()
    if encoding == "BASE64":
        try:
            return base64.b64decode(data, validate=True).decode("utf-8"), is_json
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise ValueError(f"BASE64 payload does not decode to UTF-8 text ({exc})") from exc
    return data, is_json


def _cell(value: object) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, (dict, list)):
        raise ValueError(f"a feature value is a nested {type(value).__name__}")
    return str(value)


def _json_rows(text: str, names: list[str]) -> list[list[str | None]]:
    body = json.loads(text)
    if isinstance(body, dict) and "instances" in body:
        body = body["instances"]
    if isinstance(body, dict):
        body = [body]
    if not isinstance(body, list):
        raise ValueError("JSON input is neither a list of rows nor {'instances': [...]}")
    if body and not isinstance(body[0], (list, dict)):
        body = [body]  # one flat row
    rows = []
    for item in body:
        if isinstance(item, dict) and "features" in item:
            item = item["features"]
        if isinstance(item, dict):
            unknown = sorted(set(item) - set(names))
            if unknown:
                raise ValueError(f"JSON row has keys not in the schema: {unknown}")
            rows.append([_cell(item.get(name)) for name in names])
        elif isinstance(item, list):
            rows.append([_cell(value) for value in item])
        else:
            raise ValueError(f"JSON row is a {type(item).__name__}")
    return rows


def _json_outputs(text: str) -> list[str]:
    body = json.loads(text)
    if isinstance(body, dict):
        body = body.get("predictions", body.get("scores", [body]))
    if not isinstance(body, list):
        body = [body]
    values = []
    for item in body:
        if isinstance(item, dict):
            item = next((item[k] for k in ("score", "probability", "predicted_label",
                                           "prediction", "label") if k in item), None)
            if item is None:
                raise ValueError("JSON prediction has no score/probability/predicted_label")
        values.append(str(item))
    return values


def _split_output(text: str) -> list[str]:
    text = text.strip()
    if not text:
        return []
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) == 1 and "," in lines[0]:
        return [v.strip() for v in lines[0].split(",")]
    return lines


def _parse_time(value: object) -> datetime:
    if not isinstance(value, str):
        raise ValueError("eventMetadata.inferenceTime is missing")
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def read_capture(root: Path, schema: ColumnSchema, *, start: datetime | None,
                 end: datetime | None) -> WindowData:
    if not root.exists():
        raise InputError(f"{root}: dataset_source does not exist")
    files = sorted(root.rglob("*.jsonl")) if root.is_dir() else [root]
    report = IngestReport(source=str(root))
    names = schema.feature_names
    n_features = len(names)
    features: list[list[str | None]] = [[] for _ in names]
    outputs: list[str | None] = []
    ids: list[str] = []
    event_ids: list[str] = []
    times: list[datetime] = []

    def reject(where: str, why: str) -> None:
        report.malformed_records += 1
        if len(report.malformed_examples) < _MAX_EXAMPLES:
            report.malformed_examples.append(f"{where}: {why}")

    for path in files:
        with path.open(encoding="utf-8", errors="replace") as handle:
            for line_no, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                where = f"{path}:{line_no}"
                try:
                    record = json.loads(line)
                    meta = record["eventMetadata"]
                    when = _parse_time(meta.get("inferenceTime"))
                    capture = record["captureData"]
                    input_text, input_is_json = _payload(capture["endpointInput"])
                    output_block = capture.get("endpointOutput")
                    output_text, output_is_json = (_payload(output_block) if output_block
                                                   else ("", False))
                    if (start and when < start) or (end and when >= end):
                        report.records_outside_window += 1
                        continue
                    rows = (_json_rows(input_text, names) if input_is_json else
                            [r for r in csv.reader(input_text.strip().splitlines()) if r])
                    outs = (_json_outputs(output_text) if output_is_json and output_text.strip()
                            else _split_output(output_text))
                except (json.JSONDecodeError, KeyError, TypeError, ValueError,
                        AttributeError) as exc:
                    reject(where, f"{type(exc).__name__}: {exc}")
                    continue
                if not rows:
                    reject(where, "endpointInput has no rows")
                    continue
                if outs and len(outs) != len(rows):
                    reject(where, f"{len(rows)} input rows but {len(outs)} output values")
                    continue
                bad = next((r for r in rows if len(r) != n_features), None)
                if bad is not None:
                    reject(where, f"a row has {len(bad)} fields, the schema has {n_features} "
                                  "features")
                    continue
                event_id = str(meta.get("eventId", ""))
                base_id = str(meta.get("inferenceId") or event_id)
                for index, row in enumerate(rows):
                    for column, value in zip(features, row, strict=True):
                        column.append(value.strip() or None if value is not None else None)
                    outputs.append(outs[index] if outs else None)
                    ids.append(base_id if len(rows) == 1 else f"{base_id}:{index}")
                    event_ids.append(event_id)
                    times.append(when)

    columns: dict[str, pa.Array] = {
        "inference_id": pa.array(ids, pa.string()),
        "event_id": pa.array(event_ids, pa.string()),
        "inference_time": pa.array(times, pa.timestamp("ms", tz="UTC")),
    }
    for name, values in zip(names, features, strict=True):
        columns[name] = pa.array(values, pa.string())
    output_role = schema.score if schema.score else schema.prediction
    columns[output_role] = pa.array(outputs, pa.string())
    return from_table(pa.table(columns), schema, source=str(root), ingest=report)
