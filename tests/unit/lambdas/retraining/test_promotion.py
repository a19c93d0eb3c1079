"""Promotion: registry status, deploy only a winner, failures raise SageMaker's reason."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from retraining.config import RetrainingConfig
from retraining.lock import RetrainLock
from retraining.promotion import PromotionRequest, promote
from retraining.registry import RegistryError
from tests.unit.lambdas.retraining.conftest import BUCKET
from workflow.offline.sagemaker_endpoints import update_endpoint_supported

ENDPOINT = "adult-income"
NOW = datetime(2026, 12, 2, 1, 5, tzinfo=UTC)
COMPARISON_URI = f"s3://{BUCKET}/retraining/{ENDPOINT}/run-1/comparison/"


def _comparison(estimate: float, low: float, high: float, rows: int = 400) -> dict:
    metrics = {"accuracy": 0.8, "f1": 0.6, "auc": 0.85}
    return {
        "rows": rows,
        "confidence": 0.95,
        "champion": metrics,
        "challenger": {k: v + estimate for k, v in metrics.items()},
        "differences": {k: {"estimate": estimate, "ci_low": low, "ci_high": high} for k in metrics},
    }


@pytest.fixture
def champion(aws):
    sagemaker = aws.client("sagemaker")
    sagemaker.create_model(
        ModelName="champion",
        PrimaryContainer={"Image": "serving:v1", "ModelDataUrl": "s3://b/champion.tar.gz"},
        ExecutionRoleArn="arn:aws:iam::123456789012:role/serving",
    )
    sagemaker.create_endpoint_config(
        EndpointConfigName="champion",
        ProductionVariants=[
            {
                "VariantName": "AllTraffic",
                "ModelName": "champion",
                "InitialInstanceCount": 1,
                "InstanceType": "ml.m5.large",
            }
        ],
    )
    sagemaker.create_endpoint(EndpointName=ENDPOINT, EndpointConfigName="champion")
    return sagemaker


WINDOW = {"start": "2026-12-02T00:00:00Z", "end": "2026-12-02T01:00:00Z", "slug": "w-1"}


def _run(aws, comparison: dict, execution: str, **settings: str) -> dict:
    aws.client("s3").put_object(
        Bucket=BUCKET,
        Key=f"retraining/{ENDPOINT}/run-1/comparison/comparison.json",
        Body=json.dumps(comparison).encode(),
    )
    config = RetrainingConfig.from_env({"DATA_BUCKET": BUCKET, **settings})
    lock = RetrainLock(aws.client("s3"), aws.client("stepfunctions"), BUCKET)
    request = PromotionRequest.from_event(
        {
            "endpoint_name": ENDPOINT,
            "run_id": "run-1",
            "execution_id": execution,
            "model_artifact_uri": "s3://b/models/challenger/output/model.tar.gz",
            "comparison_uri": COMPARISON_URI,
            "dataset_manifest_uri": f"s3://{BUCKET}/retraining/{ENDPOINT}/run-1/dataset/m.json",
            "why_retrained": ["model_quality_check: accuracy 0.76 below 0.82"],
            "window": WINDOW,
        }
    )
    with update_endpoint_supported():
        return promote(
            request,
            config=config,
            s3=aws.client("s3"),
            sagemaker=aws.client("sagemaker"),
            lock=lock,
            now=NOW,
        )


def _status(sagemaker, arn: str) -> str:
    return sagemaker.describe_model_package(ModelPackageName=arn)["ModelApprovalStatus"]


def test_a_winner_is_approved_and_deployed_when_configured(aws, champion, start_execution):
    execution = start_execution()
    RetrainLock(aws.client("s3"), aws.client("stepfunctions"), BUCKET).acquire(
        ENDPOINT, execution, datetime.now(UTC)
    )
    result = _run(
        aws, _comparison(0.04, 0.02, 0.06), execution, AUTO_APPROVE="true", AUTO_DEPLOY="true"
    )
    assert result["decision"] == "deployed" and result["verdict"] == "wins"
    assert _status(champion, result["model_package_arn"]) == "Approved"
    endpoint = champion.describe_endpoint(EndpointName=ENDPOINT)
    assert endpoint["EndpointConfigName"] == result["deployment"]["endpoint_config_name"]
    new_model = champion.describe_model(ModelName=result["deployment"]["model_name"])
    assert new_model["PrimaryContainer"]["ModelDataUrl"].endswith("challenger/output/model.tar.gz")
    assert new_model["PrimaryContainer"]["Image"] == "serving:v1"
    assert "accuracy" in result["message"] and result["model_package_arn"] in result["message"]
    assert result["message_attributes"]["decision"]["StringValue"] == "deployed"
    assert result["deployment"]["started_at"] == "2026-12-02T01:05:00Z"
    # The branch goes on (wait for the endpoint, refresh the baseline): the lock stays held.
    lock = aws.client("s3").get_object(Bucket=BUCKET, Key=f"retraining/{ENDPOINT}/lock.json")
    assert execution in lock["Body"].read().decode()


def test_a_winner_waits_for_approval_by_default(aws, champion, start_execution):
    result = _run(aws, _comparison(0.04, 0.02, 0.06), start_execution(), AUTO_DEPLOY="true")
    assert result["decision"] == "registered" and result["deployment"] is None
    assert _status(champion, result["model_package_arn"]) == "PendingManualApproval"
    assert champion.describe_endpoint(EndpointName=ENDPOINT)["EndpointConfigName"] == "champion"


@pytest.mark.parametrize(
    "comparison", [_comparison(-0.03, -0.05, -0.01), _comparison(0.03, -0.01, 0.07)]
)
def test_a_challenger_that_does_not_win_is_rejected_and_never_deployed(
    aws, champion, start_execution, comparison
):
    result = _run(aws, comparison, start_execution(), AUTO_APPROVE="true", AUTO_DEPLOY="true")
    assert result["decision"] == "kept_champion"
    assert _status(champion, result["model_package_arn"]) == "Rejected"
    assert champion.describe_endpoint(EndpointName=ENDPOINT)["EndpointConfigName"] == "champion"
    assert result["message_attributes"]["severity"]["StringValue"] == "warning"
    assert "champion keeps serving" in result["message"]
    record = json.loads(
        aws.client("s3")
        .get_object(Bucket=BUCKET, Key=f"state/{ENDPOINT}/retrainings/w-1.json")["Body"]
        .read()
    )  # what the trend page marks on the window
    assert (record["decision"], record["model_package_status"]) == ("kept_champion", "Rejected")
    assert record["estimate"] == comparison["differences"]["accuracy"]["estimate"]
    with pytest.raises(aws.client("s3").exceptions.NoSuchKey):  # the branch ends: released
        aws.client("s3").get_object(Bucket=BUCKET, Key=f"retraining/{ENDPOINT}/lock.json")


def test_a_registry_failure_raises_sagemakers_reason_and_leaves_the_endpoint(aws, start_execution):
    with pytest.raises(RegistryError, match="DescribeEndpoint failed: ValidationException"):
        _run(aws, _comparison(0.04, 0.02, 0.06), start_execution(), AUTO_DEPLOY="true")
