"""Projected accuracy on synthetic windows whose true accuracy is known analytically."""

import json

import numpy as np
import pyarrow as pa
import pytest
from scipy import integrate, stats
from scipy.special import expit

from column_schema import parse_schema
from drift_monitor.dataset import from_table
from drift_monitor.errors import InputError
from drift_monitor.projection import ProjectionSection, ProjectionSettings
from drift_monitor.projection.artefacts import BASELINE_FILE, DRAWS_FILE, REFERENCE_FILE
from drift_monitor.projection.calibration import (
    CalibrationMap,
    bootstrap_maps_on_grid,
    choose_calibration,
    expected_calibration_error,
)
from drift_monitor.projection.estimators import (
    GRID,
    ClassEstimator,
    ExpectedCorrect,
    ScoreEstimator,
    class_precision,
    reliability_test,
)
from drift_monitor.projection.features import ClassShift
from drift_monitor.quality_intervals import wilson_interval
from drift_monitor.report.projection import projection_html

SLOPE = 2.0
# Fewer bootstrap maps and domain-classifier rows than the defaults keep the tests fast; the
# estimates and their checks do not depend on those numbers.
FAST = {"bootstrap_resamples": 60, "domain_classifier_rows": 2000}
FEATURES = [{"name": "x", "type": "numerical"}, {"name": "colour", "type": "categorical"}]


