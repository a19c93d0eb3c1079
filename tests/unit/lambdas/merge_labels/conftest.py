import boto3
import pytest
from moto import mock_aws

from merge_labels.config import MergeConfig
from tests.unit.lambdas.merge_labels.helpers import BUCKET, ENDPOINT, put_schema


@pytest.fixture
def aws_env(monkeypatch):
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def s3(aws_env):
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        put_schema(client)
        yield client


@pytest.fixture
def config():
    return MergeConfig.from_env({}, data_bucket=BUCKET, default_endpoint_name=ENDPOINT)
