"""What a retraining ended with, for the trend page: one record per window that retrained.

``{STATE_PREFIX}/{endpoint}/retrainings/{window slug}.json`` beside the window records; a re-run
of the window overwrites it. PromoteChallenger writes it (deployed, registered or champion
kept); after a deploy ActivateBaseline marks the baseline refreshed, so a record that says
``deployed`` with ``baseline_refreshed: false`` is a deploy whose refresh did not finish.
The trend Lambda (``trend_report.records.parse_retraining``) reads it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

RECORD_VERSION = 1


def record_key(state_prefix: str, endpoint: str, slug: str) -> str:
    return f"{state_prefix.strip('/')}/{endpoint}/retrainings/{slug}.json"


def promotion_record(
    *,
    endpoint: str,
    window: dict[str, str],
    run_id: str,
    outcome: str,
    verdict: str,
    reason: str,
    metric: str,
    comparison: dict[str, Any],
    package_arn: str,
    package_status: str,
    deployment: dict[str, str] | None,
) -> dict[str, Any]:
    difference = comparison["differences"][metric]
    return {
        "record_version": RECORD_VERSION,
        "endpoint_name": endpoint,
        "window": {k: window[k] for k in ("start", "end", "slug")},
        "run_id": run_id,
        "decided_at": datetime.now(UTC).isoformat(),
        "decision": outcome,
        "verdict": verdict,
        "reason": reason,
        "metric": metric,
        "champion": comparison["champion"][metric],
        "challenger": comparison["challenger"][metric],
        "estimate": difference["estimate"],
        "ci_low": difference["ci_low"],
        "ci_high": difference["ci_high"],
        "holdout_rows": comparison["rows"],
        "model_package_arn": package_arn,
        "model_package_status": package_status,
        "deployed_model": (deployment or {}).get("model_name"),
        "baseline_refreshed": False,
    }


def write(s3: Any, bucket: str, key: str, record: dict[str, Any]) -> None:
    s3.put_object(
        Bucket=bucket,
        Key=key,
        Body=json.dumps(record, sort_keys=True).encode("utf-8"),
        ContentType="application/json",
    )


def mark_baseline_refreshed(s3: Any, bucket: str, key: str, baseline_uri: str) -> None:
    """The deploy's record, now with its baseline live."""
    record = json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
    record.update(baseline_refreshed=True, baseline_uri=baseline_uri)
    write(s3, bucket, key, record)
