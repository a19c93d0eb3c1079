"""The window record: one small JSON object per evaluated window, what the trend page reads.

Where: ``s3://{DATA_BUCKET}/{STATE_PREFIX}/{endpoint}/windows/{window slug}.json``. Why a
record of its own: the decision (and why) exists nowhere else once the execution is over, and
the trend page must not read every window's ``statistics.json`` (tens of kilobytes each, 8,760
a year) to draw a line. The key is determined by endpoint and window, so re-running a window
replaces its record (idempotent); S3 versioning keeps the earlier one.

The shape is ``trend_report.records``'s input (docs/contracts.md, "Window record").
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime
from typing import Any

from evaluate_violations.facts import WindowFacts
from evaluate_violations.models import MergePayload, ModelOutputDriftSummary, Violation
from evaluate_violations.reports import Reports

RECORD_VERSION = 1
WINDOWS_FOLDER = "windows"


def window_record_key(prefix: str, endpoint_name: str, slug: str) -> str:
    return f"{prefix.strip('/')}/{endpoint_name}/{WINDOWS_FOLDER}/{slug}.json"


def build_window_record(
    *,
    merge: MergePayload,
    reports: Reports,
    facts: WindowFacts,
    violations: list[Violation],
    decision: str,
    reasons: list[str],
    processing_job_name: str | None,
    decided_at: datetime,
) -> dict[str, Any]:
    """Everything the trend page plots for one window, from what the evaluation already read."""
    summary = reports.statistics.summary
    quality, projection, dataset = summary.model_quality, summary.projection, summary.dataset_drift
    drift = reports.statistics.drift
    threshold = facts.actual_threshold
    if threshold is None:
        threshold = facts.projected_threshold
    return {
        "record_version": RECORD_VERSION,
        "endpoint_name": merge.endpoint_name,
        "window": {
            "start": merge.window.start.isoformat(),
            "end": merge.window.end.isoformat(),
            "slug": merge.window.slug,
        },
        "run_id": merge.run_id,
        "processing_job_name": processing_job_name,
        "decided_at": decided_at.isoformat(),
        "decision": decision,
        "reasons": reasons,
        "report_uri": reports.report_uri,
        "report_html_uri": reports.report_html_uri,
        "row_count": facts.row_count,
        "labeled_row_count": facts.labeled_row_count,
        "label_coverage": facts.label_coverage,
        "accuracy_threshold": threshold,
        "accuracy": {
            "value": facts.actual_accuracy,
            "interval": _pair(facts.actual_interval),
            "status": quality.status if quality else None,
        },
        "projected_accuracy": {
            "value": facts.projected_accuracy,
            "interval": _pair(facts.projected_interval),
            "status": projection.status if projection else None,
        },
        "dataset_drift": {
            "auc": dataset.auc if dataset else None,
            "auc_threshold": dataset.auc_threshold if dataset else None,
            "drifted": dataset.drifted if dataset else None,
            "status": dataset.status if dataset else None,
        },
        "model_output_drift": _output_drift(summary.model_output_drift),
        "features": [
            {
                "name": feature.name,
                "score": feature.effect_size,
                "threshold": feature.threshold,
                "drifted": bool(feature.drifted),
            }
            for feature in (drift.features if drift else [])
        ],
        "violations": dict(Counter(str(v.constraint_check_type) for v in violations)),
    }


def _output_drift(output: ModelOutputDriftSummary | None) -> dict[str, Any]:
    return {
        "drifted": output.drifted if output else None,
        "drifted_outputs": output.drifted_outputs if output else None,
        "evaluated": output.evaluated if output else None,
        "status": output.status if output else None,
    }


def write_window_record(s3: Any, bucket: str, prefix: str, record: dict[str, Any]) -> str:
    """Put the record (same key on a re-run) and return its ``s3://`` URI."""
    key = window_record_key(prefix, record["endpoint_name"], record["window"]["slug"])
    s3.put_object(
        Bucket=bucket,
        Key=key,
        Body=json.dumps(record, sort_keys=True).encode("utf-8"),
        ContentType="application/json",
    )
    return f"s3://{bucket}/{key}"


def _pair(interval: tuple[float, float] | None) -> list[float] | None:
    return None if interval is None else [float(interval[0]), float(interval[1])]
