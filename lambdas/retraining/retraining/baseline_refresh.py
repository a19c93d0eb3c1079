"""After a deploy: wait for the endpoint to serve the challenger, then make its baseline live.

The monitoring baseline describes one model's scores (model quality, the projection's
calibration). Once a challenger is deployed, later windows must be judged against a baseline of
the new model: ``RefreshBaseline`` (the analysis image's ``baseline`` job) builds one from the
held-out rows the challenger scored but never trained on, and ``activate`` puts it in place.

``deployment_state`` answers "is the endpoint serving the new config yet?". SageMaker rolls a
failed ``UpdateEndpoint`` back: the endpoint returns to ``InService`` on the *old* config with a
``FailureReason``, so ``InService`` alone does not mean the challenger serves.

``activate`` keeps what the endpoint's owner chose: the model-quality thresholds (the service
level, e.g. the accuracy floor) and every settings block of the old ``constraints.json`` are
carried into the new one; the rest (per-feature constraints, suggested from the data) is the
new baseline's. The replaced baseline is copied whole under the retraining run first, so a
failure half-way loses nothing and a roll-back is a copy back.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from retraining.dataset_store import split_uri
from retraining.registry import RegistryError, sagemaker_call

# Deploying: still rolling out. Anything else that is not InService is a failed deploy.
DEPLOYING_STATUSES = ("Creating", "Updating", "SystemUpdating")
# Blocks of constraints.json the owner edits: kept when the baseline is refreshed.
OWNER_BLOCKS = (
    "binary_classification_constraints",
    "monitoring_config",
    "model_quality_settings",
    "projection_settings",
    "dataset_drift",
    "model_output_drift",
)
CONSTRAINTS = "constraints.json"


class DeploymentError(RuntimeError):
    """The challenger did not start serving; the message says why (SageMaker's reason)."""


@dataclass(frozen=True)
class DeploymentState:
    serving: bool  # the endpoint is InService on the challenger's config
    status: str
    waited_minutes: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "serving": self.serving,
            "status": self.status,
            "waited_minutes": round(self.waited_minutes, 1),
        }


def deployment_state(
    sagemaker: Any,
    *,
    endpoint: str,
    endpoint_config: str,
    started_at: datetime,
    now: datetime,
    timeout_minutes: float,
) -> DeploymentState:
    """Where the deploy of ``endpoint_config`` stands; raises if it failed or took too long."""
    described = sagemaker_call(
        "DescribeEndpoint", sagemaker.describe_endpoint, EndpointName=endpoint
    )
    status = described["EndpointStatus"]
    waited = (now - started_at).total_seconds() / 60
    reason = described.get("FailureReason") or "SageMaker gave no reason"
    if status == "InService" and described["EndpointConfigName"] == endpoint_config:
        return DeploymentState(True, status, waited)
    if status == "InService":
        raise DeploymentError(
            f"UpdateEndpoint of {endpoint} to {endpoint_config} was rolled back: the endpoint "
            f"serves {described['EndpointConfigName']} (the champion) again. {reason}"
        )
    if status not in DEPLOYING_STATUSES:
        raise DeploymentError(f"endpoint {endpoint} is {status} after UpdateEndpoint: {reason}")
    if now - started_at > timedelta(minutes=timeout_minutes):
        raise DeploymentError(
            f"endpoint {endpoint} still {status} {waited:.0f} min after UpdateEndpoint "
            f"(DeploymentTimeoutMinutes {timeout_minutes:g}); the baseline was not refreshed"
        )
    return DeploymentState(False, status, waited)


@dataclass(frozen=True)
class Activation:
    baseline_uri: str
    replaced_copy_uri: str
    files: list[str]
    removed: list[str]  # files of the old baseline the new one does not have
    carried_over: list[str]  # constraints.json blocks kept from the owner's version

    def as_dict(self) -> dict[str, Any]:
        return {
            "baseline_uri": self.baseline_uri,
            "replaced_copy_uri": self.replaced_copy_uri,
            "files": self.files,
            "removed": self.removed,
            "carried_over": self.carried_over,
        }


def activate(s3: Any, *, candidate_uri: str, baseline_uri: str, replaced_uri: str) -> Activation:
    """Copy the live baseline to ``replaced_uri``, then make ``candidate_uri``'s files live."""
    candidate_uri, baseline_uri, replaced_uri = (
        uri.rstrip("/") + "/" for uri in (candidate_uri, baseline_uri, replaced_uri)
    )
    candidate = _objects(s3, candidate_uri)
    if CONSTRAINTS not in candidate:
        raise DeploymentError(
            f"the refreshed baseline at {candidate_uri} has no {CONSTRAINTS}: not activated, "
            f"the previous baseline stays at {baseline_uri}"
        )
    live = _objects(s3, baseline_uri)
    for name, key in live.items():
        _copy(s3, baseline_uri, key, replaced_uri, name)
    constraints = _read_json(s3, candidate_uri, candidate[CONSTRAINTS])
    carried: list[str] = []
    if CONSTRAINTS in live:
        owners = _read_json(s3, baseline_uri, live[CONSTRAINTS])
        carried = [block for block in OWNER_BLOCKS if block in owners]
        constraints.update({block: owners[block] for block in carried})
    for name, key in candidate.items():
        if name != CONSTRAINTS:
            _copy(s3, candidate_uri, key, baseline_uri, name)
    bucket, prefix = split_uri(baseline_uri)
    s3.put_object(
        Bucket=bucket,
        Key=f"{prefix}{CONSTRAINTS}",
        Body=json.dumps(constraints, indent=2).encode(),
    )
    removed = sorted(set(live) - set(candidate))
    for name in removed:
        s3.delete_object(Bucket=bucket, Key=live[name])
    return Activation(baseline_uri, replaced_uri, sorted(candidate), removed, carried)


def _objects(s3: Any, uri: str) -> dict[str, str]:
    """The files directly under a prefix: name -> key (sub-folders are not part of a baseline)."""
    bucket, prefix = split_uri(uri)
    found: dict[str, str] = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            name = item["Key"][len(prefix) :]
            if name and "/" not in name:
                found[name] = item["Key"]
    return found


def _copy(s3: Any, from_uri: str, key: str, to_uri: str, name: str) -> None:
    source_bucket, _ = split_uri(from_uri)
    bucket, prefix = split_uri(to_uri)
    try:
        s3.copy_object(
            Bucket=bucket, Key=f"{prefix}{name}", CopySource={"Bucket": source_bucket, "Key": key}
        )
    except Exception as exc:
        raise RegistryError(f"copying s3://{source_bucket}/{key} failed: {exc}") from None


def _read_json(s3: Any, uri: str, key: str) -> dict[str, Any]:
    bucket, _ = split_uri(uri)
    try:
        return json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
    except Exception as exc:
        raise DeploymentError(f"s3://{bucket}/{key} could not be read: {exc}") from None
