"""Write realistic SageMaker data-capture and ground-truth files into (moto) S3.

The offline demo, the merge Lambda's tests and its benchmark need the artefacts a real endpoint
and a label producer leave in S3. This module produces them exactly as described in
the AWS documentation of data capture and Model Monitor ground truth:

* capture lines (§1.3-1.5): CSV by default, optionally JSON payloads, BASE64-encoded payloads,
  batched requests (several rows per invocation), with or without ``inferenceId``;
* capture keys (§1.2): ``{root}/{endpoint}/{variant}/yyyy/mm/dd/hh/{mm}-{ss}-{ms}-{uuid}.jsonl``,
  one file per (inference hour, up to ``records_per_file`` invocations);
* ground-truth lines (§2.2) and keys (§2.1): ``{root}/{endpoint}/yyyy/mm/dd/hh/*.jsonl`` by
  *upload* hour.

Batched rows are joined to labels as ``{id}:{row_index}`` (§1.5, our convention);
:meth:`Invocation.row_ids` gives those ids. Plain Python + boto3 (client injected), no pandas.
Invocations are made from tabular rows by ``workflow.offline.traffic``; a batch transform
job's capture is written by ``workflow.offline.batch_capture_writer``.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import random
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import groupby
from typing import Any

INPUT_FORMATS = ("csv", "json")
JSON_STYLES = ("instances", "instances_lists", "rows", "objects")


@dataclass(frozen=True)
class Invocation:
    """One InvokeEndpoint call: one capture line holding one or several model-input rows.

    ``rows`` are feature values in schema order (sequences) or keyed by feature name;
    ``outputs`` are the model's outputs, one per row (a probability, or a class).
    """

    rows: Sequence[Sequence[Any] | Mapping[str, Any]]
    outputs: Sequence[float | int]
    inference_time: datetime
    event_id: str
    inference_id: str | None = None

    def __post_init__(self) -> None:
        if not self.rows or len(self.rows) != len(self.outputs):
            raise ValueError(
                f"invocation {self.event_id}: {len(self.rows)} rows but {len(self.outputs)} outputs"
            )
        if self.inference_time.tzinfo is None:
            raise ValueError(f"invocation {self.event_id}: inference_time must be timezone-aware")

    @property
    def key(self) -> str:
        """The ground-truth join key: ``inferenceId`` when set, else ``eventId`` (§2.2)."""
        return self.inference_id or self.event_id

    def row_ids(self) -> list[str]:
        """Join key of each row: the key, or ``{key}:{row_index}`` for a batched request."""
        if len(self.rows) == 1:
            return [self.key]
        return [f"{self.key}:{index}" for index in range(len(self.rows))]


@dataclass(frozen=True)
class PayloadOptions:
    """How the capture payloads are encoded.

    ``input_format``: "csv" (``text/csv``) or "json" (``application/json``);
    ``json_style``: "instances" ``{"instances": [{"features": [...]}]}``, "instances_lists"
    ``{"instances": [[...]]}``, "rows" ``[[...], ...]``, "objects" ``[{name: value}, ...]``;
    ``output_format``: "csv" (one value per line) or "json" (``{"predictions": [...]}``);
    ``output_separator``: "\\n" or "," between the output values of a batched request;
    ``base64``: store both payloads as ``"encoding": "BASE64"`` (as SageMaker does for content
    types not listed in ``CaptureContentTypeHeader``);
    ``class_output``: outputs are classes (``predicted_label``) rather than probabilities.
    """

    input_format: str = "csv"
    json_style: str = "instances"
    output_format: str = "csv"
    output_separator: str = "\n"
    base64: bool = False
    class_output: bool = False

    def __post_init__(self) -> None:
        if self.input_format not in INPUT_FORMATS or self.output_format not in INPUT_FORMATS:
            raise ValueError(f"formats must be one of {INPUT_FORMATS}")
        if self.json_style not in JSON_STYLES:
            raise ValueError(f"json_style must be one of {JSON_STYLES}")
        if self.output_separator not in ("\n", ","):
            raise ValueError("output_separator must be '\\n' or ','")


@dataclass(frozen=True)
class GroundTruth:
    """One label: the capture's join key (see :meth:`Invocation.row_ids`), 0/1, upload time."""

    event_id: str
    label: int
    upload_time: datetime


