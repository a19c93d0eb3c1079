"""CloudWatch metrics (EMF through Powertools) for the alarm and the dashboard.

Every metric has exactly one dimension, ``Endpoint`` (no ``service`` dimension), so an alarm on
``{Namespace, MetricName, Endpoint}`` matches whatever POWERTOOLS_SERVICE_NAME is set to.
"""

from __future__ import annotations

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit

from evaluate_violations.evaluation import Evaluation

DIMENSION_ENDPOINT = "Endpoint"
METRIC_VIOLATION_COUNT = "ViolationCount"
METRIC_ACCURACY = "Accuracy"
METRIC_PROJECTED_ACCURACY = "ProjectedAccuracy"
METRIC_DRIFTED_FEATURE_COUNT = "DriftedFeatureCount"
METRIC_DECISION = "Decision"
DECISION_CODES = {"healthy": 0, "notify": 1, "retrain": 2}


def build_metrics(namespace: str) -> Metrics:
    """``service=""`` keeps Powertools from adding a ``service`` dimension."""
    return Metrics(namespace=namespace, service="")


def record_metrics(metrics: Metrics, evaluation: Evaluation) -> None:
    """Accuracy metrics are only published when measured: a missing point is not a zero."""
    result = evaluation.result
    metrics.add_dimension(name=DIMENSION_ENDPOINT, value=evaluation.endpoint_name)
    metrics.add_metric(
        name=METRIC_VIOLATION_COUNT, unit=MetricUnit.Count, value=evaluation.violation_count
    )
    metrics.add_metric(
        name=METRIC_DRIFTED_FEATURE_COUNT,
        unit=MetricUnit.Count,
        value=evaluation.drifted_feature_count,
    )
    metrics.add_metric(
        name=METRIC_DECISION, unit=MetricUnit.NoUnit, value=DECISION_CODES[result.decision]
    )
    if result.actual_accuracy is not None:
        metrics.add_metric(
            name=METRIC_ACCURACY, unit=MetricUnit.NoUnit, value=result.actual_accuracy
        )
    if result.projected_accuracy is not None:
        metrics.add_metric(
            name=METRIC_PROJECTED_ACCURACY, unit=MetricUnit.NoUnit, value=result.projected_accuracy
        )
