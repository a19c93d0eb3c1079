"""Section ``projection``: the accuracy the window's rows will show once their labels arrive.

Method (probability output): confidence-based performance estimation (CBPE; NannyML's
method) on a calibration map fitted on the baseline's labelled rows
(:mod:`drift_monitor.projection_calibration`). Each row is correct with probability
c = cal(score) if it is predicted positive, 1 - cal(score) otherwise, so the projected accuracy
is mean(c) over the window's rows. Where the baseline supports it, the calibration is
conditional on the features as well as the score (:mod:`drift_monitor.projection_features`),
because P(label | score) moves under covariate shift while P(label | features, score) does
not. With ``shift_correction = "importance_weighting"`` the score map is refitted on the
baseline rows weighted by the baseline-to-window density ratio of a domain classifier
(:mod:`drift_monitor.projection_shift`), so the calibration is the one the window's feature mix
would have.

Class-only output: no confidence to calibrate. What is projected is
sum_k share_k(window) x precision_k(baseline), the baseline's accuracy within each predicted
class reweighted by the window's predicted-class mix (importance-weighted like the above when
enabled).

Interval: a parametric bootstrap that combines (a) the calibration's own uncertainty (the map
refitted on bootstrap resamples of the baseline's labelled rows), (b) the binomial noise of
the labels still to come (each row's outcome drawn from its calibrated probability) and (c) the
sampling noise of the feature-aware adjustment; it is then widened by the largest disagreement
with the alternative estimates (score-only, importance-weighted). It is therefore an interval
for the accuracy these very rows will show, at ``confidence_level``.
Cost: the rows enter through a 1,001-cell score histogram, so the bootstrap is
O(resamples x 1,001) whatever the window size; the point estimate is exact over all rows.

What it cannot see: concept drift (P(label | features) changing). Rows whose labels have
arrived test that directly: measured and projected correct counts on the same rows are
compared with a z-test whose variance is the bootstrap's, and a significant gap raises
``projection_reliability_check``.
"""

from __future__ import annotations

import html
import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from scipy import stats
from threadpoolctl import threadpool_limits

from column_schema import ColumnSchema
from drift_monitor.errors import InputError
from drift_monitor.model_quality import accuracy_threshold, binary_outcomes
from drift_monitor.projection_calibration import (
    CANDIDATES,
    CalibrationMap,
    bootstrap_maps_on_grid,
    choose_calibration,
    fit_map,
)
from drift_monitor.projection_features import (
    ClassShift,
    FeatureCalibrator,
    class_shift,
    compare_out_of_fold,
    fit_feature_calibrator,
)
from drift_monitor.projection_shift import ShiftEstimate, estimate_shift
from drift_monitor.quality_intervals import wilson_interval, z_value
from drift_monitor.sections import SectionResult
from drift_monitor.window import WindowData

SECTION_NAME = "projection"
SETTINGS_KEY = "projection_settings"
BASELINE_FILE = "projection_baseline.json"
REFERENCE_FILE = "projection_reference.parquet"
DRAWS_FILE = "projection_calibration_draws.parquet"
FEATURE_MODEL_FILE = "projection_feature_calibration.json"
# Rows of each class the feature-aware calibration's 5-fold comparison needs (each fold's
# early-stopping split is stratified and needs both classes on both sides).
MIN_ROWS_PER_CLASS = 50
GRID = np.linspace(0.0, 1.0, 1001)
SHIFT_CORRECTIONS = ("none", "importance_weighting")
FEATURE_CALIBRATION = ("auto", "always", "never")
CONCEPT_DRIFT_CAVEAT = (
    "A projection from the model's outputs and the features cannot see concept drift: if the "
    "relation between features and label has changed, the projected accuracy is wrong while "
    "looking confident. Measured accuracy on labelled rows takes precedence wherever labels "
    "have arrived."
)


