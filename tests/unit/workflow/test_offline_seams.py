"""The offline engine's seams into moto: in-process Lambda handlers and SageMaker .sync jobs.

These fail loudly when a moto upgrade moves the seams we patch (see toolchain notes).
"""

from __future__ import annotations

import json
import sys

import pytest

from workflow.offline.engine import offline_aws, run_execution

HANDLER = "tests.unit.workflow.seam_handlers"


def _definition(steps: dict, start: str) -> str:
    return json.dumps({"StartAt": start, "States": steps})


def _deploy(session, definition: str, handler: str) -> str:
    iam = session.client("iam")
    role = iam.create_role(RoleName="r", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    session.client("lambda").create_function(
        FunctionName="fn",
        Runtime="python3.11",
        Role=role,
        Handler=handler,
        Code={"ZipFile": b"PK\x05\x06" + b"\x00" * 18},
        Environment={"Variables": {"GREETING": "hello"}},
    )
    fn_arn = session.client("lambda").get_function(FunctionName="fn")["Configuration"][
        "FunctionArn"
    ]
    return session.client("stepfunctions").create_state_machine(
        name="m", roleArn=role, definition=definition.replace("FN_ARN", fn_arn)
    )["stateMachineArn"]


LAMBDA_TASK = {
    "Type": "Task",
    "Resource": "arn:aws:states:::lambda:invoke",
    "Parameters": {"FunctionName": "FN_ARN", "Payload": {"x.$": "$.x"}},
    "ResultPath": "$.result",
    "End": True,
}


def test_lambda_task_runs_our_handler_in_process(tmp_path):
    with offline_aws(tmp_path) as session:
        arn = _deploy(session, _definition({"Call": LAMBDA_TASK}, "Call"), f"{HANDLER}.echo")
        result = run_execution(session, arn, {"x": 41}, name="one")
    assert result.status == "SUCCEEDED"
    payload = result.output["result"]["Payload"]
    assert payload == {"seen": {"x": 41}, "function": "fn", "env": "hello"}


def test_handler_exception_fails_the_task_with_its_type_and_is_catchable(tmp_path):
    task = {
        **{k: v for k, v in LAMBDA_TASK.items() if k != "End"},
        "Next": "Ok",
        "Catch": [{"ErrorEquals": ["ValueError"], "ResultPath": "$.error", "Next": "Caught"}],
    }
    states = {"Call": task, "Ok": {"Type": "Succeed"}, "Caught": {"Type": "Pass", "End": True}}
    with offline_aws(tmp_path) as session:
        arn = _deploy(session, _definition(states, "Call"), f"{HANDLER}.explode")
        result = run_execution(session, arn, {"x": 1}, name="two")
    assert result.status == "SUCCEEDED"
    assert result.path == ["Call", "Caught"]
    assert result.output["error"]["Error"] == "ValueError"
    assert "bad input: x=1" in result.output["error"]["Cause"]


def _processing_task(name: str, code: str, **extra) -> dict:
    return {
        "Type": "Task",
        "Resource": "arn:aws:states:::sagemaker:createProcessingJob.sync",
        "Parameters": {
            "ProcessingJobName": name,
            "RoleArn": "arn:aws:iam::123456789012:role/r",
            "AppSpecification": {
                "ImageUri": "local",
                "ContainerEntrypoint": [sys.executable, "-c", code],
            },
            "Environment": {"output_path": "/opt/ml/processing/out"},
            "ProcessingResources": {
                "ClusterConfig": {
                    "InstanceCount": 1,
                    "InstanceType": "ml.m5.xlarge",
                    "VolumeSizeInGB": 1,
                }
            },
            "ProcessingOutputConfig": {
                "Outputs": [
                    {
                        "OutputName": "o",
                        "S3Output": {
                            "S3Uri": "s3://bkt/out/",
                            "LocalPath": "/opt/ml/processing/out",
                            "S3UploadMode": "EndOfJob",
                        },
                    }
                ]
            },
        },
        "ResultPath": "$.job",
        **extra,
    }


WRITE_OUTPUT = (
    "import os, pathlib; p = pathlib.Path(os.environ['output_path']); "
    "p.mkdir(parents=True, exist_ok=True); (p / 'result.txt').write_text('done')"
)
FAIL_WITH_MESSAGE = (
    "import os, pathlib, sys; root = pathlib.Path(os.environ['DRIFT_MONITOR_ML_ROOT']); "
    "(root / 'output').mkdir(parents=True, exist_ok=True); "
    "(root / 'output' / 'message').write_text('baseline file is corrupt'); sys.exit(1)"
)


def test_processing_sync_runs_the_job_and_uploads_outputs(tmp_path):
    states = {"Job": _processing_task("job-ok", WRITE_OUTPUT, End=True)}
    with offline_aws(tmp_path) as session:
        session.client("s3").create_bucket(Bucket="bkt")
        arn = _deploy(session, _definition(states, "Job"), f"{HANDLER}.echo")
        result = run_execution(session, arn, {}, name="three")
        body = session.client("s3").get_object(Bucket="bkt", Key="out/result.txt")["Body"].read()
    assert result.status == "SUCCEEDED"
    assert result.output["job"]["ProcessingJobStatus"] == "Completed"
    assert body == b"done"


def test_failed_processing_job_fails_the_task_with_its_reason(tmp_path):
    states = {
        "Job": _processing_task(
            "job-bad",
            FAIL_WITH_MESSAGE,
            Next="Ok",
            Catch=[
                {"ErrorEquals": ["States.TaskFailed"], "ResultPath": "$.error", "Next": "Caught"}
            ],
        ),
        "Ok": {"Type": "Succeed"},
        "Caught": {"Type": "Pass", "End": True},
    }
    with offline_aws(tmp_path) as session:
        session.client("s3").create_bucket(Bucket="bkt")
        arn = _deploy(session, _definition(states, "Job"), f"{HANDLER}.echo")
        result = run_execution(session, arn, {}, name="four")
        listed = session.client("s3").list_objects_v2(Bucket="bkt").get("KeyCount", 0)
    assert result.path == ["Job", "Caught"]
    cause = json.loads(result.output["error"]["Cause"])
    assert cause["ProcessingJobStatus"] == "Failed"
    assert "baseline file is corrupt" in cause["FailureReason"]
    assert listed == 0, "a failed job must not upload its outputs"


def test_job_names_are_unique_like_on_sagemaker(tmp_path):
    states = {"Job": _processing_task("same-name", WRITE_OUTPUT, End=True)}
    with offline_aws(tmp_path) as session:
        session.client("s3").create_bucket(Bucket="bkt")
        arn = _deploy(session, _definition(states, "Job"), f"{HANDLER}.echo")
        first = run_execution(session, arn, {}, name="five")
        second = run_execution(session, arn, {}, name="six")
    assert first.status == "SUCCEEDED"
    assert second.status == "FAILED"
    assert "unique" in (second.cause or "")


@pytest.mark.parametrize("patched", ["state_task_service_for"])
def test_the_patched_moto_seam_still_exists(patched):
    from moto.stepfunctions.parser.asl.component.state.exec.state_task import state_task_factory

    assert hasattr(state_task_factory, patched)


def test_handler_output_goes_to_its_log_file_and_logging_is_left_as_found(tmp_path):
    import logging

    with offline_aws(tmp_path) as session:
        arn = _deploy(session, _definition({"Call": LAMBDA_TASK}, "Call"), f"{HANDLER}.logs")
        result = run_execution(session, arn, {"x": 1}, name="logs")
    assert result.status == "SUCCEEDED"
    log = (tmp_path / "lambda-logs" / "fn.log").read_text()
    assert "logged by the handler" in log and "printed by the handler" in log
    seam_logger = logging.getLogger("seam-test")
    assert seam_logger.handlers == [] and not hasattr(seam_logger, "init")
