"""Write what a SageMaker batch transform job with data capture leaves in S3 (into moto).

As documented in "Capture data from batch transform job" (Amazon SageMaker developer guide,
model-monitor-data-capture-batch; docs/contracts.md "Batch transform capture"):

* the job's input objects, one CSV line per model-input row (``SplitType: Line``), and its
  output objects ``{input key}.out``, one line per row (``AssembleWith: Line``) ending, with
  ``GenerateInferenceId``, in the record's inference id and the job's start time;
* manifests under ``DestinationS3Uri`` = ``{capture root}/{endpoint}/batch-transform``:
  ``input/yyyy/mm/dd/hh/{job}.jsonl`` and ``output/yyyy/mm/dd/hh/{job}.jsonl`` (hour of the
  job's start), each a JSON array ``[{"prefix": "s3://.../"}, "relative/key", ...]``.

Every row is one :class:`Invocation` with its inference id and the job's start time as its
inference time, so ``workflow.offline.traffic.ground_truth_for`` writes its labels.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from workflow.offline.capture_writer import (
    Invocation,
    csv_body,
    format_time,
    join_key,
    ordered_row,
    seeded_uuid,
    split_s3_uri,
)

BATCH_FOLDER = "batch-transform"
OUTPUT_FORMATS = ("csv", "json")


@dataclass(frozen=True)
class BatchTransformJob:
    """The S3 URIs one simulated job wrote."""

    input_uris: list[str]
    output_uris: list[str]
    manifest_uris: list[str]


def batch_invocations(
    rows: Sequence[Sequence[Any]],
    outputs: Sequence[float | int],
    *,
    job_start: datetime,
    rng: random.Random,
) -> list[Invocation]:
    """One invocation per row, as a transform job with ``GenerateInferenceId`` records them:
    a random (seeded) UUID as the inference id, the job's start time (whole seconds)."""
    if len(rows) != len(outputs):
        raise ValueError(f"{len(rows)} rows but {len(outputs)} outputs")
    moment = job_start.astimezone(UTC).replace(microsecond=0)
    return [
        Invocation(
            rows=[list(row)],
            outputs=[output],
            inference_time=moment,
            event_id=seeded_uuid(rng),
            inference_id=seeded_uuid(rng),
        )
        for row, output in zip(rows, outputs, strict=True)
    ]


def output_line(invocation: Invocation, output_format: str = "csv") -> str:
    """One ``.out`` line: the model's output with the inference id and time appended."""
    if invocation.inference_id is None or len(invocation.rows) != 1:
        raise ValueError("a batch-transform record is one row with an inference id")
    value, moment = invocation.outputs[0], format_time(invocation.inference_time)
    if output_format == "json":
        return json.dumps(
            {
                "output": value,
                "SageMakerInferenceId": invocation.inference_id,
                "SageMakerInferenceTime": moment,
            }
        )
    return f"{value},{invocation.inference_id},{moment}"


def _put(s3, uri: str, body: str) -> str:
    bucket, key = split_s3_uri(uri)
    s3.put_object(Bucket=bucket, Key=key, Body=body.encode("utf-8"))
    return uri


def write_batch_transform_job(
    s3,
    capture_s3_uri: str,
    endpoint: str,
    data_s3_uri: str,
    job_name: str,
    invocations: Sequence[Invocation],
    feature_names: Sequence[str],
    *,
    rows_per_file: int = 250,
    output_format: str = "csv",
) -> BatchTransformJob:
    """Upload one job's input and output objects and its two capture manifests."""
    if not invocations:
        raise ValueError("a transform job needs at least one record")
    if output_format not in OUTPUT_FORMATS:
        raise ValueError(f"output_format must be one of {OUTPUT_FORMATS}")
    input_prefix = f"{data_s3_uri.rstrip('/')}/input/{job_name}/"
    output_prefix = f"{data_s3_uri.rstrip('/')}/output/{job_name}/"
    names, inputs, outputs = [], [], []
    for first in range(0, len(invocations), rows_per_file):
        chunk = invocations[first : first + rows_per_file]
        name = f"part-{first // rows_per_file:05d}.csv"
        rows = [ordered_row(inv.rows[0], feature_names) for inv in chunk]
        inputs.append(_put(s3, input_prefix + name, csv_body(rows) + "\n"))
        lines = "".join(output_line(inv, output_format) + "\n" for inv in chunk)
        outputs.append(_put(s3, output_prefix + name + ".out", lines))
        names.append(name)
    started = min(inv.inference_time for inv in invocations)
    destination = join_key(capture_s3_uri, endpoint, BATCH_FOLDER)
    manifests = [
        _put(
            s3,
            f"{destination}/{side}/{started:%Y/%m/%d/%H}/{job_name}.jsonl",
            json.dumps([{"prefix": prefix}, *(name + suffix for name in names)], indent=4),
        )
        for side, prefix, suffix in (("input", input_prefix, ""), ("output", output_prefix, ".out"))
    ]
    return BatchTransformJob(inputs, outputs, manifests)
