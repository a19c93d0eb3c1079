"""Model-quality metrics and intervals checked against scipy / scikit-learn / hand values."""

import json
import math

import numpy as np
import pyarrow as pa
import pytest
from scipy import stats
from sklearn.metrics import accuracy_score, f1_score, precision_score, recall_score, roc_auc_score

from column_schema import parse_schema
from drift_monitor.dataset import from_table
from drift_monitor.errors import InputError
from drift_monitor.model_quality import (
    BASELINE_FILE,
    ModelQualitySection,
    QualitySettings,
    binary_classification_metrics,
)
from drift_monitor.quality_intervals import bootstrap_f1, delong_auc, wilson_interval

FEATURES = [{"name": "x", "type": "numerical"}]


def _window(labels, predictions, scores=None, output_format="probability"):
    raw = {"features": FEATURES, "output_format": output_format}
    schema = parse_schema(raw)
    columns = {
        "x": pa.array(np.arange(len(predictions), dtype=float)),
        "prediction": pa.array(predictions, type=pa.int64()),
        "label": pa.array(labels, type=pa.int64()),
    }
    if scores is not None:
        columns["score"] = pa.array(scores, type=pa.float64())
    return from_table(pa.table(columns), schema, source="test-window")


def _sample(n=600, seed=1):
    rng = np.random.default_rng(seed)
    scores = rng.uniform(size=n)
    labels = (rng.uniform(size=n) < scores).astype(int)
    return labels, (scores >= 0.5).astype(int), scores


@pytest.mark.parametrize(("k", "n"), [(0, 10), (3, 10), (10, 10), (412, 500), (1, 2)])
def test_wilson_matches_scipy(k, n):
    expected = stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    lower, upper = wilson_interval(k, n, 0.95)
    assert lower == pytest.approx(expected.low, abs=1e-12)
    assert upper == pytest.approx(expected.high, abs=1e-12)


def test_delong_matches_bruteforce_structural_components():
    rng = np.random.default_rng(3)
    labels = rng.integers(0, 2, 80)
    scores = np.round(rng.normal(labels * 0.8, 1.0), 1)  # rounded: ties exercise midranks
    auc, variance = delong_auc(labels, scores)
    pos, neg = scores[labels == 1], scores[labels == 0]
    psi = (pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :])
    v10, v01 = psi.mean(axis=1), psi.mean(axis=0)
    expected = np.var(v10, ddof=1) / pos.size + np.var(v01, ddof=1) / neg.size
    assert auc == pytest.approx(roc_auc_score(labels, scores), abs=1e-12)
    assert variance == pytest.approx(expected, rel=1e-10)


def test_bootstrap_f1_is_seeded_and_brackets_the_value():
    first = bootstrap_f1(120, 30, 40, 310, seed=7)
    assert first == bootstrap_f1(120, 30, 40, 310, seed=7)
    f1 = 240 / (240 + 70)
    assert first[0] < f1 < first[1]
    # the bootstrap std of F1 ~ delta-method scale: a few points for 500 rows
    assert 0.01 < first[2] < 0.05


def test_metrics_match_sklearn_and_intervals_use_named_methods():
    labels, predictions, scores = _sample()
    metrics, undefined = binary_classification_metrics(labels == 1, predictions == 1, scores)
    assert undefined == {}
    assert metrics["accuracy"]["value"] == pytest.approx(accuracy_score(labels, predictions))
    assert metrics["precision"]["value"] == pytest.approx(precision_score(labels, predictions))
    assert metrics["recall"]["value"] == pytest.approx(recall_score(labels, predictions))
    assert metrics["f1"]["value"] == pytest.approx(f1_score(labels, predictions))
    assert metrics["auc"]["value"] == pytest.approx(roc_auc_score(labels, scores))
    tp = int(((labels == 1) & (predictions == 1)).sum())
    fn = int(((labels == 1) & (predictions == 0)).sum())
    assert metrics["confusion_matrix"]["1"] == {"1": tp, "0": fn}
    recall_ci = stats.binomtest(tp, tp + fn).proportion_ci(method="wilson")
    assert metrics["recall"]["confidence_interval"]["lower"] == pytest.approx(recall_ci.low)
    assert metrics["recall"]["confidence_interval"]["method"] == "wilson"
    assert metrics["auc"]["confidence_interval"]["method"] == "delong"
    accuracy = metrics["accuracy"]["value"]
    assert metrics["accuracy"]["standard_deviation"] == pytest.approx(
        math.sqrt(accuracy * (1 - accuracy) / 600)
    )


def test_standard_deviation_is_nan_below_200_rows():
    labels, predictions, scores = _sample(n=150)
    metrics, _ = binary_classification_metrics(labels == 1, predictions == 1, scores)
    assert all(
        metrics[m]["standard_deviation"] == "NaN"
        for m in ("accuracy", "precision", "recall", "f1", "auc")
    )
    json.dumps(metrics, allow_nan=False)


def test_class_only_output_has_no_auc_but_other_metrics():
    labels, predictions, _ = _sample()
    window = _window(labels, predictions, output_format="class")
    result = ModelQualitySection(QualitySettings()).analyse(window, None, {})
    block = result.statistics["binary_classification_metrics"]
    assert "auc" not in block and "class" in block["undefined_metrics"]["auc"]
    assert block["accuracy"]["value"] == pytest.approx(accuracy_score(labels, predictions))


