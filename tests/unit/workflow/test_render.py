"""The committed ASL is what the Python definition renders, and its placeholders are all bound."""

import json
import re

from workflow.definition import PLACEHOLDERS
from workflow.render import ASL_PATH, render_asl


def test_committed_asl_is_up_to_date():
    assert ASL_PATH.read_text(encoding="utf-8") == render_asl(), (
        "workflow/statemachine.asl.json is stale: run `make render` and commit it"
    )


def test_asl_uses_exactly_the_declared_placeholders():
    text = ASL_PATH.read_text(encoding="utf-8")
    assert set(re.findall(r"\$\{(\w+)\}", text)) == set(PLACEHOLDERS)


def test_every_task_is_caught_into_the_failure_notification():
    states = json.loads(ASL_PATH.read_text(encoding="utf-8"))["States"]
    tasks = [
        name
        for name, state in states.items()
        if state["Type"] == "Task" and name != "NotifyFailure"
    ]
    assert {"MergeLabels", "Analyse", "EvaluateViolations", "Retrain"} <= set(tasks)
    for name in tasks:
        catchers = states[name]["Catch"]
        assert catchers[-1]["ErrorEquals"] == ["States.ALL"], name
        recorder = states[catchers[-1]["Next"]]
        assert recorder["Parameters"]["state"] == name
        assert recorder["Next"] == "NotifyFailure"
    assert states["NotifyFailure"]["Next"] == "PipelineFailed"
    assert states["PipelineFailed"]["Type"] == "Fail"


def test_job_names_are_bound_per_execution_and_window():
    states = json.loads(ASL_PATH.read_text(encoding="utf-8"))["States"]
    analyse, retrain = states["Analyse"]["Parameters"], states["Retrain"]["Parameters"]
    assert "ProcessingJobName" not in analyse and "TrainingJobName" not in retrain
    assert "$.merge.Payload.run_id" in analyse["ProcessingJobName.$"]
    assert "$.merge.Payload.run_id" in retrain["TrainingJobName.$"]
    assert states["Analyse"]["Resource"].endswith("createProcessingJob.sync")
    assert states["Retrain"]["Resource"].endswith("createTrainingJob.sync")