# --- lines ------------------------------------------------------------------------------------
def format_time(moment: datetime) -> str:
    """``inferenceTime`` as in AWS's documented examples: UTC, second precision, ``Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def ordered_row(row: Sequence[Any] | Mapping[str, Any], names: Sequence[str]) -> list[Any]:
    if isinstance(row, Mapping):
        return [row.get(name) for name in names]
    if len(row) != len(names):
        raise ValueError(f"row has {len(row)} values for {len(names)} features")
    return list(row)


def _csv_field(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def csv_body(rows: Iterable[Sequence[Any]]) -> str:
    """CSV text, one line per row, quoting only where needed, no trailing newline."""
    lines = []
    for row in rows:
        fields = [_csv_field(v) for v in row]
        if any(("," in f) or ('"' in f) or ("\n" in f) for f in fields):
            buffer = io.StringIO()
            csv.writer(buffer, lineterminator="").writerow(fields)
            lines.append(buffer.getvalue())
        else:
            lines.append(",".join(fields))
    return "\n".join(lines)


def _json_input(rows: list[list[Any]], names: Sequence[str], style: str) -> str:
    if style == "instances":
        payload: Any = {"instances": [{"features": row} for row in rows]}
    elif style == "instances_lists":
        payload = {"instances": rows}
    elif style == "rows":
        payload = rows
    else:
        payload = [dict(zip(names, row, strict=True)) for row in rows]
    return json.dumps(payload)


def _output_text(outputs: Sequence[float | int], options: PayloadOptions) -> str:
    if options.output_format == "json":
        key = "predicted_label" if options.class_output else "score"
        return json.dumps({"predictions": [{key: value} for value in outputs]})
    return options.output_separator.join(str(value) for value in outputs)


def _payload(
    text: str, content_type: str, encoding: str, mode: str, use_base64: bool
) -> dict[str, str]:
    if use_base64:
        text, encoding = base64.b64encode(text.encode("utf-8")).decode("ascii"), "BASE64"
    return {"observedContentType": content_type, "mode": mode, "data": text, "encoding": encoding}


def capture_record(
    invocation: Invocation, feature_names: Sequence[str], options: PayloadOptions | None = None
) -> dict[str, Any]:
    """The data-capture record (§1.3) of one invocation."""
    options = options or PayloadOptions()
    rows = [ordered_row(row, feature_names) for row in invocation.rows]
    if options.input_format == "csv":
        input_text, input_type, input_encoding = csv_body(rows) + "\n", "text/csv", "CSV"
    else:
        input_text = _json_input(rows, feature_names, options.json_style)
        input_type, input_encoding = "application/json", "JSON"
    output_text = _output_text(invocation.outputs, options)
    output_type, output_encoding = (
        ("application/json", "JSON")
        if options.output_format == "json"
        else ("text/csv; charset=utf-8", "CSV")
    )
    metadata = {"eventId": invocation.event_id}
    if invocation.inference_id:
        metadata["inferenceId"] = invocation.inference_id
    metadata["inferenceTime"] = format_time(invocation.inference_time)
    return {
        "captureData": {
            "endpointInput": _payload(
                input_text, input_type, input_encoding, "INPUT", options.base64
            ),
            "endpointOutput": _payload(
                output_text, output_type, output_encoding, "OUTPUT", options.base64
            ),
        },
        "eventMetadata": metadata,
        "eventVersion": "0",
    }


def capture_line(
    invocation: Invocation, feature_names: Sequence[str], options: PayloadOptions | None = None
) -> str:
    """One JSON Lines line (without the newline) of a capture file."""
    return json.dumps(capture_record(invocation, feature_names, options), separators=(",", ":"))


def ground_truth_record(event_id: str, label: int) -> dict[str, Any]:
    """The ground-truth record (§2.2); ``event_id`` is the capture's join key."""
    return {
        "groundTruthData": {"data": str(int(label)), "encoding": "CSV"},
        "eventMetadata": {"eventId": event_id},
        "eventVersion": "0",
    }


def ground_truth_line(event_id: str, label: int) -> str:
    return json.dumps(ground_truth_record(event_id, label), separators=(",", ":"))


