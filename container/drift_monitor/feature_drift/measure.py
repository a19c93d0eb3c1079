"""Measuring one feature's drift: the significance test and every effect size, on all rows.

KS and Wasserstein use at most ``MAX_TEST_ROWS`` window values (a simple random subsample
keeps the test valid; only power drops). Bins, PSI, JS, L∞ and missing rates use every row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from drift_monitor import drift_tests
from drift_monitor.counting import aligned_counts, category_counts

MAX_TEST_ROWS = 50_000  # window rows used by KS / Wasserstein (random subsample)

_UNTESTED = {"statistic": float("nan"), "p_value": 1.0, "n_tested": 0}


@dataclass(frozen=True)
class Counts:
    """Baseline and current counts per bin (numerical) or category, for the report's chart."""

    edges: np.ndarray  # numerical: interior bin edges; empty for a categorical feature
    categories: list[str]  # categorical: baseline categories, then unseen ones
    baseline: np.ndarray
    current: np.ndarray


def missing_rates(base: dict, cur_missing: int, cur_total: int) -> dict[str, float]:
    """Baseline and current missing rate and Fisher's exact test of the change."""
    ref_total = int(base["n_present"]) + int(base["n_missing"])
    test = drift_tests.missing_rate_test(
        int(base["n_missing"]), ref_total, int(cur_missing), int(cur_total)
    )
    return {
        "baseline_missing_rate": base["n_missing"] / ref_total if ref_total else 0.0,
        "current_missing_rate": cur_missing / cur_total if cur_total else 0.0,
        "missing_rate_change": test.statistic,
        "missing_rate_p_value": test.p_value,
    }


def numeric(
    name: str,
    values: np.ndarray,
    base: dict,
    ref_values: np.ndarray,
    rng: np.random.Generator,
) -> tuple[dict[str, Any], Counts]:
    """KS (significance), normalised Wasserstein, PSI, JS and L∞ on baseline-quantile bins."""
    present = values[~np.isnan(values)]
    ref_present = ref_values[~np.isnan(ref_values)]
    edges = np.asarray(base["bin_edges"], dtype=np.float64)
    ref_counts = np.asarray(base["bin_counts"], dtype=np.float64)
    cur_counts = drift_tests.bin_counts(present, edges)
    result: dict[str, Any] = {
        "name": name,
        "type": "numerical",
        "test": "KS",
        "n_current": int(present.size),
    }
    result.update(missing_rates(base, values.size - present.size, values.size))
    if present.size and ref_present.size:
        sample = drift_tests.subsample(present, MAX_TEST_ROWS, rng)
        ks = drift_tests.ks_test(ref_present, sample)
        result.update(
            {
                "statistic": ks.statistic,
                "p_value": ks.p_value,
                "n_tested": ks.n_current,
                "wasserstein_normalised": drift_tests.wasserstein_normalised(
                    ref_present, sample, float(base["std"])
                ),
                "psi": drift_tests.psi(ref_counts, cur_counts),
                "js_distance": drift_tests.js_distance(ref_counts, cur_counts),
                "linf_distance": drift_tests.linf_distance(ref_counts, cur_counts),
                "baseline_mean": float(ref_present.mean()),
                "current_mean": float(sample.mean()),
            }
        )
    else:
        nan = float("nan")
        result.update(_UNTESTED)
        result.update(
            {"wasserstein_normalised": nan, "psi": nan, "js_distance": nan, "linf_distance": nan}
        )
    return result, Counts(edges, [], ref_counts, cur_counts)


def categorical(
    name: str, values: pa.Array, base: dict, counts: dict[str, int] | None = None
) -> tuple[dict[str, Any], Counts]:
    """Chi-square (significance), PSI, JS, L∞, unseen share and vanished categories
    (``counts``: ``values``' category counts, when the caller has them)."""
    counts = category_counts(values) if counts is None else counts
    categories, ref, cur = aligned_counts(base["counts"], counts)
    n_present = int(cur.sum())
    result: dict[str, Any] = {
        "name": name,
        "type": "categorical",
        "test": "chi-square",
        "n_current": n_present,
    }
    result.update(missing_rates(base, values.null_count, len(values)))
    known = set(base["counts"])
    unseen = {c: int(v) for c, v in counts.items() if c not in known}
    ref_total = max(float(ref.sum()), 1.0)
    vanished = [
        c
        for c in base["counts"]
        if counts.get(c, 0) == 0 and base["counts"][c] / ref_total * n_present >= 5
    ]
    if n_present and ref.sum():
        chi = drift_tests.chi_square_test(ref, cur)
        result.update(
            {
                "statistic": chi.statistic,
                "p_value": chi.p_value,
                "n_tested": n_present,
                "psi": drift_tests.psi(ref, cur),
                "js_distance": drift_tests.js_distance(ref, cur),
                "linf_distance": drift_tests.linf_distance(ref, cur),
            }
        )
    else:
        nan = float("nan")
        result.update(_UNTESTED)
        result.update({"psi": nan, "js_distance": nan, "linf_distance": nan})
    result["unseen_share"] = sum(unseen.values()) / n_present if n_present else 0.0
    result["unseen_categories"] = sorted(unseen, key=lambda c: unseen[c], reverse=True)[:20]
    result["vanished_categories"] = vanished
    return result, Counts(np.empty(0), categories, ref, cur)
