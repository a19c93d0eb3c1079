"""Read the analysis job's outputs from ``report_uri`` and fail loudly when they are unusable.

A missing ``constraint_violations.json`` means the job did not finish (the container always
writes it, ``{"violations": []}`` when healthy), so it must never be read as "healthy".
``statistics.json`` carries the accuracy, coverage and drifted features that the reasons quote,
so a missing or malformed one is a failure too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, TypeVar

from botocore.exceptions import ClientError
from pydantic import BaseModel, ValidationError

from evaluate_violations.models import (
    StatisticsReport,
    Violation,
    ViolationsReport,
)

VIOLATIONS_FILE = "constraint_violations.json"
STATISTICS_FILE = "statistics.json"
REPORT_HTML_FILE = "report.html"

_MISSING_CODES = {"NoSuchKey", "404", "NotFound"}

M = TypeVar("M", bound=BaseModel)


class ReportError(RuntimeError):
    """An analysis output cannot be used; the message names the S3 object and the problem."""


class MissingReportError(ReportError):
    """The object (or its bucket) does not exist."""


class UnreadableReportError(ReportError):
    """S3 refused the read, or the bytes are not UTF-8."""


class InvalidReportError(ReportError):
    """The object is not JSON, or its JSON does not have the documented shape."""


@dataclass(frozen=True)
class Reports:
    violations: list[Violation]
    statistics: StatisticsReport
    report_uri: str

    @property
    def report_html_uri(self) -> str:
        return self.report_uri + REPORT_HTML_FILE

    def fallback_accuracy(self, group: str) -> float | None:
        """``accuracy.value`` of a model-quality metric group, when the summary lacks it."""
        metrics = getattr(self.statistics, group)
        if metrics is None or metrics.accuracy is None:
            return None
        return metrics.accuracy.value


def split_s3_uri(uri: str) -> tuple[str, str]:
    """``s3://bucket/key`` → (bucket, key)."""
    if not uri.startswith("s3://") or "/" not in uri[5:]:
        raise ValueError(f"not an s3://bucket/key URI: {uri!r}")
    bucket, _, key = uri[5:].partition("/")
    if not bucket:
        raise ValueError(f"not an s3://bucket/key URI: {uri!r}")
    return bucket, key


def normalise_prefix_uri(uri: str) -> str:
    """Report prefixes are folders: make sure the URI ends with ``/``."""
    return uri if uri.endswith("/") else uri + "/"


def read_reports(s3: Any, report_uri: str) -> Reports:
    """Read and validate ``constraint_violations.json`` and ``statistics.json``."""
    report_uri = normalise_prefix_uri(report_uri)
    bucket, prefix = split_s3_uri(report_uri)
    violations = _read_model(s3, bucket, prefix + VIOLATIONS_FILE, ViolationsReport)
    statistics = _read_model(s3, bucket, prefix + STATISTICS_FILE, StatisticsReport)
    return Reports(violations=violations.violations, statistics=statistics, report_uri=report_uri)


def _read_model(s3: Any, bucket: str, key: str, model: type[M]) -> M:
    where = f"s3://{bucket}/{key}"
    document = _read_json(s3, bucket, key)
    if not isinstance(document, dict):
        raise InvalidReportError(
            f"{where}: wrong shape: expected a JSON object, got {type(document).__name__}"
        )
    try:
        return model.model_validate(document)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc']) or '(root)'}: {error['msg']}"
            for error in exc.errors()[:5]
        )
        more = f" (+{exc.error_count() - 5} more)" if exc.error_count() > 5 else ""
        raise InvalidReportError(f"{where}: wrong shape: {problems}{more}") from None


def _read_json(s3: Any, bucket: str, key: str) -> Any:
    where = f"s3://{bucket}/{key}"
    try:
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    except ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code", ""))
        if code in _MISSING_CODES:
            raise MissingReportError(
                f"{where} does not exist: the analysis job did not write it "
                f"(job failed, or wrote to another prefix)"
            ) from None
        if code == "NoSuchBucket":
            raise MissingReportError(f"{where}: bucket {bucket!r} does not exist") from None
        raise UnreadableReportError(f"{where} could not be read: {code or exc}") from None
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UnreadableReportError(f"{where} is not UTF-8 text: {exc}") from None
    if not text.strip():
        raise InvalidReportError(f"{where} is empty (0 bytes of JSON)")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidReportError(
            f"{where} is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