def _rows(n, mean, seed, *, labelled=True, concept_flip=False, squash=1.0):
    """x ~ N(mean, 1); P(y=1|x) = expit(SLOPE x); the model's score is expit(squash SLOPE x)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(mean, 1.0, n)
    p_true = expit(SLOPE * x)
    y = (rng.uniform(size=n) < p_true).astype(int)
    if concept_flip:
        y = 1 - y
    score = expit(squash * SLOPE * x)
    return x, y if labelled else None, score


def _window(x, y, score, output_format="probability"):
    schema = parse_schema({"features": FEATURES, "output_format": output_format})
    columns = {
        "x": pa.array(x),
        "colour": pa.array(np.where(x > 0, "red", "blue")),
        "prediction": pa.array((score >= 0.5).astype(np.int64)),
    }
    if output_format == "probability":
        columns["score"] = pa.array(score)
    columns["label"] = (
        pa.array(y, type=pa.int64()) if y is not None else pa.nulls(len(x), pa.int64())
    )
    return from_table(pa.table(columns), schema, source="synthetic")


def _true_accuracy(mean):
    """E[max(p, 1 - p)] for x ~ N(mean, 1), p = expit(SLOPE x): exact for calibrated scores."""
    value, _ = integrate.quad(
        lambda x: max(expit(SLOPE * x), 1 - expit(SLOPE * x)) * stats.norm.pdf(x, mean, 1.0),
        mean - 10,
        mean + 10,
        points=[0.0],
    )
    return value


def _section():
    return ProjectionSection(ProjectionSettings(**FAST))


@pytest.fixture(scope="module")
def baseline(tmp_path_factory):
    directory = tmp_path_factory.mktemp("baseline")
    x, y, score = _rows(3000, 0.0, seed=1, squash=0.6)  # under-confident model: needs a map
    constraints = ProjectionSection(ProjectionSettings(**FAST)).fit_baseline(
        _window(x, y, score), directory
    )
    constraints["binary_classification_constraints"] = {
        "accuracy": {"threshold": 0.70, "comparison_operator": "LessThanThreshold"}
    }
    return directory, constraints


def test_baseline_writes_json_and_parquet_and_a_calibration_better_than_raw(baseline):
    directory, constraints = baseline
    document = json.loads((directory / BASELINE_FILE).read_text())
    quality = document["calibration_quality"]
    assert quality["method"] == "isotonic"  # the default
    assert set(quality["candidates"]) == {"identity", "platt", "isotonic", "bagged_isotonic"}
    assert quality["out_of_fold_ece"] < quality["raw_scores_ece"]
    assert (directory / REFERENCE_FILE).exists() and (directory / DRAWS_FILE).exists()
    assert constraints["projection_settings"]["shift_correction"] == "none"
    assert not list(directory.glob("*.pkl"))


@pytest.mark.parametrize("mean", [0.0, 1.0])
@pytest.mark.parametrize(
    ("correction", "tolerance"), [("none", 0.01), ("importance_weighting", 0.02)]
)
def test_projection_matches_analytic_accuracy_under_covariate_shift(
    baseline, mean, correction, tolerance
):
    directory, constraints = baseline
    x, _, score = _rows(20000, mean, seed=2, labelled=False, squash=0.6)
    section = ProjectionSection(ProjectionSettings(shift_correction=correction, **FAST))
    result = section.analyse(_window(x, None, score), directory, constraints)
    truth = _true_accuracy(mean)
    summary = result.summary
    assert summary["status"] == "ok"
    assert summary["projected_accuracy"] == pytest.approx(truth, abs=tolerance)
    # the interval targets the realised accuracy of 20,000 rows (sd ~0.003 around the truth)
    assert summary["interval"][0] - 0.006 <= truth <= summary["interval"][1] + 0.006
    assert "concept drift" in result.statistics["projected_binary_classification_metrics"]["caveat"]
    assert "effective sample size" in summary["rests_on"]
    rests_on = result.statistics["projected_binary_classification_metrics"]["accuracy"]["rests_on"]
    assert rests_on["sensitivity"] >= 0 and 0 < rests_on["effective_sample_share"] <= 1
    assert set(rests_on["alternative_estimates"]) >= {
        "importance_weighted" if correction == "none" else "unweighted"
    }
    assert result.violations == []  # true accuracy 0.78 / 0.84, threshold 0.70


def test_projected_accuracy_check_fires_when_the_interval_is_below_threshold(baseline):
    directory, constraints = baseline
    x, _, score = _rows(5000, 0.0, seed=3, labelled=False, squash=0.6)
    strict = dict(
        constraints,
        binary_classification_constraints={
            "accuracy": {"threshold": 0.95, "comparison_operator": "LessThanThreshold"}
        },
    )
    result = _section().analyse(_window(x, None, score), directory, strict)
    assert [v["constraint_check_type"] for v in result.violations] == ["projected_accuracy_check"]


def test_concept_drift_on_labelled_rows_raises_reliability_violation(baseline):
    directory, constraints = baseline
    x, y, score = _rows(3000, 0.0, seed=4, concept_flip=True, squash=0.6)
    result = _section().analyse(_window(x, y, score), directory, constraints)
    kinds = {v["constraint_check_type"] for v in result.violations}
    assert "projection_reliability_check" in kinds
    gap = result.statistics["projected_binary_classification_metrics"]["measured_vs_projected"]
    assert gap["p_value"] < 1e-6 and gap["measured_accuracy"] < 0.3


def test_reliability_violation_needs_the_gap_to_reach_its_effect_size(baseline):
    directory, constraints = baseline
    x, y, score = _rows(3000, 0.0, seed=4, concept_flip=True, squash=0.6)
    lenient = dict(
        constraints,
        projection_settings={
            **constraints.get("projection_settings", {}),
            "reliability_min_gap": 0.9,
        },
    )
    result = ProjectionSection().analyse(_window(x, y, score), directory, lenient)
    gap = result.statistics["projected_binary_classification_metrics"]["measured_vs_projected"]
    assert gap["p_value"] < 1e-6, "the test is significant ..."
    assert "projection_reliability_check" not in {  # ... but the gap is below 0.9
        v["constraint_check_type"] for v in result.violations
    }


def test_no_reliability_violation_when_the_projection_holds(baseline):
    directory, constraints = baseline
    x, y, score = _rows(3000, 0.5, seed=5, squash=0.6)
    result = _section().analyse(_window(x, y, score), directory, constraints)
    assert "projection_reliability_check" not in {
        v["constraint_check_type"] for v in result.violations
    }
    html = result.report_html
    assert "measured (labelled rows)" in html and "(Wilson)" in html
    assert "concept drift" in html and "Rests on" in html


def test_interval_covers_realised_accuracy_at_roughly_nominal_rate():
    """Calibrated scores, known map: the interval should cover the realised accuracy."""
    rng = np.random.default_rng(11)
    identity = CalibrationMap("identity", np.array([0.0, 1.0]), np.array([0.0, 1.0]))
    draws = np.tile(GRID, (60, 1))
    covered = 0
    for trial in range(200):
        p = rng.beta(2, 2, 400)
        y = rng.uniform(size=400) < p
        projection = ScoreEstimator(identity, draws).project(p, p >= 0.5, seed=trial)
        realised = np.mean(y == (p >= 0.5))
        covered += projection.lower <= realised <= projection.upper
    assert 0.90 <= covered / 200 <= 0.99


def test_class_only_projection_reweights_baseline_precision_by_class_mix():
    predicted = np.r_[np.ones(300, bool), np.zeros(700, bool)]
    correct = np.r_[
        np.ones(240, bool), np.zeros(60, bool), np.ones(630, bool), np.zeros(70, bool)
    ]  # precision 0.8 (positive), 0.9 (negative)
    baseline = class_precision(predicted, correct)
    window = np.r_[np.ones(600, bool), np.zeros(400, bool)]
    projection = ClassEstimator(baseline, seed=0).project(window)
    assert projection.accuracy == pytest.approx(0.6 * 0.8 + 0.4 * 0.9)
    assert projection.lower < projection.accuracy < projection.upper


def test_class_only_section_end_to_end(tmp_path):
    x, y, score = _rows(3000, 0.0, seed=6)
    section = ProjectionSection(ProjectionSettings(**FAST))
    constraints = section.fit_baseline(_window(x, y, score, "class"), tmp_path)
    x2, _, score2 = _rows(3000, 1.0, seed=7, labelled=False)
    result = section.analyse(_window(x2, None, score2, "class"), tmp_path, constraints)
    statistics = result.statistics["projected_binary_classification_metrics"]
    assert result.summary["status"] == "ok"
    assert statistics["accuracy"]["method"].startswith("class-only")
    assert 0.6 < result.summary["projected_accuracy"] < 1.0


def test_no_labelled_baseline_rows_is_no_labels(tmp_path):
    x, _, score = _rows(500, 0.0, seed=8, labelled=False)
    section = ProjectionSection(ProjectionSettings(**FAST))
    constraints = section.fit_baseline(_window(x, None, score), tmp_path)
    result = section.analyse(_window(x, None, score), tmp_path, constraints)
    assert result.summary["status"] == "no_labels"
    assert "not projectable" in result.summary["rests_on"]


def test_too_few_rows_is_insufficient_data(baseline):
    directory, constraints = baseline
    x, _, score = _rows(40, 0.0, seed=9, labelled=False)
    result = _section().analyse(_window(x, None, score), directory, constraints)
    assert result.summary["status"] == "insufficient_data"
    assert result.summary["projected_accuracy"] is None


def test_missing_baseline_is_a_clear_error(tmp_path):
    x, _, score = _rows(200, 0.0, seed=10, labelled=False)
    with pytest.raises(InputError, match="projection baseline not found"):
        _section().analyse(_window(x, None, score), tmp_path, {})


def test_bad_setting_is_a_clear_error():
    with pytest.raises(InputError, match="shift_correction"):
        ProjectionSettings.from_constraints({"projection_settings": {"shift_correction": "x"}})


def test_reliability_test_z_value_by_hand():
    expected = np.full(100, 0.8)
    correct = np.r_[np.ones(70, bool), np.zeros(30, bool)]
    result = reliability_test(correct, ExpectedCorrect(expected, np.array([])))
    assert result.z == pytest.approx((70 - 80) / np.sqrt(100 * 0.8 * 0.2))
    assert result.p_value == pytest.approx(2 * stats.norm.sf(2.5))


def test_calibration_selection_and_ece():
    rng = np.random.default_rng(0)
    p = rng.uniform(size=2000)
    y = (rng.uniform(size=2000) < p).astype(float)
    assert expected_calibration_error(p, y) < 0.03
    assert expected_calibration_error(p**3, y) > 0.1
    fit = choose_calibration(p**3, y, method="auto")
    assert fit.quality["method"] != "identity"  # the raw scores are far off
    assert fit.quality["out_of_fold_ece"] < 0.03
    assert fit.quality["candidates"]["identity"]["ece"] > 0.1
    draws = bootstrap_maps_on_grid(fit.chosen.method, p**3, y, GRID, resamples=20, seed=0)
    assert draws.shape == (20, GRID.size)


def test_class_only_window_predicting_a_class_the_baseline_never_did(tmp_path):
    x, y, score = _rows(600, -3.0, seed=12)  # baseline: (almost) only negative predictions
    keep = score < 0.5
    section = _section()
    constraints = section.fit_baseline(_window(x[keep], y[keep], score[keep], "class"), tmp_path)
    x2, _, score2 = _rows(600, 1.0, seed=13, labelled=False)
    result = section.analyse(_window(x2, None, score2, "class"), tmp_path, constraints)
    assert result.summary["status"] == "insufficient_data"
    assert "positive predictions" in result.summary["rests_on"]


def test_reference_sample_keeps_every_labelled_row_first(tmp_path):
    import pyarrow.parquet as pq

    x, y, score = _rows(5000, 0.0, seed=14)
    labels = np.where(np.arange(5000) % 20 == 0, y, -1)  # 250 labelled rows, spread out
    window = _window(x, y, score)
    table = window.table.set_column(
        window.table.column_names.index("label"), "label", pa.array(labels, mask=labels < 0)
    )
    section = ProjectionSection(ProjectionSettings(reference_rows=1000, **FAST))
    section.fit_baseline(from_table(table, window.schema, source="synthetic"), tmp_path)
    stored = pq.read_table(tmp_path / REFERENCE_FILE)
    assert stored.num_rows == 1000
    assert stored.column("label").null_count == 1000 - 250


@pytest.mark.parametrize("method", ["identity", "platt", "isotonic", "bagged_isotonic"])
def test_choose_calibration_fits_the_method_it_is_asked_for(method):
    rng = np.random.default_rng(1)
    p = rng.uniform(size=400)
    y = (rng.uniform(size=400) < p).astype(float)
    fit = choose_calibration(p, y, method=method)
    assert fit.chosen.method == method and fit.quality["method"] == method


def test_score_estimator_expected_counts_match_an_independent_calculation():
    """The reliability test's inputs come from the estimator; checked here row by row."""
    rng = np.random.default_rng(21)
    p = rng.uniform(size=300)
    predicted = p >= 0.4
    identity = CalibrationMap("identity", np.array([0.0, 1.0]), np.array([0.0, 1.0]))
    draws = np.vstack([GRID, GRID**2, np.sqrt(GRID)])
    shift = ClassShift(np.array([0.01, -0.02]), np.array([1e-4, 4e-4]))
    expected = ScoreEstimator(identity, draws).expected(p, predicted, shift)
    np.testing.assert_allclose(expected.probabilities, np.where(predicted, p, 1 - p))
    cell = np.rint(p * 1000).astype(int)  # each row on its nearest grid score
    by_hand = [
        sum(d[c] if pos else 1 - d[c] for c, pos in zip(cell, predicted, strict=True))
        for d in draws
    ]
    np.testing.assert_allclose(expected.count_draws, by_hand)
    counts = np.array([np.sum(~predicted), np.sum(predicted)])
    assert expected.count_shift == pytest.approx(
        (-counts[0] * 0.01 + counts[1] * -0.02, counts[0] ** 2 * 1e-4 + counts[1] ** 2 * 4e-4)
    )
    correct = rng.uniform(size=300) < expected.probabilities
    result = reliability_test(correct, expected)
    c = expected.probabilities
    projected = c.sum() + expected.count_shift[0]
    variance = np.sum(c * (1 - c)) + expected.count_shift[1] + np.var(by_hand, ddof=1)
    z = (correct.sum() - projected) / np.sqrt(variance)
    assert result.z == pytest.approx(z)
    assert result.p_value == pytest.approx(2 * stats.norm.sf(abs(z)))
    assert result.projected_accuracy == pytest.approx(projected / 300)


