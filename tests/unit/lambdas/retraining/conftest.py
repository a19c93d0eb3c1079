"""Fixtures: moto S3, Step Functions and SageMaker with the AWS environment of a test."""

from __future__ import annotations

import json

import boto3
import pytest
from moto import mock_aws

BUCKET = "drift-data"
REGION = "us-east-1"


@pytest.fixture
def aws(monkeypatch):
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket=BUCKET)
        yield boto3.Session(region_name=REGION)


@pytest.fixture
def start_execution(aws):
    """Start a (never-ending, in moto without execution) execution; returns its ARN."""
    sfn = aws.client("stepfunctions")
    arn = sfn.create_state_machine(
        name="DriftStateMachine-test",
        definition=json.dumps({"StartAt": "W", "States": {"W": {"Type": "Pass", "End": True}}}),
        roleArn="arn:aws:iam::123456789012:role/states",
    )["stateMachineArn"]
    counter = iter(range(1000))

    def start() -> str:
        return sfn.start_execution(stateMachineArn=arn, name=f"run-{next(counter)}")["executionArn"]

    return start
