"""Section ``projection``: thin orchestration of the baseline fit and one window's analysis.

The estimation is in :mod:`drift_monitor.projection.analysis`, the words in
:mod:`drift_monitor.projection.wording`, the HTML in :mod:`drift_monitor.report.projection`;
here the result becomes ``statistics.json`` entries, violations, metrics and the summary.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

from threadpoolctl import threadpool_limits

from drift_monitor.dataset import Dataset
from drift_monitor.model_quality import accuracy_threshold, binary_outcomes
from drift_monitor.projection import artefacts
from drift_monitor.projection.analysis import (
    Estimate,
    Reference,
    Rows,
    estimate_from_classes,
    estimate_from_scores,
    window_shift,
)
from drift_monitor.projection.baseline import fit_baseline
from drift_monitor.projection.estimators import ExpectedCorrect, Reliability, reliability_test
from drift_monitor.projection.settings import ProjectionSettings
from drift_monitor.projection.wording import (
    CONCEPT_DRIFT_CAVEAT,
    RELIABILITY_TEST,
    not_projectable,
    projected_accuracy_description,
    reliability_description,
    rests_on,
)
from drift_monitor.report.projection import projection_html
from drift_monitor.sections import SectionResult
from monitoring_contract import CheckType, SectionName, SectionStatus, Violation

STATISTICS_KEY = "projected_binary_classification_metrics"


class ProjectionSection:
    """Projected accuracy on unlabelled rows; see the package docstring."""

    name = str(SectionName.PROJECTION)

    def __init__(self, settings: ProjectionSettings | None = None) -> None:
        self._settings = settings

    def fit_baseline(self, reference: Dataset, baseline_dir: Path) -> dict:
        """Fit and check the calibration; store it and a reference sample (JSON + Parquet)."""
        return fit_baseline(reference, Path(baseline_dir), self._settings or ProjectionSettings())

    def analyse(self, window: Dataset, baseline_dir: Path, constraints: dict) -> SectionResult:
        # Single-threaded BLAS/OpenMP: the fits here are small, and thread spin-waiting on a
        # shared host costs far more than it gains.
        with threadpool_limits(limits=1):
            return self._analyse(window, Path(baseline_dir), constraints)

    def _analyse(self, window: Dataset, baseline_dir: Path, constraints: dict) -> SectionResult:
        settings = self._settings or ProjectionSettings.from_constraints(constraints)
        document = artefacts.load_document(baseline_dir)
        threshold = accuracy_threshold(constraints)
        rows = Rows.of(window)
        reason = not_projectable(document, rows.scores, rows.predicted_positive, settings)
        if reason:
            return _not_projectable_result(*reason, threshold)
        reference = Reference.load(baseline_dir, window)
        shift = window_shift(reference, rows, settings)
        weights = (
            shift.reference_weights
            if (shift is not None and settings.shift_correction == "importance_weighting")
            else None
        )
        estimate = (
            estimate_from_classes(reference, rows, weights, settings)
            if rows.scores is None
            else estimate_from_scores(
                document, reference, rows, rows.scores, shift, weights, settings, baseline_dir
            )
        )
        projection = estimate.projection
        facts = rests_on(document, shift, projection, settings, rows.scores is None)
        statistics = _statistics(estimate, facts, settings)
        violations = []
        if threshold is not None and projection.upper < threshold:
            description = projected_accuracy_description(
                projection, settings.confidence_level, threshold, facts["sentence"]
            )
            violations.append(
                _violation(
                    CheckType.PROJECTED_ACCURACY, description, projection.accuracy, threshold
                )
            )
        if estimate.expected is not None:
            reliability = _reliability(rows, estimate.expected)
            statistics["measured_vs_projected"] = _reliability_entry(reliability, settings)
            violations.extend(_reliability_violations(reliability, settings))
        summary: dict[str, Any] = {
            "accuracy_threshold": threshold,
            "status": SectionStatus.OK,
            "projected_accuracy": round(projection.accuracy, 6),
            "interval": [round(projection.lower, 6), round(projection.upper, 6)],
            "rests_on": facts["sentence"],
        }
        metrics = [
            {"MetricName": "projected_accuracy", "Value": projection.accuracy, "Unit": "None"},
            {"MetricName": "projected_accuracy_lower", "Value": projection.lower, "Unit": "None"},
        ]
        return SectionResult(
            statistics={STATISTICS_KEY: statistics},
            violations=violations,
            metrics=metrics,
            report_html=projection_html(statistics, summary),
            summary=summary,
        )


def _not_projectable_result(
    status: SectionStatus, sentence: str, threshold: float | None
) -> SectionResult:
    statistics = {"status": status, "reason": sentence, "caveat": CONCEPT_DRIFT_CAVEAT}
    summary = {
        "accuracy_threshold": threshold,
        "status": status,
        "projected_accuracy": None,
        "interval": None,
        "rests_on": sentence,
    }
    return SectionResult(
        statistics={STATISTICS_KEY: statistics},
        report_html=projection_html(statistics, summary),
        summary=summary,
    )


def _statistics(estimate: Estimate, facts: dict, settings: ProjectionSettings) -> dict:
    """``statistics.json`` → ``projected_binary_classification_metrics`` (before the
    measured-vs-projected test is added)."""
    projection, method = estimate.projection, estimate.method
    statistics: dict[str, Any] = {
        "status": SectionStatus.OK,
        "accuracy": {
            "value": projection.accuracy,
            "confidence_interval": {
                "lower": projection.lower,
                "upper": projection.upper,
                "level": settings.confidence_level,
                "method": "parametric bootstrap, normal interval",
            },
            "standard_deviation": projection.std,
            "method": method,
            "rests_on": facts,
        },
        "caveat": CONCEPT_DRIFT_CAVEAT,
    }
    for name, metric in projection.metrics.items():
        statistics[name] = {
            "value": metric["value"],
            "confidence_interval": {
                "lower": metric["lower"],
                "upper": metric["upper"],
                "level": settings.confidence_level,
                "method": "parametric bootstrap",
            },
            "method": method,
        }
    return statistics


def _reliability(rows: Rows, expected: ExpectedCorrect) -> Reliability:
    """Measured vs projected correct count on the window's labelled rows."""
    labeled = rows.labeled
    correct = (
        binary_outcomes(rows.labels[labeled], rows.window.schema.positive_class, "window labels")
        == rows.predicted_positive[labeled]
    )
    return reliability_test(correct, expected)


