"""Champion vs challenger on the same rows: metrics and paired intervals (scipy, scikit-learn)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import accuracy_score, f1_score, roc_auc_score

from trainer.comparison import BATCH_METRICS, METRICS, ComparisonError, compare


def _models(n: int = 600, flip_champion: float = 0.25, flip_challenger: float = 0.12):
    rng = np.random.default_rng(3)
    labels = rng.integers(0, 2, n)

    def model(flip: float):
        scores = np.clip(labels * 0.6 + 0.2 + rng.normal(0, 0.15, n), 0, 1)
        wrong = rng.random(n) < flip
        scores[wrong] = 1 - scores[wrong]
        return (scores >= 0.5).astype(int), scores

    return labels, model(flip_champion), model(flip_challenger)


def test_a_clearly_better_challenger_has_an_interval_above_zero():
    labels, champion, challenger = _models()
    report = compare(labels, champion, challenger, resamples=500)
    assert report["rows"] == 600
    assert report["champion"]["accuracy"] == pytest.approx(accuracy_score(labels, champion[0]))
    assert report["challenger"]["auc"] == pytest.approx(roc_auc_score(labels, challenger[1]))
    accuracy = report["differences"]["accuracy"]
    assert (
        accuracy["ci_low"] > 0 and accuracy["ci_low"] < accuracy["estimate"] < accuracy["ci_high"]
    )
    assert accuracy["mcnemar_p_value"] < 0.001
    assert report["differences"]["auc"]["ci_low"] > 0


def test_the_same_model_twice_is_no_difference():
    labels, champion, _ = _models()
    report = compare(labels, champion, champion, resamples=200)
    for difference in report["differences"].values():
        assert (difference["estimate"], difference["ci_low"], difference["ci_high"]) == (0, 0, 0)
    assert report["differences"]["accuracy"]["mcnemar_p_value"] == 1.0


def test_small_holdouts_give_wide_intervals():
    labels, champion, challenger = _models(n=60, flip_challenger=0.2)
    wide = compare(labels, champion, challenger, resamples=300)["differences"]["accuracy"]
    labels, champion, challenger = _models(n=2000, flip_challenger=0.2)
    narrow = compare(labels, champion, challenger, resamples=300)["differences"]["accuracy"]
    assert wide["ci_high"] - wide["ci_low"] > 2 * (narrow["ci_high"] - narrow["ci_low"])


def test_one_class_only_is_a_clear_error():
    labels = np.ones(50, dtype=int)
    pair = (np.ones(50, dtype=int), np.full(50, 0.9))
    with pytest.raises(ComparisonError, match="one class only"):
        compare(labels, pair, pair)


def test_the_bootstrap_metrics_equal_scikit_learns():
    labels, (pred, score), _ = _models(n=300)
    score = np.round(score, 1)  # ties, which AUC must average
    for name in ("accuracy", "f1", "auc"):
        batch = BATCH_METRICS[name](
            np.stack([labels] * 2), np.stack([pred] * 2), np.stack([score] * 2)
        )
        assert batch == pytest.approx([METRICS[name](labels, pred, score)] * 2)
    assert METRICS["f1"](labels, pred, score) == pytest.approx(f1_score(labels, pred))
