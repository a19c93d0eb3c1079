"""Settings: explicit > environment > default, and contradictions rejected by name."""

from __future__ import annotations

import pytest

from evaluate_violations.config import ConfigError, EvaluateConfig


def test_defaults():
    config = EvaluateConfig.from_env({})
    assert config.retrain_on == {"model_quality_check", "projected_accuracy_check"}
    assert config.notify_on is None  # "*": any other type
    assert config.ignore == frozenset()
    assert config.min_labeled_rows_for_retrain == 200
    assert config.retrain_cooldown_hours == 24
    assert config.notify_on_insufficient_data is False
    assert config.data_bucket is None
    assert config.state_prefix == "state"
    assert config.metrics_namespace == "DriftPipeline"
    assert config.service_name == "evaluate_violations"


def test_environment_overrides_defaults():
    config = EvaluateConfig.from_env(
        {
            "RETRAIN_ON": " model_quality_check ",
            "NOTIFY_ON": "baseline_drift_check,dataset_drift_check",
            "IGNORE": "extra_column_check",
            "MIN_LABELED_ROWS_FOR_RETRAIN": "50",
            "RETRAIN_COOLDOWN_HOURS": "6.5",
            "NOTIFY_ON_INSUFFICIENT_DATA": "TRUE",
            "DATA_BUCKET": "b",
            "STATE_PREFIX": "s",
            "POWERTOOLS_METRICS_NAMESPACE": "Acme/Drift",
            "POWERTOOLS_SERVICE_NAME": "eval",
        }
    )
    assert config.retrain_on == {"model_quality_check"}
    assert config.notify_on == {"baseline_drift_check", "dataset_drift_check"}
    assert config.ignore == {"extra_column_check"}
    assert (config.min_labeled_rows_for_retrain, config.retrain_cooldown_hours) == (50, 6.5)
    assert config.notify_on_insufficient_data is True
    assert (config.data_bucket, config.state_prefix) == ("b", "s")
    assert (config.metrics_namespace, config.service_name) == ("Acme/Drift", "eval")


def test_explicit_values_win_over_environment():
    config = EvaluateConfig.from_env(
        {"RETRAIN_COOLDOWN_HOURS": "6", "RETRAIN_ON": ""},
        retrain_cooldown_hours=1,
        retrain_on=["model_quality_check"],
    )
    assert config.retrain_cooldown_hours == 1
    assert config.retrain_on == {"model_quality_check"}


def test_empty_retrain_list_means_never_retrain_on_violations():
    assert EvaluateConfig.from_env({"RETRAIN_ON": ""}).retrain_on == frozenset()


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"RETRAIN_ON": "model_quality"},
            "RETRAIN_ON: unknown violation type(s) model_quality; known types: data_type_check",
        ),
        (
            {"IGNORE": "model_quality_check"},
            "model_quality_check listed in both RETRAIN_ON and IGNORE",
        ),
        (
            {"NOTIFY_ON": "model_quality_check"},
            "model_quality_check listed in both RETRAIN_ON and NOTIFY_ON",
        ),
        ({"NOTIFY_ON": "*,baseline_drift_check"}, "NOTIFY_ON: '*' must stand alone"),
        ({"IGNORE": "*"}, "IGNORE: '*' is only allowed in NOTIFY_ON"),
        (
            {"MIN_LABELED_ROWS_FOR_RETRAIN": "many"},
            "MIN_LABELED_ROWS_FOR_RETRAIN must be an integer, got 'many'",
        ),
        ({"MIN_LABELED_ROWS_FOR_RETRAIN": "-1"}, "MIN_LABELED_ROWS_FOR_RETRAIN must be >= 0"),
        ({"RETRAIN_COOLDOWN_HOURS": "a day"}, "RETRAIN_COOLDOWN_HOURS must be a number"),
        ({"RETRAIN_COOLDOWN_HOURS": "-2"}, "RETRAIN_COOLDOWN_HOURS must be a finite number >= 0"),
        ({"RETRAIN_COOLDOWN_HOURS": "inf"}, "RETRAIN_COOLDOWN_HOURS must be a finite number >= 0"),
        (
            {"NOTIFY_ON_INSUFFICIENT_DATA": "maybe"},
            "NOTIFY_ON_INSUFFICIENT_DATA must be true or false, got 'maybe'",
        ),
        ({"STATE_PREFIX": "/"}, "STATE_PREFIX must not be empty"),
    ],
)
def test_bad_settings_are_named(env, message):
    with pytest.raises(ConfigError) as info:
        EvaluateConfig.from_env(env)
    assert message in str(info.value)


def test_unknown_explicit_setting_is_rejected():
    with pytest.raises(ConfigError, match="unknown setting"):
        EvaluateConfig.from_env({}, retrain_on_types="x")
