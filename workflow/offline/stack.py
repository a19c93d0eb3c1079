"""Create the stack of ``template.yaml`` inside moto: bucket, topic, functions, state machine.

The state machine is the committed ``workflow/statemachine.asl.json`` with its placeholders
bound exactly as SAM's ``DefinitionSubstitutions`` bind them on AWS; the functions carry the
handler and environment variable names the template declares (a test keeps the two in step).
SNS messages are captured through an SQS subscription so the run can show them.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workflow.render import ASL_PATH

REPO_ROOT = Path(__file__).resolve().parents[2]
ACCOUNT_ID = "123456789012"
MONITOR_IMAGE = f"{ACCOUNT_ID}.dkr.ecr.us-east-1.amazonaws.com/drift-monitor:monitor-offline"
TRAINING_IMAGE = f"{ACCOUNT_ID}.dkr.ecr.us-east-1.amazonaws.com/drift-monitor:trainer-offline"


@dataclass(frozen=True)
class PipelineSettings:
    """The template parameters that matter offline, with the template's defaults."""

    endpoint_name: str = "adult-income"
    variant_name: str = "AllTraffic"
    window_minutes: int = 60
    label_lag_hours: int = 72
    retrain_on: str = "model_quality_check,projected_accuracy_check"
    notify_on: str = "*"
    ignore_violations: str = ""
    min_labeled_rows_for_retrain: int = 200
    retrain_cooldown_hours: int = 24
    notify_on_insufficient_data: str = "false"
    accuracy_threshold: str = ""  # empty: the baseline's constraints.json decides


@dataclass
class OfflineStack:
    region: str
    bucket: str
    topic_arn: str
    queue_url: str
    state_machine_arn: str
    functions: dict[str, str] = field(default_factory=dict)


# Logical id in template.yaml -> (function name offline, source folder).
FUNCTIONS = {
    "MergeLabelsFunction": ("merge-labels", "lambdas/merge_labels"),
    "EvaluateViolationsFunction": ("evaluate-violations", "lambdas/evaluate_violations"),
}
HANDLERS = {
    "MergeLabelsFunction": "merge_labels.app.lambda_handler",
    "EvaluateViolationsFunction": "evaluate_violations.app.lambda_handler",
}


def function_environment(
    logical_id: str, bucket: str, settings: PipelineSettings
) -> dict[str, str]:
    """Environment of each function, as template.yaml sets it (Globals + the function's own)."""
    common = {"DATA_BUCKET": bucket, "POWERTOOLS_METRICS_NAMESPACE": "DriftPipeline"}
    if logical_id == "MergeLabelsFunction":
        return {
            **common,
            "CAPTURE_S3_URI": f"s3://{bucket}/datacapture",
            "GROUND_TRUTH_S3_URI": f"s3://{bucket}/ground-truth",
            "DEFAULT_ENDPOINT_NAME": settings.endpoint_name,
            "DEFAULT_VARIANT_NAME": settings.variant_name,
            "WINDOW_MINUTES": str(settings.window_minutes),
            "LABEL_LAG_HOURS": str(settings.label_lag_hours),
            "BASELINE_PREFIX": "baselines",
            "POWERTOOLS_SERVICE_NAME": "merge_labels",
        }
    if logical_id == "EvaluateViolationsFunction":
        return {
            **common,
            "STATE_PREFIX": "state",
            "RETRAIN_ON": settings.retrain_on,
            "NOTIFY_ON": settings.notify_on,
            "IGNORE": settings.ignore_violations,
            "MIN_LABELED_ROWS_FOR_RETRAIN": str(settings.min_labeled_rows_for_retrain),
            "RETRAIN_COOLDOWN_HOURS": str(settings.retrain_cooldown_hours),
            "NOTIFY_ON_INSUFFICIENT_DATA": settings.notify_on_insufficient_data,
            "POWERTOOLS_SERVICE_NAME": "evaluate_violations",
        }
    raise KeyError(logical_id)


