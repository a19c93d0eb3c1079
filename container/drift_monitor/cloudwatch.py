"""CloudWatch metric lines in the BYOC metrics-file format (JSON Lines, one MetricDatum each)."""

from __future__ import annotations

import json
import math
from datetime import datetime
from pathlib import Path

METRICS_FILE = "cloudwatch_metrics.jsonl"


def metric_lines(
    metrics: list[dict], timestamp: datetime, endpoint: str | None, schedule: str | None
) -> list[str]:
    """One JSON line per finite metric, stamped and with Endpoint/MonitoringSchedule dimensions.

    CloudWatch rejects NaN/Infinity values, so those metrics are left out.
    """
    dimensions = []
    if endpoint:
        dimensions.append({"Name": "Endpoint", "Value": endpoint})
    if schedule:
        dimensions.append({"Name": "MonitoringSchedule", "Value": schedule})
    stamp = timestamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    lines = []
    for metric in metrics:
        value = float(metric["Value"])
        if not math.isfinite(value):
            continue
        lines.append(
            json.dumps(
                {
                    "MetricName": metric["MetricName"],
                    "Timestamp": stamp,
                    "Dimensions": dimensions,
                    "Value": value,
                    "Unit": metric.get("Unit", "None"),
                }
            )
        )
    return lines


def write_metrics(lines: list[str], directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / METRICS_FILE
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path
