"""Measuring data quality: one function per check, each returning its violation records.

Records are Model Monitor's (:class:`monitoring_contract.Violation`); this section writes
``observed`` and ``threshold`` rounded to 6 decimals. A finding below its threshold that a
person should still see is a :data:`Note` for the report, not a violation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from drift_monitor import drift_tests
from drift_monitor.constraints import number
from drift_monitor.data_quality.profile import NumericFacts
from drift_monitor.dataset import IngestReport
from monitoring_contract import CheckType, Violation

Note = tuple[str, str, str]  # (feature, check, detail), a report line that is not a violation


def record(
    feature: str,
    check: CheckType,
    description: str,
    observed: float | None = None,
    threshold: float | None = None,
) -> dict[str, Any]:
    """One violation record, ``observed``/``threshold`` rounded to 6 decimals when given."""
    return Violation(
        feature,
        check,
        description,
        observed=None if observed is None else round(float(observed), 6),
        threshold=None if threshold is None else round(float(threshold), 6),
    ).to_json()


def column_checks(ingest: IngestReport) -> list[dict[str, Any]]:
    """Schema features absent from the dataset, then dataset columns the schema does not know."""
    missing = [
        record(
            name,
            CheckType.MISSING_COLUMN,
            f"Column {name} is in the baseline schema but missing from the dataset {ingest.source}",
        )
        for name in ingest.missing_columns
    ]
    extra = [
        record(
            name,
            CheckType.EXTRA_COLUMN,
            f"Column {name} is in the dataset {ingest.source} but not in the baseline schema",
        )
        for name in ingest.extra_columns
    ]
    return missing + extra


def malformed_notes(ingest: IngestReport) -> list[Note]:
    """Capture records that could not be used (counted, a few shown)."""
    if not ingest.malformed_records:
        return []
    detail = f"{ingest.malformed_records} capture records could not be used, e.g. " + "; ".join(
        ingest.malformed_examples[:3]
    )
    return [("(records)", "malformed", detail)]


def unparseable_check(
    name: str, present: int, ingest: IngestReport, threshold: float
) -> tuple[list[dict[str, Any]], list[Note]]:
    """Values of a numerical feature that did not parse: a violation above the threshold."""
    bad = ingest.unparseable.get(name, 0)
    parsed_plus_bad = present + bad
    if bad and bad / max(parsed_plus_bad, 1) > threshold:
        examples = ", ".join(repr(v) for v in ingest.unparseable_examples.get(name, []))
        description = (
            f"{bad} of {parsed_plus_bad} values of {name} are not numbers "
            f"(e.g. {examples}); type as read: {ingest.original_types.get(name)}"
        )
        return [
            record(name, CheckType.DATA_TYPE, description, bad / parsed_plus_bad, threshold)
        ], []
    if bad:
        return [], [(name, "data_type", f"{bad} values did not parse (below threshold)")]
    return [], []


def integral_check(
    name: str, facts: NumericFacts, entry: dict[str, Any], threshold: float
) -> list[dict[str, Any]]:
    """Fractional values in a feature the baseline typed Integral."""
    if entry.get("inferred_type") != "Integral" or not facts.present.size:
        return []
    share = facts.fractional_share
    if share <= threshold:
        return []
    description = f"{share:.1%} of values of {name} are fractional; the baseline type is Integral"
    return [record(name, CheckType.DATA_TYPE, description, share, threshold)]


def non_negative_check(
    name: str, facts: NumericFacts, entry: dict[str, Any], threshold: float
) -> list[dict[str, Any]]:
    """Negative values in a feature constrained ``is_non_negative``."""
    non_negative = (entry.get("num_constraints") or {}).get("is_non_negative")
    if not non_negative or not facts.present.size:
        return []
    share = facts.negative_share
    if share <= threshold:
        return []
    description = (
        f"{share:.1%} of values of {name} are negative; the baseline "
        "constraint is_non_negative is true"
    )
    return [record(name, CheckType.DATA_TYPE, description, share, threshold)]


def stored_type_check(name: str, ingest: IngestReport) -> list[dict[str, Any]]:
    """A categorical column stored with a non-string type."""
    if name not in ingest.original_types:
        return []
    description = (
        f"categorical column {name} is stored as {ingest.original_types[name]} in "
        f"{ingest.source}; the merged-dataset contract is string"
    )
    return [record(name, CheckType.DATA_TYPE, description)]


def domain_check(
    name: str,
    entry: dict[str, Any],
    settings: dict[str, Any],
    counts: dict[str, int],
    present: int,
) -> list[dict[str, Any]]:
    """Share of present values outside the baseline domain, above ``domain_content_threshold``."""
    domains = (entry.get("string_constraints") or {}).get("domains")
    if domains is None or not present:
        return []
    allowed = set(domains)
    unseen = {v: c for v, c in counts.items() if v not in allowed}
    share = sum(unseen.values()) / present
    threshold = number(settings, "domain_content_threshold", name)
    if share <= threshold:
        return []
    top = ", ".join(repr(v) for v in sorted(unseen, key=lambda v: unseen[v], reverse=True)[:5])
    description = f"{share:.1%} of {name} values are not in the baseline domain (e.g. {top})"
    return [record(name, CheckType.CATEGORICAL_VALUES, description, share, threshold)]


@dataclass(frozen=True)
class CompletenessTest:
    """One feature's completeness against its constraint, judged across features later."""

    name: str
    observed: float
    expected: float
    tolerance: float
    p_value: float  # one-sided exact binomial, not yet adjusted


def completeness_test(
    name: str, entry: dict[str, Any], settings: dict[str, Any], present: int, total: int
) -> CompletenessTest | None:
    """The completeness measurement, or None when the feature has no constraint or no rows."""
    expected = entry.get("completeness")
    if expected is None or not total:
        return None
    tolerance = number(settings, "completeness_tolerance", name)
    p_value = drift_tests.completeness_shortfall_p(float(expected), present, total)
    return CompletenessTest(name, present / total, float(expected), tolerance, p_value)
