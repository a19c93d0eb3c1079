"""Make an endpoint's monitoring baseline on AWS: ``python -m workflow.make_baseline``.

Uploads a labelled reference dataset (CSV with a header row, or Parquet, in the merged-dataset
layout: features, score, prediction, label) and the endpoint's ``schema.json``, starts the
analysis image's ``baseline`` job as a SageMaker Processing job writing to
``s3://<bucket>/<baseline prefix>/<endpoint>/``, waits for it and says where the baseline is.
The bucket, the SageMaker role and the image repository come from the deployed stack's
outputs (``--stack-name``) unless given. boto3 only: no SageMaker SDK needed.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from processing_paths import BASELINE_DATASET_DIR, OUTPUT_DIR, SCHEMA_INPUT_DIR

DATASET_FORMATS = {".parquet": '{"parquet": {}}', ".csv": '{"csv": {"header": true}}'}
TERMINAL_STATUSES = ("Completed", "Failed", "Stopped")


class BaselineCommandError(Exception):
    """The command cannot go on; the message says what to change."""


@dataclass(frozen=True)
class BaselineTarget:
    """Where the job reads and writes, and with what it runs."""

    bucket: str
    endpoint: str
    role_arn: str
    image_uri: str
    baseline_prefix: str = "baselines"
    instance_type: str = "ml.m5.xlarge"

    @property
    def input_prefix(self) -> str:
        return f"baseline-input/{self.endpoint}"

    @property
    def baseline_uri(self) -> str:
        return f"s3://{self.bucket}/{self.baseline_prefix}/{self.endpoint}/"


def baseline_job_request(
    target: BaselineTarget, *, dataset_name: str, job_suffix: str
) -> dict[str, Any]:
    """The CreateProcessingJob request of the baseline job (the offline demo sends it too)."""
    suffix = Path(dataset_name).suffix.lower()
    if suffix not in DATASET_FORMATS:
        raise BaselineCommandError(
            f"reference dataset {dataset_name!r}: use a .csv (with a header row) or a .parquet file"
        )
    return {
        "ProcessingJobName": f"baseline-{target.endpoint}-{job_suffix}"[:63],
        "RoleArn": target.role_arn,
        "AppSpecification": {"ImageUri": target.image_uri, "ContainerArguments": ["baseline"]},
        "Environment": {
            "dataset_format": DATASET_FORMATS[suffix],
            "schema_path": f"{SCHEMA_INPUT_DIR}/schema.json",
            "output_path": OUTPUT_DIR,
        },
        "ProcessingInputs": [
            _input(
                "baseline_dataset_input",
                f"s3://{target.bucket}/{target.input_prefix}/{dataset_name}",
                BASELINE_DATASET_DIR,
            ),
            _input(
                "schema",
                f"s3://{target.bucket}/{target.input_prefix}/schema.json",
                SCHEMA_INPUT_DIR,
            ),
        ],
        "ProcessingOutputConfig": {
            "Outputs": [
                {
                    "OutputName": "baseline",
                    "S3Output": {
                        "S3Uri": target.baseline_uri,
                        "LocalPath": OUTPUT_DIR,
                        "S3UploadMode": "EndOfJob",
                    },
                }
            ]
        },
        "ProcessingResources": {
            "ClusterConfig": {
                "InstanceCount": 1,
                "InstanceType": target.instance_type,
                "VolumeSizeInGB": 30,
            }
        },
        "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
    }


def _input(name: str, uri: str, local_path: str) -> dict[str, Any]:
    return {
        "InputName": name,
        "S3Input": {
            "S3Uri": uri,
            "LocalPath": local_path,
            "S3DataType": "S3Prefix",
            "S3InputMode": "File",
        },
    }


def upload_inputs(s3: Any, target: BaselineTarget, dataset: Path, schema: Path) -> None:
    """The reference dataset and schema.json under ``baseline-input/<endpoint>/``."""
    for path in (dataset, schema):
        if not path.is_file():
            raise BaselineCommandError(f"{path} does not exist or is not a file")
    try:
        json.loads(schema.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BaselineCommandError(f"{schema} is not JSON ({exc}); see docs/contracts.md") from exc
    s3.upload_file(str(dataset), target.bucket, f"{target.input_prefix}/{dataset.name}")
    s3.upload_file(str(schema), target.bucket, f"{target.input_prefix}/schema.json")


def wait_for_job(
    sagemaker: Any,
    job_name: str,
    *,
    poll_seconds: float = 30.0,
    sleep: Callable[[float], None] = time.sleep,
    out: TextIO = sys.stdout,
) -> dict[str, Any]:
    """Poll until the job ends; print each status change (a job takes minutes)."""
    last = None
    while True:
        description = sagemaker.describe_processing_job(ProcessingJobName=job_name)
        status = description["ProcessingJobStatus"]
        if status != last:
            print(f"{datetime.now(UTC):%H:%M:%S} {job_name}: {status}", file=out, flush=True)
            last = status
        if status in TERMINAL_STATUSES:
            return description
        sleep(poll_seconds)


def stack_outputs(cloudformation: Any, stack_name: str) -> dict[str, str]:
    try:
        stacks = cloudformation.describe_stacks(StackName=stack_name)["Stacks"]
    except Exception as exc:  # botocore's ClientError: the stack does not exist, no access
        raise BaselineCommandError(
            f"cannot read the outputs of stack {stack_name!r} ({exc}); deploy it first or give "
            "--bucket, --role-arn and --image-uri"
        ) from exc
    return {item["OutputKey"]: item["OutputValue"] for item in stacks[0].get("Outputs", [])}


def resolve_target(args: argparse.Namespace, cloudformation: Any | None) -> BaselineTarget:
    """Explicit options first, then the stack's outputs."""
    if not args.image_uri and not args.image_tag:
        raise BaselineCommandError(
            "give --image-tag monitor-<the ImageTag you deployed> (the repository's tags are "
            "immutable, there is no 'latest') or --image-uri"
        )
    outputs: dict[str, str] = {}
    if not (args.bucket and args.role_arn and args.image_uri):
        if cloudformation is None or not args.stack_name:
            raise BaselineCommandError(
                "give --stack-name (the deployed stack) or all of --bucket, --role-arn, --image-uri"
            )
        outputs = stack_outputs(cloudformation, args.stack_name)
    repository = outputs.get("MonitorRepositoryUri")
    image = args.image_uri or (f"{repository}:{args.image_tag}" if repository else None)
    bucket, role = (
        args.bucket or outputs.get("DataBucketName"),
        args.role_arn or outputs.get("SageMakerExecutionRoleArn"),
    )
    missing = [
        name for name, value in (("bucket", bucket), ("role", role), ("image", image)) if not value
    ]
    if missing:
        raise BaselineCommandError(
            f"stack {args.stack_name!r} has no output for: {', '.join(missing)}; give them as "
            "options"
        )
    assert bucket and role and image  # narrowed for the type checker: checked just above
    return BaselineTarget(
        bucket, args.endpoint, role, image, args.baseline_prefix, args.instance_type
    )


