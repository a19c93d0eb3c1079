"""Per-feature drift: noise is quiet, real drift is flagged, trivial shifts at scale are not."""

import copy
import json

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from drift_monitor.dataset import from_table
from drift_monitor.errors import InputError
from drift_monitor.feature_drift import BASELINE_FILE, FeatureDriftSection
from examples.adult import scored as _data


@pytest.fixture
def constraints(baseline_dir):
    return json.loads((baseline_dir / "constraints.json").read_text())


def _analyse(table, schema, baseline_dir, constraints):
    return FeatureDriftSection().analyse(from_table(table, schema), baseline_dir, constraints)


def _by_name(result):
    return {f["name"]: f for f in result.statistics["drift"]["features"]}


def test_window_from_the_baseline_distribution_is_quiet(
    reference_table, adult_schema, baseline_dir, constraints
):
    result = _analyse(
        _data.resample(reference_table, 1000, 3), adult_schema, baseline_dir, constraints
    )
    assert result.summary["status"] == "ok" and result.summary["tested"] == 14
    assert result.summary["drifted_features"] == []
    assert result.violations == []


def test_drifted_traffic_is_flagged_at_1000_rows(
    drifted_table, adult_schema, baseline_dir, constraints
):
    result = _analyse(
        _data.resample(drifted_table, 1000, 3), adult_schema, baseline_dir, constraints
    )
    drifted = result.summary["drifted_features"]
    assert {"age", "hours-per-week"} <= set(drifted)
    assert all(v["constraint_check_type"] == "baseline_drift_check" for v in result.violations)
    features = result.statistics["drift"]["features"]
    assert [f["name"] for f in features[: len(drifted)]] == drifted  # sorted by severity
    severities = [f["severity"] for f in features[: len(drifted)]]
    assert severities == sorted(severities, reverse=True)
    age = _by_name(result)["age"]
    assert age["p_value_adjusted"] < 0.05 and age["wasserstein_normalised"] >= 0.1
    assert {m["MetricName"] for m in result.metrics} >= {
        "feature_baseline_drift_age",
        "drifted_feature_count",
    }


def test_trivial_shift_on_a_large_window_is_significant_but_not_flagged(
    reference_table, adult_schema, baseline_dir, constraints
):
    window = _data.resample(reference_table, 200_000, 4)
    shifted = pc.add(window.column("age"), 0.5)  # 0.5 years: d ≈ 0.04
    window = window.set_column(window.schema.get_field_index("age"), "age", shifted)
    age = _by_name(_analyse(window, adult_schema, baseline_dir, constraints))["age"]
    assert age["p_value_adjusted"] < 0.05  # detectable...
    assert age["wasserstein_normalised"] < 0.1  # ...but trivial
    assert not age["drifted"]


def test_too_few_rows_is_insufficient_data_not_drift(
    drifted_table, adult_schema, baseline_dir, constraints
):
    result = _analyse(drifted_table.slice(0, 20), adult_schema, baseline_dir, constraints)
    assert result.summary["status"] == "insufficient_data"
    assert result.violations == [] and result.summary["drifted_features"] == []


def test_simple_comparison_alarms_on_noise_where_robust_does_not(
    reference_table, adult_schema, baseline_dir, constraints
):
    window = _data.resample(reference_table, 60, 5)
    simple = copy.deepcopy(constraints)
    simple["monitoring_config"]["distribution_constraints"]["comparison_method"] = "Simple"
    assert _analyse(window, adult_schema, baseline_dir, simple).violations  # noise alarms
    assert _analyse(window, adult_schema, baseline_dir, constraints).violations == []


def test_per_feature_overrides(drifted_table, adult_schema, baseline_dir, constraints):
    edited = copy.deepcopy(constraints)
    for entry in edited["features"]:
        if entry["name"] == "age":
            entry["monitoringConfigOverrides"] = {
                "distribution_constraints": {"comparison_threshold": 5.0}
            }
        if entry["name"] == "hours-per-week":
            entry["monitoringConfigOverrides"] = {
                "distribution_constraints": {"perform_comparison": "Disabled"}
            }
        if entry["name"] == "race":
            entry["monitoringConfigOverrides"] = {
                "distribution_constraints": {"categorical_drift_method": "PSI"}
            }
    result = _analyse(_data.resample(drifted_table, 1000, 3), adult_schema, baseline_dir, edited)
    features = _by_name(result)
    assert not features["age"]["drifted"] and features["age"]["threshold"] == 5.0
    assert not features["hours-per-week"]["drifted"] and not features["hours-per-week"]["enabled"]
    assert features["race"]["effect_size_metric"] == "PSI"
    assert features["race"]["effect_size"] == features["race"]["psi"]
    assert result.summary["tested"] == 13


def test_unknown_drift_method_is_a_clear_error(
    reference_table, adult_schema, baseline_dir, constraints
):
    edited = copy.deepcopy(constraints)
    edited["monitoring_config"]["distribution_constraints"]["numerical_drift_method"] = "Magic"
    with pytest.raises(InputError, match="Magic"):
        _analyse(reference_table.slice(0, 100), adult_schema, baseline_dir, edited)


def test_unseen_and_vanished_categories_and_all_missing_column(
    reference_table, adult_schema, baseline_dir, constraints
):
    window = _data.resample(reference_table, 2000, 6)
    n = window.num_rows
    workclass = np.where(np.arange(n) % 4 == 0, "Alien", "Private").astype(object)
    window = window.set_column(
        window.schema.get_field_index("workclass"), "workclass", pa.array(workclass, pa.string())
    )
    window = window.set_column(
        window.schema.get_field_index("age"), "age", pa.nulls(n, pa.float64())
    )
    features = _by_name(_analyse(window, adult_schema, baseline_dir, constraints))
    assert features["workclass"]["unseen_share"] == pytest.approx(0.25)
    assert features["workclass"]["unseen_categories"] == ["Alien"]
    assert "Self-emp-not-inc" in features["workclass"]["vanished_categories"]
    assert features["workclass"]["drifted"]
    assert features["age"]["n_current"] == 0 and not features["age"]["drifted"]
    assert features["age"]["current_missing_rate"] == 1.0


def test_constant_window_column_is_measured(
    reference_table, adult_schema, baseline_dir, constraints
):
    window = _data.resample(reference_table, 1000, 7)
    window = window.set_column(
        window.schema.get_field_index("hours-per-week"),
        "hours-per-week",
        pa.array(np.full(1000, 40.0)),
    )
    hours = _by_name(_analyse(window, adult_schema, baseline_dir, constraints))["hours-per-week"]
    assert hours["drifted"] and hours["statistic"] > 0.25


def test_baseline_without_the_feature_is_a_clear_error(
    tmp_path, reference_table, adult_schema, baseline_dir, constraints
):
    for item in baseline_dir.iterdir():
        (tmp_path / item.name).write_bytes(item.read_bytes())
    document = json.loads((tmp_path / BASELINE_FILE).read_text())
    del document["features"]["age"]
    (tmp_path / BASELINE_FILE).write_text(json.dumps(document))
    with pytest.raises(InputError, match=r"no entry for feature 'age'.*rebuild the baseline"):
        _analyse(reference_table.slice(0, 100), adult_schema, tmp_path, constraints)
    (tmp_path / BASELINE_FILE).write_text("{corrupt")
    with pytest.raises(InputError, match=r"feature-drift baseline is not valid JSON.*rebuild"):
        _analyse(reference_table.slice(0, 100), adult_schema, tmp_path, constraints)
