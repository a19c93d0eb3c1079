"""Feature-aware calibration: a model miscalibrated differently per group, then a shift."""

import json

import numpy as np
import pyarrow as pa
import pytest
from scipy import integrate, stats
from scipy.special import expit
from sklearn.ensemble import GradientBoostingClassifier

from column_schema import parse_schema
from drift_monitor.dataset import from_table
from drift_monitor.errors import InputError
from drift_monitor.projection import ProjectionSection, ProjectionSettings
from drift_monitor.projection.artefacts import BASELINE_FILE, FEATURE_MODEL_FILE
from drift_monitor.projection.calibration import fit_map
from drift_monitor.projection.features import (
    _BOOSTING,
    ColumnEncoding,
    FeatureCalibrator,
    _StartFromScoreCalibration,
    class_shift,
    trees_of,
)

FAST = {"bootstrap_resamples": 60, "domain_classifier_rows": 2000}
SCHEMA = parse_schema(
    {"features": [{"name": "x", "type": "numerical"}, {"name": "group", "type": "categorical"}]}
)
# The model's score is expit(2x) in both groups; the truth is expit(2x) in group a but only
# expit(0.5x) in group b, where the model is over-confident.
TRUE_SLOPE = {"a": 2.0, "b": 0.5}
THRESHOLD = {
    "binary_classification_constraints": {
        "accuracy": {"threshold": 0.5, "comparison_operator": "LessThanThreshold"}
    }
}


def _rows(n, share_b, seed, *, labelled=True, slopes=TRUE_SLOPE):
    rng = np.random.default_rng(seed)
    x = rng.normal(0.0, 1.0, n)
    group = np.where(rng.uniform(size=n) < share_b, "b", "a")
    slope = np.where(group == "b", slopes["b"], slopes["a"])
    y = (rng.uniform(size=n) < expit(slope * x)).astype(np.int64)
    score = expit(2.0 * x)
    columns = {
        "x": pa.array(x),
        "group": pa.array(group),
        "score": pa.array(score),
        "prediction": pa.array((score >= 0.5).astype(np.int64)),
        "label": pa.array(y) if labelled else pa.nulls(n, pa.int64()),
    }
    return from_table(pa.table(columns), SCHEMA, source="synthetic")


def _group_accuracy(slope):
    """P(correct) in a group: the prediction is x > 0, correct with expit(slope |x|)."""
    value, _ = integrate.quad(
        lambda x: expit(slope * abs(x)) * stats.norm.pdf(x), -10, 10, points=[0.0]
    )
    return value


@pytest.fixture(scope="module")
def baseline(tmp_path_factory):
    directory = tmp_path_factory.mktemp("baseline")
    ProjectionSection(ProjectionSettings(**FAST)).fit_baseline(_rows(4000, 0.5, seed=1), directory)
    return directory


def test_baseline_keeps_the_feature_aware_calibration_when_it_wins_out_of_fold(baseline):
    verdict = json.loads((baseline / BASELINE_FILE).read_text())["feature_calibration"]
    assert verdict["use"] is True
    assert verdict["out_of_fold_brier_feature_aware"] < verdict["out_of_fold_brier_score_only"]
    assert verdict["improvement_p_value"] < 1e-6
    assert verdict["labeled_rows"] == 4000 and verdict["folds"] == 5
    stored = json.loads((baseline / FEATURE_MODEL_FILE).read_text())  # plain JSON trees
    assert len(stored["bags"]) == 5 and all(len(trees) >= 1 for trees in stored["bags"])


def test_stored_trees_give_scikit_learns_probabilities():
    window = _rows(3000, 0.5, seed=7)
    features = window.features_frame()
    scores, outcomes = window.scores(), window.labels().astype(int)
    base = fit_map("isotonic", scores, outcomes.astype(float))
    encoding = ColumnEncoding.fit(features)
    x = encoding.matrix(features, scores)
    model = GradientBoostingClassifier(
        init=_StartFromScoreCalibration(base), random_state=0, **_BOOSTING
    ).fit(x, outcomes)
    ours = FeatureCalibrator(encoding, base, _BOOSTING["learning_rate"], (trees_of(model),))
    restored = FeatureCalibrator.from_json(json.loads(json.dumps(ours.to_json())), source="t")
    fresh = _rows(2000, 1.0, seed=8, labelled=False)
    expected = model.predict_proba(encoding.matrix(fresh.features_frame(), fresh.scores()))[:, 1]
    assert restored.predict(fresh.features_frame(), fresh.scores()) == pytest.approx(
        expected, abs=1e-12
    )


