"""Dataset drift: the classifier two-sample test catches a joint shift with equal marginals."""

import json

import numpy as np
import pyarrow as pa
import pytest

from drift_monitor.dataset import from_table
from drift_monitor.dataset_drift import DatasetDriftSection
from drift_monitor.feature_drift import FeatureDriftSection
from examples.adult import scored as _data


@pytest.fixture
def constraints(baseline_dir):
    return json.loads((baseline_dir / "constraints.json").read_text())


def test_null_window_is_not_flagged(reference_table, adult_schema, baseline_dir, constraints):
    window = from_table(_data.resample(reference_table, 2000, 11), adult_schema)
    result = DatasetDriftSection().analyse(window, baseline_dir, constraints)
    assert result.summary["status"] == "ok" and not result.summary["drifted"]
    assert result.summary["p_value"] > 0.05


def test_joint_shift_invisible_per_feature_is_caught(
    reference_table, adult_schema, baseline_dir, constraints
):
    """Shuffling gender across rows keeps every marginal but breaks relationship × gender."""
    table = _data.resample(reference_table, 3000, 12)
    rng = np.random.default_rng(0)
    gender = np.array(table.column("gender").to_pylist(), dtype=object)
    table = table.set_column(
        table.schema.get_field_index("gender"),
        "gender",
        pa.array(rng.permutation(gender), pa.string()),
    )
    window = from_table(table, adult_schema)
    per_feature = FeatureDriftSection().analyse(window, baseline_dir, constraints)
    assert per_feature.summary["drifted_features"] == []
    result = DatasetDriftSection().analyse(window, baseline_dir, constraints)
    assert result.summary["drifted"] and result.summary["auc"] > 0.55
    violation = result.violations[0]
    assert violation["constraint_check_type"] == "dataset_drift_check"
    assert violation["observed"] == pytest.approx(result.summary["auc"], abs=1e-4)


def test_disabled_and_insufficient(reference_table, adult_schema, baseline_dir, constraints):
    window = from_table(reference_table.slice(0, 10), adult_schema)
    result = DatasetDriftSection().analyse(window, baseline_dir, constraints)
    assert result.summary["status"] == "insufficient_data" and result.violations == []
    constraints["dataset_drift"]["enabled"] = False
    result = DatasetDriftSection().analyse(window, baseline_dir, constraints)
    assert result.summary["status"] == "ok" and result.summary["enabled"] is False
    assert result.violations == [] and "disabled" in result.report_html
