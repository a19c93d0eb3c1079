"""One retraining at a time per endpoint: a lock object claimed with a conditional put.

Where: ``s3://{DATA_BUCKET}/retraining/{endpoint}/lock.json``, holding the execution that owns
it. A claim writes with ``If-None-Match: *`` (no lock) or ``If-Match: <etag>`` (taking over a
stale one), so of two concurrent executions S3 accepts one write; the other is told who holds
the lock and notifies instead of retraining. A lock is stale when its execution is no longer
running (Step Functions ``DescribeExecution``): a branch that failed half-way cannot block the
endpoint for good. The promotion step deletes the lock when the branch ends.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

LOCK_PREFIX = "retraining"
_MISSING = {"NoSuchKey", "404", "NotFound"}
_LOST_RACE = {"PreconditionFailed", "412", "ConditionalRequestConflict", "409"}


class LockError(RuntimeError):
    """The lock object cannot be read, parsed or written."""


@dataclass(frozen=True)
class LockOutcome:
    acquired: bool
    holder: str  # execution id holding the lock (this one when acquired)
    lock_uri: str

    def as_dict(self) -> dict[str, Any]:
        return {"acquired": self.acquired, "holder": self.holder, "lock_uri": self.lock_uri}


class RetrainLock:
    def __init__(self, s3: Any, sfn: Any, bucket: str) -> None:
        self._s3, self._sfn, self._bucket = s3, sfn, bucket

    def key(self, endpoint: str) -> str:
        return f"{LOCK_PREFIX}/{endpoint}/lock.json"

    def uri(self, endpoint: str) -> str:
        return f"s3://{self._bucket}/{self.key(endpoint)}"

    def acquire(self, endpoint: str, execution_id: str, now: datetime) -> LockOutcome:
        holder, etag = self._read(endpoint)
        if holder == execution_id:  # a retried invocation of the same execution
            return LockOutcome(True, execution_id, self.uri(endpoint))
        if holder and self._running(holder):
            return LockOutcome(False, holder, self.uri(endpoint))
        body = json.dumps(
            {"endpoint_name": endpoint, "execution_id": execution_id, "acquired_at": _iso(now)}
        )
        condition = {"IfMatch": etag} if etag else {"IfNoneMatch": "*"}
        try:
            self._s3.put_object(
                Bucket=self._bucket, Key=self.key(endpoint), Body=body.encode(), **condition
            )
        except ClientError as exc:
            if _code(exc) in _LOST_RACE or (etag and _code(exc) in _MISSING):
                winner, _ = self._read(endpoint)
                return LockOutcome(False, winner or "another execution", self.uri(endpoint))
            raise LockError(f"{self.uri(endpoint)} could not be written: {_code(exc)}") from None
        return LockOutcome(True, execution_id, self.uri(endpoint))

    def release(self, endpoint: str, execution_id: str) -> bool:
        """Delete the lock if this execution holds it; True when it did."""
        holder, _ = self._read(endpoint)
        if holder != execution_id:
            return False
        self._s3.delete_object(Bucket=self._bucket, Key=self.key(endpoint))
        return True

    def _read(self, endpoint: str) -> tuple[str | None, str | None]:
        try:
            response = self._s3.get_object(Bucket=self._bucket, Key=self.key(endpoint))
        except ClientError as exc:
            if _code(exc) in _MISSING:
                return None, None
            raise LockError(f"{self.uri(endpoint)} could not be read: {_code(exc)}") from None
        try:
            holder = json.loads(response["Body"].read())["execution_id"]
        except (ValueError, KeyError, TypeError) as exc:
            raise LockError(
                f"{self.uri(endpoint)} is not a lock record ({exc.__class__.__name__}); "
                "delete it if no retraining is running"
            ) from None
        return str(holder), response["ETag"]

    def _running(self, execution_id: str) -> bool:
        try:
            status = self._sfn.describe_execution(executionArn=execution_id)["status"]
        except ClientError as exc:
            if _code(exc) == "ExecutionDoesNotExist":
                return False
            raise
        return status == "RUNNING"


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))
