"""The documented execution inputs: scheduled (empty), console (window only), CLI (everything),
and the mistakes that fail the run (with a notification saying what to send) instead of
silently analysing another window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.functional.demo_stack import deployed_demo_hour
from workflow.offline.engine import run_execution
from workflow.offline.stack import (
    read_notifications,
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def deployed(tmp_path_factory):
    with deployed_demo_hour(tmp_path_factory.mktemp("inputs")) as deployed:
        yield deployed


def test_scheduled_run_with_empty_input_analyses_the_previous_full_window(deployed):
    session, stack, _ = deployed
    result = run_execution(session, stack.state_machine_arn, {}, name="scheduled")
    assert result.status == "SUCCEEDED"
    merged = result.output["merge"]
    assert merged["endpoint_name"] == "adult-income"  # the function's configured default
    start = datetime.fromisoformat(merged["window"]["start"].replace("Z", "+00:00"))
    end = datetime.fromisoformat(merged["window"]["end"].replace("Z", "+00:00"))
    assert end - start == timedelta(hours=1)
    assert end <= datetime.now(UTC) < end + timedelta(hours=1)


def test_console_input_with_only_the_window(deployed):
    session, stack, window = deployed
    execution_input = {
        "window_start": window.execution_input("x")["window_start"],
        "window_end": window.execution_input("x")["window_end"],
    }
    result = run_execution(session, stack.state_machine_arn, execution_input, name="console")
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    assert result.output["merge"]["merged_row_count"] == window.rows
    assert "Analyse" in result.path and "EvaluateViolations" in result.path


def test_forced_retrain_is_honoured(deployed):
    session, stack, window = deployed
    execution_input = {**window.execution_input("adult-income"), "force_retrain": True}
    result = run_execution(session, stack.state_machine_arn, execution_input, name="forced")
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    assert any("forced" in reason for reason in result.output["evaluation"]["reasons"])
    # Forced means the branch runs; its guard still wants MinFreshLabeledRows (300) fresh
    # labels, which one demo hour does not have: it says so and trains nothing.
    assert window.labels_written < 300
    assert result.path[-6:] == [
        "AcquireRetrainLock",
        "RetrainLockFree",
        "AssembleTrainingData",
        "EnoughFreshLabels",
        "NotifyTooFewLabels",
        "RetrainSkipped",
    ]
    assert result.output["dataset"]["counts"]["fresh_labelled_rows"] <= window.labels_written


def test_an_inverted_window_fails_with_a_notification_naming_the_problem(deployed):
    session, stack, _ = deployed
    bad = {"window_start": "2026-01-01T10:00:00Z", "window_end": "2026-01-01T09:00:00Z"}
    read_notifications(session, stack)
    result = run_execution(session, stack.state_machine_arn, bad, name="inverted")
    assert result.status == "FAILED"
    assert result.path[-5:] == [
        "FailedMergeLabels",
        "FormatFailure",
        "NotifyFailure",
        "FailedWindowKnown",  # the merge named no window: nothing for the trend page
        "PipelineFailed",
    ]
    [notification] = read_notifications(session, stack)
    assert notification["message"].startswith(
        "input.window_end (2026-01-01T09:00:00Z) must be after input.window_start"
    )


def _future(days: int) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).strftime("%Y-%m-%dT%H:00:00Z")


@pytest.mark.parametrize(
    ("name", "execution_input", "reason"),
    [
        ("typo", {"windowStart": "2026-11-25T13:00:00Z"}, "input: unknown key 'windowStart'"),
        ("unknown", {"endpoint": "adult-income"}, "input: unknown key 'endpoint' "),
        ("date-only", {"window_start": "2026-11-25"}, "input.window_start: '2026-11-25' is a date"),
        ("no-zone", {"window_end": "2026-11-25T13:00:00"}, "input.window_end: '2026-11-25T13"),
        ("future", {"window_start": _future(2)}, "input.window_start: the window "),
        (
            "month",
            {"window_start": "2026-10-01T00:00:00Z", "window_end": "2026-11-01T00:00:00Z"},
            "input: the window 2026-10-01T00:00:00Z to 2026-11-01T00:00:00Z is 31 days long",
        ),
        ("yes", {"force_retrain": "yes"}, "input.force_retrain: must be a JSON boolean"),
    ],
)
def test_input_mistakes_fail_the_run_instead_of_analysing_a_default_window(
    deployed, name, execution_input, reason
):
    session, stack, _ = deployed
    read_notifications(session, stack)
    result = run_execution(session, stack.state_machine_arn, execution_input, name=name)
    assert result.status == "FAILED"
    assert "Analyse" not in result.path and result.path[-1] == "PipelineFailed", result.path
    [notification] = read_notifications(session, stack)
    assert notification["message"].startswith(reason), notification["message"]
    assert notification["subject"].endswith(" in MergeLabels")
