"""The cool-down record in S3: conditional claims, so two executions cannot both retrain."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from evaluate_violations.cooldown import CooldownStateError, CooldownStore, new_record
from evaluate_violations.evaluation import evaluate
from evaluate_violations.models import EvaluateEvent
from tests.unit.lambdas.evaluate_violations.conftest import (
    BUCKET,
    ENDPOINT,
    NOW,
    accuracy_violation,
    event,
    statistics,
    write_reports,
)

KEY = f"state/{ENDPOINT}/retrain.json"


def record(run_id: str, now=NOW):
    return new_record(ENDPOINT, run_id, "slug", now, forced=False, reasons=["r"])


def test_location_is_bucket_prefix_endpoint(s3):
    store = CooldownStore(s3, BUCKET, "/state/")
    assert store.uri(ENDPOINT) == f"s3://{BUCKET}/state/{ENDPOINT}/retrain.json"


def test_no_record_reads_as_empty(s3):
    stored = CooldownStore(s3, BUCKET, "state").read(ENDPOINT)
    assert (stored.record, stored.etag) == (None, None)


def test_only_one_of_two_first_claims_wins(s3):
    store = CooldownStore(s3, BUCKET, "state")
    seen_a, seen_b = store.read(ENDPOINT), store.read(ENDPOINT)
    assert store.claim(record("run-a"), seen_a) is True
    assert store.claim(record("run-b"), seen_b) is False  # If-None-Match: * → 412
    assert store.read(ENDPOINT).record.run_id == "run-a"


def test_only_one_of_two_replacing_claims_wins(s3):
    store = CooldownStore(s3, BUCKET, "state")
    store.claim(record("run-0"), store.read(ENDPOINT))
    seen_a, seen_b = store.read(ENDPOINT), store.read(ENDPOINT)
    later = NOW + timedelta(days=2)
    assert store.claim(record("run-a", later), seen_a) is True
    assert store.claim(record("run-b", later), seen_b) is False  # stale If-Match → 412
    stored = store.read(ENDPOINT)
    assert stored.record.run_id == "run-a"
    assert stored.record.retrained_at == later
    versions = s3.list_object_versions(Bucket=BUCKET, Prefix=KEY)["Versions"]
    assert len(versions) == 2  # versioned bucket keeps the history of claims


def test_corrupt_record_is_a_clear_failure(s3):
    s3.put_object(Bucket=BUCKET, Key=KEY, Body=b"{not json")
    with pytest.raises(
        CooldownStateError,
        match=f"s3://{BUCKET}/{KEY} is not a valid cool-down "
        r"record \(JSONDecodeError",
    ):
        CooldownStore(s3, BUCKET, "state").read(ENDPOINT)
    s3.put_object(Bucket=BUCKET, Key=KEY, Body=json.dumps({"run_id": "x"}).encode())
    with pytest.raises(CooldownStateError, match="ValidationError"):
        CooldownStore(s3, BUCKET, "state").read(ENDPOINT)


class _RacingS3:
    """Delegates to moto, but lets another execution finish first when this one claims."""

    def __init__(self, real, competitor):
        self._real, self._competitor, self.raced = real, competitor, False

    def put_object(self, **kwargs):
        if kwargs["Key"] == KEY and not self.raced:
            self.raced = True
            self._competitor()
        return self._real.put_object(**kwargs)

    def __getattr__(self, name):
        return getattr(self._real, name)


def test_concurrent_executions_retrain_once(s3, config):
    write_reports(s3, violations=[accuracy_violation(0.71)], stats=statistics())

    def competitor():
        winner = evaluate(
            EvaluateEvent.model_validate(event(run_id="run-fast")), s3=s3, config=config, now=NOW
        )
        assert winner.result.decision == "retrain"

    racing = _RacingS3(s3, competitor)
    loser = evaluate(
        EvaluateEvent.model_validate(event(run_id="run-slow")), s3=racing, config=config, now=NOW
    )
    assert racing.raced
    assert loser.result.decision == "notify"
    assert loser.result.reasons[0].endswith("(another execution claimed the retrain concurrently)")
    assert "by run run-fast" in loser.result.reasons[0]
    assert CooldownStore(s3, BUCKET, "state").read(ENDPOINT).record.run_id == "run-fast"
