"""The simulated batch transform job writes AWS's documented capture layout."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime

import boto3
import pytest
from moto import mock_aws

from workflow.offline.batch_capture_writer import (
    batch_invocations,
    output_line,
    write_batch_transform_job,
)

NAMES = ["age", "workclass", "hours"]
START = datetime(2026, 11, 25, 13, 10, 30, 500000, tzinfo=UTC)


@pytest.fixture
def s3(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    with mock_aws():
        client = boto3.client("s3")
        client.create_bucket(Bucket="acme")
        yield client


def _body(s3, uri: str) -> str:
    key = uri.split("/", 3)[3]
    return s3.get_object(Bucket="acme", Key=key)["Body"].read().decode()


def test_records_have_an_inference_id_and_the_job_start_time():
    invocations = batch_invocations(
        [[39, "Private", 40], [50, None, 20]], [0.7, 0.2], job_start=START, rng=random.Random(1)
    )
    assert {inv.inference_time for inv in invocations} == {START.replace(microsecond=0)}
    assert len({inv.inference_id for inv in invocations}) == 2
    line = output_line(invocations[0])
    assert line == f"0.7,{invocations[0].inference_id},2026-11-25T13:10:30Z"
    as_json = json.loads(output_line(invocations[1], "json"))
    assert as_json == {
        "output": 0.2,
        "SageMakerInferenceId": invocations[1].inference_id,
        "SageMakerInferenceTime": "2026-11-25T13:10:30Z",
    }


def test_inputs_outputs_and_manifests_in_the_documented_layout(s3):
    rows = [[30 + i, "Private", 40] for i in range(5)]
    invocations = batch_invocations(rows, [0.5] * 5, job_start=START, rng=random.Random(2))
    data = "s3://acme/batch-transform/ep"
    job = write_batch_transform_job(
        s3, "s3://acme/datacapture", "ep", data, "job-1", invocations, NAMES, rows_per_file=2
    )
    assert job.input_uris == [
        f"s3://acme/batch-transform/ep/input/job-1/part-0000{i}.csv" for i in range(3)
    ]
    assert job.output_uris == [
        uri.replace("/input/", "/output/") + ".out" for uri in job.input_uris
    ]
    assert job.manifest_uris == [
        "s3://acme/datacapture/ep/batch-transform/input/2026/11/25/13/job-1.jsonl",
        "s3://acme/datacapture/ep/batch-transform/output/2026/11/25/13/job-1.jsonl",
    ]
    manifest = json.loads(_body(s3, job.manifest_uris[1]))
    assert manifest[0] == {"prefix": "s3://acme/batch-transform/ep/output/job-1/"}
    assert manifest[1:] == [f"part-0000{i}.csv.out" for i in range(3)]
    assert _body(s3, job.input_uris[0]) == "30,Private,40\n31,Private,40\n"
    assert len(_body(s3, job.output_uris[2]).splitlines()) == 1
