"""Measuring model quality: the confusion counts and each metric with its interval.

Accuracy, precision and recall are proportions (Wilson interval), F1 a multinomial bootstrap
on the confusion counts, ROC AUC DeLong (reasons in :mod:`drift_monitor.quality_intervals`).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from drift_monitor.errors import InputError
from drift_monitor.quality_intervals import (
    bootstrap_f1,
    delong_auc,
    normal_interval,
    proportion_std,
    wilson_interval,
)

# Model Monitor reports a metric's standard deviation only from this many samples on.
MIN_ROWS_FOR_STD = 200


def binary_outcomes(values: np.ndarray, positive_class: int, what: str) -> np.ndarray:
    """Map 0/1 class values (NaN = absent) to booleans "is the positive class".

    Raises an InputError naming ``what`` when a present value is not 0 or 1.
    """
    present = values[~np.isnan(values)]
    bad = present[(present != 0) & (present != 1)]
    if bad.size:
        raise InputError(
            f"{what}: {bad.size} value(s) are not 0/1 (e.g. {bad[0]!r}); "
            f"labels and predicted classes must be integers 0 or 1"
        )
    return values == positive_class


def _metric(
    value: float, std: float, n: int, interval: tuple[float, float], level: float, method: str
) -> dict[str, Any]:
    return {
        "value": value,
        "standard_deviation": std if n >= MIN_ROWS_FOR_STD and not math.isnan(std) else "NaN",
        "confidence_interval": {
            "lower": interval[0],
            "upper": interval[1],
            "level": level,
            "method": method,
        },
        "sample_size": n,
    }


def _proportion(successes: int, total: int, level: float) -> dict[str, Any]:
    return _metric(
        successes / total,
        proportion_std(successes, total),
        total,
        wilson_interval(successes, total, level),
        level,
        "wilson",
    )


def _f1(tp: int, fp: int, fn: int, tn: int, level: float, resamples: int, seed: int) -> dict:
    f1 = 2 * tp / (2 * tp + fp + fn)
    lower, upper, std = bootstrap_f1(tp, fp, fn, tn, level=level, resamples=resamples, seed=seed)
    method = f"bootstrap-percentile ({resamples} multinomial resamples)"
    return _metric(f1, std, tp + fp + fn + tn, (lower, upper), level, method)


def _auc(y_true: np.ndarray, scores: np.ndarray, level: float) -> dict[str, Any] | None:
    """DeLong AUC on the rows with a score; None when the rows hold one class only."""
    scored = ~np.isnan(scores)
    auc, variance = delong_auc(y_true[scored], scores[scored])
    if math.isnan(auc):
        return None
    std = math.sqrt(max(variance, 0.0))
    return _metric(auc, std, int(scored.sum()), normal_interval(auc, std, level), level, "delong")


def binary_classification_metrics(
    y_true: np.ndarray,
    y_pred: np.ndarray,
    scores: np.ndarray | None,
    *,
    positive_label: int = 1,
    level: float = 0.95,
    resamples: int = 2000,
    seed: int = 0,
) -> tuple[dict[str, Any], dict[str, str]]:
    """Metrics on labelled rows (booleans: is-positive), Model Monitor format plus intervals.

    ``scores`` are positive-class probabilities for the same rows (NaN allowed: those rows
    are left out of the AUC only), or None for a class-only model. Returns
    (metrics, undefined) where ``undefined`` names each metric that could not be computed
    and why (e.g. no predicted positives for precision).
    """
    y_true = np.asarray(y_true, dtype=bool)
    y_pred = np.asarray(y_pred, dtype=bool)
    n = int(y_true.size)
    tp = int(np.sum(y_true & y_pred))
    fp = int(np.sum(~y_true & y_pred))
    fn = int(np.sum(y_true & ~y_pred))
    tn = n - tp - fp - fn
    pos, neg = str(positive_label), str(1 - positive_label)
    metrics: dict[str, Any] = {
        "confusion_matrix": {pos: {pos: tp, neg: fn}, neg: {pos: fp, neg: tn}},
    }
    undefined: dict[str, str] = {}
    for name, successes, total, why_empty in (
        ("accuracy", tp + tn, n, "no labelled rows"),
        ("precision", tp, tp + fp, "no predicted positives among the labelled rows"),
        ("recall", tp, tp + fn, "no actual positives among the labelled rows"),
    ):
        if total == 0:
            undefined[name] = why_empty
        else:
            metrics[name] = _proportion(successes, total, level)
    if 2 * tp + fp + fn == 0:
        undefined["f1"] = "no actual or predicted positives among the labelled rows"
    else:
        metrics["f1"] = _f1(tp, fp, fn, tn, level, resamples, seed)
    auc = None if scores is None else _auc(y_true, scores, level)
    if auc is not None:
        metrics["auc"] = auc
    elif scores is None:
        undefined["auc"] = "the model outputs only a class (output_format 'class')"
    else:
        undefined["auc"] = "the labelled rows hold only one class"
    if n:
        metrics["accuracy_best_constant_classifier"] = {
            "value": max(tp + fn, fp + tn) / n,
            "standard_deviation": "NaN",
        }
    return metrics, undefined