def _reliability_entry(reliability: Reliability, settings: ProjectionSettings) -> dict:
    return {
        **asdict(reliability),
        "test": RELIABILITY_TEST,
        "enough_labeled_rows": bool(
            reliability.labeled_rows >= settings.min_labeled_rows_for_reliability
        ),
        "alpha": settings.reliability_alpha,
        "min_gap": settings.reliability_min_gap,
    }


def _reliability_violations(
    reliability: Reliability, settings: ProjectionSettings
) -> list[dict[str, Any]]:
    """``projection_reliability_check`` when the gap is significant, large enough, and
    measured on enough labelled rows."""
    gap = abs(reliability.measured_accuracy - reliability.projected_accuracy)
    if not (
        reliability.labeled_rows >= settings.min_labeled_rows_for_reliability
        and reliability.p_value < settings.reliability_alpha
        and gap >= settings.reliability_min_gap
    ):
        return []
    description = reliability_description(
        reliability.labeled_rows,
        reliability.measured_accuracy,
        reliability.projected_accuracy,
        reliability.z,
        reliability.p_value,
        gap,
        settings,
    )
    return [
        _violation(
            CheckType.PROJECTION_RELIABILITY,
            description,
            reliability.measured_accuracy,
            reliability.projected_accuracy,
        )
    ]


def _violation(
    check: CheckType, description: str, observed: float, threshold: float
) -> dict[str, Any]:
    return Violation(
        feature_name="accuracy",
        constraint_check_type=check,
        description=description,
        observed=observed,
        threshold=threshold,
    ).to_json()
