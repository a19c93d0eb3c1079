"""Deployment settings that take precedence over the baseline's constraints.json."""

import pytest

from drift_monitor.config import load_config
from drift_monitor.errors import InputError
from drift_monitor.monitor_job import with_overrides

CONSTRAINTS = {
    "features": [],
    "binary_classification_constraints": {
        "accuracy": {"threshold": 0.79, "comparison_operator": "LessThanThreshold"}
    },
}


def _config(tmp_path, **env):
    return load_config(["monitor"], {"DRIFT_MONITOR_ML_ROOT": str(tmp_path), **env})


def test_accuracy_threshold_from_the_environment_replaces_the_baselines(tmp_path):
    config = _config(tmp_path, accuracy_threshold="0.82")
    constraints, overrides = with_overrides(CONSTRAINTS, config)
    assert constraints["binary_classification_constraints"]["accuracy"]["threshold"] == 0.82
    assert overrides["binary_classification_constraints.accuracy.threshold"]["value"] == 0.82
    assert CONSTRAINTS["binary_classification_constraints"]["accuracy"]["threshold"] == 0.79


def test_empty_accuracy_threshold_keeps_constraints_json(tmp_path):
    config = _config(tmp_path, accuracy_threshold="")
    assert with_overrides(CONSTRAINTS, config) == (CONSTRAINTS, {})


@pytest.mark.parametrize("value", ["high", "1.5", "0"])
def test_bad_accuracy_threshold_is_named(tmp_path, value):
    with pytest.raises(InputError, match="accuracy_threshold"):
        _config(tmp_path, accuracy_threshold=value)
