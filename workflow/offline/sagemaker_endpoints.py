"""Teach moto's SageMaker ``UpdateEndpoint``, which the promotion step calls to deploy a winner.

moto 5.2 creates, describes and deletes endpoints but has no ``UpdateEndpoint`` (its response
class answers "not yet implemented"). ``update_endpoint_supported()`` adds the action to moto's
response class for the duration of the block, the way ``sagemaker_tasks`` adds the ``.sync``
job integrations: it checks that the endpoint and the new endpoint config exist (the errors
SageMaker gives), then points the endpoint at the new config and its variants. AWS rolls out
the new config and goes ``InService``; here the switch is immediate. If moto gains the action,
the test in ``tests/unit/workflow/test_offline_endpoints.py`` fails and this seam can go.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from moto.core.responses import ActionResult
from moto.core.utils import utcnow
from moto.sagemaker.exceptions import ValidationError
from moto.sagemaker.models import FakeEndpoint, SageMakerModelBackend
from moto.sagemaker.responses import SageMakerResponse


def moto_has_update_endpoint() -> bool:
    return hasattr(SageMakerResponse, "update_endpoint") or hasattr(
        SageMakerModelBackend, "update_endpoint"
    )


def update_endpoint(backend: SageMakerModelBackend, endpoint_name: str, config_name: str) -> str:
    """Point ``endpoint_name`` at ``config_name``; returns the endpoint ARN."""
    endpoint = backend.endpoints.get(endpoint_name)
    if endpoint is None:
        arn = FakeEndpoint.arn_formatter(endpoint_name, backend.account_id, backend.region_name)
        raise ValidationError(message=f"Could not find endpoint '{arn}'.")
    try:
        config = backend.describe_endpoint_config(config_name)
    except (KeyError, ValidationError):
        raise ValidationError(
            message=f"Could not find endpoint configuration '{config_name}'."
        ) from None
    endpoint.endpoint_config_name = config_name
    endpoint.production_variants = endpoint._process_production_variants(
        config["ProductionVariants"]
    )
    endpoint.last_modified_time = utcnow()
    return endpoint.arn


def _response_update_endpoint(self: Any) -> ActionResult:
    arn = update_endpoint(
        self.sagemaker_backend,
        self._get_param("EndpointName"),
        self._get_param("EndpointConfigName"),
    )
    return ActionResult({"EndpointArn": arn})


@contextlib.contextmanager
def update_endpoint_supported() -> Iterator[None]:
    if moto_has_update_endpoint():  # moto implements it now: use moto's
        yield
        return
    SageMakerResponse.update_endpoint = _response_update_endpoint  # type: ignore[attr-defined]
    try:
        yield
    finally:
        del SageMakerResponse.update_endpoint  # type: ignore[attr-defined]
