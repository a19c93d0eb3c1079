"""The merge on a batch transform job's capture (manifests under input/ and output/).

Invariant checked throughout: records in the window + outside it + quarantined == read.
"""

from __future__ import annotations

import json
import random
from datetime import timedelta

import pytest

from merge_labels.config import MergeConfig
from merge_labels.errors import ConfigError
from tests.unit.lambdas.merge_labels.helpers import (
    BUCKET,
    CAPTURE_URI,
    ENDPOINT,
    GROUND_TRUTH_URI,
    START,
    adult_rows,
    score,
)
from tests.unit.lambdas.merge_labels.test_merge import (
    NAMES,
    read_manifest,
    read_quarantine,
    read_table,
    run,
    traffic,
    upload,
)
from workflow.offline.batch_capture_writer import batch_invocations, write_batch_transform_job
from workflow.offline.capture_writer import write_ground_truth_files
from workflow.offline.traffic import ground_truth_for

DATA = f"s3://{BUCKET}/batch-transform/{ENDPOINT}"
JOB = "adult-job-1"
OUTPUT_MANIFEST = f"datacapture/{ENDPOINT}/batch-transform/output/2026/11/25/13/{JOB}.jsonl"


def batch_job(s3, n_rows: int, *, output_format: str = "csv", minutes: int = 10, job: str = JOB):
    rows, labels = adult_rows(n_rows)
    invocations = batch_invocations(
        rows,
        [score(row, NAMES) for row in rows],
        job_start=START + timedelta(minutes=minutes),
        rng=random.Random(11),
    )
    written = write_batch_transform_job(
        s3, CAPTURE_URI, ENDPOINT, DATA, job, invocations, NAMES, rows_per_file=40,
        output_format=output_format,
    )  # fmt: skip
    truth = ground_truth_for(invocations, labels, lambda inv: START + timedelta(hours=2))
    write_ground_truth_files(s3, GROUND_TRUTH_URI, ENDPOINT, truth, rng=random.Random(5))
    return invocations, labels, written


def counts_add_up(manifest: dict) -> dict:
    counts, quality = manifest["counts"], manifest["capture_quality"]
    assert (
        counts["records_in_window"]
        + counts["records_outside_window"]
        + quality["records_quarantined"]
        == counts["capture_lines"]
        == quality["records_read"]
    )
    return counts


@pytest.mark.parametrize("output_format", ["csv", "json"])
def test_a_transform_job_is_merged_and_joined_to_its_labels(s3, config, output_format):
    invocations, labels, written = batch_job(s3, 100, output_format=output_format)
    assert len(written.output_uris) == 3  # 40 + 40 + 20 rows

    result = run(s3, config)

    table = read_table(s3)
    assert result["merged_row_count"] == 100 and result["labeled_row_count"] == 100
    assert table.column("inference_id").to_pylist() == [inv.inference_id for inv in invocations]
    assert table.column("label").to_pylist() == labels
    assert table.column("score").to_pylist() == [inv.outputs[0] for inv in invocations]
    assert table.column("age").to_pylist()[:3] == [row.rows[0][0] for row in invocations[:3]]
    assert table.column("event_id").to_pylist()[0] == f"{written.output_uris[0]}:1"
    manifest = read_manifest(s3)
    assert counts_add_up(manifest)["records_in_window"] == 100
    assert manifest["files_read"]["batch_transform_manifests"]["count"] == 2
    assert manifest["files_read"]["capture"]["uris"] == written.output_uris


def test_auto_reads_endpoint_and_batch_capture_and_endpoint_only_ignores_the_job(s3, config):
    batch_job(s3, 30)
    _, _, _, invocations = traffic(20)
    upload(s3, invocations)

    assert run(s3, config)["merged_row_count"] == 50
    endpoint_only = MergeConfig.from_env({"CAPTURE_SOURCE": "endpoint"}, **_settings(config))
    assert run(s3, endpoint_only)["merged_row_count"] == 20
    batch_only = MergeConfig.from_env({"CAPTURE_SOURCE": "batch_transform"}, **_settings(config))
    assert run(s3, batch_only)["merged_row_count"] == 30