@dataclass(frozen=True)
class ProjectionSettings:
    """User-editable settings, stored in constraints.json under ``projection_settings``."""

    min_rows: int = 100  # rows with an output needed to project
    min_baseline_labeled_rows: int = 200  # labelled baseline rows needed to calibrate
    confidence_level: float = 0.95
    shift_correction: str = "none"
    calibration: str = "isotonic"  # or identity / platt / bagged_isotonic / auto
    feature_calibration: str = "auto"  # auto: if it wins out of fold on the baseline
    feature_calibration_alpha: float = 0.01  # ... significantly (one-sided paired t-test)
    min_feature_calibration_rows: int = 1000  # labelled baseline rows it needs
    feature_calibration_rows: int = 10000  # window rows the feature-aware model scores
    reliability_alpha: float = 0.01  # significance of the measured-vs-projected test
    reliability_min_gap: float = 0.02  # and the gap it must reach (accuracy points):
    # at 1M labelled rows a 0.3-point gap is
    # "significant" but no reason to distrust
    min_labeled_rows_for_reliability: int = 100
    bootstrap_resamples: int = 200
    domain_classifier_rows: int = 5000  # subsample per side for the domain classifier
    reference_rows: int = 20000  # baseline rows kept in projection_reference
    seed: int = 0

    @classmethod
    def from_constraints(cls, constraints: dict) -> ProjectionSettings:
        raw = constraints.get(SETTINGS_KEY) or {}
        if not isinstance(raw, dict):
            raise InputError(f"constraints.json: {SETTINGS_KEY} must be an object")
        defaults = asdict(cls())
        unknown = sorted(set(raw) - set(defaults))
        if unknown:
            raise InputError(f"constraints.json: {SETTINGS_KEY} has unknown keys {unknown}")
        values = dict(defaults)
        for key, value in raw.items():
            kind = type(defaults[key])
            try:
                values[key] = kind(value)
            except (TypeError, ValueError) as exc:
                raise InputError(
                    f"constraints.json: {SETTINGS_KEY}.{key}: expected "
                    f"{kind.__name__}, got {value!r}"
                ) from exc
        settings = cls(**values)
        if settings.calibration not in (*CANDIDATES, "auto"):
            raise InputError(
                f"constraints.json: {SETTINGS_KEY}.calibration must be one of "
                f"{(*CANDIDATES, 'auto')}"
            )
        if settings.feature_calibration not in FEATURE_CALIBRATION:
            raise InputError(
                f"constraints.json: {SETTINGS_KEY}.feature_calibration must be one "
                f"of {FEATURE_CALIBRATION}"
            )
        if settings.shift_correction not in SHIFT_CORRECTIONS:
            raise InputError(
                f"constraints.json: {SETTINGS_KEY}.shift_correction must be one "
                f"of {SHIFT_CORRECTIONS}"
            )
        if not 0 < settings.feature_calibration_alpha < 1:
            raise InputError(
                f"constraints.json: {SETTINGS_KEY}.feature_calibration_alpha must be in (0, 1)"
            )
        if not 0 <= settings.reliability_min_gap < 1:
            raise InputError(
                f"constraints.json: {SETTINGS_KEY}.reliability_min_gap must be in [0, 1)"
            )
        if not 0.5 <= settings.confidence_level < 1 or not 0 < settings.reliability_alpha < 1:
            raise InputError(
                f"constraints.json: {SETTINGS_KEY}: confidence_level must be in "
                f"[0.5, 1) and reliability_alpha in (0, 1)"
            )
        if (
            min(
                settings.min_rows,
                settings.bootstrap_resamples,
                settings.reference_rows,
                settings.domain_classifier_rows,
                settings.min_baseline_labeled_rows,
                settings.feature_calibration_rows,
                settings.min_feature_calibration_rows,
            )
            < 1
        ):
            raise InputError(
                f"constraints.json: {SETTINGS_KEY}: row counts and "
                f"bootstrap_resamples must be positive"
            )
        return settings


# --- pure estimators -------------------------------------------------------------------------


def score_histogram(scores: np.ndarray, predicted_positive: np.ndarray) -> np.ndarray:
    """Counts of rows per (predicted class, nearest grid score): array (2, GRID.size)."""
    cells = np.rint(np.clip(scores, 0.0, 1.0) * (GRID.size - 1)).astype(np.int64)
    pos = np.bincount(cells[predicted_positive], minlength=GRID.size)
    neg = np.bincount(cells[~predicted_positive], minlength=GRID.size)
    return np.vstack([neg, pos]).astype(np.int64)


@dataclass(frozen=True)
class Projection:
    accuracy: float
    lower: float
    upper: float
    std: float
    metrics: dict  # precision/recall/f1 {"value", "lower", "upper"}
    n_rows: int
    sensitivity: float = 0.0  # the largest |alternative estimate - this estimate|
    alternatives: dict = field(default_factory=dict)  # name -> alternative estimate


def _interval(point: float, draws: np.ndarray, level: float) -> tuple[float, float, float]:
    std = float(np.std(draws, ddof=1)) if draws.size > 1 else math.nan
    half = z_value(level) * std
    return max(0.0, point - half), min(1.0, point + half), std


def widen(
    projection: Projection, sensitivity: float, level: float, alternatives: dict | None = None
) -> Projection:
    """Add a model-uncertainty term in quadrature: half-width z * sqrt(std^2 + sensitivity^2).

    ``sensitivity`` is how far the alternative estimates (score-only calibration, the baseline
    reweighted to the window's feature mix) lie from this one: zero when the calibration
    transfers, large when the window sits where the baseline has few rows. Without it the
    interval only knows sampling noise.
    """
    std = math.sqrt(projection.std**2 + sensitivity**2)
    half = z_value(level) * std
    return Projection(
        projection.accuracy,
        max(0.0, projection.accuracy - half),
        min(1.0, projection.accuracy + half),
        std,
        projection.metrics,
        projection.n_rows,
        sensitivity,
        dict(alternatives or {}),
    )


