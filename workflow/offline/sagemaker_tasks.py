"""Teach moto's Step Functions engine the SageMaker ``.sync`` integrations.

moto forwards request-response SageMaker calls but fails every ``createProcessingJob.sync`` /
``createTrainingJob.sync`` task. We register our own task service for ``sagemaker`` at the
engine's seam (``state_task_factory.state_task_service_for``), modelled on moto's Glue service:
the create call goes to moto's SageMaker backend (so ``Describe*Job`` works), the job runs in
a worker thread through :class:`LocalJobRunner`, and the sync resolver returns the Describe
response when the job completes, or fails the task with ``States.TaskFailed`` and the Describe
response as cause, as Step Functions does.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Callable, Iterator
from typing import Any

from botocore.exceptions import ClientError
from moto.sagemaker.models import sagemaker_backends
from moto.stepfunctions.parser.api import HistoryEventType, TaskFailedEventDetails
from moto.stepfunctions.parser.asl.component.common.error_name.custom_error_name import (
    CustomErrorName,
)
from moto.stepfunctions.parser.asl.component.common.error_name.failure_event import (
    FailureEvent,
    FailureEventException,
)
from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name import (
    StatesErrorName,
)
from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name_type import (
    StatesErrorNameType,
)
from moto.stepfunctions.parser.asl.component.state.exec.state_task import state_task_factory
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.resource import (
    ResourceCondition,
)
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_callback import (  # noqa: E501
    StateTaskServiceCallback,
)
from moto.stepfunctions.parser.asl.eval.event.event_detail import EventDetails
from moto.stepfunctions.parser.asl.utils.boto_client import boto_client_for
from moto.stepfunctions.parser.asl.utils.encoding import to_json_str

from workflow.offline.local_jobs import JobOutcome, LocalJobRunner

JobObserver = Callable[[str, str, JobOutcome], None]

_KINDS = {
    "create_processing_job": ("processing", "ProcessingJobName", "ProcessingJobStatus"),
    "create_training_job": ("training", "TrainingJobName", "TrainingJobStatus"),
}


class SageMakerSyncService(StateTaskServiceCallback):
    """``arn:aws:states:::sagemaker:create{Processing,Training}Job[.sync]`` run locally."""

    def __init__(self, runner: LocalJobRunner, observer: JobObserver | None = None):
        # WaitForTaskToken must be listed or the engine's clean-up fails on a None endpoint.
        super().__init__(
            supported_integration_patterns={
                # moto declares the members as plain str; wrap them in their own type.
                ResourceCondition(ResourceCondition.Sync),
                ResourceCondition(ResourceCondition.WaitForTaskToken),
            }
        )
        self._runner = runner
        self._observer = observer

    def _get_supported_parameters(self) -> set[str]:
        return set()  # the engine only checks this is not None; the API validates the request

    def _from_error(self, env, ex: Exception) -> FailureEvent:
        if isinstance(ex, ClientError):
            error_name = f"SageMaker.{ex.response['Error']['Code']}"
            return FailureEvent(
                env=env,
                error_name=CustomErrorName(error_name),
                event_type=HistoryEventType.TaskFailed,
                # moto's EventDetails TypedDict is total; a task failure sets one key.
                event_details=EventDetails(  # type: ignore[typeddict-item]
                    taskFailedEventDetails=TaskFailedEventDetails(
                        error=error_name,
                        cause=ex.response["Error"]["Message"],
                        resource=self._get_sfn_resource(),
                        resourceType=self._get_sfn_resource_type(),
                    )
                ),
            )
        return super()._from_error(env=env, ex=ex)

    def _client(self, resource_runtime_part, state_credentials):
        return boto_client_for(
            region=resource_runtime_part.region,
            service="sagemaker",
            state_credentials=state_credentials,
        )

    def _eval_service_task(
        self, env, resource_runtime_part, normalised_parameters, state_credentials
    ):
        action = self._get_boto_service_action()
        client = self._client(resource_runtime_part, state_credentials)
        if action not in _KINDS:  # request-response calls: let moto's backend answer
            response = getattr(client, action)(**normalised_parameters)
            response.pop("ResponseMetadata", None)
            env.stack.append(response)
            return
        kind, name_key, _ = _KINDS[action]
        name = normalised_parameters[name_key]
        backend = sagemaker_backends[resource_runtime_part.account][resource_runtime_part.region]
        jobs = backend.processing_jobs if kind == "processing" else backend.training_jobs
        if name in jobs:  # SageMaker job names are unique forever
            raise ClientError(
                {
                    "Error": {
                        "Code": "ValidationException",
                        "Message": f"Job name must be unique: {name}",
                    }
                },
                action,
            )
        response = getattr(client, action)(**normalised_parameters)
        response.pop("ResponseMetadata", None)
        job = jobs[name]
        _set_status(job, kind, "InProgress")
        threading.Thread(
            target=self._run,
            args=(kind, job, dict(normalised_parameters)),
            name=f"local-{kind}-{name}",
            daemon=True,
        ).start()
        env.stack.append(response)

    def _run(self, kind: str, job: Any, request: dict) -> None:
        try:
            if kind == "processing":
                outcome = self._runner.run_processing(request)
            else:
                outcome = self._runner.run_training(request)
        except Exception as exc:  # a bug in the runner must fail the job, never hang it
            outcome = JobOutcome(False, failure_reason=f"InternalServerError: {exc!r}")
        if outcome.exit_message:
            job.exit_message = outcome.exit_message
        if outcome.model_artifact_uri:
            job.model_artifacts = {"S3ModelArtifacts": outcome.model_artifact_uri}
        if not outcome.succeeded:
            job.failure_reason = outcome.failure_reason[:1024]
        if self._observer:
            self._observer(
                kind, request.get("ProcessingJobName") or request["TrainingJobName"], outcome
            )
        _set_status(job, kind, "Completed" if outcome.succeeded else "Failed")

    def _build_sync_resolver(
        self, env, resource_runtime_part, normalised_parameters, state_credentials
    ):
        env.stack.pop()  # the create response; the resolver returns the Describe response
        action = self._get_boto_service_action()
        kind, name_key, status_key = _KINDS[action]
        name = normalised_parameters[name_key]
        client = self._client(resource_runtime_part, state_credentials)
        describe = (
            client.describe_processing_job
            if kind == "processing"
            else (client.describe_training_job)
        )

        def resolve() -> Any | None:
            response = describe(**{name_key: name})
            response.pop("ResponseMetadata", None)
            status = response[status_key]
            if status in ("InProgress", "Stopping"):
                return None
            if status == "Completed":
                return _json_safe(response)
            raise FailureEventException(
                FailureEvent(
                    env=env,
                    error_name=StatesErrorName(typ=StatesErrorNameType.StatesTaskFailed),
                    event_type=HistoryEventType.TaskFailed,
                    # moto's EventDetails TypedDict is total; a task failure sets one key.
                    event_details=EventDetails(  # type: ignore[typeddict-item]
                        taskFailedEventDetails=TaskFailedEventDetails(
                            error=StatesErrorNameType.StatesTaskFailed.to_name(),
                            cause=to_json_str(response),
                            resource=self._get_sfn_resource(),
                            resourceType=self._get_sfn_resource_type(),
                        )
                    ),
                )
            )

        return resolve


def _set_status(job: Any, kind: str, status: str) -> None:
    if kind == "processing":
        job.processing_job_status = status
    else:
        job.training_job_status = status
        job.secondary_status = status


def _json_safe(response: dict) -> dict:
    return json.loads(to_json_str(response))


@contextlib.contextmanager
def sagemaker_jobs_run_locally(
    runner: LocalJobRunner, observer: JobObserver | None = None
) -> Iterator[None]:
    """While active, moto's engine runs SageMaker job tasks through ``runner``.

    The patch replaces the factory function where ``state_task_factory`` imported it; moto
    parses the definition again when an execution starts, so keep this active until every
    execution has ended.
    """
    original = state_task_factory.state_task_service_for

    def service_for(service_name: str):
        if service_name == "sagemaker":
            return SageMakerSyncService(runner, observer)
        return original(service_name)

    state_task_factory.state_task_service_for = service_for
    try:
        yield
    finally:
        state_task_factory.state_task_service_for = original
