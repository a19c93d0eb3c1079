"""The window record evaluate() writes for the trend page: content, key, idempotent re-run."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from evaluate_violations.evaluation import evaluate
from evaluate_violations.models import EvaluateEvent
from tests.unit.lambdas.evaluate_violations.conftest import (
    BUCKET,
    ENDPOINT,
    NOW,
    REPORT_URI,
    SLUG,
    accuracy_violation,
    categorical_violation,
    drift_violation,
    event,
    statistics,
    write_reports,
)

RECORD_KEY = f"state/{ENDPOINT}/windows/{SLUG}.json"


def record(s3) -> dict:
    return json.loads(s3.get_object(Bucket=BUCKET, Key=RECORD_KEY)["Body"].read())


def _drift_details() -> dict:
    return {
        "features": [
            {"name": "age", "effect_size": 0.23, "threshold": 0.1, "drifted": True},
            {"name": "workclass", "effect_size": "NaN", "threshold": 0.1, "drifted": False},
        ]
    }


def test_the_record_holds_decision_reasons_and_what_the_trend_plots(s3, config):
    stats = statistics(confusion=(150, 62, 51, 125), drifted=["age"])
    stats["drift"] = _drift_details()
    write_reports(
        s3,
        violations=[
            drift_violation("age", 0.23),
            accuracy_violation(0.7088),
            categorical_violation("workclass"),
        ],
        stats=stats,
    )
    result = evaluate(EvaluateEvent.model_validate(event()), s3=s3, config=config, now=NOW).result

    written = record(s3)
    assert written["record_version"] == 1
    assert written["decision"] == result.decision == "retrain"
    assert written["reasons"] == result.reasons
    assert written["window"]["slug"] == SLUG
    assert written["report_html_uri"] == REPORT_URI + "report.html"
    assert written["processing_job_name"] == "analysis-adult-income-20261125t1300-1a2b3c4d"
    assert written["accuracy"]["value"] == pytest.approx(275 / 388, abs=1e-4)
    assert written["accuracy"]["interval"][0] < written["accuracy"]["value"]
    assert written["accuracy_threshold"] == 0.80
    assert written["projected_accuracy"] == {
        "value": 0.74,
        "interval": [0.70, 0.78],
        "status": "ok",
    }
    assert written["label_coverage"] == pytest.approx(388 / 812, abs=1e-4)
    assert written["features"] == [
        {"name": "age", "score": 0.23, "threshold": 0.1, "drifted": True},
        {"name": "workclass", "score": None, "threshold": 0.1, "drifted": False},
    ]
    assert written["violations"] == {
        "baseline_drift_check": 1,
        "model_quality_check": 1,
        "categorical_values_check": 1,
    }


def test_a_rerun_of_the_window_replaces_its_record(s3, config):
    write_reports(s3, violations=[drift_violation("age", 0.23)], stats=statistics())
    evaluate(EvaluateEvent.model_validate(event()), s3=s3, config=config, now=NOW)
    first = record(s3)
    write_reports(s3, violations=[], stats=statistics(confusion=(170, 20, 22, 176)))
    later = NOW + timedelta(hours=2)
    evaluate(EvaluateEvent.model_validate(event()), s3=s3, config=config, now=later)

    keys = s3.list_objects_v2(Bucket=BUCKET, Prefix=f"state/{ENDPOINT}/windows/")["Contents"]
    assert [item["Key"] for item in keys] == [RECORD_KEY]
    assert first["decision"] == "notify"
    assert record(s3)["decision"] == "healthy"
    assert record(s3)["decided_at"] == later.isoformat()
