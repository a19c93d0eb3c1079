"""Pieces of the state machine that are not states: placeholders, retry policies, the Lambda
task that keeps only the function's result, and the SageMaker request shapes.

``workflow/definition.py`` names and wires the states from these.
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, Any

import boto3
from sagemaker.processing import Processor
from sagemaker.session import Session
from stepfunctions.steps import LambdaStep, ProcessingStep, Retry

if TYPE_CHECKING:
    from workflow.definition import Limits

# Deployment-specific values are ``${Name}`` placeholders; template.yaml's
# DefinitionSubstitutions binds each (the offline stack binds them from the same template).
_PLACEHOLDER = re.compile(r"\$\{(\w+)\}")

# Where MergeLabels puts its result; the analysis, evaluation and retraining read from it.
MERGE_RESULT_PATH = "$.merge"

# Errors worth retrying: throttling and service hiccups, never a bug in our code.
LAMBDA_TRANSIENT_ERRORS = [
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
]
SAGEMAKER_TRANSIENT_ERRORS = [
    "SageMaker.AmazonSageMakerException",
    "SageMaker.ResourceLimitExceededException",
    "SageMaker.ThrottlingException",
]


def placeholder(name: str) -> str:
    return "${" + name + "}"


def placeholders_in(asl_text: str) -> set[str]:
    """The ``${Name}`` placeholders of an ASL text."""
    return set(_PLACEHOLDER.findall(asl_text))


class LambdaResultStep(LambdaStep):
    """A Lambda task that keeps only the listed fields of the function's result.

    The invoke integration returns ``{"Payload": <result>, "StatusCode": ..., ...}``; the
    ``ResultSelector`` (which SDK 2.3.0 does not know) keeps ``Payload``'s fields.
    """

    def __init__(self, state_id: str, result_fields: tuple[str, ...], **kwargs):
        super().__init__(state_id, **kwargs)
        self._result_selector = {f"{name}.$": f"$.Payload.{name}" for name in result_fields}

    def to_dict(self):
        result = {}
        for key, value in super().to_dict().items():
            result[key] = value
            if key == "Parameters":
                result["ResultSelector"] = dict(self._result_selector)
        return result


def lambda_task(
    state_id: str,
    comment: str,
    function: str,
    payload: dict,
    result_path: str,
    result_fields: tuple[str, ...],
) -> LambdaResultStep:
    """Invoke the function behind the ``function`` placeholder, keep ``result_fields`` of its
    result at ``result_path``, retrying only Lambda's transient errors."""
    step = LambdaResultStep(
        state_id,
        result_fields,
        comment=comment,
        parameters={"FunctionName": placeholder(function), "Payload": payload},
        result_path=result_path,
    )
    step.add_retry(lambda_retry())
    return step


def merge_field(field: str) -> str:
    """Path of a field of the MergeLabels result in the state (every later state reads it)."""
    return f"{MERGE_RESULT_PATH}.{field}"


def sagemaker_session() -> Session:
    # An explicit session and default bucket keep the SDK from calling STS or S3.
    boto_session = boto3.Session(region_name=os.environ["AWS_DEFAULT_REGION"])
    return Session(boto_session=boto_session, default_bucket="unused-by-definition")


def lambda_retry() -> Retry:
    return Retry(
        error_equals=LAMBDA_TRANSIENT_ERRORS, interval_seconds=2, max_attempts=4, backoff_rate=2.0
    )


def sagemaker_retry() -> Retry:
    return Retry(
        error_equals=SAGEMAKER_TRANSIENT_ERRORS,
        interval_seconds=10,
        max_attempts=3,
        backoff_rate=2.0,
    )


def processing_job(
    image: str, session: Session, limits: Limits, env: dict[str, Any] | None = None
) -> Processor:
    """A Processing job of the image behind the ``image`` placeholder, with the definition's
    limits; the role and instance type are the deployment's."""
    return Processor(
        role=placeholder("SageMakerRoleArn"),
        image_uri=placeholder(image),
        instance_count=1,
        instance_type=placeholder("ProcessingInstanceType"),
        volume_size_in_gb=limits.processing_volume_gb,
        max_runtime_in_seconds=limits.processing_max_runtime_s,
        env=env,
        sagemaker_session=session,
    )


def processing_step(
    name: str,
    processor: Processor,
    *,
    argument: str,
    job_prefix: str,
    comment: str,
    result_path: str,
    inputs: list[dict],
    outputs: list[dict],
    environment: dict[str, Any] | None = None,
) -> ProcessingStep:
    """A ``.sync`` Processing step named ``{job_prefix}-{run_id}`` (so a re-run of the window
    reuses the name), with the image's ``argument`` and SageMaker's retry."""
    parameters: dict[str, Any] = {
        "ProcessingJobName.$": f"States.Format('{job_prefix}-{{}}', {merge_field('run_id')})"
    }
    if environment is not None:
        parameters["Environment"] = environment  # deep-merged over the Processor's static env
    parameters["ProcessingInputs"] = inputs
    parameters["ProcessingOutputConfig"] = {"Outputs": outputs}
    step = ProcessingStep(
        name,
        processor=processor,
        job_name="placeholder-overridden-below",
        container_arguments=[argument],
        comment=comment,
        result_path=result_path,
        parameters=parameters,
    )
    step.add_retry(sagemaker_retry())
    return step


def s3_input(name: str, uri_path: str, local_path: str) -> dict:
    return {
        "InputName": name,
        "AppManaged": False,
        "S3Input": {
            "S3Uri.$": uri_path,
            "LocalPath": local_path,
            "S3DataType": "S3Prefix",
            "S3InputMode": "File",
            "S3DataDistributionType": "FullyReplicated",
            "S3CompressionType": "None",
        },
    }


def s3_output(name: str, uri_path: str, local_path: str) -> dict:
    """A Processing job's output, uploaded once when the job ends."""
    return {
        "OutputName": name,
        "AppManaged": False,
        "S3Output": {"S3Uri.$": uri_path, "LocalPath": local_path, "S3UploadMode": "EndOfJob"},
    }


def channel(name: str, uri_path: str) -> dict:
    return {
        "ChannelName": name,
        "DataSource": {
            "S3DataSource": {
                "S3DataType": "S3Prefix",
                "S3Uri.$": uri_path,
                "S3DataDistributionType": "FullyReplicated",
            }
        },
    }
