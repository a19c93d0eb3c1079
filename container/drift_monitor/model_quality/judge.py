"""Judging model quality: a metric's whole interval beyond its constraint's threshold."""

from __future__ import annotations

from typing import Any

from drift_monitor.errors import InputError
from drift_monitor.model_quality.settings import CONSTRAINTS_KEY, OPERATORS, SUPPORTED_METRICS
from monitoring_contract import CheckType, Violation


def _rule(name: str, rule: Any) -> tuple[str, float]:
    """A constraint's operator and threshold, refused when not usable."""
    if name not in SUPPORTED_METRICS:
        raise InputError(
            f"constraints.json: {CONSTRAINTS_KEY}.{name} is not a supported "
            f"metric (supported: {', '.join(SUPPORTED_METRICS)})"
        )
    if not isinstance(rule, dict) or "threshold" not in rule:
        raise InputError(f"constraints.json: {CONSTRAINTS_KEY}.{name} needs a 'threshold'")
    operator = rule.get("comparison_operator", "LessThanThreshold")
    if operator not in OPERATORS:
        raise InputError(
            f"constraints.json: {CONSTRAINTS_KEY}.{name}.comparison_operator "
            f"{operator!r} is not one of {OPERATORS}"
        )
    try:
        threshold = float(rule["threshold"])
    except (TypeError, ValueError) as exc:
        raise InputError(
            f"constraints.json: {CONSTRAINTS_KEY}.{name}.threshold is not a "
            f"number ({rule['threshold']!r})"
        ) from exc
    return operator, threshold


def check_constraints(
    metrics: dict[str, Any], constraints: dict[str, Any], labeled_count: int
) -> list[dict[str, Any]]:
    """``model_quality_check`` violations: the metric's interval lies beyond its threshold.

    ``LessThanThreshold`` fires when the interval's upper end is below the threshold,
    ``GreaterThanThreshold`` when its lower end is above it.
    """
    violations = []
    for name, rule in constraints.items():
        operator, threshold = _rule(name, rule)
        metric = metrics.get(name)
        if metric is None:
            continue
        ci = metric["confidence_interval"]
        below = operator == "LessThanThreshold"
        if (below and ci["upper"] < threshold) or (not below and ci["lower"] > threshold):
            side = "<" if below else ">"
            description = (
                f"{name} {metric['value']:.3f} {side} {threshold:.3f} on {labeled_count} "
                f"labelled rows ({ci['level']:.0%} interval "
                f"[{ci['lower']:.3f}, {ci['upper']:.3f}], {ci['method']}, lies entirely "
                f"{'below' if below else 'above'} the threshold)"
            )
            violation = Violation(
                name,
                CheckType.MODEL_QUALITY,
                description,
                observed=metric["value"],
                threshold=threshold,
                comparison_operator=operator,
            )
            violations.append(violation.to_json())
    return violations


def accuracy_threshold(constraints: dict) -> float | None:
    """The accuracy threshold of constraints.json, or None when none is set."""
    rule = (constraints.get(CONSTRAINTS_KEY) or {}).get("accuracy")
    if not rule or rule.get("threshold") is None:
        return None
    try:
        return float(rule["threshold"])
    except (TypeError, ValueError) as exc:
        raise InputError(
            f"constraints.json: {CONSTRAINTS_KEY}.accuracy.threshold is not a "
            f"number ({rule['threshold']!r})"
        ) from exc
