"""Judging feature drift: BH-adjusted significance AND the chosen effect size's threshold.

``comparison_method`` "Robust" (default) needs both; "Simple" needs only the effect size.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from drift_monitor import drift_tests
from drift_monitor.constraints import (
    CATEGORICAL_DRIFT_METHODS,
    NUMERICAL_DRIFT_METHODS,
    enabled,
    number,
)
from drift_monitor.errors import InputError
from monitoring_contract import CheckType, Violation

EFFECT_KEYS = {
    "Wasserstein": "wasserstein_normalised",
    "PSI": "psi",
    "JensenShannon": "js_distance",
    "LInfinity": "linf_distance",
}


def settle(result: dict[str, Any], numerical: bool, settings: dict[str, Any]) -> None:
    """Record the feature's effect size (its configured method), threshold and test settings."""
    name = result["name"]
    dist = settings.get("distribution_constraints") or {}
    allowed: tuple[str, ...]
    if numerical:
        method = str(dist.get("numerical_drift_method", "Wasserstein"))
        allowed, key = NUMERICAL_DRIFT_METHODS, "comparison_threshold"
    else:
        method = str(dist.get("categorical_drift_method", "JensenShannon"))
        allowed, key = CATEGORICAL_DRIFT_METHODS, "categorical_comparison_threshold"
    if method not in allowed:
        raise InputError(
            f"constraints.json: feature {name!r} drift method {method!r} is not one of {allowed}"
        )
    result["effect_size_metric"] = method
    result["effect_size"] = float(result[EFFECT_KEYS[method]])
    result["threshold"] = number(dist, key, f"{name} distribution_constraints")
    result["comparison_method"] = str(dist.get("comparison_method", "Robust"))
    result["significance_level"] = number(settings, "significance_level", name)
    result["enabled"] = enabled(dist.get("perform_comparison", "Enabled"))


def adjust(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Benjamini–Hochberg across the tested features (enabled, with current values)."""
    tested = [r for r in results if r["enabled"] and r["n_current"] > 0]
    adjusted = drift_tests.benjamini_hochberg([r["p_value"] for r in tested])
    for result, p_adj in zip(tested, adjusted, strict=True):
        result["p_value_adjusted"] = p_adj
    return tested


def decide(result: dict[str, Any], enough: bool) -> None:
    """Set ``drifted`` and ``severity`` (effect / threshold, for sorting the report)."""
    effect = result["effect_size"]
    significant = result.get("p_value_adjusted", 1.0) < result["significance_level"]
    large = bool(np.isfinite(effect) and effect >= result["threshold"]) or effect == np.inf
    robust = result["comparison_method"] != "Simple"
    result["drifted"] = bool(enough and result["enabled"] and large and (significant or not robust))
    result["severity"] = (
        float(effect / result["threshold"])
        if result["threshold"] > 0 and np.isfinite(effect)
        else (float("inf") if effect == np.inf else 0.0)
    )


def violation(
    result: dict[str, Any], check_type: CheckType = CheckType.BASELINE_DRIFT
) -> dict[str, Any]:
    """The ``baseline_drift_check`` record of a drifted feature (``observed`` is left out when
    the effect is not finite); the model-output section raises the same record under its own
    ``check_type``."""
    effect = result["effect_size"]
    description = (
        f"Baseline drift distance: {effect:.4g} ({result['effect_size_metric']}) "
        f"exceeds threshold: {result['threshold']:g}; {result['test']} "
        f"p={result['p_value']:.3g}, BH-adjusted "
        f"{result.get('p_value_adjusted', 1.0):.3g}"
    )
    return Violation(
        result["name"],
        check_type,
        description,
        observed=round(effect, 6) if np.isfinite(effect) else None,
        threshold=result["threshold"],
    ).to_json()
