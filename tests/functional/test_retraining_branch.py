"""The retraining branch, executed for real on the embedded AWS: a champion endpoint in moto,
the challenger trained and scored locally, registered in moto's Model Registry and (when it
wins) deployed; two concurrent executions; a training job that fails."""

from __future__ import annotations

import json
import threading

import pytest

from tests.functional.demo_stack import deployed_demo
from workflow.offline import demo
from workflow.offline.demo_endpoint import deploy_champion
from workflow.offline.engine import run_execution
from workflow.offline.stack import (
    PipelineSettings,
    read_notifications,
)

pytestmark = pytest.mark.slow

ENDPOINT = "adult-income"
PLAN = (
    demo.WindowPlan("healthy traffic", 700, label_share=0.9),
    demo.WindowPlan("drift", 800, 3.0, label_share=0.9),
    demo.WindowPlan("drift persists", 800, 3.0, label_share=0.9),
)


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    work = tmp_path_factory.mktemp("retraining")
    settings = PipelineSettings().with_parameters(
        AutoApproveChallenger="true", AutoDeployChallenger="true"
    )
    with deployed_demo(work, PLAN, settings) as (session, stack, scenario):
        champion = deploy_champion(
            session, bucket=stack.bucket, endpoint=ENDPOINT, variant="AllTraffic", seed=7
        )
        for number, window in enumerate(scenario.windows[:2]):  # merged windows to learn from
            result = run_execution(
                session,
                stack.state_machine_arn,
                window.execution_input(ENDPOINT),
                name=f"window-{number}",
            )
            assert result.status == "SUCCEEDED", (result.error, result.cause)
        read_notifications(session, stack)
        yield session, stack, scenario, champion


def _forced(window: demo.DemoWindow) -> dict:
    return {**window.execution_input(ENDPOINT), "force_retrain": True}


def _drain_raw(session, stack) -> list[dict]:
    sqs = session.client("sqs")
    bodies = []
    while batch := sqs.receive_message(QueueUrl=stack.queue_url, MaxNumberOfMessages=10).get(
        "Messages", []
    ):
        for message in batch:
            bodies.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=stack.queue_url, ReceiptHandle=message["ReceiptHandle"])
    return bodies


def test_the_branch_registers_the_challenger_and_the_endpoint_follows_the_gate(stack):
    session, deployed, scenario, _ = stack
    serving = session.client("sagemaker").describe_endpoint(EndpointName=ENDPOINT)
    result = run_execution(
        session, deployed.state_machine_arn, _forced(scenario.windows[2]), name="forced"
    )
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    assert result.path[-5:] == [
        "Retrain",
        "CompareChallenger",
        "PromoteChallenger",
        "NotifyRetrained",
        "Retrained",
    ]
    dataset, promotion = result.output["dataset"], result.output["promotion"]
    assert dataset["counts"]["fresh_labelled_rows"] >= 300
    assert dataset["counts"]["holdout_rows"] == promotion["comparison"]["rows"]

    sagemaker = session.client("sagemaker")
    packages = sagemaker.list_model_packages(ModelPackageGroupName=ENDPOINT)[
        "ModelPackageSummaryList"
    ]
    [package] = [p for p in packages if p["ModelPackageArn"] == promotion["model_package_arn"]]
    described = sagemaker.describe_model_package(ModelPackageName=package["ModelPackageArn"])
    artefact = result.output["training"]["ModelArtifacts"]["S3ModelArtifacts"]
    assert described["InferenceSpecification"]["Containers"][0]["ModelDataUrl"] == artefact
    endpoint = sagemaker.describe_endpoint(EndpointName=ENDPOINT)
    if promotion["verdict"] == "wins":
        assert described["ModelApprovalStatus"] == "Approved"
        assert promotion["decision"] == "deployed"
        assert endpoint["EndpointConfigName"] == promotion["deployment"]["endpoint_config_name"]
        config = sagemaker.describe_endpoint_config(
            EndpointConfigName=endpoint["EndpointConfigName"]
        )
        model = sagemaker.describe_model(ModelName=config["ProductionVariants"][0]["ModelName"])
        assert model["PrimaryContainer"]["ModelDataUrl"] == artefact
    else:
        assert described["ModelApprovalStatus"] == "Rejected"
        assert endpoint["EndpointConfigName"] == serving["EndpointConfigName"]

    [note] = [b for b in _drain_raw(session, deployed) if "retrain result" in b["Subject"]]
    assert "champion" in note["Message"] and package["ModelPackageArn"] in note["Message"]
    assert "accuracy" in note["Message"] and "95% CI" in note["Message"]
    attributes = {k: v["Value"] for k, v in note["MessageAttributes"].items()}
    assert attributes == {
        "endpoint": ENDPOINT,
        "decision": promotion["decision"],
        "severity": "info" if promotion["verdict"] == "wins" else "warning",
    }


def test_two_concurrent_executions_retrain_once(stack):
    session, deployed, scenario, _ = stack
    results = {}

    def run(name, window):
        results[name] = run_execution(
            session, deployed.state_machine_arn, _forced(window), name=name
        )

    threads = [
        threading.Thread(target=run, args=(f"concurrent-{i}", scenario.windows[i + 1]))
        for i in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    paths = {name: result.path for name, result in results.items()}
    assert all(r.status == "SUCCEEDED" for r in results.values()), paths
    busy = [name for name, path in paths.items() if "NotifyRetrainBusy" in path]
    trained = [name for name, path in paths.items() if "Retrain" in path]
    assert len(busy) == 1 and len(trained) == 1, paths
    [skipped] = busy
    assert paths[skipped][-2:] == ["NotifyRetrainBusy", "RetrainSkipped"]
    notes = read_notifications(session, deployed)
    assert any("another retraining is running" in n["subject"] for n in notes), notes


def test_a_failed_training_job_notifies_its_reason_and_leaves_the_endpoint(stack):
    session, deployed, scenario, _ = stack
    sagemaker, lam = session.client("sagemaker"), session.client("lambda")
    before = sagemaker.describe_endpoint(EndpointName=ENDPOINT)["EndpointConfigName"]
    function = deployed.functions["RetrainDataFunction"]
    variables = lam.get_function_configuration(FunctionName=function)["Environment"]["Variables"]
    lam.update_function_configuration(
        FunctionName=function,
        Environment={"Variables": {**variables, "TRAINING_HYPERPARAMETERS": '{"seed": "x"}'}},
    )
    try:
        result = run_execution(
            session, deployed.state_machine_arn, _forced(scenario.windows[2]), name="bad-seed"
        )
    finally:
        lam.update_function_configuration(
            FunctionName=function, Environment={"Variables": variables}
        )
    assert result.status == "FAILED"
    assert result.path[-5:] == [
        "Retrain",
        "FailedRetrain",
        "FormatFailure",
        "NotifyFailure",
        "PipelineFailed",
    ]
    [note] = [n for n in read_notifications(session, deployed) if "FAILED" in n["subject"]]
    assert "seed='x' is not an integer" in note["message"]
    assert sagemaker.describe_endpoint(EndpointName=ENDPOINT)["EndpointConfigName"] == before