# --- keys and uploads -------------------------------------------------------------------------
def split_s3_uri(uri: str) -> tuple[str, str]:
    if not uri.startswith("s3://"):
        raise ValueError(f"not an s3:// URI: {uri!r}")
    bucket, _, prefix = uri[5:].partition("/")
    return bucket, prefix.strip("/")


def join_key(*parts: str) -> str:
    return "/".join(p.strip("/") for p in parts if p)


def seeded_uuid(rng: random.Random) -> str:
    """A version-4 UUID drawn from ``rng`` (reproducible, unlike ``uuid.uuid4``)."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def capture_key(
    capture_s3_uri: str, endpoint: str, variant: str, first_time: datetime, rng: random.Random
) -> tuple[str, str]:
    """(bucket, key) of a capture file whose first record was captured at ``first_time``."""
    bucket, root = split_s3_uri(capture_s3_uri)
    moment = first_time.astimezone(UTC)
    name = f"{moment:%M}-{moment:%S}-{moment.microsecond // 1000:03d}-{seeded_uuid(rng)}.jsonl"
    return bucket, join_key(root, endpoint, variant, f"{moment:%Y/%m/%d/%H}", name)


def ground_truth_key(
    ground_truth_s3_uri: str, endpoint: str, upload_time: datetime, rng: random.Random
) -> tuple[str, str]:
    """(bucket, key) of a label file uploaded at ``upload_time`` (hour folder = upload hour)."""
    bucket, root = split_s3_uri(ground_truth_s3_uri)
    moment = upload_time.astimezone(UTC)
    name = f"labels-{moment:%Y%m%dT%H%M%S}-{rng.getrandbits(32):08x}.jsonl"
    return bucket, join_key(root, endpoint, f"{moment:%Y/%m/%d/%H}", name)


def _chunks(items: list[Any], size: int) -> Iterable[list[Any]]:
    for first in range(0, len(items), size):
        yield items[first : first + size]


def _upload_by_hour(
    s3,
    items: list[Any],
    moment: Callable[[Any], datetime],
    key_for: Callable[[datetime], tuple[str, str]],
    line_for: Callable[[Any], str],
    records_per_file: int,
) -> list[str]:
    """Upload ``items`` as JSON Lines files, one per (UTC hour of ``moment``, chunk of
    ``records_per_file``), in time order; returns the ``s3://`` URIs written."""
    ordered = sorted(items, key=moment)
    uris = []
    for _, in_hour in groupby(
        ordered, key=lambda item: moment(item).astimezone(UTC).strftime("%Y%m%d%H")
    ):
        for chunk in _chunks(list(in_hour), records_per_file):
            bucket, key = key_for(moment(chunk[0]))
            body = "".join(line_for(item) + "\n" for item in chunk)
            s3.put_object(Bucket=bucket, Key=key, Body=body.encode("utf-8"))
            uris.append(f"s3://{bucket}/{key}")
    return uris


def write_capture_files(
    s3,
    capture_s3_uri: str,
    endpoint: str,
    variant: str,
    invocations: Iterable[Invocation],
    feature_names: Sequence[str],
    *,
    options: PayloadOptions | None = None,
    records_per_file: int = 2000,
    rng: random.Random | None = None,
) -> list[str]:
    """Upload the invocations' capture lines, one file per (inference hour, ``records_per_file``)
    (§1.2); returns the ``s3://`` URIs written."""
    rng = rng or random.Random(0)
    return _upload_by_hour(
        s3,
        list(invocations),
        lambda inv: inv.inference_time,
        lambda moment: capture_key(capture_s3_uri, endpoint, variant, moment, rng),
        lambda inv: capture_line(inv, feature_names, options),
        records_per_file,
    )


def write_ground_truth_files(
    s3,
    ground_truth_s3_uri: str,
    endpoint: str,
    labels: Iterable[GroundTruth],
    *,
    records_per_file: int = 5000,
    rng: random.Random | None = None,
) -> list[str]:
    """Upload label lines grouped by upload hour (§2.1); returns the URIs written."""
    rng = rng or random.Random(1)
    return _upload_by_hour(
        s3,
        list(labels),
        lambda item: item.upload_time,
        lambda moment: ground_truth_key(ground_truth_s3_uri, endpoint, moment, rng),
        lambda item: ground_truth_line(item.event_id, item.label),
        records_per_file,
    )
