"""Lambda entry point: re-render the endpoint's trend page after each evaluated window.

Handler: ``trend_report.app.lambda_handler``. Runs after EvaluateViolations (which has just
written this window's record), so the page shows the current window's decision, then publishes
that window's metrics (trend_report.telemetry).
Event: ``{"endpoint_name": "...", "window_slug": "..."}`` (the slug is optional: without it no
metric is published). After a window with no rows the state machine adds ``"no_data": {"window":
{start, end, slug}, "run_id", "manifest_uri"}``: the function writes that window's record itself
(EvaluateViolations does not run), so the page marks it "no data" instead of a gap. On the
failure path (RecordFailedWindow) it gets ``"failed": {"window", "run_id", "state", "subject"}``
and records the window ``failed``, unless the window already has a record (a failed re-run
keeps the earlier result).
Returns ``trend_uri``, ``window_count``, ``rejected_count``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import boto3
from aws_lambda_powertools import Logger, Tracer

from trend_report.page import render_page
from trend_report.store import (
    Locations,
    read_s3_records,
    read_s3_retrainings,
    record_exists,
    write_s3_page,
    write_s3_record,
)
from trend_report.telemetry import record_window_metrics

DEFAULT_NAMESPACE = "DriftPipeline"
# X-Ray (Tracing: Active in template.yaml): the invocation, its S3 calls (boto3 patched) and the
# render as subsegments. Outside Lambda (tests, the offline run) Powertools disables it.
tracer = Tracer(service="trend_report")


class TrendEventError(ValueError):
    """The event names no endpoint."""


def locations_from_env(env: Mapping[str, str]) -> Locations:
    bucket = env.get("DATA_BUCKET", "")
    if not bucket:
        raise TrendEventError("DATA_BUCKET is not set: the bucket holding the window records")
    return Locations(
        bucket=bucket,
        state_prefix=env.get("STATE_PREFIX", "state"),
        reports_prefix=env.get("REPORTS_PREFIX", "reports"),
    )


@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return handle(event, context, where=locations_from_env(os.environ), s3=_s3_client())


def handle(event: dict[str, Any], context: Any, *, where: Locations, s3: Any) -> dict[str, Any]:
    """The handler with its dependencies injected (tests and the offline run call this)."""
    logger = Logger(service=os.environ.get("POWERTOOLS_SERVICE_NAME", "trend_report"))
    endpoint = event.get("endpoint_name") if isinstance(event, dict) else None
    if not isinstance(endpoint, str) or not endpoint:
        raise TrendEventError(f"the event needs a non-empty endpoint_name, got {event!r:.200}")
    if isinstance(event.get("no_data"), dict):
        write_s3_record(s3, where, endpoint, no_data_record(endpoint, event["no_data"]))
    if isinstance(event.get("failed"), dict):
        failed = failed_record(endpoint, event["failed"])
        if not record_exists(s3, where, endpoint, failed["window"]["slug"]):
            write_s3_record(s3, where, endpoint, failed)  # an earlier result is kept
    tracer.put_annotation(key="endpoint", value=endpoint)
    points, rejected = read_s3_records(s3, where, endpoint)
    retrainings, unreadable = read_s3_retrainings(s3, where, endpoint)
    rejected += unreadable
    with tracer.provider.in_subsegment("render_page"):
        html = render_page(endpoint, points, rejected, retrainings=retrainings)
    uri = write_s3_page(s3, where, endpoint, html)
    slug = event.get("window_slug")
    current = next((p for p in points if p.slug == slug), None)
    if current is not None:
        namespace = os.environ.get("POWERTOOLS_METRICS_NAMESPACE", DEFAULT_NAMESPACE)
        record_window_metrics(namespace, endpoint, current, points)
    elif slug:
        logger.warning("no record of the window: no metrics published", extra={"slug": slug})
    for entry in rejected:
        logger.warning("window record rejected", extra={"key": entry.key, "reason": entry.reason})
    logger.info("trend rendered", extra={"trend_uri": uri, "windows": len(points)})
    return {"trend_uri": uri, "window_count": len(points), "rejected_count": len(rejected)}


def no_data_record(endpoint: str, no_data: dict[str, Any]) -> dict[str, Any]:
    """The record of a window with no rows (shape: docs/contracts.md, "Window record")."""
    reason = f"no rows in the window (merge manifest {no_data.get('manifest_uri')})"
    return _own_record(endpoint, "no_data", no_data, reason)


def failed_record(endpoint: str, failed: dict[str, Any]) -> dict[str, Any]:
    """The record of a window whose run failed before it was evaluated (the failure path)."""
    state = failed.get("state") or "a state"
    subject = failed.get("subject") or "see its notification"
    return _own_record(endpoint, "failed", failed, f"the run failed in {state}: {subject}")


def _own_record(endpoint: str, decision: str, event: dict[str, Any], reason: str) -> dict[str, Any]:
    """A window record this function writes itself (no report, no rows evaluated); the window
    comes from the event's ``no_data`` or ``failed`` part, named after the decision."""
    window = event.get("window")
    if not isinstance(window, dict) or not all(
        isinstance(window.get(k), str) for k in ("start", "end", "slug")
    ):
        raise TrendEventError(f"{decision}.window needs start, end and slug, got {window!r:.200}")
    return {
        "record_version": 1,
        "endpoint_name": endpoint,
        "window": {k: window[k] for k in ("start", "end", "slug")},
        "run_id": event.get("run_id"),
        "decided_at": datetime.now(UTC).isoformat(),
        "decision": decision,
        "reasons": [reason],
        "report_html_uri": "",
        "row_count": 0,
        "labeled_row_count": 0,
    }


@lru_cache(maxsize=1)
def _s3_client() -> Any:
    """Created on first use (never at import), reused by warm invocations."""
    return boto3.client("s3")
