"""The failure notification: reason first, endpoint/window/state in the subject, no traces."""

from __future__ import annotations

import json

import pytest

from evaluate_violations.failure import failure_notice, lambda_handler

ENV = {"DEFAULT_ENDPOINT_NAME": "adult-income", "WINDOW_MINUTES": "60"}
EXECUTION = {
    "Id": "arn:aws:states:us-east-1:123456789012:execution:drift-pipeline:run-1",
    "Name": "run-1",
    "StartTime": "2026-11-25T14:05:12.345Z",
    "Input": {},
}
MERGE = {
    "endpoint_name": "adult-income",
    "window": {"start": "2026-11-25T13:00:00Z", "end": "2026-11-25T14:00:00Z", "slug": "s"},
    "run_id": "adult-income-20261125t1300-1a2b3c4d",
}
LAMBDA_CAUSE = json.dumps(
    {
        "errorMessage": "input: unknown key 'windowStart' (did you mean 'window_start'?)",
        "errorType": "MergeInputError",
        "requestId": "r",
        "stackTrace": ['  File "/var/task/merge_labels/app.py", line 48, in handler\n'],
    }
)
JOB_CAUSE = json.dumps(
    {
        "ProcessingJobName": "analysis-adult-income-20261125t1300-1a2b3c4d",
        "ProcessingJobArn": "arn:aws:sagemaker:us-east-1:123456789012:processing-job/analysis-x",
        "ProcessingJobStatus": "Failed",
        "ExitMessage": "Failed: baseline constraints.json is not valid JSON (line 1)",
        "FailureReason": "AlgorithmError: See job logs for more information",
        "Environment": {"x": "y" * 1700},
    }
)


def notice(failed_state, error, cause, *, merge=None, execution_input=None):
    state = {"failure": {"state": failed_state, "error": {"Error": error, "Cause": cause}}}
    if merge:
        state["merge"] = merge
    execution = {**EXECUTION, "Input": execution_input if execution_input is not None else {}}
    return failure_notice({"state": state, "execution": execution}, ENV)


def test_a_failed_processing_job_leads_with_the_containers_message():
    result = notice("Analyse", "States.TaskFailed", JOB_CAUSE, merge=MERGE)
    assert result["subject"] == (
        "Drift pipeline FAILED: adult-income 2026-11-25 13:00-14:00 in Analyse"
    )
    lines = result["message"].splitlines()
    assert lines[0] == "Failed: baseline constraints.json is not valid JSON (line 1)"
    body = result["message"]
    assert "Processing job: analysis-adult-income-20261125t1300-1a2b3c4d (status Failed)" in body
    assert "SageMaker's failure reason: AlgorithmError: See job logs" in body
    assert "#/processing-jobs/analysis-adult-income-20261125t1300-1a2b3c4d" in body
    assert "ARN: arn:aws:states:us-east-1:123456789012:execution:drift-pipeline:run-1" in body
    assert "states/home?region=us-east-1#/v2/executions/details/arn:aws:states" in body
    assert "yyyy" not in body  # not the job description
    assert len(body) < 2000


def test_a_training_job_without_exit_message_gives_its_failure_reason():
    cause = json.dumps(
        {"TrainingJobName": "retrain-x", "TrainingJobStatus": "Failed", "FailureReason": "OOM"}
    )
    result = notice("Retrain", "States.TaskFailed", cause, merge=MERGE)
    assert result["message"].startswith("OOM\n")
    assert "Training job: retrain-x (status Failed)" in result["message"]


def test_a_lambda_error_gives_its_message_and_never_the_stack_trace():
    result = notice(
        "MergeLabels",
        "MergeInputError",
        LAMBDA_CAUSE,
        execution_input={"windowStart": "2026-11-25T12:00:00Z"},
    )
    # the merge never ran: the window is the default one the run would have taken
    assert result["subject"] == (
        "Drift pipeline FAILED: adult-income 2026-11-25 13:00-14:00 in MergeLabels"
    )
    body = result["message"]
    assert body.startswith("input: unknown key 'windowStart' (did you mean 'window_start'?)\n")
    assert "Failed state: MergeLabels (error MergeInputError)" in body
    assert 'Execution input: {"windowStart": "2026-11-25T12:00:00Z"}' in body
    assert "app.py" not in body and "Traceback" not in body and "\\n" not in body


def test_a_traceback_inside_an_error_message_is_cut():
    cause = json.dumps(
        {"errorType": "E", "errorMessage": "boom\nTraceback (most recent call last):\n  x"}
    )
    assert notice("EvaluateViolations", "E", cause, merge=MERGE)["message"].startswith("boom\n\n")


def test_the_window_sent_is_named_when_the_merge_did_not_run():
    sent = {
        "endpoint_name": "other",
        "window_start": "2026-11-25T10:00:00Z",
        "window_end": "2026-11-25T12:00:00Z",
    }
    result = notice("MergeLabels", "MergeInputError", LAMBDA_CAUSE, execution_input=sent)
    assert result["subject"] == "Drift pipeline FAILED: other 2026-11-25 10:00-12:00 in MergeLabels"
    odd = {"endpoint_name": 5, "window_start": "2026-11-25"}
    result = notice("MergeLabels", "MergeInputError", LAMBDA_CAUSE, execution_input=odd)
    assert result["subject"] == "Drift pipeline FAILED: adult-income from 2026-11-25 in MergeLabels"


def test_other_causes_are_shown_as_text_and_unknown_decisions_are_worded():
    result = notice(
        "NotifyDrift", "SNS.InvalidParameterException", "Invalid parameter: Subject", merge=MERGE
    )
    assert result["message"].startswith("Invalid parameter: Subject\n")
    assert notice("Decision", "UnknownDecision", '"maybe"', merge=MERGE)["message"].startswith(
        '"maybe"'
    )
    assert notice("Analyse", "States.Timeout", None, merge=MERGE)["message"].startswith(
        "The state failed with States.Timeout"
    )


def test_the_subject_is_ascii_and_at_most_100_characters():
    merge = {**MERGE, "endpoint_name": "é" + "x" * 150}
    subject = notice("EvaluateViolations", "E", "c", merge=merge)["subject"]
    assert len(subject) == 100 and subject.isascii()
    assert subject.endswith(" 2026-11-25 13:00-14:00 in EvaluateViolations")


@pytest.mark.parametrize(
    "event",
    [
        {},
        {"state": None},
        {"state": {"failure": "x"}, "execution": []},
        {"state": {"failure": {"error": {"Cause": "{not json"}}}},
    ],
)
def test_odd_events_still_give_a_notification(event, monkeypatch):
    monkeypatch.setenv("WINDOW_MINUTES", "bad")
    result = lambda_handler(event, None)
    assert result["subject"].startswith("Drift pipeline FAILED: ")
    assert result["message"]