def project_from_scores(
    scores: np.ndarray,
    predicted_positive: np.ndarray,
    calibration: CalibrationMap,
    map_draws: np.ndarray,
    *,
    level: float = 0.95,
    seed: int = 0,
    adjustment: ClassShift | None = None,
) -> Projection:
    """CBPE with a parametric-bootstrap interval (see the module docstring).

    ``map_draws`` (resamples, GRID.size): bootstrap calibration maps evaluated on ``GRID``.
    ``adjustment``: the feature-aware calibration's mean change of P(positive) per predicted
    class, added to the expected true-positive and false-negative counts (and its sampling
    noise to their draws).
    """
    p = calibration.apply(scores)  # P(positive), all rows, vectorised
    n = int(scores.size)
    histogram = score_histogram(scores, predicted_positive)
    n_pred_pos = int(histogram[1].sum())
    n_pred_neg = int(histogram[0].sum())
    exp_tp = float(p[predicted_positive].sum())
    exp_fn = float(p[~predicted_positive].sum())
    rng = np.random.default_rng(seed)
    # Outcomes drawn per histogram cell from each bootstrap map: (resamples, GRID.size).
    tp = rng.binomial(histogram[1][None, :], map_draws).sum(axis=1).astype(np.float64)
    fn = rng.binomial(histogram[0][None, :], map_draws).sum(axis=1).astype(np.float64)
    if adjustment is not None:
        exp_tp = float(np.clip(exp_tp + n_pred_pos * adjustment.mean[1], 0, n_pred_pos))
        exp_fn = float(np.clip(exp_fn + n_pred_neg * adjustment.mean[0], 0, n_pred_neg))
        sd = np.sqrt(adjustment.variance) * np.array([n_pred_neg, n_pred_pos])
        tp = np.clip(
            tp + n_pred_pos * adjustment.mean[1] + rng.normal(0.0, sd[1], tp.size), 0, n_pred_pos
        )
        fn = np.clip(
            fn + n_pred_neg * adjustment.mean[0] + rng.normal(0.0, sd[0], fn.size), 0, n_pred_neg
        )
    exp_fp = n_pred_pos - exp_tp
    accuracy = (exp_tp + n_pred_neg - exp_fn) / n
    acc_draws = (tp + (n_pred_neg - fn)) / n
    lower, upper, std = _interval(accuracy, acc_draws, level)
    metrics = {}
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio_draws = {
            "precision": (
                exp_tp / n_pred_pos if n_pred_pos else math.nan,
                tp / n_pred_pos if n_pred_pos else None,
            ),
            "recall": (
                exp_tp / (exp_tp + exp_fn) if exp_tp + exp_fn > 0 else math.nan,
                tp / (tp + fn),
            ),
            "f1": (
                2 * exp_tp / (2 * exp_tp + exp_fp + exp_fn)
                if 2 * exp_tp + exp_fp + exp_fn > 0
                else math.nan,
                2 * tp / (2 * tp + (n_pred_pos - tp) + fn),
            ),
        }
    for name, (value, draws) in ratio_draws.items():
        if draws is None or math.isnan(value):
            continue
        draws = np.asarray(draws, dtype=float)
        lo, hi, _ = _interval(value, draws[~np.isnan(draws)], level)
        metrics[name] = {"value": value, "lower": lo, "upper": hi}
    return Projection(accuracy, lower, upper, std, metrics, n)


@dataclass(frozen=True)
class ClassPrecision:
    """Baseline accuracy within each predicted class (index 0 = negative, 1 = positive)."""

    precision: np.ndarray  # (2,)
    effective_rows: np.ndarray  # (2,) rows (or Kish ESS when weighted) behind each precision


def class_precision(
    predicted_positive: np.ndarray, correct: np.ndarray, weights: np.ndarray | None = None
) -> ClassPrecision:
    weights = np.ones(correct.size) if weights is None else weights
    precision, effective = np.full(2, math.nan), np.zeros(2)
    for k, rows in enumerate((~predicted_positive, predicted_positive)):
        w = weights[rows]
        if w.sum() > 0:
            precision[k] = float(np.sum(w * correct[rows]) / w.sum())
            effective[k] = float(w.sum() ** 2 / np.sum(w**2))
    return ClassPrecision(precision, effective)


def project_from_classes(
    predicted_positive: np.ndarray,
    baseline: ClassPrecision,
    *,
    level: float = 0.95,
    resamples: int = 200,
    seed: int = 0,
) -> Projection:
    """Class-only projection: baseline per-predicted-class accuracy x window class mix."""
    counts = np.array([np.sum(~predicted_positive), np.sum(predicted_positive)])
    n = int(counts.sum())
    used = counts > 0
    if np.any(np.isnan(baseline.precision[used])):
        raise ValueError("the window predicts a class the baseline never predicted")
    precision = np.nan_to_num(baseline.precision)
    accuracy = float(np.sum(counts * precision) / n)
    rng = np.random.default_rng(seed)
    effective = np.maximum(np.rint(baseline.effective_rows).astype(np.int64), 1)
    precision_draws = (
        rng.binomial(effective[None, :], precision[None, :], size=(resamples, 2))
        / effective[None, :]
    )
    correct_draws = rng.binomial(counts[None, :], precision_draws).sum(axis=1)
    lower, upper, std = _interval(accuracy, correct_draws / n, level)
    return Projection(accuracy, lower, upper, std, {}, n)


@dataclass(frozen=True)
class Reliability:
    labeled_rows: int
    measured_accuracy: float
    projected_accuracy: float
    z: float
    p_value: float


def reliability_test(
    correct: np.ndarray,
    expected: np.ndarray,
    expected_draws: np.ndarray,
    count_shift: tuple[float, float] = (0.0, 0.0),
) -> Reliability:
    """z-test of measured vs projected correct counts on the same labelled rows.

    Var = sum c(1 - c) (outcome noise given the calibrated probabilities) + the calibration's
    bootstrap variance of sum c (+ the sampling variance of the feature-aware adjustment, which
    ``count_shift`` = (shift of the expected correct count, its variance) adds). Two-sided
    p-value from the normal approximation.
    """
    n = int(correct.size)
    observed = float(correct.sum())
    projected = float(np.clip(expected.sum() + count_shift[0], 0, n))
    variance = float(np.sum(expected * (1 - expected))) + count_shift[1]
    if expected_draws.size > 1:
        variance += float(np.var(expected_draws, ddof=1))
    # A zero variance (every c exactly 0 or 1) gets a tiny floor: z stays finite for JSON.
    z = (observed - projected) / math.sqrt(max(variance, 1e-12))
    p_value = float(2 * stats.norm.sf(abs(z)))
    return Reliability(n, observed / n, projected / n, float(z), p_value)


# --- baseline artefacts ------------------------------------------------------------------------


def _sample_rows(n: int, limit: int, seed: int) -> np.ndarray:
    if n <= limit:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, limit, replace=False))


def _reference_sample(
    labeled_rows: np.ndarray, unlabeled_rows: np.ndarray, settings: ProjectionSettings
) -> np.ndarray:
    """At most ``reference_rows`` row indices, sorted: labelled rows first, then unlabelled."""
    limit = settings.reference_rows
    labeled = labeled_rows[_sample_rows(labeled_rows.size, limit, settings.seed)]
    room = limit - labeled.size
    unlabeled = (
        unlabeled_rows[_sample_rows(unlabeled_rows.size, room, settings.seed)]
        if room > 0
        else unlabeled_rows[:0]
    )
    return np.sort(np.r_[labeled, unlabeled])


