"""The committed ASL is what the Python definition renders, and its states read one vocabulary."""

import json
import re

from evaluate_violations.models import EvaluationResult
from merge_labels.models import MergeResult
from workflow.offline.stack import load_template
from workflow.render import ASL_PATH, render_asl

STATES = json.loads(ASL_PATH.read_text(encoding="utf-8"))["States"]


def _paths(node):
    """Every JSONPath / intrinsic string a state reads (values of ``*.$`` keys, Variables)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, str) and (key.endswith(".$") or key == "Variable"):
                yield value
            else:
                yield from _paths(value)
    elif isinstance(node, list):
        for item in node:
            yield from _paths(item)


def test_committed_asl_is_up_to_date():
    assert ASL_PATH.read_text(encoding="utf-8") == render_asl(), (
        "workflow/statemachine.asl.json is stale: run `make render` and commit it"
    )


def test_every_task_is_caught_into_the_failure_notification():
    failure_path = {"FormatFailure", "NotifyFailure", "NotifyFailureRaw"}
    # A failing trend page must not stop the decision: RenderTrend's errors go on to Decision.
    assert STATES["RenderTrend"]["Catch"] == [
        {"ErrorEquals": ["States.ALL"], "ResultPath": "$.trend_error", "Next": "Decision"}
    ]
    assert STATES["RenderTrend"]["Next"] == "Decision"
    # After an empty window the trend records it ("no data"); a failure there still succeeds.
    assert STATES["NoData"]["Next"] == "RenderTrendNoData"
    assert STATES["RenderTrendNoData"]["Catch"][-1]["Next"] == "NoDataRecorded"
    assert STATES["RenderTrendNoData"]["Next"] == "NoDataRecorded"
    # After a retraining the page is drawn again (its outcome on the strip); no metric twice.
    after = STATES["RenderTrendAfterRetraining"]
    assert after["Next"] == after["Catch"][-1]["Next"] == "Retrained"
    assert "window_slug.$" not in after["Parameters"]["Payload"]
    no_data = STATES["RenderTrendNoData"]["Parameters"]["Payload"]["no_data"]
    assert no_data == {
        "window.$": "$.merge.window",
        "run_id.$": "$.merge.run_id",
        "manifest_uri.$": "$.merge.manifest_uri",
    }
    tasks = [
        name
        for name, state in STATES.items()
        if state["Type"] == "Task"
        and name
        not in failure_path
        | {"RenderTrend", "RenderTrendNoData", "RenderTrendAfterRetraining", "RecordFailedWindow"}
    ]
    assert {"MergeLabels", "Analyse", "EvaluateViolations", "Retrain"} <= set(tasks)
    for name in tasks:
        catchers = STATES[name]["Catch"]
        assert catchers[-1]["ErrorEquals"] == ["States.ALL"], name
        recorder = STATES[catchers[-1]["Next"]]
        assert recorder["Parameters"]["state"] == name
        assert recorder["Next"] == "FormatFailure"
    assert STATES["FormatFailure"]["Next"] == "NotifyFailure"
    assert STATES["NotifyFailure"]["Next"] == "FailedWindowKnown"
    known = STATES["FailedWindowKnown"]
    assert known["Choices"] == [
        {"Variable": "$.merge.window.slug", "IsPresent": True, "Next": "RecordFailedWindow"}
    ]
    assert known["Default"] == "PipelineFailed"
    record = STATES["RecordFailedWindow"]  # a failing record never hides the failure
    assert record["Next"] == record["Catch"][-1]["Next"] == "PipelineFailed"
    for name in ("FormatFailure", "NotifyFailure"):  # a failing formatter still notifies
        assert STATES[name]["Catch"][-1]["ErrorEquals"] == ["States.ALL"], name
        assert STATES[name]["Catch"][-1]["Next"] == "NotifyFailureRaw", name
    assert STATES["NotifyFailureRaw"]["Next"] == "PipelineFailed"
    assert STATES["PipelineFailed"]["Type"] == "Fail"


def test_job_names_are_bound_per_execution_and_window_and_say_their_state():
    analyse, retrain = STATES["Analyse"]["Parameters"], STATES["Retrain"]["Parameters"]
    assert "ProcessingJobName" not in analyse and "TrainingJobName" not in retrain
    assert analyse["ProcessingJobName.$"] == "States.Format('analysis-{}', $.merge.run_id)"
    assert retrain["TrainingJobName.$"] == "States.Format('retrain-{}', $.merge.run_id)"
    assert STATES["Analyse"]["Resource"].endswith("createProcessingJob.sync")
    assert STATES["Retrain"]["Resource"].endswith("createTrainingJob.sync")


def test_lambda_steps_keep_only_the_functions_result():
    for state, path, model in (
        ("MergeLabels", "$.merge", MergeResult),
        ("EvaluateViolations", "$.evaluation", EvaluationResult),
    ):
        task = STATES[state]
        assert task["Resource"] == "arn:aws:states:::lambda:invoke"
        assert task["ResultPath"] == path
        assert task["ResultSelector"] == {
            f"{name}.$": f"$.Payload.{name}" for name in model.model_fields
        }, state


def test_later_states_read_merge_and_evaluation_fields_directly():
    read = [p for state in STATES.values() for p in _paths(state)]
    assert not [p for p in read if "Payload" in p and not p.startswith("$.Payload.")], read
    merge_fields = set(MergeResult.model_fields)
    evaluation_fields = set(EvaluationResult.model_fields)
    for text in read:
        for field in re.findall(r"\$\.merge\.(\w+)", text):
            assert field in merge_fields, text
        for field in re.findall(r"\$\.evaluation\.(\w+)", text):
            assert field in evaluation_fields, text
    assert [(c["Variable"], c["Next"]) for c in STATES["HasData"]["Choices"]] == [
        ("$.merge.outcome", "NotifyNothingMergeable"),
        ("$.merge.merged_row_count", "NoData"),
    ]
    assert STATES["HasData"]["Choices"][0]["StringEquals"] == "nothing_mergeable"
    unmergeable = STATES["NotifyNothingMergeable"]
    assert unmergeable["Parameters"]["Subject.$"] == "$.merge.alert.subject"
    assert unmergeable["Parameters"]["Message.$"] == "$.merge.alert.message"
    assert unmergeable["Next"] == "NothingMergeable"
    assert STATES["NothingMergeable"]["Type"] == "Succeed"
    assert unmergeable["Catch"][0]["Next"] == "FailedNotifyNothingMergeable"
    assert STATES["EvaluateViolations"]["Parameters"]["Payload"]["merge.$"] == "$.merge"
    assert {c["Variable"] for c in STATES["Decision"]["Choices"]} == {"$.evaluation.decision"}
    parameters = STATES["NotifyDrift"]["Parameters"]
    assert parameters["Subject.$"] == "$.evaluation.subject"
    assert parameters["Message.$"] == "$.evaluation.message"
    # The retraining notification is the promotion's: comparison table, decision, package ARN.
    parameters = STATES["NotifyRetrained"]["Parameters"]
    assert parameters["Subject.$"] == "$.promotion.subject"
    assert parameters["Message.$"] == "$.promotion.message"
    assert parameters["MessageAttributes.$"] == "$.promotion.message_attributes"
    assert STATES["NoData"]["Parameters"]["manifest_uri.$"] == "$.merge.manifest_uri"


def test_the_analysis_job_reads_only_the_merged_data_prefix():
    inputs = {
        i["InputName"]: i["S3Input"] for i in STATES["Analyse"]["Parameters"]["ProcessingInputs"]
    }
    assert inputs["merged_data"]["S3Uri.$"] == "$.merge.merged_data_uri"
    assert inputs["baseline"]["S3Uri.$"] == "$.merge.baseline_uri"


def test_retraining_passes_no_hyperparameters_the_trainer_ignores():
    # Hyperparameters are configuration (TrainingHyperparameters, via the dataset step); the
    # default names only ``seed``, the one container/trainer reads.
    assert STATES["Retrain"]["Parameters"]["HyperParameters.$"] == "$.dataset.hyperparameters"
    assert "HyperParameters" not in STATES["Retrain"]["Parameters"]
    default = load_template()["Parameters"]["TrainingHyperparameters"]["Default"]
    assert json.loads(default) == {"seed": 0}
