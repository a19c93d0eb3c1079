"""The offline UpdateEndpoint seam, and a check that notices when moto implements it."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.sagemaker.responses import SageMakerResponse

from workflow.offline.environment import temporary_environment
from workflow.offline.sagemaker_endpoints import moto_has_update_endpoint, update_endpoint_supported

CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "t",
    "AWS_SECRET_ACCESS_KEY": "t",
    "AWS_DEFAULT_REGION": "us-east-1",
}


def test_moto_still_lacks_update_endpoint():
    """When this fails, moto implements UpdateEndpoint: drop workflow/offline/sagemaker_endpoints.py
    and use moto's (check it switches the config the way the promotion test expects)."""
    assert not moto_has_update_endpoint()


@pytest.fixture
def sagemaker():
    with temporary_environment(CREDENTIALS), mock_aws():
        client = boto3.client("sagemaker", region_name="us-east-1")
        client.create_model(
            ModelName="m",
            PrimaryContainer={"Image": "img", "ModelDataUrl": "s3://b/m.tar.gz"},
            ExecutionRoleArn="arn:aws:iam::123456789012:role/r",
        )
        for name, count in (("old", 1), ("new", 2)):
            client.create_endpoint_config(
                EndpointConfigName=name,
                ProductionVariants=[
                    {
                        "VariantName": "AllTraffic",
                        "ModelName": "m",
                        "InitialInstanceCount": count,
                        "InstanceType": "ml.m5.large",
                    }
                ],
            )
        client.create_endpoint(EndpointName="ep", EndpointConfigName="old")
        yield client


def test_without_the_seam_moto_refuses(sagemaker):
    with pytest.raises(Exception, match="not been implemented"):
        sagemaker.update_endpoint(EndpointName="ep", EndpointConfigName="new")


def test_the_seam_switches_the_endpoint_to_the_new_config(sagemaker):
    with update_endpoint_supported():
        arn = sagemaker.update_endpoint(EndpointName="ep", EndpointConfigName="new")["EndpointArn"]
    described = sagemaker.describe_endpoint(EndpointName="ep")
    assert arn == described["EndpointArn"] and described["EndpointConfigName"] == "new"
    assert described["ProductionVariants"][0]["DesiredInstanceCount"] == 2
    assert not hasattr(SageMakerResponse, "update_endpoint")  # removed after the block


@pytest.mark.parametrize(
    ("endpoint", "config", "message"),
    [("ep", "missing", "Could not find endpoint configuration"), ("nope", "new", "endpoint")],
)
def test_unknown_names_are_sagemakers_validation_errors(sagemaker, endpoint, config, message):
    with update_endpoint_supported(), pytest.raises(ClientError, match=message) as error:
        sagemaker.update_endpoint(EndpointName=endpoint, EndpointConfigName=config)
    assert error.value.response["Error"]["Code"] == "ValidationException"
    assert sagemaker.describe_endpoint(EndpointName="ep")["EndpointConfigName"] == "old"
