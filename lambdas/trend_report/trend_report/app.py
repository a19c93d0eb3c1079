"""Lambda entry point: re-render the endpoint's trend page after each evaluated window.

Handler: ``trend_report.app.lambda_handler``. Runs after EvaluateViolations (which has just
written this window's record), so the page shows the current window's decision, then publishes
that window's metrics (trend_report.telemetry).
Event: ``{"endpoint_name": "...", "window_slug": "..."}`` (the slug is optional: without it no
metric is published). Returns ``trend_uri``, ``window_count``, ``rejected_count``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import boto3
from aws_lambda_powertools import Logger

from trend_report.page import render_page
from trend_report.store import Locations, read_s3_records, write_s3_page
from trend_report.telemetry import record_window_metrics

DEFAULT_NAMESPACE = "DriftPipeline"


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


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return handle(event, context, where=locations_from_env(os.environ), s3=_s3_client())


def handle(event: dict[str, Any], context: Any, *, where: Locations, s3: Any) -> dict[str, Any]:
    """The handler with its dependencies injected (tests and the offline run call this)."""
    logger = Logger(service=os.environ.get("POWERTOOLS_SERVICE_NAME", "trend_report"))
    endpoint = event.get("endpoint_name") if isinstance(event, dict) else None
    if not isinstance(endpoint, str) or not endpoint:
        raise TrendEventError(f"the event needs a non-empty endpoint_name, got {event!r:.200}")
    points, rejected = read_s3_records(s3, where, endpoint)
    uri = write_s3_page(s3, where, endpoint, render_page(endpoint, points, rejected))
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


@lru_cache(maxsize=1)
def _s3_client() -> Any:
    """Created on first use (never at import), reused by warm invocations."""
    return boto3.client("s3")
