"""Notifications a subscriber can filter and a person can click: attributes and console links."""

from __future__ import annotations

import json

from evaluate_violations.evaluation import evaluate
from evaluate_violations.links import execution_console_url, region_of, s3_console_url
from evaluate_violations.models import EvaluateEvent
from tests.unit.lambdas.evaluate_violations.conftest import (
    NOW,
    REPORT_URI,
    accuracy_violation,
    drift_violation,
    event,
    statistics,
    write_reports,
)

EXECUTION_ARN = "arn:aws:states:eu-west-1:123456789012:execution:drift:adult-income-1300"


def test_console_links_are_in_the_executions_region():
    assert region_of(EXECUTION_ARN) == "eu-west-1"
    assert region_of("not-an-arn") is None
    assert s3_console_url("s3://drift-data/reports/e/w/report.html", "eu-west-1") == (
        "https://eu-west-1.console.aws.amazon.com/s3/object/drift-data"
        "?region=eu-west-1&prefix=reports/e/w/report.html"
    )
    assert execution_console_url(EXECUTION_ARN) == (
        "https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1"
        f"#/v2/executions/details/{EXECUTION_ARN}"
    )


def _evaluate(s3, config, violations, **extra):
    write_reports(s3, violations=violations, stats=statistics(drifted=["age"]))
    payload = {**event(), **extra}
    return evaluate(EvaluateEvent.model_validate(payload), s3=s3, config=config, now=NOW).result


def test_the_message_links_the_report_the_execution_and_the_trend(s3, config):
    result = _evaluate(s3, config, [drift_violation("age", 0.23)], execution_arn=EXECUTION_ARN)
    lines = result.message.splitlines()
    assert (
        "Report in the S3 console: https://eu-west-1.console.aws.amazon.com/s3/object/drift-data"
        f"?region=eu-west-1&prefix={REPORT_URI.split('/', 3)[3]}report.html"
    ) in lines
    assert (
        f"Execution in the Step Functions console: {execution_console_url(EXECUTION_ARN)}" in lines
    )
    assert any(
        line.startswith("Trend of the endpoint: ")
        and line.endswith("reports/adult-income/trend.html")
        for line in lines
    )


def test_without_an_execution_arn_there_are_no_guessed_links(s3, config):
    result = _evaluate(s3, config, [])
    assert "console.aws.amazon.com" not in result.message


def test_message_attributes_name_endpoint_decision_severity_and_check_types(s3, config):
    result = _evaluate(s3, config, [accuracy_violation(0.7088), drift_violation("age", 0.23)])
    attributes = result.message_attributes
    assert attributes["endpoint"] == {"DataType": "String", "StringValue": "adult-income"}
    assert attributes["decision"] == {"DataType": "String", "StringValue": "retrain"}
    assert attributes["severity"] == {"DataType": "String", "StringValue": "high"}
    assert attributes["check_types"]["DataType"] == "String.Array"
    assert json.loads(attributes["check_types"]["StringValue"]) == [
        "baseline_drift_check",
        "model_quality_check",
    ]


def test_a_healthy_window_has_low_severity_and_no_check_types(s3, config):
    attributes = _evaluate(s3, config, []).message_attributes
    assert attributes["severity"]["StringValue"] == "low"
    assert json.loads(attributes["check_types"]["StringValue"]) == ["none"]
