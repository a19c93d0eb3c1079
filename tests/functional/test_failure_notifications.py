"""Failure notifications of full offline executions: readable, reason first, never silent.

A failed Analyse (corrupt baseline constraints.json) and a failed merge (bad execution input)
each end in ``FormatFailure -> NotifyFailure -> PipelineFailed`` with a notification whose
subject names endpoint, window and state and whose body starts with the reason, without a
stack trace or literal ``\\n``; when the formatter itself fails, the raw notification still
goes out.
"""

from __future__ import annotations

import pytest

from tests.functional.demo_stack import deployed_demo_hour
from workflow.offline.engine import run_execution
from workflow.offline.stack import (
    read_notifications,
)

pytestmark = pytest.mark.slow

CONSTRAINTS_KEY = "baselines/adult-income/constraints.json"
FAILURE_PATH = ["FormatFailure", "NotifyFailure", "FailedWindowKnown"]
# After a merge the trend page records the window failed; before it, no window is known.
RECORDED = [*FAILURE_PATH, "RecordFailedWindow", "PipelineFailed"]
UNRECORDED = [*FAILURE_PATH, "PipelineFailed"]


@pytest.fixture(scope="module")
def deployed(tmp_path_factory):
    with deployed_demo_hour(tmp_path_factory.mktemp("failures")) as deployed:
        yield deployed


def execute(deployed, execution_input, name):
    session, stack, _ = deployed
    read_notifications(session, stack)  # start from an empty inbox
    result = run_execution(session, stack.state_machine_arn, execution_input, name=name)
    return result, read_notifications(session, stack)


def assert_readable(notification):
    for text in (notification["subject"], notification["message"]):
        assert "Traceback" not in text and "\\n" not in text, text
    assert 'File "' not in notification["message"]  # no stack frames


def test_a_failed_analysis_names_endpoint_window_state_and_leads_with_the_reason(deployed):
    session, stack, window = deployed
    s3 = session.client("s3")
    original = s3.get_object(Bucket=stack.bucket, Key=CONSTRAINTS_KEY)["Body"].read()
    s3.put_object(Bucket=stack.bucket, Key=CONSTRAINTS_KEY, Body=b"{not json")
    try:
        result, [notification] = execute(
            deployed, window.execution_input("adult-income"), "analyse-fails"
        )
    finally:
        s3.put_object(Bucket=stack.bucket, Key=CONSTRAINTS_KEY, Body=original)
    assert result.status == "FAILED"
    assert result.path[-6:] == ["FailedAnalyse", *RECORDED], result.path
    window_text = f"{window.start:%Y-%m-%d %H:%M}-{window.end:%H:%M}"
    assert notification["subject"] == (
        f"Drift pipeline FAILED: adult-income {window_text} in Analyse"
    )
    first_line = notification["message"].splitlines()[0]
    assert "constraints.json" in first_line, notification["message"]
    job = f"analysis-{result.output['merge']['run_id']}" if result.output else "analysis-"
    assert "Processing job: analysis-adult-income-" in notification["message"], job
    assert "Execution: analyse-fails" in notification["message"]
    assert_readable(notification)
    page = s3.get_object(Bucket=stack.bucket, Key="reports/adult-income/trend.html")["Body"]
    assert '<rect class="d-failed"' in page.read().decode()  # the window is marked, not a gap


@pytest.mark.parametrize(
    ("execution_input", "reason"),
    [
        (
            {"windowStart": "2026-11-25T13:00:00Z"},
            "input: unknown key 'windowStart' (did you mean 'window_start'?); the execution "
            "input accepts only endpoint_name, variant_name, window_start, window_end, "
            "force_retrain (all optional)",
        ),
        (
            {"force_retrain": "yes"},
            "input.force_retrain: must be a JSON boolean, true or false (without quotes); "
            'got "yes" (a JSON string)',
        ),
    ],
)
def test_a_failed_merge_leads_with_the_input_problem(deployed, execution_input, reason):
    name = "merge-fails-" + next(iter(execution_input)).replace("_", "-").lower()
    result, [notification] = execute(deployed, execution_input, name)
    assert result.status == "FAILED"
    assert result.path == ["MergeLabels", "FailedMergeLabels", *UNRECORDED], result.path
    assert notification["subject"].startswith("Drift pipeline FAILED: adult-income 20")
    assert notification["subject"].endswith(" in MergeLabels")
    assert notification["message"].startswith(reason + "\n"), notification["message"]
    assert "Failed state: MergeLabels (error MergeInputError)" in notification["message"]
    assert_readable(notification)


def test_a_failing_formatter_still_sends_the_raw_notification(deployed):
    session, _, _ = deployed
    functions = session.client("lambda")
    name = "format-failure"
    handler = functions.get_function(FunctionName=name)["Configuration"]["Handler"]
    functions.update_function_configuration(FunctionName=name, Handler="no_such.module.handler")
    try:
        result, [notification] = execute(deployed, {"colour": "red"}, "formatter-fails")
    finally:
        functions.update_function_configuration(FunctionName=name, Handler=handler)
    assert result.status == "FAILED"
    assert result.path[-3:] == ["FormatFailure", "NotifyFailureRaw", "PipelineFailed"]
    assert notification["subject"] == "Drift pipeline run failed in MergeLabels"
    assert "failed in state MergeLabels" in notification["message"]
    assert "unknown key 'colour'" in notification["message"]
