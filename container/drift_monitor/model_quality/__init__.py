"""Section ``model_quality``: measured quality on the rows whose ground truth has arrived.

Accuracy, precision, recall, F1 and ROC AUC on the labelled rows of the window, each with a
confidence interval (methods and reasons in :mod:`drift_monitor.quality_intervals`), written in
Model Monitor's model-quality format (``binary_classification_metrics``) plus our keys
(``confidence_interval``, ``labeled_count``, ``label_coverage``). A ``model_quality_check``
violation is raised only when the *whole* interval is on the wrong side of a constraint's
threshold (for ``LessThanThreshold``: the upper end is below it — a one-sided test at level
(1 - confidence_level) / 2) and at least ``min_labeled_rows`` labelled rows support it; fewer
rows give status ``insufficient_data``, no labels at all ``no_labels``, never a verdict.

``settings`` (constraints.json keys), ``metrics`` (measuring), ``judge`` (thresholds),
``section``; the HTML is :mod:`drift_monitor.report.model_quality`.
"""

from drift_monitor.model_quality.judge import accuracy_threshold, check_constraints
from drift_monitor.model_quality.metrics import (
    MIN_ROWS_FOR_STD,
    binary_classification_metrics,
    binary_outcomes,
)
from drift_monitor.model_quality.section import (
    BASELINE_FILE,
    LabelledRows,
    ModelQualitySection,
    labelled_rows,
)
from drift_monitor.model_quality.settings import (
    CONSTRAINTS_KEY,
    OPERATORS,
    SETTINGS_KEY,
    SUPPORTED_METRICS,
    QualitySettings,
)

__all__ = [
    "BASELINE_FILE",
    "CONSTRAINTS_KEY",
    "MIN_ROWS_FOR_STD",
    "OPERATORS",
    "SETTINGS_KEY",
    "SUPPORTED_METRICS",
    "LabelledRows",
    "ModelQualitySection",
    "QualitySettings",
    "accuracy_threshold",
    "binary_classification_metrics",
    "binary_outcomes",
    "check_constraints",
    "labelled_rows",
]
