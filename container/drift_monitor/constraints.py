"""constraints.json: defaults, deep merge of the sections' parts, and per-feature settings.

A user edits constraints.json to tune the monitor: ``monitoring_config`` holds the defaults
and each feature's ``monitoringConfigOverrides`` overrides any of those keys for that
feature (``distribution_constraints`` is merged key by key).
"""

from __future__ import annotations

import copy
from typing import Any

from drift_monitor.errors import InputError

NUMERICAL_DRIFT_METHODS = ("Wasserstein", "PSI", "JensenShannon", "LInfinity")
CATEGORICAL_DRIFT_METHODS = ("JensenShannon", "PSI", "LInfinity")

DEFAULT_MONITORING_CONFIG: dict[str, Any] = {
    "evaluate_constraints": "Enabled",
    "emit_metrics": "Enabled",
    "datatype_check_threshold": 0.1,
    "domain_content_threshold": 0.05,
    # our additions (documented in docs/container.md)
    "completeness_tolerance": 0.02,
    "minimum_rows": 50,
    # BH level across features; 0.04 keeps the any-feature false-alarm rate under the 5 % target
    # at 100 rows, where the effect-size gate cannot help (benchmarks/false_alarms.py)
    "significance_level": 0.04,
    "distribution_constraints": {
        "perform_comparison": "Enabled",
        "comparison_method": "Robust",
        "comparison_threshold": 0.1,
        "numerical_drift_method": "Wasserstein",
        "categorical_comparison_threshold": 0.1,
        "categorical_drift_method": "JensenShannon",
    },
}


def deep_merge(base: dict, extra: dict) -> dict:
    """Merge ``extra`` into a copy of ``base``: dicts recursively, lists of named dicts by name."""
    out = copy.deepcopy(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        elif (
            isinstance(value, list)
            and isinstance(out.get(key), list)
            and all(isinstance(v, dict) and "name" in v for v in value + out[key])
        ):
            by_name = {item["name"]: item for item in out[key]}
            for item in value:
                by_name[item["name"]] = deep_merge(by_name.get(item["name"], {}), item)
            out[key] = list(by_name.values())
        else:
            out[key] = copy.deepcopy(value)
    return out


def feature_settings(constraints: dict, feature: str) -> dict[str, Any]:
    """The effective monitoring_config for one feature (defaults < file < feature overrides)."""
    settings = deep_merge(DEFAULT_MONITORING_CONFIG, constraints.get("monitoring_config") or {})
    for entry in constraints.get("features") or []:
        if isinstance(entry, dict) and entry.get("name") == feature:
            overrides = entry.get("monitoringConfigOverrides") or {}
            if not isinstance(overrides, dict):
                raise InputError(
                    f"constraints.json: feature {feature!r} monitoringConfigOverrides "
                    "must be an object"
                )
            settings = deep_merge(settings, overrides)
    return settings


def feature_entry(constraints: dict, feature: str) -> dict[str, Any] | None:
    for entry in constraints.get("features") or []:
        if isinstance(entry, dict) and entry.get("name") == feature:
            return entry
    return None


def number(settings: dict, key: str, where: str) -> float:
    value: Any = settings.get(key)  # float() raises on None and non-numbers alike
    try:
        return float(value)
    except (TypeError, ValueError) as exc:
        raise InputError(f"constraints.json: {where} {key}={value!r} is not a number") from exc


def enabled(value: Any) -> bool:
    return str(value).lower() in ("enabled", "true", "1")
