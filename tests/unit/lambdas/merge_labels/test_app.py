"""The Lambda handler: Powertools wiring, env configuration and the documented payload."""

from __future__ import annotations

import json
import logging
import random
import re
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

from merge_labels import app
from merge_labels.errors import ConfigError, MergeInputError
from tests.unit.lambdas.merge_labels.helpers import (
    BUCKET,
    CAPTURE_URI,
    END,
    ENDPOINT,
    GROUND_TRUTH_URI,
    START,
    VARIANT,
    adult_rows,
    adult_schema,
    event,
    score,
)
from workflow.offline.capture_writer import (
    write_capture_files,
    write_ground_truth_files,
)
from workflow.offline.traffic import (
    ground_truth_for,
    invocations_from_rows,
)

CONTRACTS = Path(__file__).resolve().parents[4] / "docs" / "contracts.md"
CONTEXT = SimpleNamespace(
    function_name="merge-labels",
    memory_limit_in_mb=1024,
    invoked_function_arn="arn:aws:lambda:us-east-1:123456789012:function:merge-labels",
    aws_request_id="req-0001",
)
ENV = {
    "DATA_BUCKET": BUCKET,
    "DEFAULT_ENDPOINT_NAME": ENDPOINT,
    "POWERTOOLS_METRICS_NAMESPACE": "DriftPipelineTest",
}


@pytest.fixture(autouse=True)
def fresh_powertools_logger():
    """Powertools configures the service logger once per process, bound to the sys.stdout of
    that moment; pytest's capsys replaces sys.stdout per test, so start each test afresh."""

    def reset():
        log = logging.getLogger(app.SERVICE)
        for handler in list(log.handlers):
            log.removeHandler(handler)
        for attribute in [a for a in vars(log) if a == "init" or a.startswith("powertools_")]:
            delattr(log, attribute)

    reset()
    yield
    reset()


def documented_payload() -> dict:
    text = CONTRACTS.read_text()
    section = text[text.index("## MergeLabels") :]
    block = re.search(r"```json\n(.*?)```", section, re.S).group(1)
    return json.loads(block)


def seed_window(s3, n_rows=40):
    names = adult_schema().feature_names
    rows, labels = adult_rows(n_rows)
    invocations = invocations_from_rows(
        rows,
        [score(r, names) for r in rows],
        start=START,
        end=END,
        rng=random.Random(2),
        batch_sizes=(1, 2),
    )
    write_capture_files(
        s3, CAPTURE_URI, ENDPOINT, VARIANT, invocations, names, rng=random.Random(3)
    )
    truth = ground_truth_for(invocations, labels, lambda inv: END + timedelta(minutes=3))
    write_ground_truth_files(s3, GROUND_TRUTH_URI, ENDPOINT, truth, rng=random.Random(4))


def test_handler_returns_the_documented_payload(s3, capsys):
    seed_window(s3)
    handler = app.build_handler(ENV, s3=s3, clock=lambda: END + timedelta(minutes=5))

    result = handler(event(execution_name="sched-20261125T1405"), CONTEXT)

    documented = documented_payload()
    assert set(result) == set(documented)
    for key, value in documented.items():
        assert type(result[key]) is type(value), key
    assert set(result["window"]) == set(documented["window"])
    assert result["window"] == {
        "start": "2026-11-25T13:00:00Z",
        "end": "2026-11-25T14:00:00Z",
        "slug": "20261125T1300Z-20261125T1400Z",
    }
    assert result["merged_row_count"] == 40 and result["labeled_row_count"] == 40
    assert re.fullmatch(r"adult-income-20261125t1300-[0-9a-f]{8}", result["run_id"])
    window_prefix = f"s3://{BUCKET}/merged/{ENDPOINT}/{result['window']['slug']}/"
    assert result["merged_data_uri"] == window_prefix + "data/"
    assert result["manifest_uri"] == window_prefix + "manifest.json"
    assert len(json.dumps(result)) < 256 * 1024
    json.dumps(result)  # JSON-serialisable as a Lambda result must be

    out = capsys.readouterr().out
    documents = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    logs = [d for d in documents if d.get("message") == "merge finished"]
    assert logs and logs[0]["correlation_id"] == "sched-20261125T1405"
    assert logs[0]["function_request_id"] == "req-0001"
    emf = [d for d in documents if "_aws" in d]
    assert emf[-1]["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "DriftPipelineTest"
    assert emf[-1]["MergedRows"] in (40.0, [40.0]) and emf[-1]["Endpoint"] == ENDPOINT


def test_lambda_handler_builds_everything_from_the_environment(s3, monkeypatch):
    seed_window(s3, n_rows=5)
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    app._handler_for.cache_clear()
    try:
        result = app.lambda_handler(
            event(start_time="2026-11-25T14:00:00Z", force_retrain=True), CONTEXT
        )
        monkeypatch.setenv("WINDOW_MINUTES", "30")  # a changed setting rebuilds the wiring
        half = app.lambda_handler(event(start_time="2026-11-25T14:00:00Z"), CONTEXT)
    finally:
        app._handler_for.cache_clear()
    assert result["merged_row_count"] == 5 and result["force_retrain"] is True
    assert result["window"]["slug"] == "20261125T1300Z-20261125T1400Z"
    assert half["window"]["slug"] == "20261125T1330Z-20261125T1400Z"


def emf_documents(out: str) -> list[dict]:
    return [
        d
        for d in (json.loads(line) for line in out.splitlines() if line.startswith("{"))
        if "_aws" in d
    ]


def test_event_without_execution_fields_fails_validation_and_counts_a_failure(s3, capsys):
    handler = app.build_handler(ENV, s3=s3, clock=lambda: END)
    with pytest.raises(MergeInputError, match=r"from the state machine is invalid.*execution_name"):
        handler({"input": {}}, CONTEXT)
    assert emf_documents(capsys.readouterr().out)[-1]["MergeFailures"] in (1.0, [1.0])


def test_merge_errors_propagate_with_their_class_name(s3, capsys):
    handler = app.build_handler(ENV, s3=s3, clock=lambda: END)
    with pytest.raises(MergeInputError, match=r"must be after input\.window_start"):
        handler(
            event(window_start="2026-11-25T14:00:00Z", window_end="2026-11-25T13:00:00Z"), CONTEXT
        )
    out = capsys.readouterr().out
    failure = [
        json.loads(line)
        for line in out.splitlines()
        if line.startswith("{") and '"merge failed"' in line
    ]
    assert failure and failure[0]["error_type"] == "MergeInputError"
    assert failure[0]["correlation_id"] == "exec-1"


def test_missing_bucket_is_a_configuration_error():
    with pytest.raises(ConfigError, match="DATA_BUCKET is required"):
        app.build_handler({}, s3=object())
