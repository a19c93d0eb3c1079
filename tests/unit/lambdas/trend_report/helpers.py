"""Window records shaped exactly as evaluate_violations writes them (window_record.py)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

START = datetime(2026, 11, 25, 5, tzinfo=UTC)


def slug_of(index: int) -> str:
    begin = START + timedelta(hours=index)
    return f"{begin:%Y%m%dT%H%MZ}-{begin + timedelta(hours=1):%Y%m%dT%H%MZ}"


def record(index: int, decision: str = "healthy", **overrides: Any) -> dict[str, Any]:
    begin = START + timedelta(hours=index)
    drifted = decision != "healthy"
    document: dict[str, Any] = {
        "record_version": 1,
        "endpoint_name": "adult-income",
        "window": {
            "start": begin.isoformat(),
            "end": (begin + timedelta(hours=1)).isoformat(),
            "slug": slug_of(index),
        },
        "run_id": f"run-{index}",
        "processing_job_name": f"analysis-run-{index}",
        "decided_at": (begin + timedelta(hours=1, minutes=5)).isoformat(),
        "decision": decision,
        "reasons": ["no violations"] if not drifted else ["baseline_drift_check: age 0.9 > 0.1"],
        "report_uri": f"s3://b/reports/adult-income/{slug_of(index)}/",
        "report_html_uri": f"s3://b/reports/adult-income/{slug_of(index)}/report.html",
        "row_count": 800,
        "labeled_row_count": 500,
        "label_coverage": 0.625,
        "accuracy_threshold": 0.82,
        "accuracy": {"value": 0.84, "interval": [0.80, 0.87], "status": "ok"},
        "projected_accuracy": {"value": 0.85, "interval": [0.82, 0.88], "status": "ok"},
        "dataset_drift": {"auc": 0.52, "auc_threshold": 0.55, "drifted": False, "status": "ok"},
        "features": [
            {
                "name": "age",
                "score": 0.9 if drifted else 0.03,
                "threshold": 0.1,
                "drifted": drifted,
            },
            {"name": "workclass", "score": 0.02, "threshold": 0.1, "drifted": False},
        ],
        "violations": {"baseline_drift_check": 1, "categorical_values_check": 2} if drifted else {},
    }
    document.update(overrides)
    return document


def body(document: dict[str, Any]) -> bytes:
    return json.dumps(document).encode("utf-8")
