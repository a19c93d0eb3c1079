"""The retrain cool-down record: durable, per endpoint, claimed with a conditional put.

Where: ``s3://{DATA_BUCKET}/{STATE_PREFIX}/{endpoint}/retrain.json``. Why S3: the bucket is
already in the stack, versioned (every claim stays in the object's history) and durable, so the
state needs no extra service. Why a conditional put: two executions of the state machine can
evaluate at the same time (a re-run next to the hourly one); each reads the record and its
ETag, and writes with ``If-None-Match: *`` (no record yet) or ``If-Match: <etag>`` (replacing
what it read). S3 accepts only one of the two writes; the loser gets 412/409 and must not
retrain.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError
from pydantic import BaseModel, ConfigDict, ValidationError

STATE_FILE = "retrain.json"
_MISSING_CODES = {"NoSuchKey", "404", "NotFound"}
_LOST_RACE_CODES = {"PreconditionFailed", "412", "ConditionalRequestConflict", "409"}


class CooldownStateError(RuntimeError):
    """The cool-down record exists but cannot be read or understood."""


class RetrainRecord(BaseModel):
    """Written when a retrain is decided (not when training ends)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    endpoint_name: str
    run_id: str
    window_slug: str
    retrained_at: datetime
    forced: bool = False
    reasons: list[str] = []

    def cooldown_until(self, hours: float) -> datetime:
        return self.retrained_at + timedelta(hours=hours)


@dataclass(frozen=True)
class StoredRecord:
    record: RetrainRecord | None
    etag: str | None  # None when there is no record yet


class CooldownStore:
    """Reads and claims ``retrain.json`` for one bucket/prefix; the S3 client is injected."""

    def __init__(self, s3: Any, bucket: str, prefix: str) -> None:
        self._s3 = s3
        self._bucket = bucket
        self._prefix = prefix.strip("/")

    def key(self, endpoint_name: str) -> str:
        return f"{self._prefix}/{endpoint_name}/{STATE_FILE}"

    def uri(self, endpoint_name: str) -> str:
        return f"s3://{self._bucket}/{self.key(endpoint_name)}"

    def read(self, endpoint_name: str) -> StoredRecord:
        key = self.key(endpoint_name)
        try:
            response = self._s3.get_object(Bucket=self._bucket, Key=key)
        except ClientError as exc:
            if _code(exc) in _MISSING_CODES:
                return StoredRecord(record=None, etag=None)
            raise CooldownStateError(
                f"{self.uri(endpoint_name)} could not be read: {_code(exc) or exc}"
            ) from None
        body = response["Body"].read()
        try:
            record = RetrainRecord.model_validate(json.loads(body.decode("utf-8")))
        except (UnicodeDecodeError, json.JSONDecodeError, ValidationError) as exc:
            raise CooldownStateError(
                f"{self.uri(endpoint_name)} is not a valid cool-down record "
                f"({exc.__class__.__name__}: {str(exc).splitlines()[0]}); fix or delete it"
            ) from None
        return StoredRecord(record=record, etag=response["ETag"])

    def claim(self, record: RetrainRecord, expected: StoredRecord) -> bool:
        """Write ``record`` only if the object is still what ``expected`` saw.

        Returns False when another execution wrote first (the caller must not retrain).
        """
        condition = {"IfMatch": expected.etag} if expected.etag else {"IfNoneMatch": "*"}
        try:
            self._put(record, **condition)
        except ClientError as exc:
            if _code(exc) in _LOST_RACE_CODES or (expected.etag and _code(exc) in _MISSING_CODES):
                return False
            raise CooldownStateError(
                f"{self.uri(record.endpoint_name)} could not be written: {_code(exc) or exc}"
            ) from None
        return True

    def overwrite(self, record: RetrainRecord) -> None:
        """Unconditional write, for a forced retrain (which retrains whatever the record says)."""
        try:
            self._put(record)
        except ClientError as exc:
            raise CooldownStateError(
                f"{self.uri(record.endpoint_name)} could not be written: {_code(exc) or exc}"
            ) from None

    def _put(self, record: RetrainRecord, **condition: str) -> None:
        self._s3.put_object(
            Bucket=self._bucket,
            Key=self.key(record.endpoint_name),
            Body=record.model_dump_json(indent=2).encode("utf-8"),
            ContentType="application/json",
            **condition,
        )


def new_record(
    endpoint_name: str,
    run_id: str,
    window_slug: str,
    now: datetime,
    forced: bool,
    reasons: list[str],
) -> RetrainRecord:
    return RetrainRecord(
        endpoint_name=endpoint_name,
        run_id=run_id,
        window_slug=window_slug,
        retrained_at=now.astimezone(UTC),
        forced=forced,
        reasons=reasons,
    )


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))
