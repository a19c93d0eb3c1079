"""Two-sample tests and effect sizes, as small pure functions on NumPy arrays / count vectors.

Binning: numeric features are compared on bins whose edges are baseline quantiles (equal
baseline mass per bin; duplicate edges of tied columns collapse), so PSI and Jensen–Shannon
are computed from counts via ``np.searchsorted``/``np.bincount`` on the whole window.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats
from scipy.spatial.distance import jensenshannon

# Pseudo-count added to every bin before PSI (PSI is infinite on an empty bin).
PSI_PSEUDO_COUNT = 0.5


def quantile_edges(values: np.ndarray, n_bins: int = 10) -> np.ndarray:
    """Interior bin edges at the baseline's quantiles 1/n_bins..(n_bins-1)/n_bins, deduplicated.

    A heavily tied column (e.g. capital-gain, mostly 0) gets fewer bins instead of empty ones.
    """
    present = values[~np.isnan(values)]
    if present.size == 0:
        return np.empty(0)
    qs = np.quantile(present, np.linspace(0, 1, n_bins + 1)[1:-1])
    return np.unique(qs)


def bin_counts(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Counts of present values in bins (-inf, e1], (e1, e2], ..., (ek, inf); NaN excluded.

    With the handful of quantile edges used here, one vectorised comparison per edge
    (cumulative counts, then differences) is ~2× faster than ``np.searchsorted`` + bincount
    on millions of rows; the latter is used for many edges.
    """
    n_present = values.size - int(np.count_nonzero(np.isnan(values)))
    if edges.size > 16:
        index = np.searchsorted(edges, values[~np.isnan(values)], side="left")
        return np.bincount(index, minlength=edges.size + 1).astype(np.float64)
    cumulative = [int(np.count_nonzero(values <= edge)) for edge in edges]  # NaN <= e is False
    return np.diff(np.array([0, *cumulative, n_present], dtype=np.float64))


def psi(expected: np.ndarray, actual: np.ndarray) -> float:
    """Population Stability Index, sum((a - e) * ln(a / e)) over bin proportions.

    Siddiqi (2006), *Credit Risk Scorecards*; Yurdakul (2018). A pseudo-count of 0.5 per bin
    keeps empty bins finite. Rule of thumb: < 0.1 stable, 0.1-0.25 moderate, > 0.25 major.
    """
    e = (expected + PSI_PSEUDO_COUNT) / (expected.sum() + PSI_PSEUDO_COUNT * expected.size)
    a = (actual + PSI_PSEUDO_COUNT) / (actual.sum() + PSI_PSEUDO_COUNT * actual.size)
    return float(np.sum((a - e) * np.log(a / e)))


def js_distance(expected: np.ndarray, actual: np.ndarray) -> float:
    """Jensen–Shannon distance (square root of the JS divergence, base 2; in [0, 1]).

    Lin (1991); computed with ``scipy.spatial.distance.jensenshannon``.
    """
    if expected.sum() == 0 or actual.sum() == 0:
        return float("nan")
    return float(jensenshannon(expected, actual, base=2))


def linf_distance(expected: np.ndarray, actual: np.ndarray) -> float:
    """Largest absolute difference of bin/category proportions (Model Monitor's "LInfinity")."""
    if expected.sum() == 0 or actual.sum() == 0:
        return float("nan")
    return float(np.max(np.abs(expected / expected.sum() - actual / actual.sum())))


@dataclass(frozen=True)
class TestResult:
    statistic: float
    p_value: float
    n_reference: int
    n_current: int


def subsample(values: np.ndarray, max_n: int, rng: np.random.Generator) -> np.ndarray:
    """A uniform random subsample without replacement (the array itself when small enough).

    A simple random sample of an i.i.d. window is itself i.i.d. from the same distribution,
    so any test run on it keeps its size (false-alarm rate); only power drops.
    """
    if values.size <= max_n:
        return values
    return values[rng.choice(values.size, size=max_n, replace=False)]


