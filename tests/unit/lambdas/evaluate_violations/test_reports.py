"""Unusable analysis outputs are specific failures naming the S3 object, never "healthy"."""

from __future__ import annotations

import pytest

from evaluate_violations.evaluation import evaluate
from evaluate_violations.models import EvaluateEvent
from evaluate_violations.reports import (
    InvalidReportError,
    MissingReportError,
    ReportError,
    UnreadableReportError,
    read_reports,
)
from tests.unit.lambdas.evaluate_violations.conftest import (
    BUCKET,
    NOW,
    REPORT_PREFIX,
    REPORT_URI,
    drift_violation,
    event,
    statistics,
    write_json,
    write_reports,
)

VIOLATIONS_URI = REPORT_URI + "constraint_violations.json"
STATISTICS_URI = REPORT_URI + "statistics.json"


def put_raw(s3, name: str, body: bytes) -> None:
    s3.put_object(Bucket=BUCKET, Key=REPORT_PREFIX + name, Body=body)


def test_reads_both_reports(s3):
    write_reports(s3, violations=[drift_violation("age", 0.23)], stats=statistics(drifted=["age"]))
    reports = read_reports(s3, REPORT_URI.rstrip("/"))  # a prefix without "/" is accepted
    assert reports.report_uri == REPORT_URI
    assert [v.feature_name for v in reports.violations] == ["age"]
    assert reports.statistics.summary.feature_drift.drifted_features == ["age"]


def test_missing_violations_file_fails_and_is_never_healthy(s3, config):
    write_json(s3, REPORT_PREFIX + "statistics.json", statistics())
    with pytest.raises(MissingReportError) as info:
        evaluate(EvaluateEvent.model_validate(event()), s3=s3, config=config, now=NOW)
    assert str(info.value).startswith(f"{VIOLATIONS_URI} does not exist")


def test_missing_statistics_file_fails(s3):
    write_json(s3, REPORT_PREFIX + "constraint_violations.json", {"violations": []})
    with pytest.raises(MissingReportError, match=f"^{STATISTICS_URI} does not exist"):
        read_reports(s3, REPORT_URI)


def test_missing_bucket_fails(s3):
    with pytest.raises(MissingReportError, match="bucket 'no-such-bucket' does not exist"):
        read_reports(s3, "s3://no-such-bucket/reports/x/")


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b'{"violations": [', "is not valid JSON: Expecting value at line 1 column 17"),
        (b"", "is empty"),
        (b"NaN-ish garbage", "is not valid JSON"),
    ],
)
def test_invalid_json_fails_with_the_key_and_position(s3, body, problem):
    put_raw(s3, "constraint_violations.json", body)
    write_json(s3, REPORT_PREFIX + "statistics.json", statistics())
    with pytest.raises(InvalidReportError) as info:
        read_reports(s3, REPORT_URI)
    assert str(info.value).startswith(VIOLATIONS_URI)
    assert problem in str(info.value)


def test_non_utf8_report_is_unreadable(s3):
    put_raw(s3, "constraint_violations.json", b'{"violations": ["\xff"]}')
    with pytest.raises(UnreadableReportError, match="is not UTF-8 text"):
        read_reports(s3, REPORT_URI)


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        ([], "wrong shape: expected a JSON object, got list"),
        ({}, "wrong shape: violations: Field required"),
        ({"violations": {"age": 1}}, "wrong shape: violations: Input should be a valid list"),
        (
            {"violations": [{"feature_name": "age", "description": "x"}]},
            "wrong shape: violations.0.constraint_check_type: Field required",
        ),
        (
            {
                "violations": [
                    {
                        "feature_name": "age",
                        "constraint_check_type": "baseline_drift_check",
                        "description": "x",
                        "observed": "large",
                    }
                ]
            },
            "wrong shape: violations.0.observed: Input should be a valid number",
        ),
    ],
)
def test_violations_of_the_wrong_shape_fail(s3, document, problem):
    write_json(s3, REPORT_PREFIX + "constraint_violations.json", document)
    write_json(s3, REPORT_PREFIX + "statistics.json", statistics())
    with pytest.raises(InvalidReportError) as info:
        read_reports(s3, REPORT_URI)
    assert str(info.value).startswith(f"{VIOLATIONS_URI}: {problem}")


def test_statistics_of_the_wrong_shape_fail(s3):
    stats = statistics()
    stats["summary"]["model_quality"]["accuracy"] = "high"
    stats["summary"]["feature_drift"]["status"] = "drifting"
    write_reports(s3, violations=[], stats=stats)
    with pytest.raises(InvalidReportError) as info:
        read_reports(s3, REPORT_URI)
    message = str(info.value)
    assert message.startswith(f"{STATISTICS_URI}: wrong shape: ")
    assert (
        "summary.feature_drift.status: Input should be 'ok', 'insufficient_data' or "
        "'no_labels'" in message
    )
    assert "summary.model_quality.accuracy: Input should be a valid number" in message


def test_nan_metrics_are_absent_not_numbers(s3):
    stats = statistics(confusion=None, projected=None)
    stats["binary_classification_metrics"] = {
        "accuracy": {"value": "NaN", "standard_deviation": "NaN"}
    }
    write_reports(s3, violations=[], stats=stats)
    reports = read_reports(s3, REPORT_URI)
    assert reports.fallback_accuracy("binary_classification_metrics") is None


def test_every_report_failure_shares_one_base_class():
    for cls in (MissingReportError, UnreadableReportError, InvalidReportError):
        assert issubclass(cls, ReportError)


def test_metric_group_of_the_wrong_shape_fails(s3):
    stats = statistics()
    stats["binary_classification_metrics"]["accuracy"] = 0.71  # not {"value": ...}
    write_reports(s3, violations=[], stats=stats)
    with pytest.raises(InvalidReportError, match=r"binary_classification_metrics\.accuracy: "):
        read_reports(s3, REPORT_URI)
