"""Every metric the dashboard and the alarms of template.yaml read is one a function publishes.

The three functions run here in order on one moto bucket (merge a window, evaluate its reports,
render the trend), their EMF output is collected, and each (namespace, metric, dimension names)
the template references must be among what they printed. AWS/States metrics are Step
Functions' own and checked against the names it documents.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import boto3
import pytest
from moto import mock_aws

from evaluate_violations.app import handle as evaluate
from evaluate_violations.config import EvaluateConfig
from merge_labels import app as merge_app
from tests.unit.lambdas.evaluate_violations.conftest import (
    NOW,
    drift_violation,
    lambda_context,
    statistics,
    write_reports,
)
from tests.unit.lambdas.evaluate_violations.conftest import event as evaluate_event
from tests.unit.lambdas.merge_labels.helpers import BUCKET, END, event, put_schema
from tests.unit.lambdas.merge_labels.test_app import CONTEXT, seed_window
from trend_report.app import handle as render_trend
from trend_report.app import locations_from_env
from workflow.offline.stack import load_template

STEP_FUNCTIONS_METRICS = {"ExecutionsFailed", "ExecutionsSucceeded", "ExecutionsTimedOut"}
Reference = tuple[str, str, frozenset[str]]  # namespace, metric name, dimension names


@pytest.fixture
def s3(monkeypatch):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        put_schema(client)
        yield client


def _emitted(output: str) -> set[Reference]:
    found = set()
    for line in output.splitlines():
        if '"_aws"' not in line:
            continue
        for directive in json.loads(line)["_aws"]["CloudWatchMetrics"]:
            for group in directive["Dimensions"]:
                for metric in directive["Metrics"]:
                    found.add((directive["Namespace"], metric["Name"], frozenset(group)))
    return found


def _dashboard_references(body: str) -> set[Reference]:
    found: set[Reference] = set()
    for widget in json.loads(body)["widgets"]:
        for row in widget["properties"].get("metrics", []):
            if isinstance(row[0], dict):  # a SEARCH expression
                for dims, name in re.findall(
                    r"\{([^}]*)\} MetricName=\"(\w+)\"", row[0]["expression"]
                ):
                    namespace, *names = [part.strip() for part in dims.split(",")]
                    found.add((namespace, name, frozenset(names)))
                continue
            plain = [item for item in row if not isinstance(item, dict)]
            found.add((plain[0], plain[1], frozenset(plain[2::2])))
    return found


def _alarm_references(properties: dict[str, Any]) -> set[Reference]:
    metrics = [
        query["MetricStat"]["Metric"]
        for query in properties.get("Metrics", [])
        if "MetricStat" in query
    ]
    if "MetricName" in properties:
        metrics.append(properties)
    return {
        (m["Namespace"], m["MetricName"], frozenset(d["Name"] for d in m.get("Dimensions", [])))
        for m in metrics
    }


def template_references() -> set[Reference]:
    found: set[Reference] = set()
    for resource in load_template()["Resources"].values():
        properties = resource.get("Properties", {})
        if resource["Type"] == "AWS::CloudWatch::Dashboard":
            body = properties["DashboardBody"]
            text = body["Fn::Sub"] if isinstance(body, dict) else body
            found |= _dashboard_references(re.sub(r"\$\{[\w:.]+\}", "x", text))
        elif resource["Type"] == "AWS::CloudWatch::Alarm":
            found |= _alarm_references(properties)
    return found


def test_the_template_has_a_dashboard_and_alarms_on_accuracy_and_drift():
    resources = load_template()["Resources"]
    kinds = [r["Type"] for r in resources.values()]
    assert kinds.count("AWS::CloudWatch::Dashboard") == 1
    for alarm in (
        "AccuracyBelowFloorAlarm",
        "ProjectedAccuracyBelowFloorAlarm",
        "FeatureDriftAlarm",
    ):
        assert resources[alarm]["Properties"]["AlarmActions"]  # it notifies someone
    referenced = {name for _, name, _ in template_references()}
    for metric in ("FeatureDriftScore", "Accuracy", "ProjectedAccuracy", "LabelCoverage"):
        assert metric in referenced
    assert "WindowDecisions" in referenced and "ExecutionsFailed" in referenced


def test_every_metric_the_template_reads_is_published(s3, capsys, monkeypatch):
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "DriftPipeline")
    seed_window(s3)
    merge_env = {
        "DATA_BUCKET": BUCKET,
        "DEFAULT_ENDPOINT_NAME": "adult-income",
        "POWERTOOLS_METRICS_NAMESPACE": "DriftPipeline",
    }
    merge = merge_app.build_handler(merge_env, s3=s3, clock=lambda: END + timedelta(minutes=5))
    merge(event(execution_name="sched-1"), CONTEXT)
    stats = statistics(drifted=["age"])
    stats["drift"] = {
        "features": [{"name": "age", "effect_size": 0.23, "threshold": 0.1, "drifted": True}]
    }
    write_reports(s3, violations=[drift_violation("age", 0.23)], stats=stats)
    config = EvaluateConfig.from_env({"DATA_BUCKET": BUCKET})
    evaluate(evaluate_event(), lambda_context(), config=config, s3=s3, clock=lambda: NOW)
    slug = evaluate_event()["merge"]["window"]["slug"]
    where = locations_from_env({"DATA_BUCKET": BUCKET})
    render_trend({"endpoint_name": "adult-income", "window_slug": slug}, None, where=where, s3=s3)

    emitted = _emitted(capsys.readouterr().out)
    missing = [
        reference
        for reference in sorted(template_references(), key=str)
        if reference not in emitted
        and not (reference[0] == "AWS/States" and reference[1] in STEP_FUNCTIONS_METRICS)
    ]
    assert not missing, f"the template reads metrics nobody publishes: {missing}"
