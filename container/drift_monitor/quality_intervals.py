"""Confidence intervals for classification metrics, as pure functions on NumPy arrays.

Why these methods:

* **Wilson score interval** for accuracy, precision and recall: each is a binomial
  proportion (correct / labelled, TP / predicted positive, TP / actual positive). Wilson keeps
  its nominal coverage for small n and for proportions near 0 or 1, where the textbook Wald
  interval collapses (Brown, Cai & DasGupta 2001).
* **Bootstrap** for F1: F1 is not a proportion of one denominator. It depends on the data only
  through the four confusion-matrix counts, so resampling the rows is exactly a multinomial
  draw of those counts: the bootstrap is vectorised, seeded and costs O(resamples), whatever
  the number of rows.
* **DeLong** for ROC AUC: the standard asymptotic variance of the Mann-Whitney statistic
  (DeLong, DeLong & Clarke-Pearson 1988), computed with midranks in O(n log n) (Sun & Xu 2014);
  a bootstrap would cost O(resamples x n log n) for the same answer.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats


def z_value(level: float) -> float:
    """Two-sided normal quantile for a confidence level in (0, 1)."""
    if not 0.0 < level < 1.0:
        raise ValueError(f"confidence level must be in (0, 1), got {level}")
    return float(stats.norm.ppf(0.5 + level / 2.0))


def wilson_interval(successes: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for ``successes`` out of ``n``; (nan, nan) when ``n == 0``."""
    if n <= 0:
        return math.nan, math.nan
    if not 0 <= successes <= n:
        raise ValueError(f"successes={successes} outside [0, n={n}]")
    z = z_value(level)
    p = successes / n
    denominator = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def proportion_std(successes: int, n: int) -> float:
    """Binomial standard deviation of a proportion estimate (sqrt(p(1-p)/n))."""
    if n <= 0:
        return math.nan
    p = successes / n
    return math.sqrt(p * (1 - p) / n)


def f1_from_counts(tp: np.ndarray, fp: np.ndarray, fn: np.ndarray) -> np.ndarray:
    """F1 = 2TP / (2TP + FP + FN), NaN where undefined (no positives at all)."""
    tp, fp, fn = (np.asarray(a, dtype=np.float64) for a in (tp, fp, fn))
    denominator = 2 * tp + fp + fn
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denominator > 0, 2 * tp / denominator, np.nan)


def bootstrap_f1(
    tp: int, fp: int, fn: int, tn: int, *, level: float = 0.95, resamples: int = 2000, seed: int = 0
) -> tuple[float, float, float]:
    """Percentile bootstrap interval and standard deviation of F1 from confusion counts.

    Resampling n rows with replacement is a multinomial draw of the four cell counts, so the
    cost is O(resamples), independent of n. Returns (lower, upper, std).
    """
    counts = np.array([tp, fp, fn, tn], dtype=np.int64)
    n = int(counts.sum())
    if n == 0:
        return math.nan, math.nan, math.nan
    rng = np.random.default_rng(seed)
    draws = rng.multinomial(n, counts / n, size=resamples)
    f1 = f1_from_counts(draws[:, 0], draws[:, 1], draws[:, 2])
    f1 = f1[~np.isnan(f1)]
    if f1.size == 0:
        return math.nan, math.nan, math.nan
    alpha = 1.0 - level
    lower, upper = np.quantile(f1, [alpha / 2, 1 - alpha / 2])
    return float(lower), float(upper), float(np.std(f1, ddof=1)) if f1.size > 1 else math.nan


def delong_auc(labels: np.ndarray, scores: np.ndarray) -> tuple[float, float]:
    """ROC AUC and its DeLong variance (labels 0/1, no NaN). (nan, nan) if one class is absent.

    Fast DeLong (Sun & Xu 2014): the structural components come from midranks of the positives
    among all scores, among themselves, and likewise for the negatives.
    """
    labels = np.asarray(labels)
    scores = np.asarray(scores, dtype=np.float64)
    positives = scores[labels == 1]
    negatives = scores[labels == 0]
    m, n = positives.size, negatives.size
    if m == 0 or n == 0:
        return math.nan, math.nan
    rank_all, rank_pos, rank_neg = _midranks(positives, negatives)
    auc = (rank_all[:m].sum() - m * (m + 1) / 2.0) / (m * n)
    # V10_i: share of negatives ranked below positive i (ties count 1/2); V01_j likewise.
    v10 = (rank_all[:m] - rank_pos) / n
    v01 = 1.0 - (rank_all[m:] - rank_neg) / m
    s10 = np.var(v10, ddof=1) if m > 1 else 0.0
    s01 = np.var(v01, ddof=1) if n > 1 else 0.0
    return float(auc), float(s10 / m + s01 / n)


def _midranks(
    positives: np.ndarray, negatives: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Midranks (ties averaged, 1-based) of every score among all scores (positives first),
    of each positive among the positives and of each negative among the negatives: the three
    rankings of fast DeLong from one sort. A tie group's midrank depends only on how many
    scores precede it and how many it holds, so the three come from counting per group."""
    m = positives.size
    values = np.concatenate([positives, negatives])
    order = np.argsort(values)
    ordered = values[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    group_sorted = np.repeat(np.arange(starts.size), np.diff(np.r_[starts, values.size]))
    group = np.empty(values.size, dtype=np.int64)
    group[order] = group_sorted
    size = np.diff(np.r_[starts, values.size])
    rank_all = ((starts + 1 + starts + size) / 2.0)[group]

    def within(members: np.ndarray) -> np.ndarray:
        count = np.bincount(members, minlength=starts.size)
        before = np.cumsum(count) - count
        return (before + (count + 1) / 2.0)[members]

    return rank_all, within(group[:m]), within(group[m:])


def normal_interval(
    value: float,
    std: float,
    level: float = 0.95,
    lower_bound: float = 0.0,
    upper_bound: float = 1.0,
) -> tuple[float, float]:
    """value +/- z * std, clipped to [lower_bound, upper_bound]."""
    if math.isnan(value) or math.isnan(std):
        return math.nan, math.nan
    half = z_value(level) * std
    return max(lower_bound, value - half), min(upper_bound, value + half)
