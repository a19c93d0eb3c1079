"""Lambda entry point: build the dependencies from the environment and call ``evaluate``.

Handler: ``evaluate_violations.app.lambda_handler``. Logger (correlation id = ``merge.run_id``),
EMF metrics and the event parser come from Powertools for AWS Lambda.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import boto3
from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.utilities.parser import ValidationError, parse

from evaluate_violations.config import EvaluateConfig
from evaluate_violations.evaluation import evaluate
from evaluate_violations.models import EvaluateEvent
from evaluate_violations.telemetry import build_metrics, record_metrics

CORRELATION_ID_PATH = "merge.run_id"


# X-Ray (Tracing: Active in template.yaml): the invocation and its AWS calls (boto3 patched).
# Outside Lambda (tests, the offline run) Powertools disables it.
tracer = Tracer(service="evaluate_violations")


class InvalidEventError(ValueError):
    """The invocation payload does not match the EvaluateViolations input contract."""


@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return handle(
        event,
        context,
        config=EvaluateConfig.from_env(os.environ),
        s3=_s3_client(),
        clock=lambda: datetime.now(UTC),
        ecr=_ecr_client(),
    )


def handle(
    event: dict[str, Any],
    context: Any,
    *,
    config: EvaluateConfig,
    s3: Any,
    clock: Callable[[], datetime],
    ecr: Any = None,
) -> dict[str, Any]:
    """The handler with its dependencies injected (tests and the offline run call this)."""
    logger = Logger(service=config.service_name)
    metrics = build_metrics(config.metrics_namespace)

    @logger.inject_lambda_context(correlation_id_path=CORRELATION_ID_PATH, clear_state=True)
    @metrics.log_metrics
    def run(event: dict[str, Any], context: Any) -> dict[str, Any]:
        parsed = parse_event(event)
        evaluation = evaluate(parsed, s3=s3, config=config, now=clock(), ecr=ecr)
        record_metrics(metrics, evaluation)
        result = evaluation.result
        logger.info(
            "evaluated",
            extra={
                "endpoint_name": evaluation.endpoint_name,
                "decision": result.decision,
                "reasons": result.reasons,
                "report_uri": result.report_uri,
            },
        )
        return result.model_dump(mode="json")

    return run(event, context)


def parse_event(event: Any) -> EvaluateEvent:
    try:
        return parse(event=event, model=EvaluateEvent)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc']) or '(root)'}: {error['msg']}"
            for error in exc.errors()[:5]
        )
        raise InvalidEventError(f"EvaluateViolations event is invalid: {problems}") from None


@lru_cache(maxsize=1)
def _s3_client() -> Any:
    """Created on first use (never at import), reused by warm invocations."""
    return boto3.client("s3")


@lru_cache(maxsize=1)
def _ecr_client() -> Any:
    """Describes the analysis image's tag (its digest goes into provenance.json)."""
    return boto3.client("ecr")
