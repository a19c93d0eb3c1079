"""The baseline command against moto's S3 and SageMaker: uploads, the job request, waiting,
the failure reason, and the options it resolves from the stack."""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path

import boto3
import pytest
from moto import mock_aws
from moto.sagemaker.models import sagemaker_backends

from drift_monitor.config import parse_dataset_format
from examples.adult import SCHEMA_JSON
from workflow import make_baseline
from workflow.make_baseline import BaselineCommandError

REGION, ACCOUNT = "us-east-1", "123456789012"
BUCKET = "drift-data"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/drift-sagemaker"
REPOSITORY = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/drift-monitor"
IMAGE = f"{REPOSITORY}:monitor-v1"


@pytest.fixture
def aws(monkeypatch):
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket=BUCKET)
        yield s3, boto3.client("sagemaker", region_name=REGION)


@pytest.fixture
def reference_csv(tmp_path) -> Path:
    path = tmp_path / "reference.csv"
    path.write_text("age,score,prediction,label\n39,0.2,0,0\n50,0.8,1,1\n")
    return path


def _args(reference: Path, **overrides) -> argparse.Namespace:
    argv = [
        "--endpoint",
        "my-endpoint",
        "--dataset",
        str(reference),
        "--schema",
        str(SCHEMA_JSON),
        "--bucket",
        BUCKET,
        "--role-arn",
        ROLE,
        "--image-uri",
        IMAGE,
        "--poll-seconds",
        "0",
    ]
    args = make_baseline.build_parser().parse_args(argv)
    for key, value in overrides.items():
        setattr(args, key, value)
    return args


def _only_job(sagemaker) -> dict:
    names = [
        job["ProcessingJobName"]
        for job in sagemaker.list_processing_jobs()["ProcessingJobSummaries"]
    ]
    assert len(names) == 1, names
    return sagemaker.describe_processing_job(ProcessingJobName=names[0])


def test_uploads_starts_the_baseline_job_and_says_where_the_baseline_is(aws, reference_csv):
    s3, sagemaker = aws
    out = io.StringIO()
    code = make_baseline.make_baseline(_args(reference_csv), s3=s3, sagemaker=sagemaker, out=out)
    assert code == 0, out.getvalue()
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"]}
    assert keys == {
        "baseline-input/my-endpoint/reference.csv",
        "baseline-input/my-endpoint/schema.json",
    }
    job = _only_job(sagemaker)
    assert job["AppSpecification"] == {"ImageUri": IMAGE, "ContainerArguments": ["baseline"]}
    assert job["RoleArn"] == ROLE
    inputs = {i["InputName"]: i["S3Input"]["S3Uri"] for i in job["ProcessingInputs"]}
    assert inputs == {
        "baseline_dataset_input": f"s3://{BUCKET}/baseline-input/my-endpoint/reference.csv",
        "schema": f"s3://{BUCKET}/baseline-input/my-endpoint/schema.json",
    }
    [output] = job["ProcessingOutputConfig"]["Outputs"]
    assert output["S3Output"]["S3Uri"] == f"s3://{BUCKET}/baselines/my-endpoint/"
    assert f"baseline ready: s3://{BUCKET}/baselines/my-endpoint/" in out.getvalue()


def test_a_failed_job_returns_1_with_its_failure_reason(aws, reference_csv):
    s3, sagemaker = aws

    class FailingJobs:
        """moto completes every job at once; this one fails as SageMaker would report it."""

        def create_processing_job(self, **request):
            sagemaker.create_processing_job(**request)
            job = sagemaker_backends[ACCOUNT][REGION].processing_jobs[request["ProcessingJobName"]]
            job.processing_job_status = "Failed"
            job.failure_reason = "AlgorithmError: reference lacks schema feature 'age'"

        def describe_processing_job(self, **kwargs):
            return sagemaker.describe_processing_job(**kwargs)

    out = io.StringIO()
    code = make_baseline.make_baseline(
        _args(reference_csv), s3=s3, sagemaker=FailingJobs(), out=out
    )
    assert code == 1
    assert (
        "the baseline job failed: AlgorithmError: reference lacks schema feature 'age'"
        in out.getvalue()
    )


