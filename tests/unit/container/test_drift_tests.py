"""Each statistic against scipy or a hand-computed value."""

import math

import numpy as np
import pytest
from scipy import stats
from scipy.spatial.distance import jensenshannon

from drift_monitor import drift_tests as dt


def test_quantile_edges_deduplicate_ties():
    values = np.r_[np.zeros(90), np.arange(1, 11, dtype=float)]
    edges = dt.quantile_edges(values, 10)
    assert edges[0] == 0.0 and np.all(np.diff(edges) > 0)
    assert len(edges) < 9


def test_bin_counts_right_closed_and_nan_excluded():
    edges = np.array([1.0, 2.0])
    counts = dt.bin_counts(np.array([0.5, 1.0, 1.5, 2.0, 3.0, np.nan]), edges)
    assert counts.tolist() == [2.0, 2.0, 1.0]


def test_psi_hand_computed():
    expected = np.array([50.0, 50.0])
    actual = np.array([30.0, 70.0])
    e = (expected + 0.5) / 101
    a = (actual + 0.5) / 101
    assert dt.psi(expected, actual) == pytest.approx(float(np.sum((a - e) * np.log(a / e))))
    assert dt.psi(expected, expected) == 0.0
    # without smoothing the textbook value is 0.2*ln(7/3)=0.1695; the pseudo-count barely moves it
    assert dt.psi(expected, actual) == pytest.approx(0.2 * math.log(7 / 3), rel=0.03)


def test_js_distance_matches_scipy_and_bounds():
    p, q = np.array([1.0, 0.0]), np.array([0.0, 1.0])
    assert dt.js_distance(p, q) == pytest.approx(1.0)
    p, q = np.array([3.0, 5.0, 2.0]), np.array([1.0, 1.0, 8.0])
    assert dt.js_distance(p, q) == pytest.approx(jensenshannon(p / 10, q / 10, base=2))


def test_linf_distance():
    assert dt.linf_distance(np.array([5.0, 5.0]), np.array([2.0, 8.0])) == pytest.approx(0.3)


def test_ks_matches_scipy():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=300), rng.normal(0.3, size=400)
    ref = stats.ks_2samp(a, b)
    result = dt.ks_test(a, b)
    assert result.statistic == pytest.approx(ref.statistic)
    assert result.p_value == pytest.approx(ref.pvalue)


def test_ks_with_ties_is_conservative():
    """On heavily tied data, the false-alarm rate of the KS test stays below alpha."""
    rng = np.random.default_rng(1)
    values = np.r_[np.zeros(90), np.arange(1, 11)]
    rejections = sum(
        dt.ks_test(rng.choice(values, 200), rng.choice(values, 200)).p_value < 0.05
        for _ in range(200)
    )
    assert rejections / 200 <= 0.05


def test_chi_square_matches_scipy_when_cells_are_large():
    ref, cur = np.array([100.0, 200.0, 300.0]), np.array([120.0, 180.0, 400.0])
    expected = stats.chi2_contingency(np.vstack([ref, cur]), correction=False)
    result = dt.chi_square_test(ref, cur)
    assert result.statistic == pytest.approx(expected.statistic)
    assert result.p_value == pytest.approx(expected.pvalue)


def test_chi_square_pools_sparse_cells():
    ref, cur = np.array([100.0, 200.0, 1.0, 1.0]), np.array([100.0, 200.0, 0.0, 2.0])
    pooled = stats.chi2_contingency(np.array([[100, 200, 2], [100, 200, 2]]), correction=False)
    assert dt.chi_square_test(ref, cur).p_value == pytest.approx(pooled.pvalue)


def test_chi_square_single_category_is_not_evidence():
    assert dt.chi_square_test(np.array([10.0]), np.array([5.0])).p_value == 1.0


def test_missing_rate_test_is_fisher():
    result = dt.missing_rate_test(5, 100, 20, 100)
    assert result.statistic == pytest.approx(0.15)
    assert result.p_value == pytest.approx(stats.fisher_exact([[5, 95], [20, 80]]).pvalue)


def test_completeness_shortfall_is_one_sided_binomial():
    p = dt.completeness_shortfall_p(0.95, 900, 1000)
    assert p == pytest.approx(stats.binomtest(900, 1000, 0.95, alternative="less").pvalue)
    assert dt.completeness_shortfall_p(0.95, 990, 1000) > 0.5


def test_wasserstein_normalised_is_cohens_d_for_a_shift():
    a = np.arange(100, dtype=float)
    assert dt.wasserstein_normalised(a, a + 5.0, 10.0) == pytest.approx(0.5)
    assert dt.wasserstein_normalised(a, a, 0.0) == 0.0
    assert dt.wasserstein_normalised(np.ones(5), np.ones(5) * 2, 0.0) == math.inf


def test_benjamini_hochberg_hand_computed():
    # sorted p: .01 .03 .04 .5 -> p*m/rank: .04 .06 .0533 .5 -> cumulative min from the top
    assert dt.benjamini_hochberg([0.01, 0.04, 0.03, 0.5]) == pytest.approx(
        [0.04, 0.0533333, 0.0533333, 0.5], rel=1e-5
    )
    assert dt.benjamini_hochberg([]) == []


def test_subsample_without_replacement():
    rng = np.random.default_rng(0)
    values = np.arange(1000.0)
    sample = dt.subsample(values, 100, rng)
    assert sample.size == 100 and np.unique(sample).size == 100
    assert dt.subsample(values, 5000, rng) is values


@pytest.mark.parametrize("n_edges", [3, 30])
def test_bin_counts_equal_searchsorted_bincount(n_edges):
    rng = np.random.default_rng(n_edges)
    values = rng.normal(size=20_000)
    values[::7] = np.nan
    values[::13] = 0.25
    edges = np.unique(np.r_[0.25, rng.normal(size=n_edges - 1)])
    present = values[~np.isnan(values)]
    expected = np.bincount(np.searchsorted(edges, present, side="left"), minlength=edges.size + 1)
    np.testing.assert_array_equal(dt.bin_counts(values, edges), expected)
