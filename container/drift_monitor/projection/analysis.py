"""One window's projection: the estimator the baseline supports, fitted to the window's mix.

The section (:mod:`drift_monitor.projection.section`) decides *whether* to project and turns
the result into outputs; this module decides *how*: which calibration (stored, or refitted
with importance weights), whether the feature-aware adjustment applies, which alternative
estimates the interval must also cover, and what the reliability test compares on the
labelled rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from drift_monitor.dataset import Dataset
from drift_monitor.errors import InputError
from drift_monitor.model_quality import binary_outcomes
from drift_monitor.projection import artefacts
from drift_monitor.projection.calibration import (
    CalibrationMap,
    bootstrap_maps_on_grid,
    fit_map,
)
from drift_monitor.projection.estimators import (
    GRID,
    ClassEstimator,
    ExpectedCorrect,
    Projection,
    ScoreEstimator,
    cbpe_accuracy,
    class_precision,
    widen,
)
from drift_monitor.projection.features import ClassShift, FeatureCalibrator, class_shift
from drift_monitor.projection.rows import frame, output_rows, sample_rows
from drift_monitor.projection.settings import ProjectionSettings
from drift_monitor.projection.shift import ShiftEstimate, estimate_shift
from drift_monitor.projection.wording import class_method, score_method


@dataclass(frozen=True)
class Rows:
    """A window's (or the reference sample's) rows with a model output.

    ``usable`` masks the table's rows; the other arrays are over the usable rows only.
    """

    window: Dataset
    usable: np.ndarray
    predicted_positive: np.ndarray
    scores: np.ndarray | None
    labels: np.ndarray  # float 0/1, NaN where not (yet) labelled
    labeled: np.ndarray

    @classmethod
    def of(cls, window: Dataset) -> Rows:
        usable, predicted_positive, scores = output_rows(window)
        labels = window.labels()[usable]
        return cls(window, usable, predicted_positive, scores, labels, ~np.isnan(labels))


@dataclass(frozen=True)
class Estimate:
    """The window's projection, how it was made, and the estimator's expectation on the
    labelled rows (None without labels)."""

    projection: Projection
    method: str
    expected: ExpectedCorrect | None


@dataclass(frozen=True)
class Reference:
    """The baseline's labelled reference rows: what the calibration and the weights use."""

    rows: Rows
    outcome: np.ndarray  # is positive class, labelled rows only

    @classmethod
    def load(cls, baseline_dir: Path, window: Dataset) -> Reference:
        rows = Rows.of(artefacts.load_reference(baseline_dir, window))
        outcome = binary_outcomes(
            rows.labels[rows.labeled],
            window.schema.positive_class,
            f"{baseline_dir / artefacts.REFERENCE_FILE} column {window.schema.label!r}",
        )
        return cls(rows, outcome)

    def labeled_scores(self) -> np.ndarray:
        if self.rows.scores is None:
            raise InputError(
                f"{artefacts.REFERENCE_FILE}: the reference sample has no scores; rebuild the "
                f"baseline"
            )
        return self.rows.scores[self.rows.labeled]


def window_shift(
    reference: Reference, rows: Rows, settings: ProjectionSettings
) -> ShiftEstimate | None:
    """Domain classifier between the labelled baseline rows and (a sample of) the window."""
    ref_rows = np.flatnonzero(reference.rows.usable)[reference.rows.labeled]
    cur_rows = np.flatnonzero(rows.usable)
    cur_rows = cur_rows[sample_rows(cur_rows.size, settings.domain_classifier_rows, settings.seed)]
    if ref_rows.size < 20 or cur_rows.size < 20:
        return None
    return estimate_shift(
        frame(reference.rows.window, ref_rows),
        frame(rows.window, cur_rows),
        max_rows=settings.domain_classifier_rows,
        seed=settings.seed,
    )


def estimate_from_classes(
    reference: Reference, rows: Rows, weights: np.ndarray | None, settings: ProjectionSettings
) -> Estimate:
    """Class-only output: the baseline's per-class accuracy (importance-weighted if asked)."""
    ref_predicted = reference.rows.predicted_positive[reference.rows.labeled]
    baseline = class_precision(ref_predicted, reference.outcome == ref_predicted, weights)
    estimator = ClassEstimator(baseline, settings.bootstrap_resamples, settings.seed)
    projection = estimator.project(rows.predicted_positive, level=settings.confidence_level)
    expected = (
        estimator.expected(rows.predicted_positive[rows.labeled]) if rows.labeled.any() else None
    )
    return Estimate(projection, class_method(weights is not None), expected)