def bind_placeholders(asl_text: str, substitutions: dict[str, str]) -> str:
    """Replace ``${Name}`` tokens as SAM's DefinitionSubstitutions does; unknown names fail."""
    missing = sorted(set(re.findall(r"\$\{(\w+)\}", asl_text)) - set(substitutions))
    if missing:
        raise KeyError(f"no substitution for placeholders {missing}")
    return re.sub(r"\$\{(\w+)\}", lambda m: substitutions[m.group(1)], asl_text)


def _zip_folder(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*.py")):
            archive.write(path, path.relative_to(folder).as_posix())
    return buffer.getvalue()


def deploy(
    session: Any, settings: PipelineSettings, *, bucket: str = "drift-pipeline-offline"
) -> OfflineStack:
    """Create every resource the run needs in the active moto mock."""
    region = session.region_name
    s3, sns, sqs, iam = (session.client(name) for name in ("s3", "sns", "sqs", "iam"))
    lambda_client, sfn = session.client("lambda"), session.client("stepfunctions")

    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    topic_arn = sns.create_topic(Name="drift-alerts")["TopicArn"]
    queue_url = sqs.create_queue(QueueName="drift-alerts-inbox")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)

    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "sts:AssumeRole",
                "Principal": {
                    "Service": [
                        "lambda.amazonaws.com",
                        "states.amazonaws.com",
                        "sagemaker.amazonaws.com",
                    ]
                },
            }
        ],
    }
    role_arn = {
        name: iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"][
            "Arn"
        ]
        for name in ("drift-lambda", "drift-states", "drift-sagemaker")
    }

    functions: dict[str, str] = {}
    for logical_id, (name, folder) in FUNCTIONS.items():
        functions[logical_id] = lambda_client.create_function(
            FunctionName=name,
            Runtime="python3.11",
            Role=role_arn["drift-lambda"],
            Handler=HANDLERS[logical_id],
            Code={"ZipFile": _zip_folder(REPO_ROOT / folder)},
            Timeout=300,
            MemorySize=2048,
            Environment={"Variables": function_environment(logical_id, bucket, settings)},
        )["FunctionArn"]

    definition = bind_placeholders(
        ASL_PATH.read_text(encoding="utf-8"),
        {
            "MergeFunctionArn": functions["MergeLabelsFunction"],
            "EvaluateFunctionArn": functions["EvaluateViolationsFunction"],
            "AlertTopicArn": topic_arn,
            "MonitorImageUri": MONITOR_IMAGE,
            "TrainingImageUri": TRAINING_IMAGE,
            "SageMakerRoleArn": role_arn["drift-sagemaker"],
            "ProcessingInstanceType": "ml.m5.xlarge",
            "TrainingInstanceType": "ml.m5.xlarge",
            "AccuracyThreshold": settings.accuracy_threshold,
        },
    )
    state_machine_arn = sfn.create_state_machine(
        name="drift-pipeline",
        definition=definition,
        roleArn=role_arn["drift-states"],
        type="STANDARD",
    )["stateMachineArn"]
    return OfflineStack(
        region=region,
        bucket=bucket,
        topic_arn=topic_arn,
        queue_url=queue_url,
        state_machine_arn=state_machine_arn,
        functions=functions,
    )


def read_notifications(session: Any, stack: OfflineStack) -> list[dict[str, str]]:
    """Drain the SNS inbox: each item has ``subject`` and ``message``."""
    sqs = session.client("sqs")
    notifications: list[dict[str, str]] = []
    while True:
        batch = sqs.receive_message(QueueUrl=stack.queue_url, MaxNumberOfMessages=10).get(
            "Messages", []
        )
        if not batch:
            return notifications
        for message in batch:
            body = json.loads(message["Body"])
            notifications.append(
                {"subject": body.get("Subject") or "", "message": body.get("Message", "")}
            )
            sqs.delete_message(QueueUrl=stack.queue_url, ReceiptHandle=message["ReceiptHandle"])
