"""The decision policy and runtime settings, read once per invocation.

The policy is configuration, not code: which violation types retrain, which only notify, which
are ignored, the label gate and the cool-down are environment variables (names below). The
precedence is explicit argument > environment > default; nothing is read at import time.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from monitoring_contract import KNOWN_CHECK_TYPES, CheckType

# Environment variable names (documented in docs/evaluate_violations.md).
ENV_RETRAIN_ON = "RETRAIN_ON"
ENV_NOTIFY_ON = "NOTIFY_ON"
ENV_IGNORE = "IGNORE"
ENV_MIN_LABELED_ROWS_FOR_RETRAIN = "MIN_LABELED_ROWS_FOR_RETRAIN"
ENV_RETRAIN_COOLDOWN_HOURS = "RETRAIN_COOLDOWN_HOURS"
ENV_NOTIFY_ON_INSUFFICIENT_DATA = "NOTIFY_ON_INSUFFICIENT_DATA"
ENV_MAX_QUARANTINED_SHARE = "MAX_QUARANTINED_SHARE"
ENV_DATA_BUCKET = "DATA_BUCKET"
ENV_STATE_PREFIX = "STATE_PREFIX"
ENV_METRICS_NAMESPACE = "POWERTOOLS_METRICS_NAMESPACE"
ENV_SERVICE_NAME = "POWERTOOLS_SERVICE_NAME"

# Defaults.
DEFAULT_RETRAIN_ON = ",".join((CheckType.MODEL_QUALITY, CheckType.PROJECTED_ACCURACY))
DEFAULT_NOTIFY_ON = "*"
DEFAULT_IGNORE = ""
DEFAULT_MIN_LABELED_ROWS_FOR_RETRAIN = 200
DEFAULT_RETRAIN_COOLDOWN_HOURS = 24.0
DEFAULT_NOTIFY_ON_INSUFFICIENT_DATA = False
DEFAULT_MAX_QUARANTINED_SHARE = 0.05
DEFAULT_STATE_PREFIX = "state"
DEFAULT_METRICS_NAMESPACE = "DriftPipeline"
DEFAULT_SERVICE_NAME = "evaluate_violations"

ANY_TYPE = "*"
MAX_TOP_DRIFTED_FEATURES = 5

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class ConfigError(ValueError):
    """A setting is malformed or contradicts another one."""


@dataclass(frozen=True)
class EvaluateConfig:
    """Resolved settings; ``notify_on`` is ``None`` when it is ``*`` (any other type)."""

    retrain_on: frozenset[str]
    notify_on: frozenset[str] | None
    ignore: frozenset[str]
    min_labeled_rows_for_retrain: int
    retrain_cooldown_hours: float
    notify_on_insufficient_data: bool
    max_quarantined_share: float
    data_bucket: str | None
    state_prefix: str
    metrics_namespace: str
    service_name: str

    def __post_init__(self) -> None:
        _check_types(ENV_RETRAIN_ON, self.retrain_on)
        _check_types(ENV_IGNORE, self.ignore)
        if self.notify_on is not None:
            _check_types(ENV_NOTIFY_ON, self.notify_on)
        _check_disjoint(ENV_RETRAIN_ON, self.retrain_on, ENV_IGNORE, self.ignore)
        if self.notify_on is not None:
            _check_disjoint(ENV_RETRAIN_ON, self.retrain_on, ENV_NOTIFY_ON, self.notify_on)
            _check_disjoint(ENV_NOTIFY_ON, self.notify_on, ENV_IGNORE, self.ignore)
        if self.min_labeled_rows_for_retrain < 0:
            raise ConfigError(
                f"{ENV_MIN_LABELED_ROWS_FOR_RETRAIN} must be >= 0, "
                f"got {self.min_labeled_rows_for_retrain}"
            )
        if not (self.retrain_cooldown_hours >= 0 and math.isfinite(self.retrain_cooldown_hours)):
            raise ConfigError(
                f"{ENV_RETRAIN_COOLDOWN_HOURS} must be a finite number >= 0, "
                f"got {self.retrain_cooldown_hours}"
            )
        if not 0 <= self.max_quarantined_share <= 1:  # also refuses NaN
            raise ConfigError(
                f"{ENV_MAX_QUARANTINED_SHARE} must be a share in [0, 1], "
                f"got {self.max_quarantined_share}"
            )
        if CheckType.CAPTURE_QUALITY in self.retrain_on:
            raise ConfigError(
                f"{ENV_RETRAIN_ON}: {CheckType.CAPTURE_QUALITY} cannot retrain (rejected capture "
                "records are a data problem, not a model problem; retraining would learn from "
                f"less data); list it in {ENV_NOTIFY_ON} or {ENV_IGNORE}"
            )
        if not self.state_prefix.strip("/"):
            raise ConfigError(f"{ENV_STATE_PREFIX} must not be empty")
        if not self.metrics_namespace:
            raise ConfigError(f"{ENV_METRICS_NAMESPACE} must not be empty")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **explicit: Any) -> EvaluateConfig:
        """Resolve every setting: explicit keyword > ``env`` > default.

        Explicit values use the field names (``retrain_on="model_quality_check"`` or a set).
        """
        env = env or {}
        known = {f.name for f in fields(cls)}
        unknown = set(explicit) - known
        if unknown:
            raise ConfigError(f"unknown setting(s): {', '.join(sorted(unknown))}")

        def pick(name: str, env_name: str, default: Any) -> Any:
            if name in explicit and explicit[name] is not None:
                return explicit[name]
            return env.get(env_name, default)

        notify_raw = pick("notify_on", ENV_NOTIFY_ON, DEFAULT_NOTIFY_ON)
        notify_on = _notify_list(ENV_NOTIFY_ON, notify_raw)
        data_bucket = pick("data_bucket", ENV_DATA_BUCKET, None) or None
        return cls(
            retrain_on=_type_list(
                ENV_RETRAIN_ON, pick("retrain_on", ENV_RETRAIN_ON, DEFAULT_RETRAIN_ON)
            ),
            notify_on=notify_on,
            ignore=_type_list(ENV_IGNORE, pick("ignore", ENV_IGNORE, DEFAULT_IGNORE)),
            min_labeled_rows_for_retrain=_int(
                ENV_MIN_LABELED_ROWS_FOR_RETRAIN,
                pick(
                    "min_labeled_rows_for_retrain",
                    ENV_MIN_LABELED_ROWS_FOR_RETRAIN,
                    DEFAULT_MIN_LABELED_ROWS_FOR_RETRAIN,
                ),
            ),
            retrain_cooldown_hours=_float(
                ENV_RETRAIN_COOLDOWN_HOURS,
                pick(
                    "retrain_cooldown_hours",
                    ENV_RETRAIN_COOLDOWN_HOURS,
                    DEFAULT_RETRAIN_COOLDOWN_HOURS,
                ),
            ),
            notify_on_insufficient_data=_bool(
                ENV_NOTIFY_ON_INSUFFICIENT_DATA,
                pick(
                    "notify_on_insufficient_data",
                    ENV_NOTIFY_ON_INSUFFICIENT_DATA,
                    DEFAULT_NOTIFY_ON_INSUFFICIENT_DATA,
                ),
            ),
            max_quarantined_share=_float(
                ENV_MAX_QUARANTINED_SHARE,
                pick(
                    "max_quarantined_share",
                    ENV_MAX_QUARANTINED_SHARE,
                    DEFAULT_MAX_QUARANTINED_SHARE,
                ),
            ),
            data_bucket=data_bucket,
            state_prefix=str(pick("state_prefix", ENV_STATE_PREFIX, DEFAULT_STATE_PREFIX)),
            metrics_namespace=str(
                pick("metrics_namespace", ENV_METRICS_NAMESPACE, DEFAULT_METRICS_NAMESPACE)
            ),
            service_name=str(pick("service_name", ENV_SERVICE_NAME, DEFAULT_SERVICE_NAME)),
        )


def _items(raw: Any) -> list[str]:
    if isinstance(raw, str):
        items = [part.strip() for part in raw.split(",")]
    else:
        items = [str(part).strip() for part in raw]
    return [item for item in items if item]


def _type_list(name: str, raw: Any) -> frozenset[str]:
    items = _items(raw)
    if ANY_TYPE in items:
        raise ConfigError(f"{name}: '{ANY_TYPE}' is only allowed in {ENV_NOTIFY_ON}")
    return frozenset(items)


def _notify_list(name: str, raw: Any) -> frozenset[str] | None:
    """Like ``_type_list``, but ``*`` alone means any type (``None``)."""
    items = _items(raw)
    if ANY_TYPE in items:
        if len(items) > 1:
            raise ConfigError(f"{name}: '{ANY_TYPE}' must stand alone, got {raw!r}")
        return None
    return frozenset(items)


def _check_types(name: str, types: frozenset[str]) -> None:
    """Only the contract's check types (monitoring_contract): a typo would otherwise silently
    disable a policy rule."""
    unknown = sorted(types - set(KNOWN_CHECK_TYPES))
    if unknown:
        raise ConfigError(
            f"{name}: unknown violation type(s) {', '.join(unknown)}; "
            f"known types: {', '.join(KNOWN_CHECK_TYPES)}"
        )


def _check_disjoint(a_name: str, a: frozenset[str], b_name: str, b: frozenset[str]) -> None:
    both = sorted(a & b)
    if both:
        raise ConfigError(f"{', '.join(both)} listed in both {a_name} and {b_name}")


def _int(name: str, raw: Any) -> int:
    try:
        return int(str(raw).strip())
    except ValueError:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from None


def _float(name: str, raw: Any) -> float:
    try:
        return float(str(raw).strip())
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from None


def _bool(name: str, raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ConfigError(f"{name} must be true or false, got {raw!r}")