def _output_rows(window: WindowData) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """(usable mask, predicted positive for usable rows, scores for usable rows or None)."""
    predictions = window.predictions()
    scores = window.scores()
    usable = ~np.isnan(predictions)
    if scores is not None:
        usable &= ~np.isnan(scores)
    predicted_positive = binary_outcomes(
        predictions[usable],
        window.schema.positive_class,
        f"{window.ingest.source or 'window'} column {window.schema.prediction!r}",
    )
    return usable, predicted_positive, None if scores is None else scores[usable]


class ProjectionSection:
    """Projected accuracy on unlabelled rows; see the module docstring."""

    name = SECTION_NAME

    def __init__(self, settings: ProjectionSettings | None = None) -> None:
        self._settings = settings

    # baseline ------------------------------------------------------------------------------
    def fit_baseline(self, reference: WindowData, baseline_dir: Path) -> dict:
        """Fit and check the calibration; store it and a reference sample (JSON + Parquet)."""
        settings = self._settings or ProjectionSettings()
        baseline_dir = Path(baseline_dir)
        baseline_dir.mkdir(parents=True, exist_ok=True)
        labels = reference.labels()
        usable, predicted_positive, scores = _output_rows(reference)
        labeled = ~np.isnan(labels[usable])
        outcome = binary_outcomes(
            labels[usable][labeled],
            reference.schema.positive_class,
            f"{reference.ingest.source or 'baseline'} column {reference.schema.label!r}",
        )
        document: dict[str, Any] = {
            "version": 1,
            "output_format": "class" if scores is None else "probability",
            "labeled_rows": int(labeled.sum()),
            "rows_with_output": int(usable.sum()),
        }
        if labeled.sum():
            correct = outcome == predicted_positive[labeled]
            document["baseline_accuracy"] = float(correct.mean())
            precision = class_precision(predicted_positive[labeled], correct)
            document["class_precision"] = {
                "negative": _finite(precision.precision[0]),
                "positive": _finite(precision.precision[1]),
                "rows": precision.effective_rows.tolist(),
            }
        if scores is not None and labeled.sum() >= settings.min_baseline_labeled_rows:
            fit = choose_calibration(
                scores[labeled],
                outcome.astype(float),
                seed=settings.seed,
                method=settings.calibration,
            )
            document["calibration"] = fit.chosen.to_json()
            document["calibration_quality"] = fit.quality
            draws = bootstrap_maps_on_grid(
                fit.chosen.method,
                scores[labeled],
                outcome.astype(float),
                GRID,
                resamples=settings.bootstrap_resamples,
                seed=settings.seed,
            )
            pq.write_table(
                pa.table({f"draw_{b:04d}": draws[b] for b in range(len(draws))}),
                baseline_dir / DRAWS_FILE,
            )
        # The reference sample: features, output and label of (at most reference_rows) rows,
        # labelled rows first (they carry the calibration and the weights).
        keep = _reference_sample(
            np.flatnonzero(~np.isnan(labels)), np.flatnonzero(np.isnan(labels)), settings
        )
        if "calibration" in document:
            document["feature_calibration"] = self._feature_calibration(
                reference,
                usable,
                labeled,
                scores,
                outcome,
                keep,
                fit.chosen,
                settings,
                baseline_dir,
            )
        pq.write_table(reference.table.take(pa.array(keep)), baseline_dir / REFERENCE_FILE)
        (baseline_dir / BASELINE_FILE).write_text(
            json.dumps(document, indent=2, allow_nan=False) + "\n", encoding="utf-8"
        )
        return {SETTINGS_KEY: asdict(settings)}

    # monitor -------------------------------------------------------------------------------
    def analyse(self, window: WindowData, baseline_dir: Path, constraints: dict) -> SectionResult:
        # Single-threaded BLAS/OpenMP: the fits here are small, and thread spin-waiting on a
        # shared host costs far more than it gains.
        with threadpool_limits(limits=1):
            return self._analyse(window, baseline_dir, constraints)

    def _analyse(self, window: WindowData, baseline_dir: Path, constraints: dict) -> SectionResult:
        settings = self._settings or ProjectionSettings.from_constraints(constraints)
        baseline_dir = Path(baseline_dir)
        document = _load_json(baseline_dir / BASELINE_FILE)
        threshold = accuracy_threshold(constraints)
        usable, predicted_positive, scores = _output_rows(window)
        summary: dict[str, Any] = {"accuracy_threshold": threshold}
        reason = self._not_projectable(document, scores, predicted_positive, settings)
        if reason:
            status, sentence = reason
            summary.update(status=status, projected_accuracy=None, interval=None, rests_on=sentence)
            return SectionResult(
                statistics={
                    "projected_binary_classification_metrics": {
                        "status": status,
                        "reason": sentence,
                        "caveat": CONCEPT_DRIFT_CAVEAT,
                    }
                },
                report_html=_report_not_projectable(sentence),
                summary=summary,
            )

        reference = _load_reference(baseline_dir / REFERENCE_FILE, window)
        ref_usable, ref_pred_pos, ref_scores = _output_rows(reference)
        ref_labels = reference.labels()[ref_usable]
        ref_labeled = ~np.isnan(ref_labels)
        ref_outcome = binary_outcomes(
            ref_labels[ref_labeled],
            window.schema.positive_class,
            f"{baseline_dir / REFERENCE_FILE} column {window.schema.label!r}",
        )
        shift = self._shift(reference, ref_usable, ref_labeled, window, usable, settings)
        weights = (
            shift.reference_weights
            if (shift is not None and settings.shift_correction == "importance_weighting")
            else None
        )
        labels = window.labels()[usable]
        labeled = ~np.isnan(labels)
        if scores is not None:
            calibration, draws = self._calibration(
                document, ref_scores[ref_labeled], ref_outcome, weights, settings, baseline_dir
            )
            adjustment = labeled_adjustment = None
            if _uses_feature_calibration(document, settings):
                calibrator = _load_feature_calibrator(
                    baseline_dir / FEATURE_MODEL_FILE, window.schema
                )
                adjustment = _feature_shift(
                    calibrator,
                    calibration,
                    window,
                    usable,
                    scores,
                    predicted_positive,
                    np.arange(scores.size),
                    settings,
                )
                if labeled.any():
                    labeled_adjustment = _feature_shift(
                        calibrator,
                        calibration,
                        window,
                        usable,
                        scores,
                        predicted_positive,
                        np.flatnonzero(labeled),
                        settings,
                    )
            projection = project_from_scores(
                scores,
                predicted_positive,
                calibration,
                draws,
                level=settings.confidence_level,
                seed=settings.seed,
                adjustment=adjustment,
            )
            # The alternatives the interval must also cover: score-only calibration, and the
            # other choice of importance weighting (weighted if we did not weight, and not if
            # we did).
            alternatives = {}
            if adjustment is not None:
                alternatives["score_only"] = _accuracy_with(calibration, scores, predicted_positive)
            if shift is not None:
                other = (
                    fit_map(
                        calibration.method,
                        ref_scores[ref_labeled],
                        ref_outcome.astype(float),
                        shift.reference_weights,
                        seed=settings.seed,
                    )
                    if weights is None
                    else CalibrationMap.from_json(document["calibration"], source=BASELINE_FILE)
                )
                key = "unweighted" if weights is not None else "importance_weighted"
                alternatives[key] = _accuracy_with(other, scores, predicted_positive)
            if alternatives:
                sensitivity = max(
                    abs(value - projection.accuracy) for value in alternatives.values()
                )
                projection = widen(projection, sensitivity, settings.confidence_level, alternatives)
            method = (
                "CBPE: mean calibrated probability of a correct prediction "
                f"({calibration.method} calibration of the score"
                f"{', importance-weighted' if weights is not None else ''}"
                f"{', adjusted by a feature-aware calibration' if adjustment else ''}); "
                "parametric-bootstrap interval (calibration resampling + outcome noise), "
                "widened by the disagreement with the alternative estimates"
            )
            p_labeled = calibration.apply(scores[labeled])
            expected = np.where(predicted_positive[labeled], p_labeled, 1 - p_labeled)
            hist = score_histogram(scores[labeled], predicted_positive[labeled])
            expected_draws = (hist[1][None, :] * draws).sum(1) + (
                hist[0][None, :] * (1 - draws)
            ).sum(1)
            count_shift = (
                (0.0, 0.0)
                if labeled_adjustment is None
                else labeled_adjustment.correct_count_shift(hist.sum(axis=1))
            )
        else:
            ref_correct = ref_outcome == ref_pred_pos[ref_labeled]
            baseline = class_precision(ref_pred_pos[ref_labeled], ref_correct, weights)
            projection = project_from_classes(
                predicted_positive,
                baseline,
                level=settings.confidence_level,
                resamples=settings.bootstrap_resamples,
                seed=settings.seed,
            )
            method = (
                "class-only: baseline accuracy within each predicted class"
                f"{' (importance-weighted)' if weights is not None else ''} x the "
                "window's predicted-class mix; parametric-bootstrap interval"
            )
            prec = np.nan_to_num(baseline.precision)
            expected = prec[predicted_positive[labeled].astype(int)]
            counts = np.array(
                [np.sum(~predicted_positive[labeled]), np.sum(predicted_positive[labeled])]
            )
            effective = np.maximum(baseline.effective_rows, 1.0)
            expected_draws = np.random.default_rng(settings.seed).normal(
                (counts * prec).sum(),
                math.sqrt(np.sum(counts**2 * prec * (1 - prec) / effective)),
                settings.bootstrap_resamples,
            )
            count_shift = (0.0, 0.0)

        rests_on = self._rests_on(document, shift, projection, settings, scores is None)
        statistics = {
            "status": "ok",
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
                "rests_on": rests_on,
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
        violations = []
        if threshold is not None and projection.upper < threshold:
            violations.append(
                {
                    "feature_name": "accuracy",
                    "constraint_check_type": "projected_accuracy_check",
                    "description": (
                        f"projected accuracy {projection.accuracy:.3f} on {projection.n_rows} "
                        "rows, "
                        f"{settings.confidence_level:.0%} interval [{projection.lower:.3f}, "
                        f"{projection.upper:.3f}] lies below the threshold {threshold:.3f} "
                        f"({rests_on['sentence']})"
                    ),
                    "observed": projection.accuracy,
                    "threshold": threshold,
                }
            )
        reliability = None
        if labeled.sum():
            correct = (
                binary_outcomes(labels[labeled], window.schema.positive_class, "window labels")
                == predicted_positive[labeled]
            )
            reliability = reliability_test(correct, expected, expected_draws, count_shift)
            statistics["measured_vs_projected"] = {
                **asdict(reliability),
                "test": "z-test: measured vs projected correct count on the labelled rows, "
                "variance = outcome noise + calibration bootstrap variance",
                "enough_labeled_rows": bool(
                    reliability.labeled_rows >= settings.min_labeled_rows_for_reliability
                ),
                "alpha": settings.reliability_alpha,
                "min_gap": settings.reliability_min_gap,
            }
            gap = abs(reliability.measured_accuracy - reliability.projected_accuracy)
            if (
                reliability.labeled_rows >= settings.min_labeled_rows_for_reliability
                and reliability.p_value < settings.reliability_alpha
                and gap >= settings.reliability_min_gap
            ):
                violations.append(
                    {
                        "feature_name": "accuracy",
                        "constraint_check_type": "projection_reliability_check",
                        "description": (
                            "the projection is no longer trustworthy: on "
                            f"{reliability.labeled_rows} labelled rows measured accuracy "
                            f"{reliability.measured_accuracy:.3f} "
                            f"vs projected {reliability.projected_accuracy:.3f} (z = "
                            f"{reliability.z:.2f}, p = {reliability.p_value:.2g} < "
                            f"{settings.reliability_alpha}, gap {gap:.3f} >= "
                            f"{settings.reliability_min_gap}); concept drift or a calibration "
                            "that no longer holds"
                        ),
                        "observed": reliability.measured_accuracy,
                        "threshold": reliability.projected_accuracy,
                    }
                )
        summary.update(
            status="ok",
            projected_accuracy=round(projection.accuracy, 6),
            interval=[round(projection.lower, 6), round(projection.upper, 6)],
            rests_on=rests_on["sentence"],
        )
        metrics = [
            {"MetricName": "projected_accuracy", "Value": projection.accuracy, "Unit": "None"},
            {"MetricName": "projected_accuracy_lower", "Value": projection.lower, "Unit": "None"},
        ]
        return SectionResult(
            statistics={"projected_binary_classification_metrics": statistics},
            violations=violations,
            metrics=metrics,
            report_html=_report(projection, statistics, reliability, threshold, settings),
            summary=summary,
        )

    # helpers ---------------------------------------------------------------------------------
    @staticmethod
    def _not_projectable(
        document: dict,
        scores: np.ndarray | None,
        predicted_positive: np.ndarray,
        settings: ProjectionSettings,
    ) -> tuple[str, str] | None:
        n_rows = int(predicted_positive.size)
        if document.get("labeled_rows", 0) == 0:
            return (
                "no_labels",
                "not projectable: the baseline has no labelled rows, so there "
                "is nothing to calibrate the model's outputs against",
            )
        if scores is not None and document.get("output_format") == "class":
            return (
                "insufficient_data",
                "not projectable: the baseline was built for a "
                "class-only model; rebuild it with scores",
            )
        if scores is not None and "calibration" not in document:
            return (
                "insufficient_data",
                f"not projectable: the baseline has {document['labeled_rows']} labelled rows,"
                f" fewer than the {settings.min_baseline_labeled_rows} needed to fit and "
                f"check a calibration",
            )
        if n_rows < settings.min_rows:
            return (
                "insufficient_data",
                f"not projectable: {n_rows} rows with a model output, "
                f"fewer than {settings.min_rows}",
            )
        if scores is None:
            precision = document.get("class_precision") or {}
            for name, present in (
                ("negative", bool(np.any(~predicted_positive))),
                ("positive", bool(np.any(predicted_positive))),
            ):
                if present and precision.get(name) is None:
                    return (
                        "insufficient_data",
                        f"not projectable: the window has {name} predictions but the "
                        f"baseline's labelled rows have none, so their accuracy is unknown",
                    )
        return None

    @staticmethod
    def _shift(
        reference: WindowData,
        ref_usable: np.ndarray,
        ref_labeled: np.ndarray,
        window: WindowData,
        usable: np.ndarray,
        settings: ProjectionSettings,
    ) -> ShiftEstimate | None:
        """Domain classifier between the labelled baseline rows and (a sample of) the window."""
        ref_rows = np.flatnonzero(ref_usable)[ref_labeled]
        cur_rows = np.flatnonzero(usable)
        cur_rows = cur_rows[
            _sample_rows(cur_rows.size, settings.domain_classifier_rows, settings.seed)
        ]
        if ref_rows.size < 20 or cur_rows.size < 20:
            return None
        ref_frame = _frame(reference, ref_rows)
        cur_frame = _frame(window, cur_rows)
        return estimate_shift(
            ref_frame, cur_frame, max_rows=settings.domain_classifier_rows, seed=settings.seed
        )

    @staticmethod
    def _calibration(
        document: dict,
        scores: np.ndarray,
        outcome: np.ndarray,
        weights: np.ndarray | None,
        settings: ProjectionSettings,
        baseline_dir: Path,
    ) -> tuple[CalibrationMap, np.ndarray]:
        """The map and its bootstrap draws: stored ones, or refitted with importance weights."""
        stored = CalibrationMap.from_json(document["calibration"], source=BASELINE_FILE)
        outcome = outcome.astype(float)
        if weights is None:
            return stored, _load_draws(baseline_dir / DRAWS_FILE)
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

    @staticmethod
    def _feature_calibration(
        reference: WindowData,
        usable: np.ndarray,
        labeled: np.ndarray,
        scores: np.ndarray,
        outcome: np.ndarray,
        keep: np.ndarray,
        calibration: CalibrationMap,
        settings: ProjectionSettings,
        baseline_dir: Path,
    ) -> dict:
        """Fit the feature-aware calibration on the labelled rows of the reference sample and
        decide whether windows get it: it must beat the score-only map out of fold."""
        if settings.feature_calibration == "never":
            return {"use": False, "reason": "feature_calibration is 'never'"}
        table_rows = np.flatnonzero(usable)[labeled]
        in_sample = np.isin(table_rows, keep)
        n = int(in_sample.sum())
        if n < settings.min_feature_calibration_rows:
            return {
                "use": False,
                "reason": f"{n} labelled baseline rows, fewer than the "
                f"{settings.min_feature_calibration_rows} it needs",
            }
        minority = int(min(outcome[in_sample].sum(), n - outcome[in_sample].sum()))
        if minority < MIN_ROWS_PER_CLASS:
            return {
                "use": False,
                "reason": f"only {minority} labelled baseline rows of one "
                f"class, fewer than the {MIN_ROWS_PER_CLASS} the "
                f"out-of-fold comparison needs",
            }
        features = _frame(reference, table_rows[in_sample])
        outcome = outcome[in_sample].astype(float)
        comparison = compare_out_of_fold(
            features, scores[labeled][in_sample], outcome, calibration.method, seed=settings.seed
        )
        calibrator = fit_feature_calibrator(
            features, scores[labeled][in_sample], outcome, calibration, seed=settings.seed
        )
        (baseline_dir / FEATURE_MODEL_FILE).write_text(
            json.dumps(calibrator.to_json(), allow_nan=False) + "\n", encoding="utf-8"
        )
        comparison["trees_per_bag"] = calibrator.trees_per_bag
        p_value = comparison["improvement_p_value"]
        wins = (
            comparison["out_of_fold_brier_feature_aware"]
            < comparison["out_of_fold_brier_score_only"]
            and p_value < settings.feature_calibration_alpha
        )
        use = wins or settings.feature_calibration == "always"
        reason = (
            f"significantly lower out-of-fold squared error than the score alone "
            f"(p = {p_value:.2g} < {settings.feature_calibration_alpha})"
            if wins
            else f"out-of-fold squared error not significantly lower than the score alone's "
            f"(p = {p_value:.2g}, needs < {settings.feature_calibration_alpha})"
        )
        if use and not wins:
            reason += "; used because feature_calibration is 'always'"
        return {**comparison, "use": bool(use), "reason": reason}

    @staticmethod
    def _rests_on(
        document: dict,
        shift: ShiftEstimate | None,
        projection: Projection,
        settings: ProjectionSettings,
        class_only: bool,
    ) -> dict[str, Any]:
        quality = document.get("calibration_quality") or {}
        facts: dict[str, Any] = {
            "rows": projection.n_rows,
            "baseline_labeled_rows": document["labeled_rows"],
        }
        parts = []
        if class_only:
            parts.append(
                f"the baseline's per-predicted-class accuracy "
                f"({document['labeled_rows']} labelled rows) holding in this window"
            )
        else:
            facts.update(
                calibration_method=quality.get("method"),
                calibration_ece=quality.get("out_of_fold_ece"),
                calibration_brier=quality.get("out_of_fold_brier"),
            )
            parts.append(
                f"{quality.get('method')} calibration on {document['labeled_rows']} "
                f"labelled baseline rows (out-of-fold ECE "
                f"{quality.get('out_of_fold_ece', math.nan):.3f})"
            )
            verdict = document.get("feature_calibration") or {}
            score_only = projection.alternatives.get("score_only")
            facts["feature_calibration"] = {
                key: verdict.get(key)
                for key in (
                    "out_of_fold_brier_feature_aware",
                    "out_of_fold_brier_score_only",
                    "reason",
                )
            }
            facts["feature_calibration"]["used"] = score_only is not None
            if score_only is not None:
                adjustment = projection.accuracy - score_only
                facts["feature_calibration"]["adjustment"] = round(adjustment, 4)
                parts.append(
                    f"a feature-aware calibration (out-of-fold Brier "
                    f"{verdict.get('out_of_fold_brier_feature_aware', math.nan):.4f} vs "
                    f"{verdict.get('out_of_fold_brier_score_only', math.nan):.4f} for "
                    f"the score alone) moves the estimate by {100 * adjustment:+.1f} "
                    f"points"
                )
        if shift is not None:
            ess_share = shift.effective_sample_size / max(shift.reference_rows_used, 1)
            facts.update(
                effective_sample_size=round(shift.effective_sample_size, 1),
                effective_sample_share=round(ess_share, 4),
                outside_support_share=round(shift.outside_support_share, 4),
                domain_classifier_auc=round(shift.domain_auc, 4),
                shift_correction=settings.shift_correction,
            )
            parts.append(
                f"overlap with the baseline: effective sample size "
                f"{shift.effective_sample_size:.0f} of {shift.reference_rows_used} "
                f"({ess_share:.0%}), {shift.outside_support_share:.1%} of rows outside "
                f"the baseline's support"
            )
        else:
            facts["shift_correction"] = "none (too few rows for a domain classifier)"
        if projection.alternatives:
            facts["alternative_estimates"] = {
                name: round(value, 4) for name, value in projection.alternatives.items()
            }
            facts["sensitivity"] = round(projection.sensitivity, 4)
            parts.append(
                f"the alternative estimates ({', '.join(projection.alternatives)}) lie "
                f"up to {100 * projection.sensitivity:.1f} points away (in the "
                f"interval)"
            )
        parts.append(f"{projection.n_rows} rows")
        facts["sentence"] = "; ".join(parts) + "; blind to concept drift"
        return facts


def _uses_feature_calibration(document: dict, settings: ProjectionSettings) -> bool:
    """The baseline's verdict (``auto``), unless the settings say ``never`` or ``always``."""
    verdict = document.get("feature_calibration") or {}
    if settings.feature_calibration == "never":
        return False
    if settings.feature_calibration == "always":
        return "out_of_fold_brier_feature_aware" in verdict  # its model was stored
    return bool(verdict.get("use"))


def _feature_shift(
    calibrator: FeatureCalibrator,
    calibration: CalibrationMap,
    window: WindowData,
    usable: np.ndarray,
    scores: np.ndarray,
    predicted_positive: np.ndarray,
    positions: np.ndarray,
    settings: ProjectionSettings,
) -> ClassShift:
    """Feature-aware minus score-only P(positive) on a uniform sample of ``positions``."""
    sample = positions[
        _sample_rows(positions.size, settings.feature_calibration_rows, settings.seed)
    ]
    p_features = calibrator.predict(_frame(window, np.flatnonzero(usable)[sample]), scores[sample])
    population = np.array(
        [np.sum(~predicted_positive[positions]), np.sum(predicted_positive[positions])]
    )
    return class_shift(
        p_features - calibration.apply(scores[sample]), predicted_positive[sample], population
    )


def _accuracy_with(
    calibration: CalibrationMap, scores: np.ndarray, predicted_positive: np.ndarray
) -> float:
    p = calibration.apply(scores)
    return float(np.mean(np.where(predicted_positive, p, 1 - p)))


def _finite(value: float) -> float | None:
    return None if math.isnan(value) else float(value)


def _frame(window: WindowData, rows: np.ndarray):
    subset = WindowData(
        schema=window.schema, table=window.table.take(pa.array(rows)), n_rows=int(rows.size)
    )
    return subset.features_frame()


def _load_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InputError(
            f"{path}: projection baseline not found; run the baseline job "
            f"(python -m drift_monitor baseline) first"
        ) from exc
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: not readable as JSON ({exc})") from exc


def _load_feature_calibrator(path: Path, schema: ColumnSchema) -> FeatureCalibrator:
    calibrator = FeatureCalibrator.from_json(_load_json(path), source=str(path))
    stored = {*calibrator.encoding.numeric_fill, *calibrator.encoding.categories}
    if stored != set(schema.feature_names):
        raise InputError(
            f"{path}: fitted on features {sorted(stored)}, but schema.json now "
            f"has {sorted(schema.feature_names)}; rebuild the baseline"
        )
    return calibrator


def _read_baseline_parquet(path: Path, what: str) -> pa.Table:
    try:
        return pq.read_table(path)
    except FileNotFoundError as exc:
        raise InputError(f"{path}: {what} not found; run the baseline job first") from exc
    except (OSError, pa.ArrowInvalid) as exc:
        raise InputError(f"{path}: not readable as Parquet ({exc})") from exc


def _load_draws(path: Path) -> np.ndarray:
    table = _read_baseline_parquet(path, "calibration draws")
    if table.num_rows != GRID.size or table.num_columns < 2:
        raise InputError(
            f"{path}: expected {GRID.size} rows and at least 2 draw columns, got "
            f"{table.num_rows} x {table.num_columns}; rebuild the baseline"
        )
    draws = np.vstack([column.to_numpy() for column in table.columns]).astype(np.float64)
    if np.any(np.isnan(draws)) or np.any((draws < 0) | (draws > 1)):
        raise InputError(f"{path}: calibration draws must be probabilities in [0, 1]")
    return draws


def _load_reference(path: Path, window: WindowData) -> WindowData:
    table = _read_baseline_parquet(path, "projection reference sample")
    missing = [f for f in window.schema.feature_names if f not in table.column_names]
    if missing:
        raise InputError(
            f"{path}: the reference sample lacks features {missing}; rebuild the "
            f"baseline with the current schema.json"
        )
    return WindowData(schema=window.schema, table=table, n_rows=table.num_rows)


def _fmt(value: float | None) -> str:
    return (
        "–" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.3f}"
    )


