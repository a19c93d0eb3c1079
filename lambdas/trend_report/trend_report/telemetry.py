"""CloudWatch metrics (EMF through Powertools) of the window just evaluated, for the dashboard
and the alarms in template.yaml.

EvaluateViolations already publishes ``Accuracy``, ``ProjectedAccuracy``, ``DriftedFeatureCount``
and ``Decision``; this adds what only the window record has: the accuracy floor (so an alarm can
compare with whatever floor the baseline sets), the upper ends of the accuracy intervals, label
coverage, the dataset-drift AUC, one ``FeatureDriftScore`` per top feature (dimension
``Feature``) and a count per decision (dimension ``Decision``: executions by outcome). A missing
value is not published (never a 0).
"""

from __future__ import annotations

from collections.abc import Iterable

from aws_lambda_powertools.metrics import MetricUnit, single_metric

from trend_report.charts import top_features
from trend_report.records import WindowPoint

DIMENSION_ENDPOINT = "Endpoint"
DIMENSION_FEATURE = "Feature"
DIMENSION_DECISION = "Decision"
METRIC_ACCURACY_FLOOR = "AccuracyFloor"
# Upper ends of the 95% intervals, only with a verdict (enough labelled rows / a projection):
# an alarm on "upper end below the floor" fires only when the whole interval is under it.
METRIC_ACCURACY_UPPER = "AccuracyUpper"
METRIC_PROJECTED_ACCURACY_UPPER = "ProjectedAccuracyUpper"
METRIC_LABEL_COVERAGE = "LabelCoverage"
METRIC_DATASET_DRIFT_AUC = "DatasetDriftAUC"
METRIC_FEATURE_DRIFT_SCORE = "FeatureDriftScore"
METRIC_WINDOW_DECISIONS = "WindowDecisions"


def _emit(namespace: str, name: str, value: float, unit: MetricUnit, **dimensions: str) -> None:
    with single_metric(name=name, unit=unit, value=value, namespace=namespace) as metric:
        for key, dimension in dimensions.items():
            metric.add_dimension(name=key, value=dimension)


def record_window_metrics(
    namespace: str, endpoint: str, window: WindowPoint, history: Iterable[WindowPoint]
) -> None:
    """``history`` ranks the features (the page's top five) so the dashboard's lines persist."""
    endpoint_only = {DIMENSION_ENDPOINT: endpoint}
    for name, value in (
        (METRIC_ACCURACY_FLOOR, window.accuracy_threshold),
        (METRIC_ACCURACY_UPPER, _upper(window.accuracy.interval)),
        (METRIC_PROJECTED_ACCURACY_UPPER, _upper(window.projected.interval)),
        (METRIC_LABEL_COVERAGE, window.label_coverage),
        (METRIC_DATASET_DRIFT_AUC, window.dataset_auc),
    ):
        if value is not None:
            _emit(namespace, name, value, MetricUnit.NoUnit, **endpoint_only)
    scores = {f.name: f.score for f in window.features}
    for feature in top_features(list(history)):
        score = scores.get(feature)
        if score is not None:
            _emit(
                namespace,
                METRIC_FEATURE_DRIFT_SCORE,
                score,
                MetricUnit.NoUnit,
                **endpoint_only,
                **{DIMENSION_FEATURE: feature},
            )
    _emit(
        namespace,
        METRIC_WINDOW_DECISIONS,
        1,
        MetricUnit.Count,
        **endpoint_only,
        **{DIMENSION_DECISION: window.decision},
    )


def _upper(interval: tuple[float, float] | None) -> float | None:
    return None if interval is None else interval[1]