def estimate_from_scores(
    document: dict,
    reference: Reference,
    rows: Rows,
    scores: np.ndarray,
    shift: ShiftEstimate | None,
    weights: np.ndarray | None,
    settings: ProjectionSettings,
    baseline_dir: Path,
) -> Estimate:
    """CBPE, adjusted by the feature-aware calibration where the baseline chose it, its
    interval widened by the alternative estimates."""
    calibration, draws = _calibration(document, reference, weights, settings, baseline_dir)
    estimator = ScoreEstimator(calibration, draws)
    predicted_positive = rows.predicted_positive
    adjustment = labeled_adjustment = None
    if uses_feature_calibration(document, settings):
        calibrator = artefacts.load_feature_calibrator(baseline_dir, rows.window.schema)
        adjustment = _feature_shift(
            calibrator, calibration, rows, scores, np.arange(scores.size), settings
        )
        if rows.labeled.any():
            labeled_adjustment = _feature_shift(
                calibrator, calibration, rows, scores, np.flatnonzero(rows.labeled), settings
            )
    calibrated = calibration.apply(scores)  # once per window, reused below
    projection = estimator.project(
        scores,
        predicted_positive,
        level=settings.confidence_level,
        seed=settings.seed,
        adjustment=adjustment,
        probabilities=calibrated,
    )
    alternatives = {}
    if adjustment is not None:
        alternatives["score_only"] = cbpe_accuracy(
            calibration, scores, predicted_positive, calibrated
        )
    if shift is not None:
        key, other = _other_weighting(document, reference, calibration, shift, weights, settings)
        alternatives[key] = cbpe_accuracy(other, scores, predicted_positive)
    if alternatives:
        sensitivity = max(abs(value - projection.accuracy) for value in alternatives.values())
        projection = widen(projection, sensitivity, settings.confidence_level, alternatives)
    expected = (
        estimator.expected(
            scores[rows.labeled],
            predicted_positive[rows.labeled],
            labeled_adjustment,
            calibrated[rows.labeled],
        )
        if rows.labeled.any()
        else None
    )
    method = score_method(calibration.method, weights is not None, adjustment is not None)
    return Estimate(projection, method, expected)


def uses_feature_calibration(document: dict, settings: ProjectionSettings) -> bool:
    """The baseline's verdict (``auto``), unless the settings say ``never`` or ``always``."""
    verdict = document.get("feature_calibration") or {}
    if settings.feature_calibration == "never":
        return False
    if settings.feature_calibration == "always":
        return "out_of_fold_brier_feature_aware" in verdict  # its model was stored
    return bool(verdict.get("use"))


def _calibration(
    document: dict,
    reference: Reference,
    weights: np.ndarray | None,
    settings: ProjectionSettings,
    baseline_dir: Path,
) -> tuple[CalibrationMap, np.ndarray]:
    """The map and its bootstrap draws: stored ones, or refitted with importance weights."""
    stored = artefacts.stored_calibration(document)
    if weights is None:
        return stored, artefacts.load_draws(baseline_dir)
    scores, outcome = reference.labeled_scores(), reference.outcome.astype(float)
    calibration = fit_map(stored.method, scores, outcome, weights, seed=settings.seed)
    draws = bootstrap_maps_on_grid(
        stored.method,
        scores,
        outcome,
        GRID,
        resamples=settings.bootstrap_resamples,
        seed=settings.seed,
        weights=weights,
    )
    return calibration, draws


def _other_weighting(
    document: dict,
    reference: Reference,
    calibration: CalibrationMap,
    shift: ShiftEstimate,
    weights: np.ndarray | None,
    settings: ProjectionSettings,
) -> tuple[str, CalibrationMap]:
    """The alternative the interval must also cover: the other choice of importance
    weighting (weighted if we did not weight, and not if we did)."""
    if weights is not None:
        return "unweighted", artefacts.stored_calibration(document)
    weighted = fit_map(
        calibration.method,
        reference.labeled_scores(),
        reference.outcome.astype(float),
        shift.reference_weights,
        seed=settings.seed,
    )
    return "importance_weighted", weighted


def _feature_shift(
    calibrator: FeatureCalibrator,
    calibration: CalibrationMap,
    rows: Rows,
    scores: np.ndarray,
    positions: np.ndarray,
    settings: ProjectionSettings,
) -> ClassShift:
    """Feature-aware minus score-only P(positive) on a uniform sample of ``positions``."""
    predicted_positive = rows.predicted_positive
    sample = positions[
        sample_rows(positions.size, settings.feature_calibration_rows, settings.seed)
    ]
    p_features = calibrator.predict(
        frame(rows.window, np.flatnonzero(rows.usable)[sample]), scores[sample]
    )
    population = np.array(
        [np.sum(~predicted_positive[positions]), np.sum(predicted_positive[positions])]
    )
    return class_shift(
        p_features - calibration.apply(scores[sample]), predicted_positive[sample], population
    )
