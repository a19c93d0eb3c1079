"""Run SageMaker Processing and Training jobs as local processes, under their contracts.

The job's request is honoured as SageMaker would: S3 inputs are copied from (moto) S3 into an
``/opt/ml``-shaped folder, the image's entry point runs as a child process with the request's
environment and arguments, and outputs are uploaded only when it exits 0 (``EndOfJob``), so a
failed job never overwrites earlier results. ``/opt/ml`` is re-rooted into a scratch folder
through ``DRIFT_MONITOR_ML_ROOT`` / ``TRAINER_ML_ROOT``; every environment value that points
under ``/opt/ml`` is re-rooted the same way.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
CONTAINER_PYTHONPATH = [REPO_ROOT / "container", REPO_ROOT / "common"]
OPT_ML = "/opt/ml"


class JobSetupError(RuntimeError):
    """The job could not start (e.g. an empty input prefix): SageMaker's ClientError."""


@dataclass(frozen=True)
class JobOutcome:
    succeeded: bool
    exit_message: str = ""
    failure_reason: str = ""
    log_path: str = ""
    model_artifact_uri: str | None = None


def split_s3_uri(uri: str) -> tuple[str, str]:
    if not uri.startswith("s3://"):
        raise JobSetupError(f"not an s3:// URI: {uri!r}")
    bucket, _, key = uri[len("s3://") :].partition("/")
    return bucket, key