def ks_test(reference: np.ndarray, current: np.ndarray) -> TestResult:
    """Two-sample Kolmogorov–Smirnov test (``scipy.stats.ks_2samp``, exact for small samples).

    With ties (integer-valued or heavily tied columns such as capital-gain) the test's
    null distribution is that of continuous data, which makes the p-value conservative
    (Conover 1971, ch. 6): the false-alarm rate stays at or below the nominal level and only
    power is lost. Missing values must already be removed.
    """
    result = stats.ks_2samp(reference, current, method="auto")
    return TestResult(
        float(result.statistic), float(result.pvalue), int(reference.size), int(current.size)
    )


def chi_square_test(
    expected: np.ndarray, actual: np.ndarray, min_expected: float = 5.0
) -> TestResult:
    """Chi-square test of homogeneity on a 2×k table of category counts.

    Categories whose expected cell count is below ``min_expected`` are pooled into one cell
    (Cochran's rule) so the chi-square approximation holds; with one cell left the test is
    undefined and p = 1.
    """
    table = np.vstack([expected, actual]).astype(np.float64)
    table = table[:, table.sum(axis=0) > 0]
    if table.shape[1] < 2 or table[0].sum() == 0 or table[1].sum() == 0:
        return TestResult(0.0, 1.0, int(expected.sum()), int(actual.sum()))
    row = table.sum(axis=1, keepdims=True)
    exp_cells = row * table.sum(axis=0, keepdims=True) / table.sum()
    small = (exp_cells < min_expected).any(axis=0)
    if small.any():
        pooled = table[:, small].sum(axis=1, keepdims=True)
        table = np.hstack([table[:, ~small], pooled]) if (~small).any() else pooled
        table = table[:, table.sum(axis=0) > 0]
    if table.shape[1] < 2:
        return TestResult(0.0, 1.0, int(expected.sum()), int(actual.sum()))
    result = stats.chi2_contingency(table, correction=False)
    return TestResult(
        float(result.statistic), float(result.pvalue), int(expected.sum()), int(actual.sum())
    )


def missing_rate_test(
    ref_missing: int, ref_total: int, cur_missing: int, cur_total: int
) -> TestResult:
    """Fisher's exact test that the missing rate differs (two-sided), on the 2×2 table."""
    if ref_total == 0 or cur_total == 0:
        return TestResult(float("nan"), 1.0, ref_total, cur_total)
    table = [[ref_missing, ref_total - ref_missing], [cur_missing, cur_total - cur_missing]]
    result = stats.fisher_exact(table)
    return TestResult(
        float(cur_missing / cur_total - ref_missing / ref_total),
        float(result.pvalue),
        ref_total,
        cur_total,
    )


def completeness_shortfall_p(expected_completeness: float, present: int, total: int) -> float:
    """One-sided exact binomial p-value that completeness is below ``expected_completeness``."""
    if total == 0:
        return 1.0
    p = min(max(expected_completeness, 0.0), 1.0)
    return float(stats.binomtest(present, total, p, alternative="less").pvalue)


def wasserstein_normalised(reference: np.ndarray, current: np.ndarray, spread: float) -> float:
    """Earth mover's distance between the two samples divided by the baseline's standard
    deviation (``scipy.stats.wasserstein_distance``). For a pure location shift this equals
    |Δmean|/σ, i.e. Cohen's d; NaN when the baseline is constant."""
    if reference.size == 0 or current.size == 0:
        return float("nan")
    distance = float(stats.wasserstein_distance(reference, current))
    if not spread > 0:
        return 0.0 if distance == 0 else float("inf")
    return distance / spread


def benjamini_hochberg(p_values: list[float]) -> list[float]:
    """Benjamini–Hochberg (1995) adjusted p-values (``scipy.stats.false_discovery_control``).

    Comparing adjusted p to alpha controls the false discovery rate at alpha; when every
    feature is undrifted it also bounds the chance of flagging any feature by alpha.
    """
    if not p_values:
        return []
    return [float(p) for p in stats.false_discovery_control(np.asarray(p_values), method="bh")]
