"""Per-feature drift: a significance test AND an effect size, Benjamini–Hochberg across features.

Numerical features: two-sample KS (significance), Wasserstein distance divided by the
baseline standard deviation, PSI, Jensen–Shannon distance and L-infinity on baseline-quantile
bins (effect sizes). Categorical features: chi-square of homogeneity (significance),
Jensen–Shannon, PSI, L-infinity, share of unseen and list of vanished categories. Every
feature also gets its missing-rate change (Fisher's exact test).

A feature is flagged only when (comparison_method "Robust", the default) its BH-adjusted
p-value is below ``significance_level`` AND its chosen effect size reaches its threshold.
The test keeps small windows from alarming on noise; the effect size keeps huge windows from
alarming on trivial shifts. Where we subsample (KS and Wasserstein on at most
``MAX_TEST_ROWS`` window rows) the test stays valid — a simple random subsample of the window
is still a sample of the window's distribution — and only power drops, which the effect-size
gate makes irrelevant. Bins, PSI, JS and missing rates always use every row.

``baseline`` writes and reads the artefacts, ``measure`` computes, ``judge`` decides,
``section`` runs them; the HTML is :mod:`drift_monitor.report.feature_drift`.
"""

from drift_monitor.feature_drift.baseline import (
    BASELINE_FILE,
    MAX_REFERENCE_ROWS,
    N_BINS,
    REFERENCE_FILE,
)
from drift_monitor.feature_drift.measure import MAX_TEST_ROWS
from drift_monitor.feature_drift.section import FeatureDriftSection

__all__ = [
    "BASELINE_FILE",
    "MAX_REFERENCE_ROWS",
    "MAX_TEST_ROWS",
    "N_BINS",
    "REFERENCE_FILE",
    "FeatureDriftSection",
]
