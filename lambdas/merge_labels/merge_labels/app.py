"""AWS Lambda entry point (``merge_labels.app.lambda_handler``): wiring only.

Builds the configuration, the S3 client and the clock from the environment on the first
invocation (never at import time), validates the event strictly (:mod:`merge_labels.inputs`,
pydantic), and calls the pure
:func:`merge_labels.merge.merge_window`. Logs carry the execution name as correlation id;
metrics go out as CloudWatch EMF.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import boto3
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit

from merge_labels import config as config_module
from merge_labels.config import DEFAULT_METRICS_NAMESPACE, ENV_METRICS_NAMESPACE, MergeConfig
from merge_labels.inputs import parse_event
from merge_labels.merge import merge_window

SERVICE = "merge_labels"


def build_handler(
    env: Mapping[str, str], s3=None, clock: Callable[[], datetime] | None = None
) -> Callable[[dict, Any], dict]:
    """A Powertools-decorated handler bound to ``env``, an S3 client and a clock."""
    logger = Logger(service=SERVICE)
    metrics = Metrics(
        namespace=env.get(ENV_METRICS_NAMESPACE) or DEFAULT_METRICS_NAMESPACE, service=SERVICE
    )
    config = MergeConfig.from_env(env)
    client = s3 if s3 is not None else boto3.client("s3")
    now = clock or (lambda: datetime.now(UTC))

    @metrics.log_metrics
    @logger.inject_lambda_context(correlation_id_path="execution_name")
    def handler(event: dict, context: Any) -> dict:
        try:
            # Strict: a mistake in the execution input fails the run (MergeInputError with a
            # message saying what to send), never a silent default run.
            parsed = parse_event(event)
            result = merge_window(parsed, config, client, now())
        except Exception as exc:
            # A failure is a metric too, so an alarm can watch it; the error still propagates
            # to Step Functions (its class name is the task's error name).
            metrics.add_metric(name="MergeFailures", unit=MetricUnit.Count, value=1)
            logger.exception("merge failed", extra={"error_type": type(exc).__name__})
            raise
        metrics.add_dimension(name="Endpoint", value=result["endpoint_name"])
        metrics.add_metric(
            name="MergedRows", unit=MetricUnit.Count, value=result["merged_row_count"]
        )
        metrics.add_metric(
            name="LabeledRows", unit=MetricUnit.Count, value=result["labeled_row_count"]
        )
        metrics.add_metric(
            name="QuarantinedLines", unit=MetricUnit.Count, value=result["quarantined_line_count"]
        )
        # Capture quality: the QuarantinedShareAlarm (template.yaml) watches the share.
        metrics.add_metric(
            name="QuarantinedRecords",
            unit=MetricUnit.Count,
            value=result["quarantined_record_count"],
        )
        if result["capture_record_count"]:
            metrics.add_metric(
                name="QuarantinedShare",
                unit=MetricUnit.NoUnit,  # a share in [0, 1], as MAX_QUARANTINED_SHARE
                value=result["quarantined_share"],
            )
        logger.info(
            "merge finished",
            extra={
                "run_id": result["run_id"],
                "window": result["window"]["slug"],
                "merged_row_count": result["merged_row_count"],
            },
        )
        return result

    return handler


# Settings that shape the wiring: the handler is rebuilt when one of them changes, which in
# Lambda never happens (env is fixed per execution environment) but does in-process offline.
_WIRING_ENV = tuple(
    sorted(
        {value for name, value in vars(config_module).items() if name.startswith("ENV_")}
        | {
            "AWS_REGION",
            "AWS_DEFAULT_REGION",
            "AWS_ENDPOINT_URL",
            "AWS_ENDPOINT_URL_S3",
            "POWERTOOLS_SERVICE_NAME",
            "POWERTOOLS_LOG_LEVEL",
            "LOG_LEVEL",
        }
    )
)


# X-Ray (Tracing: Active in template.yaml): the invocation and its AWS calls (boto3 patched).
# Outside Lambda (tests, the offline run) Powertools disables it.
tracer = Tracer(service="merge_labels")


@lru_cache(maxsize=4)
def _handler_for(settings: tuple[tuple[str, str], ...]) -> Callable[[dict, Any], dict]:
    return build_handler(dict(settings))


@tracer.capture_lambda_handler
def lambda_handler(event: dict, context: Any) -> dict:
    """The function's handler; the wiring is built once per execution environment."""
    settings = tuple((name, os.environ[name]) for name in _WIRING_ENV if name in os.environ)
    return _handler_for(settings)(event, context)
