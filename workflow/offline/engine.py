"""The embedded AWS: moto with its real ASL interpreter, our handlers and local jobs plugged in.

``offline_aws()`` opens the mock with Step Functions execution turned on, routes Lambda invokes
to our handlers in-process, SageMaker job tasks to local processes, and adds the
``UpdateEndpoint`` moto lacks. ``run_execution()``
starts one execution of the deployed state machine and reports each state as it exits.
"""

from __future__ import annotations

import contextlib
import json
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
from moto import mock_aws
from moto.core.config import DefaultConfig

from workflow.offline.environment import temporary_environment
from workflow.offline.lambda_runner import handlers_in_process
from workflow.offline.local_jobs import LocalJobRunner, default_images
from workflow.offline.sagemaker_endpoints import update_endpoint_supported
from workflow.offline.sagemaker_tasks import JobObserver, sagemaker_jobs_run_locally
from workflow.offline.stack import MONITOR_IMAGE, TRAINING_IMAGE

REGION = "us-east-1"
MOTO_CONFIG: DefaultConfig = {
    "stepfunctions": {"execute_state_machine": True},
    "lambda": {"use_docker": False},
}
_DUMMY_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "offline",
    "AWS_SECRET_ACCESS_KEY": "offline",
    "AWS_SESSION_TOKEN": "offline",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
}


@dataclass(frozen=True)
class StateStep:
    """One state the execution passed through."""

    name: str
    seconds: float
    failed: bool = False


@dataclass
class ExecutionResult:
    name: str
    status: str
    output: dict[str, Any] | None
    steps: list[StateStep] = field(default_factory=list)
    error: str | None = None
    cause: str | None = None
    seconds: float = 0.0

    @property
    def path(self) -> list[str]:
        return [step.name for step in self.steps]


@contextlib.contextmanager
def offline_aws(work_dir: Path, job_observer: JobObserver | None = None) -> Iterator[boto3.Session]:
    """Everything AWS, in this process: yields a boto3 session bound to the mock."""
    with temporary_environment(_DUMMY_CREDENTIALS), mock_aws(config=MOTO_CONFIG):
        session = boto3.Session(region_name=REGION)
        runner = LocalJobRunner(
            session.client("s3"),
            Path(work_dir) / "jobs",
            default_images(MONITOR_IMAGE, TRAINING_IMAGE),
        )
        with (
            handlers_in_process(Path(work_dir) / "lambda-logs"),
            sagemaker_jobs_run_locally(runner, job_observer),
            update_endpoint_supported(),
        ):
            yield session


def run_execution(
    session: boto3.Session,
    state_machine_arn: str,
    execution_input: dict,
    *,
    name: str | None = None,
    timeout_s: float = 900,
    on_step: Callable[[StateStep], None] | None = None,
) -> ExecutionResult:
    """Start an execution and wait for it, reporting each state as it exits."""
    sfn = session.client("stepfunctions")
    # moto's engine does not generate execution names: always pass one.
    name = name or uuid.uuid4().hex
    arn = sfn.start_execution(
        stateMachineArn=state_machine_arn, name=name, input=json.dumps(execution_input)
    )["executionArn"]
    started = time.monotonic()
    reported = 0
    steps: list[StateStep] = []
    while True:
        description = sfn.describe_execution(executionArn=arn)
        events = sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]
        new_steps = _steps_from_history(events)
        for step in new_steps[reported:]:
            steps.append(step)
            if on_step:
                on_step(step)
        reported = len(new_steps)
        if description["status"] != "RUNNING":
            break
        if time.monotonic() - started > timeout_s:
            sfn.stop_execution(executionArn=arn, error="OfflineTimeout")
            raise TimeoutError(f"execution {name} still running after {timeout_s:.0f} s")
        time.sleep(0.2)
    output = json.loads(description["output"]) if description.get("output") else None
    return ExecutionResult(
        name=name,
        status=description["status"],
        output=output,
        steps=steps,
        error=description.get("error"),
        cause=description.get("cause"),
        seconds=time.monotonic() - started,
    )


def _steps_from_history(events: list[dict]) -> list[StateStep]:
    """Pair each StateEntered with its StateExited (or a terminal failure) in order."""
    entered: dict[str, Any] = {}
    failed_tasks: set[str] = set()
    steps: list[StateStep] = []
    current = None
    for event in events:
        kind = event["type"]
        if kind.endswith("StateEntered"):
            current = event["stateEnteredEventDetails"]["name"]
            entered[current] = event["timestamp"]
        elif kind in ("TaskFailed", "LambdaFunctionFailed") and current:
            failed_tasks.add(current)
        elif kind.endswith("StateExited"):
            name = event["stateExitedEventDetails"]["name"]
            start = entered.pop(name, event["timestamp"])
            seconds = (event["timestamp"] - start).total_seconds()
            steps.append(StateStep(name, seconds, failed=name in failed_tasks))
        elif kind in _EXECUTION_ENDS:
            # A Fail state is entered but never exited: the execution's end closes it.
            for name, start in entered.items():
                seconds = (event["timestamp"] - start).total_seconds()
                steps.append(StateStep(name, seconds, failed=kind != "ExecutionSucceeded"))
            entered.clear()
    return steps


_EXECUTION_ENDS = ("ExecutionSucceeded", "ExecutionFailed", "ExecutionAborted", "ExecutionTimedOut")
