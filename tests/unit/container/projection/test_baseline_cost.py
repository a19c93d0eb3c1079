"""What keeps the projection fast (baseline job and monitor) without changing its outputs."""

import json

import numpy as np
import pytest
from sklearn.tree import DecisionTreeRegressor

from drift_monitor.projection import ProjectionSection, ProjectionSettings, baseline
from drift_monitor.projection.artefacts import BASELINE_FILE, FEATURE_MODEL_FILE
from drift_monitor.projection.calibration import bootstrap_maps_on_grid, fit_map
from drift_monitor.projection.estimators import GRID
from drift_monitor.projection.features import Tree
from drift_monitor.projection.rows import stratified_sample
from tests.unit.container.projection.test_projection_features import FAST, _rows


def test_stratified_sample_keeps_each_class_share_and_all_rows_when_few():
    outcome = (np.arange(10_000) % 4 == 0).astype(float)  # 25 % positive
    rows = stratified_sample(outcome, 2000, seed=3)
    assert rows.size == 2000 and np.all(np.diff(rows) > 0)  # sorted, no repeats
    assert outcome[rows].sum() == 500
    assert np.array_equal(rows, stratified_sample(outcome, 2000, seed=3))
    assert not np.array_equal(rows, stratified_sample(outcome, 2000, seed=4))
    assert np.array_equal(stratified_sample(outcome[:2000], 2000, seed=3), np.arange(2000))


@pytest.mark.parametrize("weighted", [False, True])
def test_isotonic_draws_are_the_maps_of_the_drawn_rows_in_any_order(weighted):
    """The resamples handed over in sorted order give the maps the drawn rows give as drawn."""
    rng = np.random.default_rng(5)
    scores = np.round(rng.uniform(size=3000), 3)  # ties, as real scores have
    outcomes = (rng.uniform(size=3000) < scores).astype(float)
    weights = rng.uniform(0.5, 2.0, 3000) if weighted else None
    draws = bootstrap_maps_on_grid(
        "isotonic", scores, outcomes, GRID, resamples=20, seed=7, weights=weights
    )
    draw_rng = np.random.default_rng(7)
    p = None if weights is None else weights / weights.sum()
    for b in range(20):
        rows = draw_rng.choice(3000, size=3000, replace=True, p=p)
        expected = fit_map("isotonic", scores[rows], outcomes[rows]).apply(GRID)
        assert np.array_equal(draws[b], expected)


def test_above_fit_rows_a_stratified_sample_and_one_bag_per_fold(tmp_path, monkeypatch):
    bags_used = []
    compare = baseline.compare_out_of_fold

    def spy(*args, **kwargs):
        bags_used.append(kwargs["bags"])
        return compare(*args, **kwargs)

    monkeypatch.setattr(baseline, "compare_out_of_fold", spy)
    monkeypatch.setattr(baseline, "FIT_ROWS", 2500)
    ProjectionSection(ProjectionSettings(**FAST)).fit_baseline(_rows(4000, 0.5, seed=1), tmp_path)
    verdict = json.loads((tmp_path / BASELINE_FILE).read_text())["feature_calibration"]
    assert bags_used == [1]
    assert verdict["labeled_rows"] == 2500 and verdict["sampled_from_rows"] == 4000
    assert verdict["comparison_bags_per_fold"] == 1
    assert verdict["use"] is True and verdict["improvement_p_value"] < 1e-6
    stored = json.loads((tmp_path / FEATURE_MODEL_FILE).read_text())
    assert len(stored["bags"]) == 5  # the model windows get keeps its 5 bags


def test_up_to_fit_rows_every_row_and_five_bags_per_fold(tmp_path, monkeypatch):
    bags_used = []
    compare = baseline.compare_out_of_fold
    monkeypatch.setattr(
        baseline,
        "compare_out_of_fold",
        lambda *a, **k: bags_used.append(k["bags"]) or compare(*a, **k),
    )
    ProjectionSection(ProjectionSettings(**FAST)).fit_baseline(_rows(1500, 0.5, seed=2), tmp_path)
    verdict = json.loads((tmp_path / BASELINE_FILE).read_text())["feature_calibration"]
    assert bags_used == [5] and verdict["labeled_rows"] == 1500
    assert "sampled_from_rows" not in verdict and "comparison_bags_per_fold" not in verdict


@pytest.mark.parametrize("max_depth", [1, 2, 4, 6])  # 6: deeper than whole columns, walked
def test_tree_predict_gives_scikit_learns_leaf_values_at_any_depth(max_depth):
    rng = np.random.default_rng(max_depth)
    x = rng.normal(size=(3000, 3)).astype(np.float32)
    y = x[:, 0] * 2 + np.sin(3 * x[:, 1]) + rng.normal(0, 0.1, 3000)
    fitted = DecisionTreeRegressor(max_depth=max_depth, random_state=0).fit(x, y).tree_
    tree = Tree(
        fitted.feature.astype(np.int64),
        fitted.threshold.astype(float),
        fitted.children_left.astype(np.int64),
        fitted.children_right.astype(np.int64),
        fitted.value[:, 0, 0].astype(float),
    )
    assert tree.depth == max_depth
    expected = fitted.value[fitted.apply(x), 0, 0]
    assert np.array_equal(tree.predict(np.ascontiguousarray(x.T)), expected)
