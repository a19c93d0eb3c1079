"""Judging completeness: a shortfall beyond the tolerance AND significant after BH."""

from __future__ import annotations

from typing import Any

from drift_monitor import drift_tests
from drift_monitor.constraints import feature_settings, number
from drift_monitor.data_quality.checks import CompletenessTest, record
from monitoring_contract import CheckType


def completeness_violations(
    tests: list[CompletenessTest], constraints: dict[str, Any]
) -> list[dict[str, Any]]:
    """Benjamini–Hochberg across the tested features, so small windows do not alarm on noise."""
    if not tests:
        return []
    adjusted = drift_tests.benjamini_hochberg([t.p_value for t in tests])
    violations = []
    for test, p_adj in zip(tests, adjusted, strict=True):
        alpha = number(feature_settings(constraints, test.name), "significance_level", test.name)
        if test.observed < test.expected - test.tolerance and p_adj < alpha:
            description = (
                f"Completeness of {test.name} is {test.observed:.3f}, below the constraint "
                f"{test.expected:.3f} (tolerance {test.tolerance}; BH-adjusted p={p_adj:.2g})"
            )
            violations.append(
                record(test.name, CheckType.COMPLETENESS, description, test.observed, test.expected)
            )
    return violations