def test_class_estimator_expected_counts_match_an_independent_calculation():
    predicted = np.r_[np.ones(300, bool), np.zeros(700, bool)]
    correct = np.r_[np.ones(240, bool), np.zeros(60, bool), np.ones(630, bool), np.zeros(70, bool)]
    baseline = class_precision(predicted, correct)  # 0.8 (positive, 300 rows), 0.9 (700)
    window = np.r_[np.ones(60, bool), np.zeros(40, bool)]
    expected = ClassEstimator(baseline, resamples=20000, seed=3).expected(window)
    np.testing.assert_allclose(expected.probabilities, np.where(window, 0.8, 0.9))
    # The expected correct count's sampling error from the baseline precisions: variance
    # sum n_k^2 p_k (1 - p_k) / rows_k (the binomial variance of each precision, scaled).
    mean = 60 * 0.8 + 40 * 0.9
    variance = 60**2 * 0.8 * 0.2 / 300 + 40**2 * 0.9 * 0.1 / 700
    draws = expected.count_draws
    assert abs(draws.mean() - mean) < 4 * np.sqrt(variance / draws.size)
    # the sample variance of 20,000 bootstrap draws (sums of binomials, near normal): within
    # the chi-square bound with 19,999 degrees of freedom
    low, high = stats.chi2.ppf([0.0005, 0.9995], draws.size - 1) / (draws.size - 1)
    assert low * variance <= np.var(draws, ddof=1) <= high * variance
    assert expected.count_shift == (0.0, 0.0)


def test_report_fragment_is_made_from_the_statistics_alone():
    statistics = {
        "status": "ok",
        "accuracy": {
            "value": 0.8,
            "confidence_interval": {"lower": 0.75, "upper": 0.85, "level": 0.9},
            "method": "CBPE <x>",
            "rests_on": {"rows": 500, "sentence": "a & b"},
        },
        "measured_vs_projected": {
            "labeled_rows": 100,
            "measured_accuracy": 0.7,
            "projected_accuracy": 0.8,
            "p_value": 0.012,
        },
        "caveat": "blind",
    }
    html = projection_html(statistics, {"accuracy_threshold": 0.7})
    low, high = wilson_interval(70, 100, 0.9)
    assert f"[{low:.3f}, {high:.3f}] (Wilson)" in html
    assert "interval (90%)" in html and "[0.750, 0.850]" in html and "<td>500</td>" in html
    assert "CBPE &lt;x&gt;. Accuracy threshold: 0.700." in html and "a &amp; b" in html
    assert "gap test p = 0.012" in html and "<i>blind</i>" in html
    short = projection_html({"status": "no_labels", "reason": "r <", "caveat": "c"}, {})
    assert short == "<h2>Projected accuracy</h2><p>r &lt;.</p><p><i>c</i></p>"
