"""Retraining settings: defaults, and a clear error naming the variable for a bad value."""

from __future__ import annotations

import pytest

from retraining.config import ConfigError, RetrainingConfig


def test_defaults():
    config = RetrainingConfig.from_env({"DATA_BUCKET": "b"})
    assert (config.promotion_metric, config.promotion_margin, config.auto_deploy) == (
        "accuracy",
        0.0,
        False,
    )


def test_hyperparameters_become_strings():
    config = RetrainingConfig.from_env(
        {"DATA_BUCKET": "b", "TRAINING_HYPERPARAMETERS": '{"seed": 3, "loss": "log_loss"}'}
    )
    assert config.hyperparameters == {"seed": "3", "loss": "log_loss"}


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "DATA_BUCKET is not set"),
        ({"PROMOTION_METRIC": "recall"}, "PROMOTION_METRIC='recall'"),
        ({"PROMOTION_MARGIN": "lots"}, "PROMOTION_MARGIN='lots' is not a number"),
        ({"HOLDOUT_SHARE": "0.95"}, "HOLDOUT_SHARE='0.95' must be within"),
        ({"AUTO_DEPLOY": "yes"}, "AUTO_DEPLOY='yes': use true or false"),
        ({"TRAINING_HYPERPARAMETERS": "[1]"}, "must be a JSON object of scalars"),
        ({"TRAINING_HYPERPARAMETERS": "{"}, "TRAINING_HYPERPARAMETERS is not JSON"),
    ],
)
def test_bad_settings_name_the_variable(env, message):
    base = {} if env == {} else {"DATA_BUCKET": "b"}
    with pytest.raises(ConfigError, match=message.replace("(", r"\(")):
        RetrainingConfig.from_env({**base, **env})