def make_baseline(
    args: argparse.Namespace,
    *,
    s3: Any,
    sagemaker: Any,
    cloudformation: Any | None = None,
    out: TextIO = sys.stdout,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Upload, start, wait, report; 0 when the baseline exists, 1 when the job failed."""
    target = resolve_target(args, cloudformation)
    request = baseline_job_request(  # first: a wrong file type uploads nothing
        target, dataset_name=args.dataset.name, job_suffix=f"{datetime.now(UTC):%Y%m%d%H%M%S}"
    )
    upload_inputs(s3, target, args.dataset, args.schema)
    sagemaker.create_processing_job(**request)
    name = request["ProcessingJobName"]
    print(f"started {name} (image {target.image_uri})", file=out, flush=True)
    if not args.wait:
        print(f"the baseline will be written to {target.baseline_uri}", file=out)
        return 0
    description = wait_for_job(
        sagemaker, name, poll_seconds=args.poll_seconds, sleep=sleep, out=out
    )
    if description["ProcessingJobStatus"] != "Completed":
        reason = description.get("FailureReason") or description.get("ExitMessage") or "no reason"
        print(f"the baseline job {description['ProcessingJobStatus'].lower()}: {reason}", file=out)
        return 1
    print(
        f"baseline ready: {target.baseline_uri} (constraints.json, statistics.json, "
        "schema.json, report.html). Edit constraints.json there to tune thresholds.",
        file=out,
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m workflow.make_baseline",
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--endpoint", required=True, help="the monitored endpoint's name")
    parser.add_argument(
        "--dataset",
        type=Path,
        required=True,
        help="labelled reference dataset, .csv (header row) or .parquet",
    )
    parser.add_argument("--schema", type=Path, required=True, help="the endpoint's schema.json")
    parser.add_argument("--stack-name", help="deployed stack whose outputs name bucket/role/repo")
    parser.add_argument("--bucket", help="data bucket (default: the stack's DataBucketName)")
    parser.add_argument("--role-arn", help="SageMaker role (default: the stack's role output)")
    parser.add_argument("--image-uri", help="analysis image (default: the stack's repository)")
    parser.add_argument(
        "--image-tag",
        help="tag on the stack's repository, e.g. monitor-<ImageTag> (when --image-uri is not "
        "given)",
    )
    parser.add_argument(
        "--baseline-prefix", default="baselines", help="the stack's BaselinePrefix parameter"
    )
    parser.add_argument("--instance-type", default="ml.m5.xlarge")
    parser.add_argument(
        "--no-wait", dest="wait", action="store_false", help="start the job and return"
    )
    parser.add_argument("--poll-seconds", type=float, default=30.0)
    parser.add_argument("--region", help="AWS region (default: your AWS configuration)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    import boto3  # here, so --help works without AWS libraries configured

    session = boto3.session.Session(region_name=args.region)
    try:
        return make_baseline(
            args,
            s3=session.client("s3"),
            sagemaker=session.client("sagemaker"),
            cloudformation=session.client("cloudformation"),
        )
    except BaselineCommandError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
