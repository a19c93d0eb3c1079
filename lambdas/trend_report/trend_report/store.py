"""Where the window records and the trend page live in S3, and reading them in parallel.

Records: ``{STATE_PREFIX}/{endpoint}/windows/{slug}.json`` (written by evaluate_violations) and
``{STATE_PREFIX}/{endpoint}/retrainings/{slug}.json`` (written by the retraining branch).
Page: ``{REPORTS_PREFIX}/{endpoint}/trend.html``, beside the windows' report folders, so its
relative links (``{slug}/report.html``) work in a downloaded copy of the reports too.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from botocore.exceptions import ClientError

from trend_report.records import Rejected, WindowPoint, parse_record
from trend_report.retrainings import RetrainingMark, parse_retraining

T = TypeVar("T")

TREND_FILE = "trend.html"
READ_WORKERS = 32  # S3 GETs are latency-bound; a year of hourly records is 8,760 of them


@dataclass(frozen=True)
class Locations:
    bucket: str
    state_prefix: str = "state"
    reports_prefix: str = "reports"

    def records_prefix(self, endpoint: str) -> str:
        return f"{self.state_prefix.strip('/')}/{endpoint}/windows/"

    def retrainings_prefix(self, endpoint: str) -> str:
        return f"{self.state_prefix.strip('/')}/{endpoint}/retrainings/"

    def page_key(self, endpoint: str) -> str:
        return f"{self.reports_prefix.strip('/')}/{endpoint}/{TREND_FILE}"


def read_s3_records(
    s3: Any, where: Locations, endpoint: str
) -> tuple[list[WindowPoint], list[Rejected]]:
    return _split(_read_all(s3, where.bucket, where.records_prefix(endpoint), parse_record))


def read_s3_retrainings(
    s3: Any, where: Locations, endpoint: str
) -> tuple[list[RetrainingMark], list[Rejected]]:
    """What each retraining ended with (written by the retraining branch)."""
    results = _read_all(s3, where.bucket, where.retrainings_prefix(endpoint), parse_retraining)
    marks = [r for r in results if isinstance(r, RetrainingMark)]
    return marks, [r for r in results if isinstance(r, Rejected)]


def _read_all(s3: Any, bucket: str, prefix: str, parse: Callable[[str, bytes], T]) -> list[T]:
    keys = [
        item["Key"]
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        for item in page.get("Contents", [])
        if item["Key"].endswith(".json")
    ]

    def read(key: str) -> T:
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        return parse(f"s3://{bucket}/{key}", body)

    with ThreadPoolExecutor(max_workers=READ_WORKERS) as pool:
        return list(pool.map(read, keys))


def read_local_records(folder: Path) -> tuple[list[WindowPoint], list[Rejected]]:
    """A folder of window records (e.g. ``aws s3 sync`` of the records prefix)."""
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: no such folder of window records")
    return _split(
        parse_record(str(path), path.read_bytes()) for path in sorted(folder.glob("*.json"))
    )


def record_exists(s3: Any, where: Locations, endpoint: str, slug: str) -> bool:
    key = f"{where.records_prefix(endpoint)}{slug}.json"
    try:
        s3.head_object(Bucket=where.bucket, Key=key)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return False
        raise
    return True


def write_s3_record(s3: Any, where: Locations, endpoint: str, record: dict[str, Any]) -> str:
    """A window record of this function's own (no data, or a failed run); same key on a
    re-run."""
    key = f"{where.records_prefix(endpoint)}{record['window']['slug']}.json"
    s3.put_object(
        Bucket=where.bucket,
        Key=key,
        Body=json.dumps(record, sort_keys=True).encode("utf-8"),
        ContentType="application/json",
    )
    return f"s3://{where.bucket}/{key}"


def write_s3_page(s3: Any, where: Locations, endpoint: str, html: str) -> str:
    key = where.page_key(endpoint)
    s3.put_object(
        Bucket=where.bucket,
        Key=key,
        Body=html.encode("utf-8"),
        ContentType="text/html; charset=utf-8",
    )
    return f"s3://{where.bucket}/{key}"


def _split(results: Iterable[WindowPoint | Rejected]) -> tuple[list[WindowPoint], list[Rejected]]:
    points: list[WindowPoint] = []
    rejected: list[Rejected] = []
    for result in results:
        (rejected if isinstance(result, Rejected) else points).append(result)  # type: ignore[arg-type]
    return points, rejected
