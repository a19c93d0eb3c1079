"""Fixtures: a moto S3 bucket and realistic analysis outputs (aws-contracts §3.5–3.8 + summary)."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import boto3
import pytest
from moto import mock_aws

from evaluate_violations.config import EvaluateConfig

BUCKET = "drift-data"
ENDPOINT = "adult-income"
SLUG = "20261125T1300Z-20261125T1400Z"
REPORT_PREFIX = f"reports/{ENDPOINT}/{SLUG}/"
REPORT_URI = f"s3://{BUCKET}/{REPORT_PREFIX}"
NOW = datetime(2026, 11, 25, 14, 5, tzinfo=UTC)


@pytest.fixture
def s3(monkeypatch):
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        client.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
        yield client


@pytest.fixture
def config() -> EvaluateConfig:
    """Defaults, with the bucket set as the template would."""
    return EvaluateConfig.from_env({"DATA_BUCKET": BUCKET})


def merge_payload(**overrides: Any) -> dict[str, Any]:
    """The MergeLabels payload exactly as docs/contracts.md shows it."""
    payload = {
        "endpoint_name": ENDPOINT,
        "variant_name": "AllTraffic",
        "window": {"start": "2026-11-25T13:00:00Z", "end": "2026-11-25T14:00:00Z", "slug": SLUG},
        "run_id": "adult-income-20261125t1300-1a2b3c4d",
        "merged_row_count": 812,
        "labeled_row_count": 388,
        "quarantined_line_count": 0,
        "capture_record_count": 700,
        "quarantined_record_count": 0,
        "quarantined_share": 0.0,
        "quarantine_reasons": [],
        "outcome": "merged",
        "superseded": None,
        "alert": None,
        "merged_data_uri": f"s3://{BUCKET}/merged/{ENDPOINT}/{SLUG}/data/",
        "manifest_uri": f"s3://{BUCKET}/merged/{ENDPOINT}/{SLUG}/manifest.json",
        "baseline_uri": f"s3://{BUCKET}/baselines/{ENDPOINT}/",
        "report_uri": REPORT_URI,
        "training_data_uri": f"s3://{BUCKET}/training-data/{ENDPOINT}/",
        "recent_data_uri": f"s3://{BUCKET}/merged/{ENDPOINT}/",
        "model_output_uri": f"s3://{BUCKET}/models/{ENDPOINT}/",
        "force_retrain": False,
    }
    unknown = set(overrides) - set(payload)
    # an override with a wrong name must fail, never be ignored silently
    assert not unknown, f"not keys of the merge payload: {sorted(unknown)}"
    payload.update(overrides)
    return payload


def event(**merge_overrides: Any) -> dict[str, Any]:
    return {
        "merge": merge_payload(**merge_overrides),
        "processing_job_name": "analysis-adult-income-20261125t1300-1a2b3c4d",
    }


def lambda_context() -> SimpleNamespace:
    """The small context object the offline run passes in-process."""
    return SimpleNamespace(
        function_name="evaluate-violations",
        memory_limit_in_mb=512,
        invoked_function_arn="arn:aws:lambda:us-east-1:123456789012:function:evaluate-violations",
        aws_request_id="5f0c1e7a-0000-4000-8000-000000000001",
    )


# --- constraint_violations.json entries (aws-contracts §3.7 + our own types) -----------------


def drift_violation(feature: str, distance: float, threshold: float = 0.1) -> dict[str, Any]:
    return {
        "feature_name": feature,
        "constraint_check_type": "baseline_drift_check",
        "description": f"Baseline drift distance: {distance} exceeds threshold: {threshold}",
        "observed": distance,
        "threshold": threshold,
    }


def accuracy_violation(accuracy: float, threshold: float = 0.80) -> dict[str, Any]:
    return {
        "feature_name": "accuracy",
        "constraint_check_type": "model_quality_check",
        "description": f"accuracy {accuracy} is below the threshold {threshold}",
        "observed": accuracy,
        "threshold": threshold,
    }


def projected_violation(projected: float, threshold: float = 0.80) -> dict[str, Any]:
    return {
        "feature_name": "accuracy",
        "constraint_check_type": "projected_accuracy_check",
        "description": f"projected accuracy {projected} is below the threshold {threshold}",
        "observed": projected,
        "threshold": threshold,
    }


def categorical_violation(feature: str) -> dict[str, Any]:
    return {
        "feature_name": feature,
        "constraint_check_type": "categorical_values_check",
        "description": "12% of values not in baseline domain",
    }


# --- statistics.json (aws-contracts §3.5 data quality + §3.8 model quality + summary) ---------


def _metric(value: float, n: int) -> dict[str, Any]:
    std = math.sqrt(value * (1 - value) / n) if n >= 200 else "NaN"
    return {"value": value, "standard_deviation": std}


def statistics(
    *,
    item_count: int = 812,
    confusion: tuple[int, int, int, int] | None = (150, 62, 51, 125),  # tn, fp, fn, tp
    projected: float | None = 0.74,
    projected_interval: tuple[float, float] | None = (0.70, 0.78),
    drifted: list[str] | None = None,
    threshold: float = 0.80,
    statuses: dict[str, str] | None = None,
    summary: bool = True,
) -> dict[str, Any]:
    """A statistics.json whose numbers agree with each other (accuracy from the confusion)."""
    drifted = drifted or []
    statuses = statuses or {}
    document: dict[str, Any] = {
        "version": 0.0,
        "dataset": {"item_count": item_count},
        "features": [
            {
                "name": "age",
                "inferred_type": "Integral",
                "numerical_statistics": {
                    "common": {"num_present": item_count, "num_missing": 0},
                    "mean": 44.1,
                    "sum": 44.1 * item_count,
                    "std_dev": 13.2,
                    "min": 17.0,
                    "max": 90.0,
                    "distribution": {
                        "kll": {
                            "buckets": [
                                {
                                    "lower_bound": 17.0 + 7.3 * i,
                                    "upper_bound": 17.0 + 7.3 * (i + 1),
                                    "count": item_count / 10,
                                }
                                for i in range(10)
                            ]
                        }
                    },
                },
            },
            {
                "name": "workclass",
                "inferred_type": "String",
                "string_statistics": {
                    "common": {"num_present": item_count, "num_missing": 0},
                    "distinct_count": 2.0,
                    "distribution": {
                        "categorical": {
                            "buckets": [
                                {"value": "Private", "count": item_count - 200},
                                {"value": "Self-emp-not-inc", "count": 200},
                            ]
                        }
                    },
                },
            },
        ],
    }
    quality: dict[str, Any] = {"status": statuses.get("model_quality", "ok")}
    if confusion is not None:
        tn, fp, fn, tp = confusion
        labeled = tn + fp + fn + tp
        accuracy = round((tn + tp) / labeled, 4)
        half = 1.96 * math.sqrt(accuracy * (1 - accuracy) / labeled)
        document["binary_classification_metrics"] = {
            "confusion_matrix": {"0": {"0": tn, "1": fp}, "1": {"0": fn, "1": tp}},
            "accuracy": _metric(accuracy, labeled),
            "recall": _metric(round(tp / (tp + fn), 4), labeled),
            "precision": _metric(round(tp / (tp + fp), 4), labeled),
        }
        quality.update(
            {
                "labeled_count": labeled,
                "label_coverage": round(labeled / item_count, 4),
                "accuracy": accuracy,
                "accuracy_ci": [round(accuracy - half, 4), round(accuracy + half, 4)],
                "accuracy_threshold": threshold,
            }
        )
    else:
        quality.update(
            {
                "status": statuses.get("model_quality", "no_labels"),
                "labeled_count": 0,
                "label_coverage": 0.0,
            }
        )
    projection: dict[str, Any] = {
        "status": statuses.get("projection", "ok"),
        "accuracy_threshold": threshold,
        "rests_on": "covariate shift only; calibrated scores",
    }
    if projected is not None:
        document["projected_binary_classification_metrics"] = {
            "accuracy": {"value": projected, "standard_deviation": "NaN"}
        }
        projection["projected_accuracy"] = projected
        if projected_interval:
            projection["interval"] = list(projected_interval)
    if summary:
        document["summary"] = {
            "item_count": item_count,
            "data_quality": {"status": statuses.get("data_quality", "ok")},
            "feature_drift": {
                "status": statuses.get("feature_drift", "ok"),
                "drifted_features": drifted,
                "tested": 14,
            },
            "dataset_drift": {
                "status": statuses.get("dataset_drift", "ok"),
                "auc": 0.61,
                "p_value": 0.0001,
                "drifted": bool(drifted),
            },
            "model_quality": quality,
            "projection": projection,
        }
    return document


def write_json(s3, key: str, document: Any) -> None:
    s3.put_object(Bucket=BUCKET, Key=key, Body=json.dumps(document).encode("utf-8"))


def write_reports(
    s3, violations: list[dict[str, Any]] | None = None, stats: dict[str, Any] | None = None
) -> None:
    write_json(s3, REPORT_PREFIX + "constraint_violations.json", {"violations": violations or []})
    write_json(s3, REPORT_PREFIX + "statistics.json", stats if stats is not None else statistics())
    s3.put_object(Bucket=BUCKET, Key=REPORT_PREFIX + "report.html", Body=b"<html></html>")