def _settings(config: MergeConfig) -> dict:
    return {"data_bucket": config.data_bucket, "default_endpoint_name": ENDPOINT}


def test_an_unknown_capture_source_is_a_config_error():
    with pytest.raises(ConfigError, match="CAPTURE_SOURCE must be one of auto, endpoint"):
        MergeConfig.from_env({"CAPTURE_SOURCE": "batch"}, data_bucket=BUCKET)


def _rewrite(s3, uri: str, edit) -> None:
    key = uri.split("/", 3)[3]
    lines = s3.get_object(Bucket=BUCKET, Key=key)["Body"].read().decode().splitlines()
    s3.put_object(Bucket=BUCKET, Key=key, Body=("\n".join(edit(lines)) + "\n").encode())


def test_malformed_batch_records_are_quarantined_and_every_record_is_counted(s3, config):
    _, _, written = batch_job(s3, 100)
    first, second, third = written.output_uris
    # No inference id (GenerateInferenceId off) on one line; one output line lost; one extra.
    _rewrite(s3, first, lambda lines: [lines[0].split(",")[0], *lines[1:]])
    _rewrite(s3, second, lambda lines: lines[:-1])
    _rewrite(s3, third, lambda lines: [*lines, "0.5,extra-id,2026-11-25T13:10:00Z"])
    # A fourth output the input manifest does not name, and an unreadable manifest.
    s3.put_object(Bucket=BUCKET, Key="batch-transform/x/orphan.csv.out", Body=b"0.1,id,2026\n")
    manifest_key = f"datacapture/{ENDPOINT}/batch-transform/output/2026/11/25/13/"
    s3.put_object(
        Bucket=BUCKET,
        Key=manifest_key + "other.jsonl",
        Body=json.dumps([{"prefix": f"s3://{BUCKET}/batch-transform/x/"}, "orphan.csv.out"]),
    )
    s3.put_object(Bucket=BUCKET, Key=manifest_key + "broken.jsonl", Body=b'[{"prefix": 3}]')

    result = run(s3, config)

    assert len(read_quarantine(s3)) == result["quarantined_record_count"] == 5
    assert result["merged_row_count"] == 98  # 39 + 39 + 20
    assert result["capture_record_count"] == 103  # 40 + 40 + 21 line pairs, 2 manifests
    text = json.dumps(read_quarantine(s3))
    assert "GenerateInferenceId" in text
    assert "has no output line" in text
    assert "has no input line" in text
    assert "no input manifest under input/" in text
    assert "batch-transform manifest" in text and "prefix" in text
    counts_add_up(read_manifest(s3))


def test_a_missing_input_object_quarantines_its_output_lines(s3, config):
    _, _, written = batch_job(s3, 50)
    s3.delete_object(Bucket=BUCKET, Key=written.input_uris[1].split("/", 3)[3])

    result = run(s3, config)

    assert result["merged_row_count"] == 40  # rows 41-50 were in the second input object
    assert result["quarantined_record_count"] == 10
    assert all("NoSuchKey" in entry["reason"] for entry in read_quarantine(s3))
    counts_add_up(read_manifest(s3))


def test_records_timed_outside_the_window_are_counted_not_merged(s3, config):
    _, _, written = batch_job(s3, 20)
    early = "2026-11-25T12:59:00Z"  # e.g. a job started before the hour, filed in this folder
    _rewrite(s3, written.output_uris[0], lambda lines: [
        ",".join([*line.split(",")[:-1], early]) if i < 5 else line for i, line in enumerate(lines)
    ])  # fmt: skip

    result = run(s3, config)

    assert result["merged_row_count"] == 15
    assert counts_add_up(read_manifest(s3))["records_outside_window"] == 5