def _report_not_projectable(sentence: str) -> str:
    return (
        f"<h2>Projected accuracy</h2><p>{html.escape(sentence)}.</p>"
        f"<p><i>{html.escape(CONCEPT_DRIFT_CAVEAT)}</i></p>"
    )


def _report(
    projection: Projection,
    statistics: dict,
    reliability: Reliability | None,
    threshold: float | None,
    settings: ProjectionSettings,
) -> str:
    rests_on = statistics["accuracy"]["rests_on"]
    rows = [
        "<table><tr><th></th><th>accuracy</th><th>interval "
        f"({settings.confidence_level:.0%})</th><th>rows</th></tr>",
        f"<tr><td>projected (all rows)</td><td>{_fmt(projection.accuracy)}</td>"
        f"<td>[{_fmt(projection.lower)}, {_fmt(projection.upper)}]</td>"
        f"<td>{projection.n_rows}</td></tr>",
    ]
    if reliability is not None:
        lower, upper = wilson_interval(
            round(reliability.measured_accuracy * reliability.labeled_rows),
            reliability.labeled_rows,
            settings.confidence_level,
        )
        rows.append(
            f"<tr><td>measured (labelled rows)</td>"
            f"<td>{_fmt(reliability.measured_accuracy)}</td>"
            f"<td>[{_fmt(lower)}, {_fmt(upper)}] (Wilson)</td>"
            f"<td>{reliability.labeled_rows}</td></tr>"
            f"<tr><td>projected (same labelled rows)</td>"
            f"<td>{_fmt(reliability.projected_accuracy)}</td>"
            f"<td>gap test p = {reliability.p_value:.2g}</td>"
            f"<td>{reliability.labeled_rows}</td></tr>"
        )
    rows.append("</table>")
    threshold_text = "" if threshold is None else f" Accuracy threshold: {threshold:.3f}."
    return (
        "<h2>Projected accuracy</h2>"
        f"<p>Method: {html.escape(statistics['accuracy']['method'])}.{threshold_text}</p>"
        + "".join(rows)
        + f"<p>Rests on: {html.escape(rests_on['sentence'])}.</p>"
        + f"<p><i>{html.escape(CONCEPT_DRIFT_CAVEAT)}</i></p>"
    )
