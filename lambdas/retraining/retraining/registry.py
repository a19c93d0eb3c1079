"""Registering the challenger in the SageMaker Model Registry and deploying a winner.

One model package group per endpoint (named after it). A winner is registered
``PendingManualApproval``, or ``Approved`` when auto-approval is on; a challenger that did not
win is registered ``Rejected`` with the gate's reason, for inspection, and never deployed.
Deploying (auto-deploy on and the package approved) makes a model from the package's container
and artefact (the champion's serving image and role), an endpoint config that copies the
champion's variants with the new model, and updates the endpoint. Any failure raises with
SageMaker's own message; the endpoint then still serves the champion (an UpdateEndpoint that
fails is rolled back by SageMaker).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError


class RegistryError(RuntimeError):
    """A registry or endpoint call failed; the message is SageMaker's."""


@dataclass(frozen=True)
class Champion:
    endpoint_config: str
    model_name: str
    image: str
    role_arn: str
    variants: list[dict[str, Any]]


def sagemaker_call(what: str, function, **kwargs) -> dict[str, Any]:
    try:
        return function(**kwargs)
    except ClientError as exc:
        error = exc.response.get("Error", {})
        raise RegistryError(
            f"{what} failed: {error.get('Code', 'Error')}: {error.get('Message', exc)}"
        ) from None


def champion_of(sagemaker: Any, endpoint: str) -> Champion:
    """What the endpoint serves now: its config, model, image and role."""
    described = sagemaker_call(
        "DescribeEndpoint", sagemaker.describe_endpoint, EndpointName=endpoint
    )
    config_name = described["EndpointConfigName"]
    config = sagemaker_call(
        "DescribeEndpointConfig",
        sagemaker.describe_endpoint_config,
        EndpointConfigName=config_name,
    )
    variants = config["ProductionVariants"]
    model = sagemaker_call(
        "DescribeModel", sagemaker.describe_model, ModelName=variants[0]["ModelName"]
    )
    return Champion(
        endpoint_config=config_name,
        model_name=variants[0]["ModelName"],
        image=model["PrimaryContainer"]["Image"],
        role_arn=model["ExecutionRoleArn"],
        variants=variants,
    )


def register(
    sagemaker: Any,
    *,
    group: str,
    image: str,
    model_data_url: str,
    status: str,
    description: str,
    metadata: dict[str, str],
) -> str:
    """Create the group if needed and the package; returns the package ARN."""
    try:
        sagemaker.describe_model_package_group(ModelPackageGroupName=group)
    except ClientError:
        sagemaker_call(
            "CreateModelPackageGroup",
            sagemaker.create_model_package_group,
            ModelPackageGroupName=group,
            ModelPackageGroupDescription=f"Challengers retrained for endpoint {group}",
        )
    response = sagemaker_call(
        "CreateModelPackage",
        sagemaker.create_model_package,
        ModelPackageGroupName=group,
        ModelPackageDescription=description[:1000],
        ModelApprovalStatus=status,
        InferenceSpecification={
            "Containers": [{"Image": image, "ModelDataUrl": model_data_url}],
            "SupportedContentTypes": ["text/csv"],
            "SupportedResponseMIMETypes": ["text/csv", "application/json"],
        },
        CustomerMetadataProperties=metadata,
    )
    return response["ModelPackageArn"]


def deploy(
    sagemaker: Any, *, endpoint: str, champion: Champion, model_data_url: str, suffix: str
) -> dict[str, str]:
    """Model + endpoint config + UpdateEndpoint; returns the new names."""
    name = _name(endpoint, suffix)
    sagemaker_call(
        "CreateModel",
        sagemaker.create_model,
        ModelName=name,
        PrimaryContainer={"Image": champion.image, "ModelDataUrl": model_data_url},
        ExecutionRoleArn=champion.role_arn,
    )
    variants = [
        {k: v for k, v in {**variant, "ModelName": name}.items() if k in _VARIANT_KEYS}
        for variant in champion.variants
    ]
    sagemaker_call(
        "CreateEndpointConfig",
        sagemaker.create_endpoint_config,
        EndpointConfigName=name,
        ProductionVariants=variants,
    )
    sagemaker_call(
        "UpdateEndpoint",
        sagemaker.update_endpoint,
        EndpointName=endpoint,
        EndpointConfigName=name,
    )
    return {"model_name": name, "endpoint_config_name": name}


# ProductionVariant fields an endpoint config is created with (Describe adds status fields).
_VARIANT_KEYS = {
    "VariantName",
    "ModelName",
    "InitialInstanceCount",
    "InstanceType",
    "InitialVariantWeight",
    "AcceleratorType",
    "ServerlessConfig",
    "VolumeSizeInGB",
    "ModelDataDownloadTimeoutInSeconds",
    "ContainerStartupHealthCheckTimeoutInSeconds",
}


def _name(endpoint: str, suffix: str) -> str:
    """SageMaker names: 63 characters of letters, digits and hyphens (a suffix that repeats
    the endpoint's name, as run ids do, is not repeated)."""
    suffix = suffix.removeprefix(f"{endpoint}-")
    clean = re.sub(r"[^A-Za-z0-9-]", "-", suffix)[-24:].strip("-")
    return f"{endpoint[: 62 - len(clean)]}-{clean}"