def test_waits_through_in_progress_and_reports_each_status_once(aws, reference_csv):
    s3, sagemaker = aws
    statuses = iter(["InProgress", "InProgress", "Completed"])
    polls: list[float] = []

    class SlowJobs:
        def create_processing_job(self, **request):
            sagemaker.create_processing_job(**request)

        def describe_processing_job(self, **kwargs):
            description = sagemaker.describe_processing_job(**kwargs)
            return dict(description, ProcessingJobStatus=next(statuses))

    out = io.StringIO()
    code = make_baseline.make_baseline(
        _args(reference_csv), s3=s3, sagemaker=SlowJobs(), out=out, sleep=polls.append
    )
    assert code == 0
    assert len(polls) == 2
    lines = out.getvalue().splitlines()
    assert sum(line.endswith(": InProgress") for line in lines) == 1
    assert sum(line.endswith(": Completed") for line in lines) == 1


def test_bucket_role_and_image_come_from_the_stack_outputs(aws, reference_csv):
    s3, sagemaker = aws

    class Stack:
        """CloudFormation's DescribeStacks answer for a deployed stack (moto's CloudFormation
        is not installed here; only its outputs are read)."""

        def describe_stacks(self, StackName):
            assert StackName == "drift-pipeline"
            return {
                "Stacks": [
                    {
                        "Outputs": [
                            {"OutputKey": "DataBucketName", "OutputValue": BUCKET},
                            {"OutputKey": "SageMakerExecutionRoleArn", "OutputValue": ROLE},
                            {
                                "OutputKey": "MonitorRepositoryUri",
                                "OutputValue": REPOSITORY,
                            },
                        ]
                    }
                ]
            }

    args = _args(
        reference_csv,
        bucket=None,
        role_arn=None,
        image_uri=None,
        stack_name="drift-pipeline",
        image_tag="monitor-v2",
    )
    assert (
        make_baseline.make_baseline(
            args, s3=s3, sagemaker=sagemaker, cloudformation=Stack(), out=io.StringIO()
        )
        == 0
    )
    job = _only_job(sagemaker)
    assert job["AppSpecification"]["ImageUri"].endswith("/drift-monitor:monitor-v2")
    assert job["RoleArn"] == ROLE


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"dataset": Path("missing.csv")}, "missing.csv does not exist"),
        ({"bucket": None}, "give --stack-name"),
        ({"image_uri": None}, "give --image-tag monitor-<the ImageTag you deployed>"),
    ],
)
def test_bad_input_is_a_clear_error(aws, reference_csv, change, message):
    s3, sagemaker = aws
    with pytest.raises(BaselineCommandError, match=message):
        make_baseline.make_baseline(
            _args(reference_csv, **change), s3=s3, sagemaker=sagemaker, out=io.StringIO()
        )


def test_a_dataset_that_is_neither_csv_nor_parquet_is_refused(aws, tmp_path):
    s3, sagemaker = aws
    dataset = tmp_path / "reference.json"
    dataset.write_text(json.dumps({"age": 1}))
    with pytest.raises(BaselineCommandError, match=r"use a \.csv .* or a \.parquet file"):
        make_baseline.make_baseline(_args(dataset), s3=s3, sagemaker=sagemaker, out=io.StringIO())


def test_help_exits_0_and_lists_the_options_with_defaults(capsys):
    with pytest.raises(SystemExit) as exit_info:
        make_baseline.main(["--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    for option in ("--endpoint", "--dataset", "--schema", "--stack-name", "--no-wait"):
        assert option in text
    assert "(default: baselines)" in " ".join(text.split()) and "--image-tag" in text


@pytest.mark.parametrize(
    ("name", "dataset_format"),
    [("reference.csv", {"csv": {"header": True}}), ("ref.PARQUET", {"parquet": {}})],
)
def test_the_job_is_told_the_dataset_format_the_container_accepts(name, dataset_format):
    # (moto's DescribeProcessingJob leaves Environment out, so the request itself is checked)
    target = make_baseline.BaselineTarget(BUCKET, "my-endpoint", ROLE, IMAGE)
    request = make_baseline.baseline_job_request(target, dataset_name=name, job_suffix="x")
    assert json.loads(request["Environment"]["dataset_format"]) == dataset_format
    assert parse_dataset_format(request["Environment"]["dataset_format"]) == dataset_format
