"""The analysis image behind a window: pinned digests kept, tags resolved in ECR, gaps named."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import boto3
import pytest
from moto import mock_aws

from evaluate_violations.evaluation import evaluate
from evaluate_violations.models import EvaluateEvent
from evaluate_violations.provenance import provenance_record, resolve_image
from tests.unit.lambdas.evaluate_violations.conftest import (
    BUCKET,
    NOW,
    REPORT_PREFIX,
    event,
    statistics,
    write_reports,
)

ACCOUNT = "123456789012"
REPOSITORY = "drift-monitor"
REGISTRY = f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com"
DIGEST = "sha256:" + "ab" * 32


@pytest.fixture
def ecr(monkeypatch):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(name, "testing")
    with mock_aws():
        client = boto3.client("ecr", region_name="us-east-1")
        client.create_repository(repositoryName=REPOSITORY, imageTagMutability="IMMUTABLE")
        manifest = {
            "schemaVersion": 2,
            "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
            "config": {
                "mediaType": "application/vnd.docker.container.image.v1+json",
                "size": 1,
                "digest": DIGEST,
            },
            "layers": [],
        }
        client.put_image(
            repositoryName=REPOSITORY, imageManifest=json.dumps(manifest), imageTag="monitor-v3"
        )
        yield client


def test_a_tag_is_resolved_to_the_digest_ecr_holds_for_it(ecr):
    expected = ecr.describe_images(
        repositoryName=REPOSITORY, imageIds=[{"imageTag": "monitor-v3"}]
    )["imageDetails"][0]["imageDigest"]

    image = resolve_image(ecr, f"{REGISTRY}/{REPOSITORY}:monitor-v3")

    assert (image.image_digest, image.digest_source, image.digest_note) == (expected, "ecr", None)


def test_a_pinned_uri_keeps_its_digest_without_asking_ecr():
    uri = f"{REGISTRY}/{REPOSITORY}@{DIGEST}"

    image = resolve_image(object(), uri)  # no client call may happen

    assert (image.image_uri, image.image_digest, image.digest_source) == (uri, DIGEST, "pinned")


def test_an_unknown_tag_is_recorded_with_ecrs_reason_not_guessed(ecr):
    image = resolve_image(ecr, f"{REGISTRY}/{REPOSITORY}:monitor-v9")

    assert image.image_digest is None
    assert image.digest_source == "unresolved"
    assert "ImageNotFoundException" in (image.digest_note or "")


@pytest.mark.parametrize(
    "uri",
    ["docker.io/library/python:3.11", f"{REGISTRY}/{REPOSITORY}", "not a uri"],
)
def test_an_image_ecr_cannot_describe_says_pin_it_by_digest(uri):
    image = resolve_image(object(), uri)

    assert image.image_digest is None
    assert "pin it by digest" in (image.digest_note or "")


def test_the_record_names_the_run_and_the_job():
    image = resolve_image(object(), f"{REGISTRY}/{REPOSITORY}@{DIGEST}")

    record = json.loads(
        provenance_record(
            image,
            run_id="run-1",
            processing_job_name="analysis-run-1",
            recorded_at=datetime(2026, 12, 2, 3, 0, tzinfo=UTC),
        )
    )

    assert record == {
        "image_uri": f"{REGISTRY}/{REPOSITORY}@{DIGEST}",
        "image_digest": DIGEST,
        "digest_source": "pinned",
        "digest_note": None,
        "run_id": "run-1",
        "processing_job_name": "analysis-run-1",
        "recorded_at": "2026-12-02T03:00:00+00:00",
    }


def test_an_evaluation_writes_provenance_beside_the_reports_and_returns_the_digest(s3, config):
    write_reports(s3, violations=[], stats=statistics(confusion=(170, 20, 22, 176)))
    pinned = f"{REGISTRY}/{REPOSITORY}@{DIGEST}"
    request = EvaluateEvent.model_validate(
        {**event(), "processing_job_name": "analysis-run", "image_uri": pinned}
    )

    first = evaluate(request, s3=s3, config=config, now=NOW).result
    again = evaluate(request, s3=s3, config=config, now=NOW).result  # a re-run of the window

    assert (first.image_uri, first.image_digest) == (pinned, DIGEST)
    assert again == first
    stored = s3.list_objects_v2(Bucket=BUCKET, Prefix=REPORT_PREFIX + "provenance")["Contents"]
    assert [item["Key"] for item in stored] == [REPORT_PREFIX + "provenance.json"]
    record = json.loads(
        s3.get_object(Bucket=BUCKET, Key=REPORT_PREFIX + "provenance.json")["Body"].read()
    )
    assert (record["image_digest"], record["processing_job_name"]) == (DIGEST, "analysis-run")


def test_an_evaluation_without_an_image_writes_no_provenance(s3, config):
    write_reports(s3, violations=[], stats=statistics(confusion=(170, 20, 22, 176)))

    result = evaluate(EvaluateEvent.model_validate(event()), s3=s3, config=config, now=NOW).result

    assert (result.image_uri, result.image_digest) == (None, None)
    listed = s3.list_objects_v2(Bucket=BUCKET, Prefix=REPORT_PREFIX + "provenance")
    assert listed["KeyCount"] == 0