def test_feature_aware_projection_follows_a_shift_into_the_miscalibrated_group(baseline):
    truth = 0.05 * _group_accuracy(TRUE_SLOPE["a"]) + 0.95 * _group_accuracy(TRUE_SLOPE["b"])
    window = _rows(20000, 0.95, seed=2, labelled=False)
    result = ProjectionSection(ProjectionSettings(**FAST)).analyse(window, baseline, THRESHOLD)
    score_only = ProjectionSection(ProjectionSettings(feature_calibration="never", **FAST)).analyse(
        window, baseline, THRESHOLD
    )
    assert result.summary["projected_accuracy"] == pytest.approx(truth, abs=0.015)
    # the score-only map carries the baseline's 50/50 mix: about 10 points too high here
    assert score_only.summary["projected_accuracy"] - truth > 0.07
    rests_on = result.statistics["projected_binary_classification_metrics"]["accuracy"]["rests_on"]
    assert rests_on["feature_calibration"]["used"] is True
    assert rests_on["feature_calibration"]["adjustment"] == pytest.approx(
        result.summary["projected_accuracy"] - score_only.summary["projected_accuracy"], abs=1e-3
    )
    assert rests_on["alternative_estimates"]["score_only"] == pytest.approx(
        score_only.summary["projected_accuracy"], abs=1e-3
    )
    assert "feature-aware calibration" in result.summary["rests_on"]
    # the interval covers the score-only estimate's disagreement too
    lower, upper = result.summary["interval"]
    assert lower <= truth <= upper


def test_labelled_rows_are_tested_against_the_feature_aware_projection(baseline):
    window = _rows(3000, 0.95, seed=3)
    result = ProjectionSection(ProjectionSettings(**FAST)).analyse(window, baseline, THRESHOLD)
    kinds = {v["constraint_check_type"] for v in result.violations}
    assert "projection_reliability_check" not in kinds
    score_only = ProjectionSection(ProjectionSettings(feature_calibration="never", **FAST)).analyse(
        window, baseline, THRESHOLD
    )
    # the score-only projection is ~10 points off on these rows: the gap test catches it
    assert "projection_reliability_check" in {
        v["constraint_check_type"] for v in score_only.violations
    }


def test_never_and_too_few_rows_fall_back_to_the_score_alone(tmp_path):
    section = ProjectionSection(ProjectionSettings(feature_calibration="never", **FAST))
    section.fit_baseline(_rows(4000, 0.5, seed=4), tmp_path / "never")
    verdict = json.loads((tmp_path / "never" / BASELINE_FILE).read_text())
    assert verdict["feature_calibration"] == {
        "use": False,
        "reason": "feature_calibration is 'never'",
    }
    ProjectionSection(ProjectionSettings(**FAST)).fit_baseline(
        _rows(600, 0.5, seed=5), tmp_path / "small"
    )
    verdict = json.loads((tmp_path / "small" / BASELINE_FILE).read_text())
    assert verdict["feature_calibration"]["use"] is False
    assert (
        "600 labelled baseline rows, fewer than the 1000"
        in verdict["feature_calibration"]["reason"]
    )
    result = ProjectionSection(ProjectionSettings(**FAST)).analyse(
        _rows(2000, 0.95, seed=6, labelled=False), tmp_path / "small", THRESHOLD
    )
    rests_on = result.statistics["projected_binary_classification_metrics"]["accuracy"]["rests_on"]
    assert rests_on["feature_calibration"]["used"] is False
    assert "score_only" not in rests_on["alternative_estimates"]


