"""The drift pipeline's state machine, built with the Step Functions Data Science SDK.

This is the only place states are named. Everything account- or deployment-specific is a
``${Placeholder}`` that SAM's ``DefinitionSubstitutions`` (or the offline run) binds, so the
rendered ASL is the same file on AWS and offline.

Flow::

    MergeLabels ─► HasData? ──nothing mergeable──► NotifyNothingMergeable ─► NothingMergeable
                     │       (records captured, all rejected: $.merge.alert says why)
                     │  ──no rows──► NoData (succeed, outcome recorded in merge manifest)
                     │yes
                     ▼
                  Analyse (Processing .sync) ─► EvaluateViolations ─► RenderTrend ─► Decision?
                     ├─ retrain ─► the retraining branch (workflow/retraining.py): lock,
                     │     dataset version, Retrain, CompareChallenger, PromoteChallenger,
                     │     NotifyRetrained ─► Retrained (or NotifyRetrainBusy/TooFewLabels)
                     ├─ notify  ─► NotifyDrift ─► Notified
                     └─ healthy ─► Healthy
    any task error ─► Failed<State> (records which state) ─► FormatFailure (Lambda: reason
        first, endpoint, window, state) ─► NotifyFailure ─► FailedWindowKnown? (merged: the
        trend page records the window failed, RecordFailedWindow) ─► PipelineFailed; if the
        formatter or that publish fails ─► NotifyFailureRaw (the raw error) ─► PipelineFailed

Each Lambda step keeps only the function's result (``ResultSelector`` drops the invoke
envelope), so later states read ``$.merge.<field>`` and ``$.evaluation.<field>``; the fields are
those of the functions' result models. The Analyse state runs the processing job
``analysis-{run_id}``; Retrain runs the training job ``retrain-{run_id}`` and CompareChallenger
the processing job ``compare-{run_id}``.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass

import workflow  # noqa: F401  (puts the deployables' roots on sys.path)

# The SDK pair prints INFO lines and a v2 warning on import; quiet them before importing.
os.environ.setdefault("SAGEMAKER_SUPPRESS_V2_WARNING", "1")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
logging.getLogger("sagemaker.config").setLevel(logging.WARNING)


from sagemaker.session import Session  # noqa: E402
from stepfunctions.steps import (  # noqa: E402
    Catch,
    Chain,
    Choice,
    ChoiceRule,
    Fail,
    LambdaStep,
    Pass,
    ProcessingStep,
    Succeed,
)
from stepfunctions.steps.service import SnsPublishStep  # noqa: E402
from stepfunctions.steps.states import Graph  # noqa: E402

from evaluate_violations.models import EvaluationResult  # noqa: E402
from merge_labels.models import MergeResult  # noqa: E402
from processing_paths import BASELINE_DIR, DATASET_DIR, RESULT_DIR  # noqa: E402
from workflow.asl_parts import (  # noqa: E402
    MERGE_RESULT_PATH,
    lambda_task,
    merge_field,
    placeholder,
    processing_job,
    processing_step,
    s3_input,
    s3_output,
    sagemaker_session,
)
from workflow.retraining import retraining_branch  # noqa: E402
from workflow.trend_steps import trend_step  # noqa: E402

# Where each Lambda step puts the function's result, and the fields it keeps.
EVALUATION_RESULT_PATH = "$.evaluation"
MERGE_FIELDS = tuple(MergeResult.model_fields)
EVALUATION_FIELDS = tuple(EvaluationResult.model_fields)
# The failure formatter's result (evaluate_violations.failure): the notification's text.
FAILURE_NOTICE_PATH = "$.failure_notice"
FAILURE_NOTICE_FIELDS = ("subject", "message")


def _evaluation(field: str) -> str:
    """Path of a field of the EvaluateViolations result in the state."""
    return f"{EVALUATION_RESULT_PATH}.{field}"


@dataclass(frozen=True)
class Limits:
    """Job limits baked into the definition (change here, re-render, commit)."""

    processing_max_runtime_s: int = 1800
    processing_volume_gb: int = 30
    training_max_runtime_s: int = 3600
    training_volume_gb: int = 30


def _merge_step() -> LambdaStep:
    return lambda_task(
        "MergeLabels",
        "Join the window's data capture with the labels that have arrived.",
        "MergeFunctionArn",
        {
            "input.$": "$",
            "execution_name.$": "$$.Execution.Name",
            "execution_start_time.$": "$$.Execution.StartTime",
        },
        MERGE_RESULT_PATH,
        MERGE_FIELDS,
    )


def _analyse_step(session: Session, limits: Limits) -> ProcessingStep:
    processor = processing_job(
        "MonitorImageUri",
        session,
        limits,
        {
            "dataset_format": '{"parquet": {}}',
            "dataset_source": DATASET_DIR,
            "output_path": RESULT_DIR,
            "baseline_statistics": f"{BASELINE_DIR}/statistics.json",
            "baseline_constraints": f"{BASELINE_DIR}/constraints.json",
            "publish_cloudwatch_metrics": "Disabled",
        },
    )
    return processing_step(
        "Analyse",
        processor,
        argument="monitor",
        job_prefix="analysis",
        comment="Drift, data quality, model quality and projected accuracy for the window.",
        result_path="$.analysis",
        environment={
            "sagemaker_endpoint_name.$": merge_field("endpoint_name"),
            "start_time.$": merge_field("window.start"),
            "end_time.$": merge_field("window.end"),
            # Empty: the baseline's constraints.json decides; else this floor does.
            "accuracy_threshold": placeholder("AccuracyThreshold"),
        },
        inputs=[
            # merged_data_uri holds only merged.parquet (manifest and quarantine sit beside)
            s3_input("merged_data", merge_field("merged_data_uri"), DATASET_DIR),
            s3_input("baseline", merge_field("baseline_uri"), BASELINE_DIR),
        ],
        outputs=[s3_output("monitoring_output", merge_field("report_uri"), RESULT_DIR)],
    )


def _evaluate_step() -> LambdaStep:
    return lambda_task(
        "EvaluateViolations",
        "Read the violations and statistics and decide: retrain, notify or healthy.",
        "EvaluateFunctionArn",
        {
            "merge.$": MERGE_RESULT_PATH,
            "processing_job_name.$": "$.analysis.ProcessingJobName",
            "execution_arn.$": "$$.Execution.Id",
            "image_uri.$": "$.analysis.AppSpecification.ImageUri",  # its digest is recorded
        },
        EVALUATION_RESULT_PATH,
        EVALUATION_FIELDS,
    )


def _notify(state_id: str, comment: str) -> SnsPublishStep:
    return SnsPublishStep(
        state_id,
        comment=comment,
        parameters={
            "TopicArn": placeholder("AlertTopicArn"),
            "Subject.$": _evaluation("subject"),
            "Message.$": _evaluation("message"),
            "MessageAttributes.$": _evaluation("message_attributes"),
        },
        result_path="$.notification",
    )


def _failure_handler() -> tuple[LambdaStep, Fail]:
    """``FormatFailure`` -> ``NotifyFailure`` -> ``PipelineFailed``, with a raw fallback.

    The formatter (``evaluate_violations.failure``) reads the failed state's error and the
    merge result or execution input and returns ``subject`` (endpoint, window, state) and
    ``message`` (the reason first, then identifiers and links, no stack trace). If it or the
    formatted publish fails, ``NotifyFailureRaw`` still sends the error as Step Functions gave
    it, so a failure is never silent.
    """
    failed = Fail(
        "PipelineFailed",
        error="DriftPipelineFailed",
        cause="A task failed; see the failure notification and the execution history.",
    )
    raw = SnsPublishStep(
        "NotifyFailureRaw",
        comment="Fallback when the formatter or the formatted publish failed: the raw error.",
        parameters={
            "TopicArn": placeholder("AlertTopicArn"),
            "Subject.$": "States.Format('Drift pipeline run failed in {}', $.failure.state)",
            "Message.$": (
                "States.Format('Drift pipeline execution {} failed in state {}. Error: {}. "
                "Cause: {}', $$.Execution.Id, $.failure.state, "
                "$.failure.error.Error, $.failure.error.Cause)"
            ),
        },
        result_path="$.notification",
    )
    raw.next(failed)
    notify = SnsPublishStep(
        "NotifyFailure",
        comment="Tell a person which state failed, for which endpoint and window, and why.",
        parameters={
            "TopicArn": placeholder("AlertTopicArn"),
            "Subject.$": f"{FAILURE_NOTICE_PATH}.subject",
            "Message.$": f"{FAILURE_NOTICE_PATH}.message",
        },
        result_path="$.notification",
    )
    notify.add_catch(
        Catch(error_equals=["States.ALL"], result_path="$.notify_error", next_step=raw)
    )
    # The trend page marks the window failed, when the merge had named it (else a gap).
    window_known = Choice("FailedWindowKnown")
    window_known.add_choice(
        ChoiceRule.IsPresent(variable=merge_field("window.slug"), value=True),
        next_step=trend_step("RecordFailedWindow", failed, failed=True),
    )
    window_known.default_choice(failed)
    notify.next(window_known)
    formatter = lambda_task(
        "FormatFailure",
        "Word the failure: reason first, then endpoint, window, state, job and execution.",
        "FormatFailureFunctionArn",
        {"state.$": "$", "execution.$": "$$.Execution"},
        FAILURE_NOTICE_PATH,
        FAILURE_NOTICE_FIELDS,
    )
    formatter.add_catch(
        Catch(error_equals=["States.ALL"], result_path="$.format_error", next_step=raw)
    )
    formatter.next(notify)
    return formatter, failed


def _notify_nothing_mergeable() -> SnsPublishStep:
    """Records were captured but every one was rejected: loud, never "no data"."""
    return SnsPublishStep(
        "NotifyNothingMergeable",
        comment="All capture records of the window were quarantined; say how many and why.",
        parameters={
            "TopicArn": placeholder("AlertTopicArn"),
            "Subject.$": merge_field("alert.subject"),
            "Message.$": merge_field("alert.message"),
        },
        result_path="$.notification",
    )


def _catch_into(task, notify_failure: LambdaStep) -> None:
    """Route any error of ``task`` through a state that records its name, then notify."""
    recorder = Pass(
        f"Failed{task.state_id}",
        parameters={"state": task.state_id, "error.$": "$.error"},
        result_path="$.failure",
    )
    recorder.next(notify_failure)
    task.add_catch(Catch(error_equals=["States.ALL"], result_path="$.error", next_step=recorder))


def build_definition(limits: Limits = Limits()) -> Chain:
    """Assemble the state graph."""
    session = sagemaker_session()
    notify_failure, _ = _failure_handler()

    merge = _merge_step()
    analyse = _analyse_step(session, limits)
    evaluate = _evaluate_step()
    retrain = retraining_branch(session, limits, lambda task: _catch_into(task, notify_failure))
    notify_drift = _notify("NotifyDrift", "Report the violations; no retraining.")
    notify_unmergeable = _notify_nothing_mergeable()
    for task in (
        merge,
        analyse,
        evaluate,
        notify_drift,
        notify_unmergeable,
    ):
        _catch_into(task, notify_failure)

    no_data = Pass(
        "NoData",
        comment="Empty window: nothing to analyse; the merge manifest records it.",
        parameters={"outcome": "no_data", "manifest_uri.$": merge_field("manifest_uri")},
        result_path="$.outcome",
    )
    no_data.next(trend_step("RenderTrendNoData", Succeed("NoDataRecorded"), no_data=True))

    decision = Choice("Decision")
    trend = trend_step("RenderTrend", decision)  # workflow/trend_steps.py
    decision.add_choice(
        ChoiceRule.StringEquals(variable=_evaluation("decision"), value="retrain"),
        next_step=retrain,
    )
    decision.add_choice(
        ChoiceRule.StringEquals(variable=_evaluation("decision"), value="notify"),
        next_step=Chain([notify_drift, Succeed("Notified")]),
    )
    decision.add_choice(
        ChoiceRule.StringEquals(variable=_evaluation("decision"), value="healthy"),
        next_step=Succeed("Healthy"),
    )
    unknown = Pass(
        "UnknownDecision",
        comment="A decision this definition does not know is a failure, never a silent pass.",
        parameters={
            "state": "Decision",
            "error": {
                "Error": "UnknownDecision",
                "Cause.$": f"States.JsonToString({_evaluation('decision')})",
            },
        },
        result_path="$.failure",
    )
    unknown.next(notify_failure)
    decision.default_choice(unknown)

    has_data = Choice("HasData")
    has_data.add_choice(
        ChoiceRule.StringEquals(variable=merge_field("outcome"), value="nothing_mergeable"),
        next_step=Chain([notify_unmergeable, Succeed("NothingMergeable")]),
    )
    has_data.add_choice(
        ChoiceRule.NumericEquals(variable=merge_field("merged_row_count"), value=0),
        next_step=no_data,
    )
    has_data.default_choice(Chain([analyse, evaluate, trend, decision]))

    return Chain([merge, has_data])


def definition_document(limits: Limits = Limits()) -> dict:
    """The state graph as an ASL document (a dict)."""
    return json.loads(Graph(build_definition(limits)).to_json())
