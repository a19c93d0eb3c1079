"""Champion vs challenger on the same held-out rows, with paired confidence intervals.

The champion's predictions are the ones the endpoint made (captured ``score``/``prediction``
of the merged rows); the challenger scores the same rows here. Because one set of rows scores
both models, the differences are paired: a paired bootstrap (``scipy.stats.bootstrap`` with
``paired=True``) gives the interval of each metric's difference, and McNemar's exact test (a
binomial test on the discordant pairs, ``scipy.stats.binomtest``) the p-value for accuracy.
The gate (``retraining.gate`` in the promotion Lambda) reads ``comparison.json``. The
reported metrics are scikit-learn's; the bootstrap uses batch forms of the same formulas.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.metrics import accuracy_score, f1_score, roc_auc_score

from column_schema import ColumnSchema

METRICS: dict[str, Callable[[np.ndarray, np.ndarray, np.ndarray], float]] = {
    "accuracy": lambda y, pred, _score: float(accuracy_score(y, pred)),
    "f1": lambda y, pred, _score: float(f1_score(y, pred, zero_division=0)),
    "auc": lambda y, _pred, score: _auc(y, score),
}


class ComparisonError(RuntimeError):
    """The held-out rows cannot score the two models (missing columns, one class only)."""


def _auc(labels: np.ndarray, scores: np.ndarray) -> float:
    if len(np.unique(labels)) < 2:
        return float("nan")
    return float(roc_auc_score(labels, scores))


def metrics_of(labels: np.ndarray, predictions: np.ndarray, scores: np.ndarray) -> dict:
    return {name: metric(labels, predictions, scores) for name, metric in METRICS.items()}


def champion_columns(holdout: pd.DataFrame, schema: ColumnSchema) -> tuple[np.ndarray, np.ndarray]:
    """The endpoint's own predictions and scores, as captured."""
    missing = [c for c in (schema.label, schema.prediction, schema.score) if c not in holdout]
    if missing:
        raise ComparisonError(
            f"held-out rows lack the captured columns {missing}: the champion's predictions "
            "come from the data capture (score and prediction of the merged rows)"
        )
    return (
        holdout[schema.prediction].astype(int).to_numpy(),
        holdout[schema.score].astype(float).to_numpy(),
    )


def compare(
    labels: np.ndarray,
    champion: tuple[np.ndarray, np.ndarray],
    challenger: tuple[np.ndarray, np.ndarray],
    *,
    confidence: float = 0.95,
    resamples: int = 2000,
    seed: int = 0,
) -> dict:
    """Both models' metrics, and each difference (challenger - champion) with its interval."""
    if len(np.unique(labels)) < 2:
        raise ComparisonError(
            f"the {len(labels)} held-out rows have one class only; AUC and a fair "
            "comparison need both"
        )
    champion_pred, champion_score = champion
    challenger_pred, challenger_score = challenger
    differences = {}
    for offset, name in enumerate(METRICS):
        differences[name] = _paired_difference(
            name,
            (labels, champion_pred, champion_score, challenger_pred, challenger_score),
            confidence=confidence,
            resamples=resamples,
            seed=seed + offset,
        )
    differences["accuracy"]["mcnemar_p_value"] = _mcnemar_p(labels, champion_pred, challenger_pred)
    return {
        "rows": len(labels),
        "confidence": confidence,
        "method": "paired bootstrap (scipy.stats.bootstrap, paired=True, percentile)",
        "champion": metrics_of(labels, champion_pred, champion_score),
        "challenger": metrics_of(labels, challenger_pred, challenger_score),
        "differences": differences,
    }


def _paired_difference(
    name: str, columns: tuple, *, confidence: float, resamples: int, seed: int
) -> dict:
    metric = BATCH_METRICS[name]

    def difference(y, champion_pred, champion_score, challenger_pred, challenger_score, axis=-1):
        return metric(y, challenger_pred, challenger_score) - metric(
            y, champion_pred, champion_score
        )

    estimate = difference(*columns)
    result = stats.bootstrap(
        columns,
        difference,
        paired=True,
        vectorized=True,
        n_resamples=resamples,
        confidence_level=confidence,
        method="percentile",
        rng=np.random.default_rng(seed),
    )
    return {
        "estimate": float(estimate),
        "ci_low": float(result.confidence_interval.low),
        "ci_high": float(result.confidence_interval.high),
    }


# The same metrics over a batch of resamples (last axis = rows), so the bootstrap is one
# vectorised call; tests check they equal scikit-learn's on single samples. AUC is the
# Mann-Whitney statistic from scipy's tie-averaged ranks.
def _batch_accuracy(y: np.ndarray, pred: np.ndarray, _score: np.ndarray) -> np.ndarray:
    return (y == pred).mean(axis=-1)


def _batch_f1(y: np.ndarray, pred: np.ndarray, _score: np.ndarray) -> np.ndarray:
    tp = ((pred == 1) & (y == 1)).sum(axis=-1)
    wrong = (pred != y).sum(axis=-1)
    denominator = 2 * tp + wrong
    return np.divide(2 * tp, denominator, out=np.zeros(np.shape(tp)), where=denominator > 0)


def _batch_auc(y: np.ndarray, _pred: np.ndarray, score: np.ndarray) -> np.ndarray:
    ranks = stats.rankdata(score, axis=-1)
    positives = (y == 1).sum(axis=-1)
    negatives = y.shape[-1] - positives
    u = (ranks * (y == 1)).sum(axis=-1) - positives * (positives + 1) / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(positives * negatives > 0, u / (positives * negatives), np.nan)


BATCH_METRICS = {"accuracy": _batch_accuracy, "f1": _batch_f1, "auc": _batch_auc}


def _mcnemar_p(labels: np.ndarray, champion: np.ndarray, challenger: np.ndarray) -> float:
    """McNemar's exact test: of the rows exactly one model gets right, is the split even?"""
    champion_right = champion == labels
    challenger_right = challenger == labels
    only_challenger = int((challenger_right & ~champion_right).sum())
    only_champion = int((champion_right & ~challenger_right).sum())
    discordant = only_challenger + only_champion
    if discordant == 0:
        return 1.0
    return float(stats.binomtest(only_challenger, discordant, 0.5).pvalue)
