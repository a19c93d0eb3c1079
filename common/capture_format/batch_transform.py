"""SageMaker batch-transform data capture: its manifests and its output lines' inference ids.

A transform job with ``DataCaptureConfig`` does not copy the records: under its
``DestinationS3Uri`` it writes manifests in ``input/yyyy/mm/dd/hh/`` and
``output/yyyy/mm/dd/hh/`` (the hour the job started) that name the job's input objects and
its output objects (``{input name}.out``). With ``GenerateInferenceId`` every output line ends
with an inference id and the job's start time, which the ground truth joins on:

* CSV: ``0.73,1f1d57b1-2e6f-488c-8c30-db4e6d757861,2022-08-30T00:49:15Z``;
* JSON / JSON Lines: ``{"output": 0.73, "SageMakerInferenceId": "...",
  "SageMakerInferenceTime": "..."}``.

Source: "Capture data from batch transform job", Amazon SageMaker developer guide
(docs.aws.amazon.com/sagemaker/latest/dg/model-monitor-data-capture-batch.html); the layout as
the merge reads it is in docs/contracts.md "Batch transform capture".
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from capture_format.errors import RecordError, json_object_line
from capture_format.outputs import loads_json

ID_KEY = "SageMakerInferenceId"
TIME_KEY = "SageMakerInferenceTime"
OUTPUT_SUFFIX = ".out"
_NO_ID = (
    "has no inference id and time (the last two CSV fields, or the JSON keys "
    f"{ID_KEY}/{TIME_KEY}); start the transform job with "
    "DataCaptureConfig.GenerateInferenceId = true so its records can be joined to labels"
)


class ManifestError(ValueError):
    """A capture manifest that is not ``[{"prefix": "s3://..."}, "relative/key", ...]``."""


@dataclass(frozen=True, slots=True)
class BatchOutput:
    """One output line: its inference id and time, and the model's output (format, text)."""

    inference_id: str
    inference_time: datetime
    output: tuple[str, str]


@dataclass(frozen=True, slots=True)
class Manifest:
    """A capture manifest: the ``prefix`` and the keys relative to it."""

    prefix: str
    keys: tuple[str, ...]

    def uri(self, key: str) -> str:
        return self.prefix + key


def parse_manifest(text: str) -> Manifest:
    """A manifest's prefix and relative keys.

    The documented form is one JSON array; a manifest written as JSON Lines (the prefix object
    and then one key per line) is read the same way.
    """
    try:
        document: Any = loads_json(text, "manifest")
    except RecordError:
        try:
            document = [json.loads(line) for line in text.splitlines() if line.strip()]
        except ValueError:
            raise ManifestError("not JSON (expected a JSON array of a prefix and keys)") from None
    if not isinstance(document, list) or not document:
        raise ManifestError('expected a JSON array [{"prefix": "s3://..."}, "key", ...]')
    head, *keys = document
    prefix = head.get("prefix") if isinstance(head, dict) else None
    if not isinstance(prefix, str) or not prefix.startswith("s3://"):
        raise ManifestError(f'the first entry must be {{"prefix": "s3://..."}}, got {head!r:.80}')
    bad = [key for key in keys if not isinstance(key, str) or not key]
    if bad:
        raise ManifestError(f"entries after the prefix must be object keys, got {bad[0]!r:.80}")
    base = prefix if prefix.endswith("/") else prefix + "/"
    return Manifest(base, tuple(key.lstrip("/") for key in keys))


def input_format(key: str, first_line: bytes | str) -> str:
    """ "csv" or "json" for the lines of a transform input object: by suffix, else by content."""
    name = key.lower().removesuffix(".gz")
    if name.endswith(".csv"):
        return "csv"
    if name.endswith((".json", ".jsonl", ".ndjson")):
        return "json"
    text = first_line.decode("utf-8", "replace") if isinstance(first_line, bytes) else first_line
    return "json" if text.lstrip()[:1] in ("{", "[") else "csv"


def _time(value: Any) -> datetime:
    if not isinstance(value, str) or not value.strip():
        raise RecordError(f"batch-transform output {_NO_ID}")
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise RecordError(
            f"batch-transform output: inference time {value!r:.40} is not ISO-8601 "
            f"(is this an output line with GenerateInferenceId?); {_NO_ID}"
        ) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def parse_output_line(line: bytes | str) -> BatchOutput:
    """One line of a ``.out`` object -> its inference id, time and the model's output."""
    try:
        text = line.decode("utf-8") if isinstance(line, bytes) else line
    except UnicodeDecodeError as exc:
        raise RecordError(f"batch-transform output line is not UTF-8 ({exc})") from None
    text = text.strip()
    if text.startswith("{"):
        record = json_object_line(text, "batch-transform output")
        inference_id = record.pop(ID_KEY, None)
        moment = record.pop(TIME_KEY, None)
        if not isinstance(inference_id, str) or not inference_id:
            raise RecordError(f"batch-transform output {_NO_ID}")
        body = record["output"] if set(record) == {"output"} else record
        return BatchOutput(inference_id, _time(moment), ("json", json.dumps(body)))
    fields = [field.strip() for field in next(csv.reader([text]), [])]
    if len(fields) < 3 or not fields[-2]:
        raise RecordError(f"batch-transform output {_NO_ID}")
    *output, inference_id, moment = fields
    return BatchOutput(inference_id, _time(moment), ("csv", ",".join(output)))
