"""Data-quality statistics, suggested constraints and every bad-input violation."""

import json

import numpy as np
import pyarrow as pa
import pytest

from drift_monitor.data_quality import DataQualitySection, profile
from drift_monitor.dataset import from_table
from drift_monitor.errors import InputError
from examples.adult import scored as _data


@pytest.fixture
def constraints(baseline_dir):
    return json.loads((baseline_dir / "constraints.json").read_text())


def _run(table, schema, baseline_dir, constraints):
    return DataQualitySection().analyse(
        from_table(table, schema, source="window.parquet"), baseline_dir, constraints
    )


def _types(result):
    return {(v["feature_name"], v["constraint_check_type"]) for v in result.violations}


def test_profile_matches_numpy(reference_table, adult_schema):
    window = from_table(reference_table, adult_schema)
    features = {f["name"]: f for f in profile(window)}
    age = features["age"]["numerical_statistics"]
    values = reference_table.column("age").to_numpy()
    assert age["mean"] == pytest.approx(values.mean()) and age["max"] == values.max()
    assert sum(b["count"] for b in age["distribution"]["kll"]["buckets"]) == len(values)
    assert features["age"]["inferred_type"] == "Integral"
    work = features["workclass"]["string_statistics"]
    assert work["common"]["num_missing"] == reference_table.column("workclass").null_count


def test_suggested_constraints_follow_the_model_monitor_schema(constraints):
    assert constraints["version"] == 0.0
    entry = {f["name"]: f for f in constraints["features"]}
    assert entry["workclass"]["completeness"] == pytest.approx(1 - 278 / 4885)
    assert "Private" in entry["workclass"]["string_constraints"]["domains"]
    assert entry["age"]["num_constraints"] == {"is_non_negative": True}
    assert all(f["monitoringConfigOverrides"] == {} for f in constraints["features"])
    dist = constraints["monitoring_config"]["distribution_constraints"]
    assert dist["comparison_method"] == "Robust" and dist["comparison_threshold"] == 0.1


def test_healthy_window_has_no_violations(reference_table, adult_schema, baseline_dir, constraints):
    result = _run(_data.resample(reference_table, 1000, 1), adult_schema, baseline_dir, constraints)
    assert result.violations == [] and result.summary["status"] == "ok"
    assert result.statistics["dataset"]["item_count"] == 1000


def test_missing_and_extra_columns(reference_table, adult_schema, baseline_dir, constraints):
    table = _data.resample(reference_table, 200, 1).drop_columns(["age"])
    table = table.append_column("debug_flag", pa.array(np.ones(200)))
    types = _types(_run(table, adult_schema, baseline_dir, constraints))
    assert ("age", "missing_column_check") in types
    assert ("debug_flag", "extra_column_check") in types


def test_type_changes_and_values_that_do_not_parse(
    reference_table, adult_schema, baseline_dir, constraints
):
    table = _data.resample(reference_table, 200, 2)
    hours = np.array([str(v) for v in table.column("hours-per-week").to_numpy()], dtype=object)
    hours[:50] = "forty"
    table = table.set_column(
        table.schema.get_field_index("hours-per-week"),
        "hours-per-week",
        pa.array(hours, pa.string()),
    )
    age = table.column("age").to_numpy() + 0.5
    table = table.set_column(0, "age", pa.array(age))
    gender = pa.array(np.arange(200) % 2, pa.int64())
    table = table.set_column(table.schema.get_field_index("gender"), "gender", gender)
    result = _run(table, adult_schema, baseline_dir, constraints)
    by_feature = {
        v["feature_name"]: v
        for v in result.violations
        if v["constraint_check_type"] == "data_type_check"
    }
    assert "'forty'" in by_feature["hours-per-week"]["description"]
    assert by_feature["hours-per-week"]["observed"] == pytest.approx(0.25)
    assert "fractional" in by_feature["age"]["description"]
    assert "int64" in by_feature["gender"]["description"]


def test_completeness_drop_and_all_nan_column(
    reference_table, adult_schema, baseline_dir, constraints
):
    table = _data.resample(reference_table, 500, 3)
    table = table.set_column(
        table.schema.get_field_index("fnlwgt"), "fnlwgt", pa.nulls(500, pa.float64())
    )
    result = _run(table, adult_schema, baseline_dir, constraints)
    violation = next(v for v in result.violations if v["feature_name"] == "fnlwgt")
    assert violation["constraint_check_type"] == "completeness_check"
    assert violation["observed"] == 0.0 and violation["threshold"] == 1.0


def test_small_completeness_dip_on_few_rows_is_not_an_alarm(
    reference_table, adult_schema, baseline_dir, constraints
):
    table = _data.resample(reference_table, 60, 4)
    wc = ["Private"] * 60
    wc[:6] = [None] * 6  # 10% missing vs 5.7% in the baseline: not significant at n=60
    table = table.set_column(
        table.schema.get_field_index("workclass"), "workclass", pa.array(wc, pa.string())
    )
    assert _run(table, adult_schema, baseline_dir, constraints).violations == []


def test_unseen_categories(reference_table, adult_schema, baseline_dir, constraints):
    table = _data.resample(reference_table, 400, 5)
    race = np.array(table.column("race").to_pylist(), dtype=object)
    race[:100] = "Martian"
    table = table.set_column(
        table.schema.get_field_index("race"), "race", pa.array(race, pa.string())
    )
    violation = next(
        v
        for v in _run(table, adult_schema, baseline_dir, constraints).violations
        if v["constraint_check_type"] == "categorical_values_check"
    )
    assert violation["feature_name"] == "race" and "'Martian'" in violation["description"]
    assert violation["observed"] == pytest.approx(0.25)


def test_few_rows_are_insufficient_data(reference_table, adult_schema, baseline_dir, constraints):
    result = _run(reference_table.slice(0, 5), adult_schema, baseline_dir, constraints)
    assert result.summary["status"] == "insufficient_data" and result.violations == []


def test_empty_window(reference_table, adult_schema, baseline_dir, constraints):
    result = _run(reference_table.slice(0, 0), adult_schema, baseline_dir, constraints)
    assert result.summary["status"] == "insufficient_data"
    assert result.statistics["dataset"]["item_count"] == 0


def test_constraints_for_another_schema_is_a_clear_error(
    reference_table, adult_schema, baseline_dir, constraints
):
    constraints["features"] = [f for f in constraints["features"] if f["name"] != "race"]
    with pytest.raises(InputError, match="no entry for feature 'race'"):
        _run(reference_table.slice(0, 100), adult_schema, baseline_dir, constraints)
