"""The retraining settings, read once from the function's environment (template parameters).

Every value is checked here so a bad setting fails with the variable's name and what it accepts,
never later as an odd decision.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

PROMOTION_METRICS = ("accuracy", "f1", "auc")


class ConfigError(ValueError):
    """A retraining setting is missing or malformed."""


@dataclass(frozen=True)
class RetrainingConfig:
    data_bucket: str
    state_prefix: str = "state"
    lookback_hours: float = 168.0
    holdout_share: float = 0.3
    min_fresh_labeled_rows: int = 300
    min_holdout_rows: int = 200
    promotion_metric: str = "accuracy"
    promotion_margin: float = 0.0
    auto_approve: bool = False
    auto_deploy: bool = False
    deployment_timeout_minutes: float = 60.0
    hyperparameters: Mapping[str, str] | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> RetrainingConfig:
        metric = env.get("PROMOTION_METRIC", "accuracy").strip().lower()
        if metric not in PROMOTION_METRICS:
            raise ConfigError(f"PROMOTION_METRIC={metric!r}: use one of {PROMOTION_METRICS}")
        config = cls(
            data_bucket=_required(env, "DATA_BUCKET"),
            state_prefix=env.get("STATE_PREFIX", "state").strip() or "state",
            lookback_hours=_number(env, "RETRAIN_LOOKBACK_HOURS", 168.0, minimum=1.0),
            holdout_share=_number(env, "HOLDOUT_SHARE", 0.3, minimum=0.05, maximum=0.9),
            min_fresh_labeled_rows=int(_number(env, "MIN_FRESH_LABELED_ROWS", 300, minimum=1)),
            min_holdout_rows=int(_number(env, "MIN_HOLDOUT_ROWS", 200, minimum=1)),
            promotion_metric=metric,
            promotion_margin=_number(env, "PROMOTION_MARGIN", 0.0, minimum=0.0, maximum=1.0),
            auto_approve=_flag(env, "AUTO_APPROVE"),
            auto_deploy=_flag(env, "AUTO_DEPLOY"),
            deployment_timeout_minutes=_number(
                env, "DEPLOYMENT_TIMEOUT_MINUTES", 60.0, minimum=1.0, maximum=1440.0
            ),
            hyperparameters=_hyperparameters(env.get("TRAINING_HYPERPARAMETERS", "{}")),
        )
        return config


def _required(env: Mapping[str, str], name: str) -> str:
    value = env.get(name, "").strip()
    if not value:
        raise ConfigError(f"{name} is not set")
    return value


def _number(
    env: Mapping[str, str],
    name: str,
    default: float,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
) -> float:
    text = env.get(name, "").strip()
    if not text:
        return float(default)
    try:
        value = float(text)
    except ValueError:
        raise ConfigError(f"{name}={text!r} is not a number") from None
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise ConfigError(f"{name}={text!r} must be within [{minimum}, {maximum}]")
    return value


def _flag(env: Mapping[str, str], name: str) -> bool:
    text = env.get(name, "false").strip().lower()
    if text not in ("true", "false"):
        raise ConfigError(f"{name}={text!r}: use true or false")
    return text == "true"


def _hyperparameters(text: str) -> dict[str, str]:
    """SageMaker takes hyperparameters as a map of strings; a JSON object of scalars is accepted."""
    try:
        value = json.loads(text or "{}")
    except json.JSONDecodeError as exc:
        raise ConfigError(f"TRAINING_HYPERPARAMETERS is not JSON ({exc})") from None
    if not isinstance(value, dict) or any(isinstance(v, dict | list) for v in value.values()):
        raise ConfigError(
            "TRAINING_HYPERPARAMETERS must be a JSON object of scalars, e.g. "
            '{"seed": 0, "max_iter": 200}'
        )
    return {str(k): v if isinstance(v, str) else json.dumps(v) for k, v in value.items()}