def test_auto_keeps_plain_cbpe_when_the_features_carry_no_calibration_signal(tmp_path):
    # the score is calibrated in both groups: nothing for the features to correct
    calibrated = _rows(4000, 0.5, seed=9, slopes={"a": 2.0, "b": 2.0})
    ProjectionSection(ProjectionSettings(**FAST)).fit_baseline(calibrated, tmp_path)
    verdict = json.loads((tmp_path / BASELINE_FILE).read_text())["feature_calibration"]
    assert verdict["use"] is False
    assert verdict["improvement_p_value"] >= 0.01
    assert "not significantly lower" in verdict["reason"]


def test_a_baseline_with_almost_one_class_skips_the_comparison_with_a_reason(tmp_path):
    window = _rows(3000, 0.5, seed=11)
    labels = np.zeros(3000, dtype=np.int64)
    labels[:10] = 1  # 10 positive rows: too few for a stratified 5-fold comparison
    table = window.table.set_column(
        window.table.column_names.index("label"), "label", pa.array(labels)
    )
    ProjectionSection(ProjectionSettings(**FAST)).fit_baseline(
        from_table(table, SCHEMA, source="synthetic"), tmp_path
    )
    verdict = json.loads((tmp_path / BASELINE_FILE).read_text())["feature_calibration"]
    assert verdict == {
        "use": False,
        "reason": "only 10 labelled baseline rows of one class, "
        "fewer than the 50 the out-of-fold comparison "
        "needs",
    }


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda m: m["bags"][0][0].update(left=[5] * len(m["bags"][0][0]["left"])), "out of range"),
        (
            lambda m: m["bags"][0][0].update(feature=[99] * len(m["bags"][0][0]["feature"])),
            "out of range",
        ),
        (lambda m: m["bags"][0][0].update(value=[1.0]), "equal length"),
        (lambda m: m.pop("base"), "not a feature-aware calibration"),
    ],
)
def test_a_damaged_feature_calibration_file_is_a_clear_error(baseline, tmp_path, damage, message):
    import shutil

    copy = tmp_path / "baseline"
    shutil.copytree(baseline, copy)
    model = json.loads((copy / FEATURE_MODEL_FILE).read_text())
    damage(model)
    (copy / FEATURE_MODEL_FILE).write_text(json.dumps(model))
    with pytest.raises(InputError, match=message):
        ProjectionSection(ProjectionSettings(**FAST)).analyse(
            _rows(500, 0.5, seed=12, labelled=False), copy, THRESHOLD
        )


def test_a_feature_dropped_from_the_schema_since_the_baseline_is_a_clear_error(baseline):
    fewer = parse_schema({"features": [{"name": "x", "type": "numerical"}]})
    window = _rows(500, 0.5, seed=13, labelled=False)
    with pytest.raises(
        InputError,
        match=r"fitted on features \['group', 'x'\], but "
        r"schema.json now has \['x'\]; rebuild the baseline",
    ):
        ProjectionSection(ProjectionSettings(**FAST)).analyse(
            from_table(window.table.drop_columns(["group"]), fewer, source="synthetic"),
            baseline,
            THRESHOLD,
        )


def test_bad_feature_calibration_setting_is_a_clear_error():
    with pytest.raises(InputError, match="feature_calibration must be one of"):
        ProjectionSettings.from_constraints(
            {"projection_settings": {"feature_calibration": "sometimes"}}
        )


def test_class_shift_means_variances_and_correct_count_by_hand():
    difference = np.array([0.1, 0.3, -0.2, 0.0])
    predicted_positive = np.array([True, True, False, False])
    shift = class_shift(difference, predicted_positive, population=np.array([4, 8]))
    assert shift.mean == pytest.approx([-0.1, 0.2])
    # sample variance / rows sampled x (1 - sampled share)
    assert shift.variance == pytest.approx([0.02 / 2 * (1 - 2 / 4), 0.02 / 2 * (1 - 2 / 8)])
    count, variance = shift.correct_count_shift(np.array([10, 20]))
    # negatives: correct with 1 - P(positive), so +0.1 per row; positives +0.2 per row
    assert count == pytest.approx(10 * 0.1 + 20 * 0.2)
    assert variance == pytest.approx(100 * shift.variance[0] + 400 * shift.variance[1])
