"""How far the current window lies from the baseline: a domain classifier on the features.

A classifier that tells baseline rows from current rows estimates the density ratio
w(x) = p_current(x) / p_baseline(x) = [P(current | x) / P(baseline | x)] x (n_baseline / n_current)
(Bickel, Brückner & Scheffer 2009). From it come

* importance weights for the baseline's labelled rows (to refit the calibration as if the
  baseline had the current window's feature mix), and
* the overlap the projection rests on: Kish's effective sample size of those weights, and the
  share of current rows outside the baseline's support (domain probability above
  ``OUTSIDE_SUPPORT_PROBABILITY``: the baseline hardly ever produces rows like them).

The classifier is fitted on a seeded subsample (at most ``max_rows`` per side). That is valid
because it estimates a smooth ratio of two distributions, whose error is governed by the
sample size, not by the window size: a few thousand rows per side pin down a shift that
matters for accuracy, and a shift too subtle to see in them moves accuracy by less than the
projection's own interval. Probabilities are cross-fitted (2 folds) so no row is scored by a
model that saw it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score
from threadpoolctl import threadpool_limits

from drift_monitor.feature_encoding import category_dtypes, encode

OUTSIDE_SUPPORT_PROBABILITY = 0.95
_CLIP = (0.01, 0.99)  # bounds the weights at 99x the prior ratio


@dataclass(frozen=True)
class ShiftEstimate:
    reference_weights: np.ndarray  # one weight per reference row, mean 1
    effective_sample_size: float  # Kish ESS of the reference weights
    outside_support_share: float  # share of (sampled) current rows outside the support
    domain_auc: float  # 0.5 = indistinguishable
    reference_rows_used: int


def estimate_shift(
    reference: pd.DataFrame, current: pd.DataFrame, *, max_rows: int = 5000, seed: int = 0
) -> ShiftEstimate:
    """Cross-fitted domain classifier; weights for every reference row."""
    rng = np.random.default_rng(seed)
    dtypes = category_dtypes(reference, current)
    reference, current = encode(reference, dtypes), encode(current, dtypes)
    cur_rows = rng.permutation(len(current))[:max_rows]
    current = current.iloc[cur_rows].reset_index(drop=True)
    n_ref, n_cur = len(reference), len(current)
    ref_fold = rng.permutation(n_ref) % 2
    cur_fold = rng.permutation(n_cur) % 2
    ref_prob = np.empty(n_ref)
    cur_prob = np.empty(n_cur)
    for fold in (0, 1):
        train_ref = np.flatnonzero(ref_fold != fold)
        if train_ref.size > max_rows:
            train_ref = rng.choice(train_ref, max_rows, replace=False)
        train_cur = np.flatnonzero(cur_fold != fold)
        # Balanced classes (equal rows per side), so the odds are the density ratio without a
        # prior correction (and without sample weights, which slow the binning down).
        per_side = min(train_ref.size, train_cur.size)
        train_ref = rng.choice(train_ref, per_side, replace=False)
        train_cur = rng.choice(train_cur, per_side, replace=False)
        x = pd.concat([reference.iloc[train_ref], current.iloc[train_cur]], ignore_index=True)
        y = np.r_[np.zeros(per_side), np.ones(per_side)]
        model = HistGradientBoostingClassifier(
            max_iter=50,
            learning_rate=0.15,
            max_leaf_nodes=8,
            min_samples_leaf=40,
            categorical_features="from_dtype",
            random_state=seed,
        )
        # One thread: on small data OpenMP spin-waiting costs more than it gains, and badly
        # so on a busy host.
        with threadpool_limits(limits=1):
            model.fit(x, y)
            ref_prob[ref_fold == fold] = model.predict_proba(reference[ref_fold == fold])[:, 1]
            cur_prob[cur_fold == fold] = model.predict_proba(current[cur_fold == fold])[:, 1]
    clipped = np.clip(ref_prob, *_CLIP)
    weights = clipped / (1 - clipped)
    weights = weights / weights.mean()
    ess = float(weights.sum() ** 2 / np.sum(weights**2))
    labels = np.r_[np.zeros(n_ref), np.ones(n_cur)]
    auc = float(roc_auc_score(labels, np.r_[ref_prob, cur_prob])) if n_ref and n_cur else 0.5
    return ShiftEstimate(
        reference_weights=weights,
        effective_sample_size=ess,
        outside_support_share=float(np.mean(cur_prob > OUTSIDE_SUPPORT_PROBABILITY)),
        domain_auc=auc,
        reference_rows_used=n_ref,
    )