class LocalJobRunner:
    """Executes jobs for images it knows: ``images`` maps an image URI to the command it runs."""

    def __init__(self, s3_client: Any, work_dir: Path, images: dict[str, list[str]]):
        self._s3 = s3_client
        self._work_dir = Path(work_dir)
        self._images = images

    # -- Processing -----------------------------------------------------------------------
    def run_processing(self, request: dict[str, Any]) -> JobOutcome:
        name = request["ProcessingJobName"]
        ml_root = self._fresh_root(name)
        try:
            for item in request.get("ProcessingInputs", []):
                s3_input = item["S3Input"]
                self._download(s3_input["S3Uri"], self._local(ml_root, s3_input["LocalPath"]))
            spec = request["AppSpecification"]
            command = self._command(spec["ImageUri"], spec.get("ContainerEntrypoint"))
        except JobSetupError as exc:
            return JobOutcome(False, failure_reason=f"ClientError: {exc}")
        command += list(spec.get("ContainerArguments") or [])
        config_dir = ml_root / "config"
        config_dir.mkdir(parents=True, exist_ok=True)
        (config_dir / "processingjobconfig.json").write_text(json.dumps(request, default=str))
        (config_dir / "resourceconfig.json").write_text(
            json.dumps({"current_host": "algo-1", "hosts": ["algo-1"]})
        )
        environment = self._environment(ml_root, request)
        environment["DRIFT_MONITOR_ML_ROOT"] = str(ml_root)
        max_runtime = request.get("StoppingCondition", {}).get("MaxRuntimeInSeconds", 3600)
        code, log_path = self._execute(command, environment, ml_root, max_runtime)
        message = _read_text(ml_root / "output" / "message")
        if code != 0:
            return JobOutcome(
                False,
                exit_message=message,
                log_path=str(log_path),
                failure_reason=f"AlgorithmError: {message or _tail(log_path)}",
            )
        for output in request.get("ProcessingOutputConfig", {}).get("Outputs", []):
            s3_output = output["S3Output"]
            self._upload_dir(self._local(ml_root, s3_output["LocalPath"]), s3_output["S3Uri"])
        return JobOutcome(True, exit_message=message, log_path=str(log_path))

    # -- Training -------------------------------------------------------------------------
    def run_training(self, request: dict[str, Any]) -> JobOutcome:
        name = request["TrainingJobName"]
        ml_root = self._fresh_root(name)
        try:
            for channel in request.get("InputDataConfig", []):
                source = channel["DataSource"]["S3DataSource"]["S3Uri"]
                self._download(source, ml_root / "input" / "data" / channel["ChannelName"])
            spec = request["AlgorithmSpecification"]
            command = self._command(spec["TrainingImage"], None)
        except JobSetupError as exc:
            return JobOutcome(False, failure_reason=f"ClientError: {exc}")
        config_dir = ml_root / "input" / "config"
        config_dir.mkdir(parents=True, exist_ok=True)
        (config_dir / "hyperparameters.json").write_text(
            json.dumps(request.get("HyperParameters", {}))
        )
        environment = self._environment(ml_root, request)
        environment["TRAINER_ML_ROOT"] = str(ml_root)
        max_runtime = request.get("StoppingCondition", {}).get("MaxRuntimeInSeconds", 3600)
        code, log_path = self._execute(command, environment, ml_root, max_runtime)
        if code != 0:
            reason = _read_text(ml_root / "output" / "failure") or _tail(log_path)
            return JobOutcome(
                False, failure_reason=f"AlgorithmError: {reason}", log_path=str(log_path)
            )
        artifact = self._upload_model(
            ml_root / "model", request["OutputDataConfig"]["S3OutputPath"], name
        )
        return JobOutcome(True, log_path=str(log_path), model_artifact_uri=artifact)

    # -- helpers --------------------------------------------------------------------------
    def _fresh_root(self, job_name: str) -> Path:
        root = self._work_dir / job_name / "opt" / "ml"
        root.mkdir(parents=True, exist_ok=False)  # job names are unique, as on SageMaker
        return root

    def _command(self, image_uri: str, entrypoint: list[str] | None) -> list[str]:
        if entrypoint:
            return list(entrypoint)
        if image_uri not in self._images:
            raise JobSetupError(
                f"image {image_uri!r} is not available offline (known: {sorted(self._images)})"
            )
        return list(self._images[image_uri])

    @staticmethod
    def _local(ml_root: Path, container_path: str) -> Path:
        if not container_path.startswith(OPT_ML + "/"):
            raise JobSetupError(f"local path {container_path!r} must be under {OPT_ML}/")
        return ml_root / container_path[len(OPT_ML) + 1 :]

    def _environment(self, ml_root: Path, request: dict[str, Any]) -> dict[str, str]:
        return {k: self._reroot(ml_root, v) for k, v in request.get("Environment", {}).items()}

    @staticmethod
    def _reroot(ml_root: Path, value: str) -> str:
        if isinstance(value, str) and (value == OPT_ML or value.startswith(OPT_ML + "/")):
            return str(ml_root) + value[len(OPT_ML) :]
        return value

    def _download(self, uri: str, destination: Path) -> None:
        bucket, prefix = split_s3_uri(uri)
        paginator = self._s3.get_paginator("list_objects_v2")
        count = 0
        for page in paginator.paginate(Bucket=bucket, Prefix=prefix):
            for item in page.get("Contents", []):
                key = item["Key"]
                relative = key[len(prefix) :].lstrip("/") or Path(key).name
                target = destination / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                self._s3.download_file(bucket, key, str(target))
                count += 1
        if count == 0:
            raise JobSetupError(f"no S3 objects found under S3 URL {uri!r}")

    def _upload_dir(self, source: Path, uri: str) -> None:
        bucket, prefix = split_s3_uri(uri)
        prefix = prefix.rstrip("/")
        for path in sorted(p for p in source.rglob("*") if p.is_file()):
            key = f"{prefix}/{path.relative_to(source).as_posix()}".lstrip("/")
            self._s3.upload_file(str(path), bucket, key)

    def _upload_model(self, model_dir: Path, output_path: str, job_name: str) -> str:
        archive = model_dir.parent / "model.tar.gz"
        with tarfile.open(archive, "w:gz") as tar:
            for path in sorted(model_dir.rglob("*")):
                tar.add(path, arcname=path.relative_to(model_dir).as_posix())
        bucket, prefix = split_s3_uri(output_path)
        key = f"{prefix.rstrip('/')}/{job_name}/output/model.tar.gz".lstrip("/")
        self._s3.upload_file(str(archive), bucket, key)
        return f"s3://{bucket}/{key}"

    def _execute(
        self, command: list[str], environment: dict[str, str], ml_root: Path, max_runtime: int
    ) -> tuple[int, Path]:
        log_path = ml_root.parent.parent / "job.log"
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "MOTO_"))},
            **environment,
            "PYTHONPATH": os.pathsep.join(str(p) for p in CONTAINER_PYTHONPATH),
        }
        with open(log_path, "w", encoding="utf-8") as log:
            try:
                completed = subprocess.run(
                    command,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    timeout=max_runtime,
                    check=False,
                    cwd=ml_root,
                )
            except subprocess.TimeoutExpired:
                log.write(f"\nstopped: MaxRuntimeInSeconds={max_runtime} exceeded\n")
                return 124, log_path
        return completed.returncode, log_path


def default_images(monitor_image: str, training_image: str) -> dict[str, list[str]]:
    """What the two images run, as local commands with this interpreter."""
    return {
        monitor_image: [sys.executable, "-m", "drift_monitor"],
        training_image: [sys.executable, "-m", "trainer"],
    }


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8").strip()[:1024]
    except FileNotFoundError:
        return ""


def _tail(path: Path, lines: int = 5) -> str:
    text = _read_text_full(path)
    return " | ".join(text.strip().splitlines()[-lines:])[:1024]


def _read_text_full(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return ""
