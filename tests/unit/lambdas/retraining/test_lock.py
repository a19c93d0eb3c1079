"""One retraining at a time per endpoint."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError

from retraining.lock import LockError, RetrainLock
from tests.unit.lambdas.retraining.conftest import BUCKET

NOW = datetime(2026, 11, 25, 14, 5, tzinfo=UTC)


def lock_for(aws) -> RetrainLock:
    return RetrainLock(aws.client("s3"), aws.client("stepfunctions"), BUCKET)


def test_a_second_execution_is_refused_while_the_first_runs(aws, start_execution):
    first, second = start_execution(), start_execution()
    lock = lock_for(aws)
    assert lock.acquire("adult-income", first, NOW).acquired
    refused = lock.acquire("adult-income", second, NOW)
    assert not refused.acquired and refused.holder == first
    assert lock.acquire("other-endpoint", second, NOW).acquired  # per endpoint
    assert lock.acquire("adult-income", first, NOW).acquired  # a retry of the holder


def test_a_lock_whose_execution_ended_is_taken_over(aws, start_execution):
    first, second = start_execution(), start_execution()
    lock = lock_for(aws)
    lock.acquire("adult-income", first, NOW)
    aws.client("stepfunctions").stop_execution(executionArn=first)  # failed half-way
    assert lock.acquire("adult-income", second, NOW).acquired


def test_only_the_holder_releases(aws, start_execution):
    first, second = start_execution(), start_execution()
    lock = lock_for(aws)
    lock.acquire("adult-income", first, NOW)
    assert not lock.release("adult-income", second)
    assert lock.release("adult-income", first)
    assert lock.acquire("adult-income", second, NOW).acquired


class _LosesTheRace:
    """An S3 client whose conditional put fails as S3 does when another writer won."""

    def __init__(self, s3: Any, winner_body: bytes) -> None:
        self._s3, self._winner = s3, winner_body

    def __getattr__(self, name: str) -> Any:
        return getattr(self._s3, name)

    def put_object(self, **kwargs: Any) -> None:
        self._s3.put_object(Bucket=kwargs["Bucket"], Key=kwargs["Key"], Body=self._winner)
        raise ClientError(
            {"Error": {"Code": "PreconditionFailed", "Message": "At least one failed"}},
            "PutObject",
        )


def test_losing_the_conditional_put_means_not_acquired(aws, start_execution):
    winner, loser = start_execution(), start_execution()
    body = json.dumps({"execution_id": winner}).encode()
    lock = RetrainLock(_LosesTheRace(aws.client("s3"), body), aws.client("stepfunctions"), BUCKET)
    outcome = lock.acquire("adult-income", loser, NOW)
    assert not outcome.acquired and outcome.holder == winner


def test_an_unreadable_lock_is_a_clear_error(aws):
    aws.client("s3").put_object(Bucket=BUCKET, Key="retraining/adult-income/lock.json", Body=b"x")
    with pytest.raises(LockError, match="is not a lock record"):
        lock_for(aws).acquire("adult-income", "arn:x", NOW)