def test_baseline_derives_threshold_and_monitor_flags_a_clear_drop(tmp_path):
    labels, predictions, scores = _sample(n=1000)
    section = ModelQualitySection()
    constraints = section.fit_baseline(_window(labels, predictions, scores), tmp_path)
    accuracy = accuracy_score(labels, predictions)
    rule = constraints["binary_classification_constraints"]["accuracy"]
    assert rule == {
        "threshold": pytest.approx(accuracy - 0.05, abs=1e-6),
        "comparison_operator": "LessThanThreshold",
    }
    assert json.loads((tmp_path / BASELINE_FILE).read_text())["status"] == "ok"

    healthy = section.analyse(_window(labels, predictions, scores), tmp_path, constraints)
    assert healthy.violations == [] and healthy.summary["status"] == "ok"

    flipped = predictions.copy()
    flipped[:300] = 1 - flipped[:300]  # ~30% of rows made wrong-or-right at random
    bad = section.analyse(_window(labels, flipped, scores), tmp_path, constraints)
    assert [v["constraint_check_type"] for v in bad.violations] == ["model_quality_check"]
    assert bad.violations[0]["feature_name"] == "accuracy"
    assert bad.summary["accuracy_ci"][1] < rule["threshold"]


def test_a_drop_within_noise_is_not_a_violation(tmp_path):
    labels, predictions, scores = _sample(n=120)
    constraints = {
        "binary_classification_constraints": {
            "accuracy": {
                "threshold": accuracy_score(labels, predictions) + 0.03,
                "comparison_operator": "LessThanThreshold",
            }
        }
    }
    result = ModelQualitySection().analyse(
        _window(labels, predictions, scores), tmp_path, constraints
    )
    assert result.summary["status"] == "ok" and result.violations == []


def test_too_few_labels_is_insufficient_data_never_a_verdict(tmp_path):
    labels, _, scores = _sample(n=400)
    labels_partial = np.where(np.arange(400) < 40, labels, -1)
    table_labels = [int(v) if v >= 0 else None for v in labels_partial]
    wrong = 1 - labels  # every labelled row wrong
    constraints = {
        "binary_classification_constraints": {
            "accuracy": {"threshold": 0.9, "comparison_operator": "LessThanThreshold"}
        }
    }
    result = ModelQualitySection().analyse(
        _window(table_labels, wrong, scores), tmp_path, constraints
    )
    assert result.summary["status"] == "insufficient_data"
    assert result.summary["labeled_count"] == 40
    assert result.summary["label_coverage"] == pytest.approx(0.1)
    assert result.violations == []
    assert result.statistics["binary_classification_metrics"]["accuracy"]["value"] == 0.0


def test_no_labels(tmp_path):
    _, predictions, scores = _sample(n=50)
    result = ModelQualitySection().analyse(_window([None] * 50, predictions, scores), tmp_path, {})
    assert result.summary["status"] == "no_labels"
    assert result.summary["labeled_count"] == 0 and result.statistics == {}


def test_labels_outside_0_1_are_a_clear_error(tmp_path):
    with pytest.raises(InputError, match=r"test-window column 'label'.*not 0/1"):
        ModelQualitySection().analyse(_window([0, 2, 1], [0, 1, 1], [0.1, 0.9, 0.8]), tmp_path, {})


def test_unknown_constraint_metric_is_a_clear_error(tmp_path):
    labels, predictions, scores = _sample(n=300)
    with pytest.raises(InputError, match="f3 is not a supported metric"):
        ModelQualitySection().analyse(
            _window(labels, predictions, scores),
            tmp_path,
            {"binary_classification_constraints": {"f3": {"threshold": 0.5}}},
        )


def test_greater_than_threshold_rule_uses_the_interval_lower_end(tmp_path):
    labels, predictions, scores = _sample(n=1000)
    recall = recall_score(labels, predictions)
    section = ModelQualitySection()
    window = _window(labels, predictions, scores)
    below = {
        "binary_classification_constraints": {
            "recall": {"threshold": recall - 0.1, "comparison_operator": "GreaterThanThreshold"}
        }
    }
    near = {
        "binary_classification_constraints": {
            "recall": {"threshold": recall - 0.005, "comparison_operator": "GreaterThanThreshold"}
        }
    }
    assert [v["feature_name"] for v in section.analyse(window, tmp_path, below).violations] == [
        "recall"
    ]
    assert section.analyse(window, tmp_path, near).violations == []
    assert "Model quality" in section.analyse(window, tmp_path, near).report_html


@pytest.mark.parametrize("decimals", [None, 1, 3])
def test_delong_midranks_from_one_sort_equal_scipy_rankdata(decimals):
    from drift_monitor.quality_intervals import _midranks

    rng = np.random.default_rng(decimals or 0)
    scores = rng.random(2000)
    if decimals is not None:
        scores = np.round(scores, decimals)  # many ties
    positive = rng.random(scores.size) < 0.3
    pos, neg = scores[positive], scores[~positive]
    rank_all, rank_pos, rank_neg = _midranks(pos, neg)
    np.testing.assert_array_equal(rank_all, stats.rankdata(np.concatenate([pos, neg])))
    np.testing.assert_array_equal(rank_pos, stats.rankdata(pos))
    np.testing.assert_array_equal(rank_neg, stats.rankdata(neg))
