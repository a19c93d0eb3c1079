"""The retraining branch of the state machine: from "retrain" to a promoted or rejected model.

Flow (entered when EvaluateViolations decides ``retrain``)::

    AcquireRetrainLock ─► RetrainLockFree? ──held by another execution──► NotifyRetrainBusy ─┐
        │ acquired                                                                           │
        ▼                                                                                    │
    AssembleTrainingData ─► EnoughFreshLabels? ──too few──► NotifyTooFewLabels ──────────────┤
        │ enough                                                                  RetrainSkipped
        ▼
    Retrain (Training .sync) ─► CompareChallenger (Processing .sync, challenger scores the
        holdout) ─► PromoteChallenger (gate, Model Registry, optional deploy) ─► ChallengerDeployed?
        │ deployed                                                     not deployed │
        ▼                                                                           ▼
    CheckDeployment ─► EndpointServesChallenger? ──not yet──► WaitForEndpoint ─┐  NotifyRetrained
        ▲                   │ serving                                          │   ─► Retrained
        └───────────────────┼──────────────────────────────────────────────────┘        ▲
                            ▼                                                           │
    RefreshBaseline (Processing .sync, the analysis image's baseline job on the holdout
        the challenger scored) ─► ActivateBaseline (live baseline replaced, owner's thresholds
        kept, lock released) ────────────────────────────────────────────────────────────┘

The lock and the dataset version are ``lambdas/retraining``'s ``prepare_handler``; the gate,
registry and deploy its ``promote_handler``; the wait for the endpoint and the baseline's switch
its ``refresh_handler``; the comparison is the training image's
``compare`` command (``container/trainer/compare_job.py``). Every task's error goes through the
definition's failure path; nothing before ``PromoteChallenger`` touches the endpoint.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sagemaker.estimator import Estimator
from sagemaker.session import Session
from stepfunctions.steps import (
    Chain,
    Choice,
    ChoiceRule,
    LambdaStep,
    ProcessingStep,
    Succeed,
    TrainingStep,
    Wait,
)
from stepfunctions.steps.service import SnsPublishStep

from processing_paths import (
    BASELINE_DATASET_DIR,
    BASELINE_DIR,
    COMPARE_HOLDOUT_DIR,
    COMPARE_MODEL_DIR,
    COMPARE_OUTPUT_DIR,
    OUTPUT_DIR,
    SCHEMA_INPUT_DIR,
)
from workflow.asl_parts import (
    MERGE_RESULT_PATH,
    channel,
    lambda_task,
    merge_field,
    placeholder,
    processing_job,
    processing_step,
    s3_input,
    s3_output,
    sagemaker_retry,
)
from workflow.trend_steps import trend_step

if TYPE_CHECKING:
    from workflow.definition import Limits

LOCK_PATH = "$.retraining_lock"
DATASET_PATH = "$.dataset"
PROMOTION_PATH = "$.promotion"
DEPLOYMENT_STATE_PATH = "$.deployment_state"
ENDPOINT_POLL_SECONDS = 60
NOTICE_FIELDS = ("subject", "message", "message_attributes")
LOCK_FIELDS = ("acquired", "holder", "lock_uri", *NOTICE_FIELDS)
DATASET_FIELDS = (
    "dataset_uri",
    "train_uri",
    "holdout_uri",
    "manifest_uri",
    "comparison_uri",
    "refreshed_baseline_uri",
    "counts",
    "enough",
    "hyperparameters",
    *NOTICE_FIELDS,
)
PROMOTION_FIELDS = (
    "decision",
    "verdict",
    "reason",
    "model_package_arn",
    "model_package_status",
    "deployment",
    "comparison",
    *NOTICE_FIELDS,
)
DEPLOYMENT_STATE_FIELDS = ("serving", "status", "waited_minutes")


def _notify(state_id: str, comment: str, notice_path: str) -> SnsPublishStep:
    return SnsPublishStep(
        state_id,
        comment=comment,
        parameters={
            "TopicArn": placeholder("AlertTopicArn"),
            "Subject.$": f"{notice_path}.subject",
            "Message.$": f"{notice_path}.message",
            "MessageAttributes.$": f"{notice_path}.message_attributes",
        },
        result_path="$.notification",
    )


def _acquire_lock() -> LambdaStep:
    return lambda_task(
        "AcquireRetrainLock",
        "One retraining at a time per endpoint: claim the lock or learn who holds it.",
        "RetrainDataFunctionArn",
        {
            "action": "acquire",
            "endpoint_name.$": merge_field("endpoint_name"),
            "run_id.$": merge_field("run_id"),
            "execution_id.$": "$$.Execution.Id",
        },
        LOCK_PATH,
        LOCK_FIELDS,
    )


def _assemble() -> LambdaStep:
    return lambda_task(
        "AssembleTrainingData",
        "Original training set + labelled merged rows over the lookback, each inference once; "
        "the most recent rows held out by time, their duplicates kept out of training.",
        "RetrainDataFunctionArn",
        {"action": "assemble", "merge.$": MERGE_RESULT_PATH, "execution_id.$": "$$.Execution.Id"},
        DATASET_PATH,
        DATASET_FIELDS,
    )


def _train(session: Session, limits: Limits) -> TrainingStep:
    estimator = Estimator(
        image_uri=placeholder("TrainingImageUri"),
        role=placeholder("SageMakerRoleArn"),
        instance_count=1,
        instance_type="ml.m5.xlarge",  # the SDK validates it; the parameters below bind it
        volume_size=limits.training_volume_gb,
        max_run=limits.training_max_runtime_s,
        output_path="s3://placeholder-overridden-below/",
        disable_profiler=True,
        debugger_hook_config=False,
        sagemaker_session=session,
    )
    step = TrainingStep(
        "Retrain",
        estimator=estimator,
        job_name="placeholder-overridden-below",
        comment="Train the challenger on the assembled dataset version (the holdout excluded).",
        result_path="$.training",
        parameters={
            "TrainingJobName.$": f"States.Format('retrain-{{}}', {merge_field('run_id')})",
            "AlgorithmSpecification": {
                "TrainingImage": placeholder("TrainingImageUri"),
                "TrainingInputMode": "File",
            },
            "HyperParameters.$": f"{DATASET_PATH}.hyperparameters",
            "InputDataConfig": [
                channel("train", f"{DATASET_PATH}.train_uri"),
                channel("baseline", merge_field("baseline_uri")),
            ],
            "OutputDataConfig": {"S3OutputPath.$": merge_field("model_output_uri")},
            "ResourceConfig": {"InstanceType": placeholder("TrainingInstanceType")},
        },
    )
    step.add_retry(sagemaker_retry())
    return step


def _compare(session: Session, limits: Limits) -> ProcessingStep:
    processor = processing_job("TrainingImageUri", session, limits)
    return processing_step(
        "CompareChallenger",
        processor,
        argument="compare",
        job_prefix="compare",
        comment="Score the holdout with the challenger; both models' metrics, paired CIs.",
        result_path="$.comparison_job",
        inputs=[
            s3_input("model", "$.training.ModelArtifacts.S3ModelArtifacts", COMPARE_MODEL_DIR),
            s3_input("holdout", f"{DATASET_PATH}.holdout_uri", COMPARE_HOLDOUT_DIR),
            s3_input("baseline", merge_field("baseline_uri"), BASELINE_DIR),
        ],
        outputs=[s3_output("comparison", f"{DATASET_PATH}.comparison_uri", COMPARE_OUTPUT_DIR)],
    )


def _promote() -> LambdaStep:
    return lambda_task(
        "PromoteChallenger",
        "Gate on the paired comparison; register the package (Approved/Pending/Rejected); "
        "deploy a winner when auto-deploy is on.",
        "PromoteChallengerFunctionArn",
        {
            "endpoint_name.$": merge_field("endpoint_name"),
            "run_id.$": merge_field("run_id"),
            "execution_id.$": "$$.Execution.Id",
            "model_artifact_uri.$": "$.training.ModelArtifacts.S3ModelArtifacts",
            "comparison_uri.$": f"{DATASET_PATH}.comparison_uri",
            "dataset_manifest_uri.$": f"{DATASET_PATH}.manifest_uri",
            "why_retrained.$": "$.evaluation.reasons",
            "window.$": merge_field("window"),
        },
        PROMOTION_PATH,
        PROMOTION_FIELDS,
    )


def _check_deployment() -> LambdaStep:
    return lambda_task(
        "CheckDeployment",
        "Does the endpoint serve the challenger yet? Fails on a rolled-back or failed update, "
        "or after DeploymentTimeoutMinutes.",
        "BaselineRefreshFunctionArn",
        {
            "action": "check_deployment",
            "endpoint_name.$": merge_field("endpoint_name"),
            "promotion.$": PROMOTION_PATH,
        },
        DEPLOYMENT_STATE_PATH,
        DEPLOYMENT_STATE_FIELDS,
    )


def _refresh_baseline(session: Session, limits: Limits) -> ProcessingStep:
    processor = processing_job(
        "MonitorImageUri",
        session,
        limits,
        {
            "dataset_format": '{"parquet": {}}',
            "schema_path": f"{SCHEMA_INPUT_DIR}/schema.json",
            "output_path": OUTPUT_DIR,
        },
    )
    return processing_step(
        "RefreshBaseline",
        processor,
        argument="baseline",
        job_prefix="rebaseline",
        comment="The new model's baseline: the baseline job on the holdout the challenger scored.",
        result_path="$.refreshed_baseline_job",
        inputs=[
            s3_input(
                "baseline_dataset_input",
                f"States.Format('{{}}holdout_scored.parquet', {DATASET_PATH}.comparison_uri)",
                BASELINE_DATASET_DIR,
            ),
            s3_input(
                "schema",
                f"States.Format('{{}}schema.json', {merge_field('baseline_uri')})",
                SCHEMA_INPUT_DIR,
            ),
        ],
        outputs=[s3_output("baseline", f"{DATASET_PATH}.refreshed_baseline_uri", OUTPUT_DIR)],
    )


def _activate_baseline() -> LambdaStep:
    return lambda_task(
        "ActivateBaseline",
        "Make the new model's baseline live (the old one copied under the run, the owner's "
        "thresholds kept), release the lock, complete the message.",
        "BaselineRefreshFunctionArn",
        {
            "action": "activate",
            "endpoint_name.$": merge_field("endpoint_name"),
            "run_id.$": merge_field("run_id"),
            "execution_id.$": "$$.Execution.Id",
            "window_slug.$": merge_field("window.slug"),
            "baseline_uri.$": merge_field("baseline_uri"),
            "refreshed_baseline_uri.$": f"{DATASET_PATH}.refreshed_baseline_uri",
            "promotion.$": PROMOTION_PATH,
            "deployment_state.$": DEPLOYMENT_STATE_PATH,
        },
        PROMOTION_PATH,
        (*PROMOTION_FIELDS, "baseline_refresh"),
    )


def _after_deploy(
    session: Session, limits: Limits, notify: SnsPublishStep, on_error: Callable[[Any], None]
) -> Choice:
    """Deployed: wait until the endpoint serves the challenger, then refresh the baseline."""
    check, refresh, activate = (
        _check_deployment(),
        _refresh_baseline(session, limits),
        _activate_baseline(),
    )
    for task in (check, refresh, activate):
        on_error(task)
    wait = Wait("WaitForEndpoint", seconds=ENDPOINT_POLL_SECONDS)
    wait.next(check)
    serving = Choice("EndpointServesChallenger")
    serving.add_choice(
        ChoiceRule.BooleanEquals(variable=f"{DEPLOYMENT_STATE_PATH}.serving", value=True),
        next_step=Chain([refresh, activate, notify]),
    )
    serving.default_choice(wait)
    check.next(serving)
    deployed = Choice("ChallengerDeployed")
    deployed.add_choice(
        ChoiceRule.StringEquals(variable=f"{PROMOTION_PATH}.decision", value="deployed"),
        next_step=check,
    )
    deployed.default_choice(notify)
    return deployed


def retraining_branch(
    session: Session, limits: Limits, on_error: Callable[[Any], None]
) -> LambdaStep:
    """The branch's first state; ``on_error(task)`` routes a task's errors to the failure path."""
    acquire, assemble = _acquire_lock(), _assemble()
    train, compare, promote = _train(session, limits), _compare(session, limits), _promote()
    busy = _notify("NotifyRetrainBusy", "Another retraining runs; say so.", LOCK_PATH)
    too_few = _notify("NotifyTooFewLabels", "Too few fresh labels to retrain.", DATASET_PATH)
    notify = _notify(
        "NotifyRetrained", "The comparison table, the decision and why.", PROMOTION_PATH
    )
    for task in (acquire, assemble, train, compare, promote, busy, too_few, notify):
        on_error(task)
    skipped = Succeed("RetrainSkipped")
    busy.next(skipped)
    too_few.next(skipped)

    enough = Choice("EnoughFreshLabels")
    enough.add_choice(
        ChoiceRule.BooleanEquals(variable=f"{DATASET_PATH}.enough", value=True),
        next_step=Chain(
            [train, compare, promote, _after_deploy(session, limits, notify, on_error)]
        ),
    )
    notify.next(
        trend_step("RenderTrendAfterRetraining", Succeed("Retrained"), publish_metrics=False)
    )
    enough.default_choice(too_few)

    lock_free = Choice("RetrainLockFree")
    lock_free.add_choice(
        ChoiceRule.BooleanEquals(variable=f"{LOCK_PATH}.acquired", value=True),
        next_step=Chain([assemble, enough]),
    )
    lock_free.default_choice(busy)
    acquire.next(lock_free)
    return acquire
