"""The model-quality section: select the labelled rows, measure, judge, present."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from drift_monitor.baseline_store import BaselineStore
from drift_monitor.dataset import Dataset
from drift_monitor.model_quality.judge import accuracy_threshold, check_constraints
from drift_monitor.model_quality.metrics import binary_classification_metrics, binary_outcomes
from drift_monitor.model_quality.settings import (
    CONSTRAINTS_KEY,
    SETTINGS_KEY,
    SUPPORTED_METRICS,
    QualitySettings,
)
from drift_monitor.report import model_quality as report
from drift_monitor.sections import SectionResult
from monitoring_contract import SectionName, SectionStatus

BASELINE_FILE = "model_quality_baseline.json"


@dataclass(frozen=True)
class LabelledRows:
    """The window's labelled rows, as the metrics need them."""

    y_true: np.ndarray  # bool, is positive class
    y_pred: np.ndarray  # bool
    scores: np.ndarray | None  # positive-class probability, NaN allowed
    labeled_count: int  # labelled rows with a prediction
    label_coverage: float  # labelled rows / all rows
    without_prediction: int  # labelled rows whose prediction is missing (left out)


def labelled_rows(window: Dataset) -> LabelledRows:
    """Select the labelled rows; labelled rows without a prediction are counted, not scored."""
    schema = window.schema
    labels = window.labels()
    predictions = window.predictions()
    labeled = ~np.isnan(labels)
    usable = labeled & ~np.isnan(predictions)
    positive = schema.positive_class
    y_true = binary_outcomes(
        labels[usable], positive, f"{window.ingest.source or 'window'} column {schema.label!r}"
    )
    y_pred = binary_outcomes(
        predictions[usable],
        positive,
        f"{window.ingest.source or 'window'} column {schema.prediction!r}",
    )
    scores = window.scores()
    if scores is not None:
        scores = scores[usable]  # already P(positive class), per the schema
    n_labeled = int(labeled.sum())
    return LabelledRows(
        y_true=y_true,
        y_pred=y_pred,
        scores=scores,
        labeled_count=int(usable.sum()),
        label_coverage=n_labeled / window.n_rows if window.n_rows else 0.0,
        without_prediction=n_labeled - int(usable.sum()),
    )


def _metrics_of(
    rows: LabelledRows, positive_class: int, settings: QualitySettings
) -> tuple[dict[str, Any], dict[str, str]]:
    return binary_classification_metrics(
        rows.y_true,
        rows.y_pred,
        rows.scores,
        positive_label=positive_class,
        level=settings.confidence_level,
        resamples=settings.bootstrap_resamples,
        seed=settings.seed,
    )


class ModelQualitySection:
    """Measured quality on labelled rows; see the package docstring."""

    name = str(SectionName.MODEL_QUALITY)

    def __init__(self, settings: QualitySettings | None = None) -> None:
        self._settings = settings

    def fit_baseline(self, reference: Dataset, baseline_dir: Path) -> dict:
        """Measure the baseline and derive the accuracy threshold (accuracy - tolerance)."""
        settings = self._settings or QualitySettings()
        rows = labelled_rows(reference)
        result: dict[str, Any] = {SETTINGS_KEY: asdict(settings)}
        summary: dict[str, Any] = {
            "labeled_count": rows.labeled_count,
            "label_coverage": rows.label_coverage,
        }
        if rows.labeled_count:
            metrics, undefined = _metrics_of(rows, reference.schema.positive_class, settings)
            summary.update(binary_classification_metrics=metrics, undefined_metrics=undefined)
        if rows.labeled_count >= settings.min_labeled_rows:
            baseline_accuracy = summary["binary_classification_metrics"]["accuracy"]["value"]
            threshold = max(0.0, baseline_accuracy - settings.accuracy_tolerance)
            result[CONSTRAINTS_KEY] = {
                "accuracy": {
                    "threshold": round(threshold, 6),
                    "comparison_operator": "LessThanThreshold",
                }
            }
            summary["status"] = SectionStatus.OK
        else:
            # No threshold from too few labels: the user may still set one by hand.
            summary["status"] = (
                SectionStatus.NO_LABELS
                if rows.labeled_count == 0
                else SectionStatus.INSUFFICIENT_DATA
            )
        BaselineStore(baseline_dir).write_json(BASELINE_FILE, summary)
        return result

    def analyse(self, window: Dataset, baseline_dir: Path, constraints: dict) -> SectionResult:
        settings = self._settings or QualitySettings.from_constraints(constraints)
        rows = labelled_rows(window)
        summary: dict[str, Any] = {
            "labeled_count": rows.labeled_count,
            "label_coverage": round(rows.label_coverage, 6),
            "accuracy_threshold": accuracy_threshold(constraints),
        }
        metric_lines = [
            {
                "MetricName": "model_quality_labeled_count",
                "Value": rows.labeled_count,
                "Unit": "Count",
            },
            {
                "MetricName": "model_quality_label_coverage",
                "Value": rows.label_coverage,
                "Unit": "None",
            },
        ]
        if rows.labeled_count == 0:
            summary["status"] = SectionStatus.NO_LABELS
            return SectionResult(
                statistics={},
                violations=[],
                metrics=metric_lines,
                report_html=_render(summary, None, {}, settings, rows),
                summary=summary,
            )
        metrics, undefined = _metrics_of(rows, window.schema.positive_class, settings)
        enough = rows.labeled_count >= settings.min_labeled_rows
        summary["status"] = SectionStatus.OK if enough else SectionStatus.INSUFFICIENT_DATA
        accuracy = metrics["accuracy"]
        summary["accuracy"] = accuracy["value"]
        summary["accuracy_ci"] = [
            accuracy["confidence_interval"]["lower"],
            accuracy["confidence_interval"]["upper"],
        ]
        violations = (
            check_constraints(metrics, constraints.get(CONSTRAINTS_KEY) or {}, rows.labeled_count)
            if enough
            else []
        )
        metric_lines += [
            {"MetricName": f"model_quality_{name}", "Value": metrics[name]["value"], "Unit": "None"}
            for name in SUPPORTED_METRICS
            if name in metrics
        ]
        return SectionResult(
            statistics={"binary_classification_metrics": _block(metrics, undefined, rows)},
            violations=violations,
            metrics=metric_lines,
            report_html=_render(summary, metrics, undefined, settings, rows),
            summary=summary,
        )


def _block(metrics: dict[str, Any], undefined: dict[str, str], rows: LabelledRows) -> dict:
    """statistics.json ``binary_classification_metrics``: Model Monitor's keys plus ours."""
    block = dict(metrics, labeled_count=rows.labeled_count, label_coverage=rows.label_coverage)
    if undefined:
        block["undefined_metrics"] = undefined
    if rows.without_prediction:
        block["labeled_rows_without_prediction"] = rows.without_prediction
    return block


def _render(
    summary: dict[str, Any],
    metrics: dict[str, Any] | None,
    undefined: dict[str, str],
    settings: QualitySettings,
    rows: LabelledRows,
) -> str:
    return report.render(
        summary,
        metrics,
        undefined,
        metric_names=SUPPORTED_METRICS,
        min_labeled_rows=settings.min_labeled_rows,
        labeled_count=rows.labeled_count,
        label_coverage=rows.label_coverage,
        without_prediction=rows.without_prediction,
    )
