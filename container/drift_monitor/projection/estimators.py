"""The projection's estimators: how likely each row's prediction is to be correct, and how sure.

One estimator per output format, each the only place its P(correct) is derived:

* :class:`ScoreEstimator` (CBPE): a row is correct with c = cal(score) if predicted positive,
  1 - cal(score) otherwise;
* :class:`ClassEstimator` (class-only output): c = the baseline's accuracy within the row's
  predicted class.

Each gives the projection over the window's rows (:meth:`project`: point, interval, metrics)
and what the reliability test needs on the labelled rows (:meth:`expected`: the per-row c and
draws of their sum), so measured and projected accuracy are compared with the very estimator
that made the projection. :func:`reliability_test` is that comparison.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy import stats

from drift_monitor.projection.calibration import CalibrationMap
from drift_monitor.projection.features import ClassShift
from drift_monitor.quality_intervals import z_value

GRID = np.linspace(0.0, 1.0, 1001)


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


@dataclass(frozen=True)
class ExpectedCorrect:
    """What an estimator expects on a set of (labelled) rows, for :func:`reliability_test`."""

    probabilities: np.ndarray  # P(correct) per row
    count_draws: np.ndarray  # the estimator's bootstrap draws of sum(probabilities)
    # (shift of the expected correct count, its variance): the feature-aware adjustment
    count_shift: tuple[float, float] = (0.0, 0.0)


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


def correct_probability(
    calibration: CalibrationMap,
    scores: np.ndarray,
    predicted_positive: np.ndarray,
    probabilities: np.ndarray | None = None,
) -> np.ndarray:
    """CBPE's P(correct) per row: cal(score) if predicted positive, else 1 - cal(score)
    (``probabilities``: cal(score), when the caller has already applied the map)."""
    p = calibration.apply(scores) if probabilities is None else probabilities
    return np.where(predicted_positive, p, 1 - p)


def cbpe_accuracy(
    calibration: CalibrationMap,
    scores: np.ndarray,
    predicted_positive: np.ndarray,
    probabilities: np.ndarray | None = None,
) -> float:
    """The point estimate alone (for the alternative estimates the interval must cover)."""
    return float(
        np.mean(correct_probability(calibration, scores, predicted_positive, probabilities))
    )


@dataclass(frozen=True)
class ScoreEstimator:
    """CBPE on a calibration map; ``map_draws`` (resamples, GRID.size): bootstrap calibration
    maps evaluated on ``GRID`` (the map's own uncertainty)."""

    calibration: CalibrationMap
    map_draws: np.ndarray

    def project(
        self,
        scores: np.ndarray,
        predicted_positive: np.ndarray,
        *,
        level: float = 0.95,
        seed: int = 0,
        adjustment: ClassShift | None = None,
        probabilities: np.ndarray | None = None,
    ) -> Projection:
        """CBPE with a parametric-bootstrap interval (see the package docstring).

        ``adjustment``: the feature-aware calibration's mean change of P(positive) per
        predicted class, added to the expected true-positive and false-negative counts (and
        its sampling noise to their draws). ``probabilities``: the calibrated ``scores``,
        when the caller has them (the map is applied once per window).
        """
        # P(positive), all rows, vectorised
        p = self.calibration.apply(scores) if probabilities is None else probabilities
        n = int(scores.size)
        histogram = score_histogram(scores, predicted_positive)
        n_pred = np.array([int(histogram[0].sum()), int(histogram[1].sum())])
        expected = (float(p[~predicted_positive].sum()), float(p[predicted_positive].sum()))
        rng = np.random.default_rng(seed)
        # Outcomes drawn per histogram cell from each bootstrap map: (resamples, GRID.size).
        tp = rng.binomial(histogram[1][None, :], self.map_draws).sum(axis=1).astype(np.float64)
        fn = rng.binomial(histogram[0][None, :], self.map_draws).sum(axis=1).astype(np.float64)
        exp_fn, exp_tp = expected
        if adjustment is not None:
            exp_fn, exp_tp, fn, tp = _adjusted(adjustment, n_pred, exp_fn, exp_tp, fn, tp, rng)
        n_pred_neg, n_pred_pos = int(n_pred[0]), int(n_pred[1])
        accuracy = (exp_tp + n_pred_neg - exp_fn) / n
        lower, upper, std = _interval(accuracy, (tp + (n_pred_neg - fn)) / n, level)
        metrics = _ratio_metrics(exp_tp, exp_fn, n_pred_pos, tp, fn, level)
        return Projection(accuracy, lower, upper, std, metrics, n)

    def expected(
        self,
        scores: np.ndarray,
        predicted_positive: np.ndarray,
        adjustment: ClassShift | None = None,
        calibrated: np.ndarray | None = None,
    ) -> ExpectedCorrect:
        """P(correct) of these rows and its sum under each bootstrap map (``adjustment``: the
        feature-aware change measured on these rows; ``calibrated``: the calibrated scores,
        when the caller has them)."""
        probabilities = correct_probability(
            self.calibration, scores, predicted_positive, calibrated
        )
        hist = score_histogram(scores, predicted_positive)
        count_draws = (hist[1][None, :] * self.map_draws).sum(1) + (
            hist[0][None, :] * (1 - self.map_draws)
        ).sum(1)
        count_shift = (
            (0.0, 0.0) if adjustment is None else adjustment.correct_count_shift(hist.sum(axis=1))
        )
        return ExpectedCorrect(probabilities, count_draws, count_shift)


def _adjusted(
    adjustment: ClassShift,
    n_pred: np.ndarray,
    exp_fn: float,
    exp_tp: float,
    fn: np.ndarray,
    tp: np.ndarray,
    rng: np.random.Generator,
) -> tuple[float, float, np.ndarray, np.ndarray]:
    """Expected and drawn false-negative / true-positive counts moved by the feature-aware
    adjustment (its sampling noise added to the draws)."""
    n_pred_neg, n_pred_pos = int(n_pred[0]), int(n_pred[1])
    exp_tp = float(np.clip(exp_tp + n_pred_pos * adjustment.mean[1], 0, n_pred_pos))
    exp_fn = float(np.clip(exp_fn + n_pred_neg * adjustment.mean[0], 0, n_pred_neg))
    sd = np.sqrt(adjustment.variance) * np.array([n_pred_neg, n_pred_pos])
    tp = np.clip(
        tp + n_pred_pos * adjustment.mean[1] + rng.normal(0.0, sd[1], tp.size), 0, n_pred_pos
    )
    fn = np.clip(
        fn + n_pred_neg * adjustment.mean[0] + rng.normal(0.0, sd[0], fn.size), 0, n_pred_neg
    )
    return exp_fn, exp_tp, fn, tp


def _ratio_metrics(
    exp_tp: float, exp_fn: float, n_pred_pos: int, tp: np.ndarray, fn: np.ndarray, level: float
) -> dict:
    """Precision, recall and F1 from the expected and drawn counts (those defined)."""
    exp_fp = n_pred_pos - exp_tp
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
    metrics = {}
    for name, (value, draws) in ratio_draws.items():
        if draws is None or math.isnan(value):
            continue
        draws = np.asarray(draws, dtype=float)
        lo, hi, _ = _interval(value, draws[~np.isnan(draws)], level)
        metrics[name] = {"value": value, "lower": lo, "upper": hi}
    return metrics


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


def _class_counts(predicted_positive: np.ndarray) -> np.ndarray:
    return np.array([np.sum(~predicted_positive), np.sum(predicted_positive)])


@dataclass(frozen=True)
class ClassEstimator:
    """Class-only output: baseline per-predicted-class accuracy x the rows' class mix."""

    baseline: ClassPrecision
    resamples: int = 200
    seed: int = 0

    def project(self, predicted_positive: np.ndarray, *, level: float = 0.95) -> Projection:
        """Point estimate and a parametric-bootstrap interval: each class's precision drawn
        from its effective baseline rows, then the window's outcomes from it."""
        counts = _class_counts(predicted_positive)
        n = int(counts.sum())
        used = counts > 0
        if np.any(np.isnan(self.baseline.precision[used])):
            raise ValueError("the window predicts a class the baseline never predicted")
        precision = np.nan_to_num(self.baseline.precision)
        accuracy = float(np.sum(counts * precision) / n)
        rng = np.random.default_rng(self.seed)
        correct_draws = rng.binomial(counts[None, :], self._precision_draws(rng)).sum(axis=1)
        lower, upper, std = _interval(accuracy, correct_draws / n, level)
        return Projection(accuracy, lower, upper, std, {}, n)

    def expected(self, predicted_positive: np.ndarray) -> ExpectedCorrect:
        """P(correct) of these rows, and draws of its sum from the same bootstrap of the
        baseline precisions that :meth:`project` uses (the outcome noise is the reliability
        test's own term)."""
        precision = np.nan_to_num(self.baseline.precision)
        counts = _class_counts(predicted_positive)
        precision_draws = self._precision_draws(np.random.default_rng(self.seed))
        count_draws = (precision_draws * counts[None, :]).sum(axis=1)
        return ExpectedCorrect(precision[predicted_positive.astype(int)], count_draws)

    def _precision_draws(self, rng: np.random.Generator) -> np.ndarray:
        """Each class's precision redrawn from its effective baseline rows (resamples x 2)."""
        precision = np.nan_to_num(self.baseline.precision)
        effective = np.maximum(np.rint(self.baseline.effective_rows).astype(np.int64), 1)
        return (
            rng.binomial(effective[None, :], precision[None, :], size=(self.resamples, 2))
            / effective[None, :]
        )


@dataclass(frozen=True)
class Reliability:
    labeled_rows: int
    measured_accuracy: float
    projected_accuracy: float
    z: float
    p_value: float


def reliability_test(correct: np.ndarray, expected: ExpectedCorrect) -> Reliability:
    """z-test of measured vs projected correct counts on the same labelled rows.

    Var = sum c(1 - c) (outcome noise given the calibrated probabilities) + the estimator's
    bootstrap variance of sum c (+ the sampling variance of the feature-aware adjustment, which
    ``expected.count_shift`` = (shift of the expected correct count, its variance) adds).
    Two-sided p-value from the normal approximation.
    """
    n = int(correct.size)
    c, shift = expected.probabilities, expected.count_shift
    observed = float(correct.sum())
    projected = float(np.clip(c.sum() + shift[0], 0, n))
    variance = float(np.sum(c * (1 - c))) + shift[1]
    if expected.count_draws.size > 1:
        variance += float(np.var(expected.count_draws, ddof=1))
    # A zero variance (every c exactly 0 or 1) gets a tiny floor: z stays finite for JSON.
    z = (observed - projected) / math.sqrt(max(variance, 1e-12))
    p_value = float(2 * stats.norm.sf(abs(z)))
    return Reliability(n, observed / n, projected / n, float(z), p_value)
