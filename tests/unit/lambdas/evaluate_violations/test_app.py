"""The Lambda handler end to end: Powertools logging, EMF metrics, parsing, the context object."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from evaluate_violations import app
from evaluate_violations.app import InvalidEventError, handle, lambda_handler
from evaluate_violations.config import EvaluateConfig
from evaluate_violations.reports import MissingReportError
from tests.unit.lambdas.evaluate_violations.conftest import (
    BUCKET,
    NOW,
    accuracy_violation,
    drift_violation,
    event,
    lambda_context,
    statistics,
    write_reports,
)

REPO = Path(__file__).resolve().parents[4]


def fresh_config(**explicit) -> EvaluateConfig:
    """A service name of its own, so the Powertools logger writes to this test's stdout."""
    return EvaluateConfig.from_env(
        {"DATA_BUCKET": BUCKET}, service_name=f"evaluate-test-{uuid.uuid4().hex[:8]}", **explicit
    )


def printed_json(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def test_handler_end_to_end_with_a_small_context(s3, capsys):
    write_reports(
        s3,
        violations=[accuracy_violation(0.7088), drift_violation("age", 0.23)],
        stats=statistics(drifted=["age"]),
    )
    result = handle(event(), lambda_context(), config=fresh_config(), s3=s3, clock=lambda: NOW)

    assert result["decision"] == "retrain"
    json.dumps(result)  # the Step Functions payload must be plain JSON
    lines = printed_json(capsys.readouterr().out)

    emf = [line for line in lines if "_aws" in line]
    assert len(emf) == 1
    directive = emf[0]["_aws"]["CloudWatchMetrics"][0]
    assert directive["Namespace"] == "DriftPipeline"
    assert directive["Dimensions"] == [["Endpoint"]]
    assert {m["Name"] for m in directive["Metrics"]} == {
        "ViolationCount",
        "Accuracy",
        "ProjectedAccuracy",
        "DriftedFeatureCount",
        "Decision",
    }
    assert emf[0]["Endpoint"] == "adult-income"
    # EMF carries each metric as a list of values (Powertools' format)
    assert (emf[0]["ViolationCount"], emf[0]["DriftedFeatureCount"], emf[0]["Decision"]) == (
        [2],
        [1],
        [2],
    )
    assert emf[0]["Accuracy"] == [pytest.approx(0.7088)]
    assert emf[0]["ProjectedAccuracy"] == [pytest.approx(0.74)]

    logs = [line for line in lines if line.get("message") == "evaluated"]
    assert len(logs) == 1
    assert logs[0]["correlation_id"] == "adult-income-20261125t1300-1a2b3c4d"
    assert logs[0]["function_name"] == "evaluate-violations"
    assert logs[0]["function_request_id"] == "5f0c1e7a-0000-4000-8000-000000000001"
    assert logs[0]["decision"] == "retrain"


def test_metrics_have_no_service_dimension_and_skip_unmeasured_accuracy(s3, capsys, monkeypatch):
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "drift-pipeline")
    write_reports(s3, violations=[], stats=statistics(confusion=None, projected=None))
    config = fresh_config(metrics_namespace="Acme/ModelMonitor")
    result = handle(
        event(labeled_row_count=0), lambda_context(), config=config, s3=s3, clock=lambda: NOW
    )
    assert result["decision"] == "healthy"
    emf = next(line for line in printed_json(capsys.readouterr().out) if "_aws" in line)
    directive = emf["_aws"]["CloudWatchMetrics"][0]
    assert directive["Namespace"] == "Acme/ModelMonitor"
    assert directive["Dimensions"] == [["Endpoint"]]
    assert "service" not in emf
    assert {m["Name"] for m in directive["Metrics"]} == {
        "ViolationCount",
        "DriftedFeatureCount",
        "Decision",
    }
    assert (emf["ViolationCount"], emf["Decision"]) == ([0], [0])


@pytest.mark.filterwarnings("ignore:No application metrics to publish")
def test_invalid_event_names_the_field(s3):
    bad = event()
    del bad["merge"]["run_id"]
    bad["merge"]["labeled_row_count"] = -3
    with pytest.raises(InvalidEventError) as info:
        handle(bad, lambda_context(), config=fresh_config(), s3=s3, clock=lambda: NOW)
    assert str(info.value).startswith("EvaluateViolations event is invalid: ")
    assert "merge.run_id: Field required" in str(info.value)
    assert "merge.labeled_row_count: Input should be greater than or equal to 0" in str(info.value)


@pytest.mark.filterwarnings("ignore:No application metrics to publish")
def test_missing_report_surfaces_as_its_own_error_type(s3):
    with pytest.raises(MissingReportError, match=r"constraint_violations\.json does not exist"):
        handle(event(), lambda_context(), config=fresh_config(), s3=s3, clock=lambda: NOW)


def test_lambda_handler_builds_everything_from_the_environment(s3, monkeypatch, capsys):
    monkeypatch.setenv("DATA_BUCKET", BUCKET)
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "FromEnv")
    monkeypatch.setenv("IGNORE", "baseline_drift_check")
    write_reports(
        s3,
        violations=[drift_violation("age", 0.23)],
        stats=statistics(confusion=(170, 20, 22, 176), drifted=["age"]),
    )
    app._s3_client.cache_clear()
    try:
        result = lambda_handler(event(), lambda_context())
    finally:
        app._s3_client.cache_clear()
    assert result["decision"] == "healthy"
    assert "baseline_drift_check: 1 violation(s) ignored (IGNORE)" in result["reasons"]
    emf = next(line for line in printed_json(capsys.readouterr().out) if "_aws" in line)
    assert emf["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "FromEnv"


def test_import_creates_no_client_and_reads_no_environment():
    probe = (
        "import os, sys, boto3, boto3.session\n"
        "def boom(*a, **k): raise AssertionError('client created at import')\n"
        "boto3.client = boom; boto3.session.Session.client = boom\n"
        "def ours():\n"
        "    frame = sys._getframe(2)\n"
        "    while frame and 'os' in frame.f_code.co_filename.rsplit('/', 1)[-1]:\n"
        "        frame = frame.f_back\n"
        "    return frame and '/evaluate_violations/' in frame.f_code.co_filename\n"
        "class Env(dict):\n"
        "    def __getitem__(self, k):\n"
        "        assert not ours(), f'env read at import: {k}'\n"
        "        return super().__getitem__(k)\n"
        "    def get(self, k, d=None):\n"
        "        assert not ours(), f'env read at import: {k}'\n"
        "        return super().get(k, d)\n"
        "os.environ = Env(os.environ)\n"
        "import evaluate_violations.app, evaluate_violations.telemetry\n"
        "print('ok')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=REPO / "lambdas/evaluate_violations",
        env={**os.environ, "PYTHONPATH": str(REPO / "common")},  # the layer, as on Lambda
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
