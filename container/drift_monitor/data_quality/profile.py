"""Data quality: Model Monitor statistics/constraints per feature, and their violations.

Checks: missing/extra columns, data types (values that do not parse, non-integral values in
an Integral feature, negative values in a non-negative one, a column whose stored type
changed), completeness, and unseen categories. Completeness is tested, not just compared:
a feature is flagged only when its non-null share is below the constraint by more than
``completeness_tolerance`` AND a one-sided exact binomial test is significant after
Benjamini–Hochberg across features, so small windows do not alarm on noise.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from drift_monitor import drift_tests
from drift_monitor.constraints import (
    DEFAULT_MONITORING_CONFIG,
    enabled,
    feature_entry,
    feature_settings,
    number,
)
from drift_monitor.counting import category_counts
from drift_monitor.errors import InputError
from drift_monitor.report.html import esc
from drift_monitor.sections import SectionResult
from drift_monitor.window import WindowData

MAX_DOMAIN_SIZE = 1000  # categories beyond this are not written as a domain constraint


def _violation(
    feature: str,
    check: str,
    description: str,
    observed: float | None = None,
    threshold: float | None = None,
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "feature_name": feature,
        "constraint_check_type": check,
        "description": description,
    }
    if observed is not None:
        entry["observed"] = round(float(observed), 6)
    if threshold is not None:
        entry["threshold"] = round(float(threshold), 6)
    return entry


@dataclass(frozen=True)
class NumericFacts:
    """One pass over a numerical column, shared by the profile and the type checks."""

    present: np.ndarray
    n_missing: int
    fractional_share: float
    negative_share: float

    @classmethod
    def of(cls, values: np.ndarray) -> NumericFacts:
        missing = np.isnan(values)
        n_missing = int(np.count_nonzero(missing))
        present = values[~missing] if n_missing else values
        if not present.size:
            return cls(present, n_missing, 0.0, 0.0)
        fractional = float(np.count_nonzero(np.trunc(present) != present)) / present.size
        negative = float(np.count_nonzero(present < 0)) / present.size
        return cls(present, n_missing, fractional, negative)


def numeric_profile(
    name: str, values: np.ndarray, facts: NumericFacts | None = None
) -> dict[str, Any]:
    """One numerical feature in Model Monitor's statistics.json shape."""
    facts = facts or NumericFacts.of(values)
    present = facts.present
    stats: dict[str, Any] = {
        "common": {"num_present": int(present.size), "num_missing": facts.n_missing}
    }
    if present.size:
        low, high = float(present.min()), float(present.max())
        counts, edges = np.histogram(
            present, bins=10, range=(low, high) if high > low else (low - 0.5, high + 0.5)
        )
        stats.update(
            {
                "mean": float(present.mean()),
                "sum": float(present.sum()),
                "std_dev": float(present.std()),
                "min": low,
                "max": high,
                "distribution": {
                    "kll": {
                        "buckets": [
                            {
                                "lower_bound": float(edges[i]),
                                "upper_bound": float(edges[i + 1]),
                                "count": float(counts[i]),
                            }
                            for i in range(10)
                        ]
                    }
                },
            }
        )
    integral = bool(present.size) and facts.fractional_share == 0.0
    return {
        "name": name,
        "inferred_type": "Integral" if integral else "Fractional",
        "numerical_statistics": stats,
    }


def string_profile(name: str, counts: dict[str, int], missing: int) -> dict[str, Any]:
    """One categorical feature in Model Monitor's statistics.json shape."""
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return {
        "name": name,
        "inferred_type": "String",
        "string_statistics": {
            "common": {"num_present": int(sum(counts.values())), "num_missing": int(missing)},
            "distinct_count": float(len(counts)),
            "distribution": {
                "categorical": {"buckets": [{"value": v, "count": c} for v, c in ordered]}
            },
        },
    }


def profile(
    window: WindowData, facts: dict[str, NumericFacts] | None = None
) -> list[dict[str, Any]]:
    """statistics.json ``features`` for every schema feature."""
    facts = facts or {}
    features = []
    for feature in window.schema.features:
        if feature.is_numerical:
            features.append(
                numeric_profile(feature.name, window.numeric(feature.name), facts.get(feature.name))
            )
        else:
            values = window.categorical(feature.name)
            features.append(
                string_profile(feature.name, category_counts(values), values.null_count)
            )
    return features


def suggest_constraints(window: WindowData, profiles: list[dict[str, Any]]) -> dict[str, Any]:
    """Model Monitor constraints.json suggested from the reference (every key user-editable)."""
    entries = []
    for prof in profiles:
        block = prof.get("numerical_statistics") or prof["string_statistics"]
        common = block["common"]
        total = common["num_present"] + common["num_missing"]
        entry: dict[str, Any] = {
            "name": prof["name"],
            "inferred_type": prof["inferred_type"],
            "completeness": common["num_present"] / total if total else 1.0,
        }
        if "numerical_statistics" in prof:
            entry["num_constraints"] = {"is_non_negative": bool(block.get("min", 0.0) >= 0)}
        else:
            buckets = block["distribution"]["categorical"]["buckets"]
            if len(buckets) <= MAX_DOMAIN_SIZE:
                entry["string_constraints"] = {"domains": sorted(b["value"] for b in buckets)}
        entry["monitoringConfigOverrides"] = {}
        entries.append(entry)
    return {"version": 0.0, "features": entries, "monitoring_config": DEFAULT_MONITORING_CONFIG}


class DataQualitySection:
    name = "data_quality"

    def fit_baseline(self, reference: WindowData, baseline_dir: Path) -> dict:
        # Everything this section needs later lives in constraints.json itself.
        return suggest_constraints(reference, profile(reference))

    def analyse(self, window: WindowData, baseline_dir: Path, constraints: dict) -> SectionResult:
        schema = window.schema
        ingest = window.ingest
        violations: list[dict[str, Any]] = []
        rows: list[tuple[str, str, str]] = []  # (feature, check, detail) for the report
        settings0 = feature_settings(constraints, "")
        min_rows = int(number(settings0, "minimum_rows", "monitoring_config"))
        enough = window.n_rows >= min_rows

        for name in ingest.missing_columns:
            violations.append(
                _violation(
                    name,
                    "missing_column_check",
                    f"Column {name} is in the baseline schema but missing "
                    f"from the dataset {ingest.source}",
                )
            )
        for name in ingest.extra_columns:
            violations.append(
                _violation(
                    name,
                    "extra_column_check",
                    f"Column {name} is in the dataset {ingest.source} but "
                    "not in the baseline schema",
                )
            )
        if ingest.malformed_records:
            rows.append(
                (
                    "(records)",
                    "malformed",
                    f"{ingest.malformed_records} capture records could not be used, e.g. "
                    + "; ".join(ingest.malformed_examples[:3]),
                )
            )

        completeness_tests: list[tuple[str, float, float, float, float]] = []
        facts = {
            name: NumericFacts.of(window.numeric(name))
            for name in schema.numerical
            if name not in ingest.missing_columns
        }
        profiles = profile(window, facts)
        for feature, prof in zip(schema.features, profiles, strict=True):
            name = feature.name
            entry = feature_entry(constraints, name)
            if entry is None:
                raise InputError(
                    f"constraints.json has no entry for feature {name!r} of the "
                    "schema: the baseline does not match the schema; re-run "
                    "the baseline job"
                )
            settings = feature_settings(constraints, name)
            if not enabled(settings.get("evaluate_constraints", "Enabled")):
                continue
            if name in ingest.missing_columns:
                continue
            dtype_threshold = number(settings, "datatype_check_threshold", name)
            block = prof.get("numerical_statistics") or prof["string_statistics"]
            present = block["common"]["num_present"]
            total = window.n_rows

            bad = ingest.unparseable.get(name, 0)
            if feature.is_numerical:
                parsed_plus_bad = present + bad
                if bad and bad / max(parsed_plus_bad, 1) > dtype_threshold:
                    examples = ", ".join(repr(v) for v in ingest.unparseable_examples.get(name, []))
                    violations.append(
                        _violation(
                            name,
                            "data_type_check",
                            f"{bad} of {parsed_plus_bad} values of {name} are not numbers "
                            f"(e.g. {examples}); type as read: {ingest.original_types.get(name)}",
                            bad / parsed_plus_bad,
                            dtype_threshold,
                        )
                    )
                elif bad:
                    rows.append(
                        (name, "data_type", f"{bad} values did not parse (below threshold)")
                    )
                fact = facts[name]
                if entry.get("inferred_type") == "Integral" and fact.present.size:
                    share = fact.fractional_share
                    if share > dtype_threshold:
                        violations.append(
                            _violation(
                                name,
                                "data_type_check",
                                f"{share:.1%} of values of {name} are fractional; the baseline "
                                "type is Integral",
                                share,
                                dtype_threshold,
                            )
                        )
                non_negative = (entry.get("num_constraints") or {}).get("is_non_negative")
                if non_negative and fact.present.size:
                    share = fact.negative_share
                    if share > dtype_threshold:
                        violations.append(
                            _violation(
                                name,
                                "data_type_check",
                                f"{share:.1%} of values of {name} are negative; the baseline "
                                "constraint is_non_negative is true",
                                share,
                                dtype_threshold,
                            )
                        )
            elif name in ingest.original_types:
                violations.append(
                    _violation(
                        name,
                        "data_type_check",
                        f"categorical column {name} is stored as {ingest.original_types[name]} in "
                        f"{ingest.source}; the merged-dataset contract is string",
                    )
                )

            expected = entry.get("completeness")
            if expected is not None and total and enough:
                observed = present / total
                tolerance = number(settings, "completeness_tolerance", name)
                p_value = drift_tests.completeness_shortfall_p(float(expected), present, total)
                completeness_tests.append((name, observed, float(expected), tolerance, p_value))

            domains = (entry.get("string_constraints") or {}).get("domains")
            if not feature.is_numerical and domains is not None and present and enough:
                counts = {
                    b["value"]: b["count"] for b in block["distribution"]["categorical"]["buckets"]
                }
                allowed = set(domains)
                unseen = {v: c for v, c in counts.items() if v not in allowed}
                share = sum(unseen.values()) / present
                threshold = number(settings, "domain_content_threshold", name)
                if share > threshold:
                    top = ", ".join(
                        repr(v) for v in sorted(unseen, key=unseen.get, reverse=True)[:5]
                    )
                    violations.append(
                        _violation(
                            name,
                            "categorical_values_check",
                            f"{share:.1%} of {name} values are not in the baseline domain "
                            f"(e.g. {top})",
                            share,
                            threshold,
                        )
                    )

        if completeness_tests:
            adjusted = drift_tests.benjamini_hochberg([t[4] for t in completeness_tests])
            for (name, observed, expected, tolerance, _), p_adj in zip(
                completeness_tests, adjusted, strict=True
            ):
                alpha = number(feature_settings(constraints, name), "significance_level", name)
                if observed < expected - tolerance and p_adj < alpha:
                    violations.append(
                        _violation(
                            name,
                            "completeness_check",
                            f"Completeness of {name} is {observed:.3f}, below the constraint "
                            f"{expected:.3f} (tolerance {tolerance}; BH-adjusted p={p_adj:.2g})",
                            observed,
                            expected,
                        )
                    )

        status = "ok" if enough else "insufficient_data"
        metrics = []
        for prof in profiles:
            block = prof.get("numerical_statistics") or prof["string_statistics"]
            common = block["common"]
            total = common["num_present"] + common["num_missing"]
            if total:
                metrics.append(
                    {
                        "MetricName": f"feature_non_null_{prof['name']}",
                        "Value": common["num_present"] / total,
                        "Unit": "None",
                    }
                )
        summary = {
            "status": status,
            "violations": len(violations),
            "malformed_records": ingest.malformed_records,
        }
        if not enough:
            summary["reason"] = (
                f"{window.n_rows} rows, fewer than minimum_rows={min_rows}: "
                "completeness and domain checks skipped"
            )
        statistics: dict[str, Any] = {
            "version": 0.0,
            "dataset": {"item_count": window.n_rows},
            "features": profiles,
        }
        if ingest.malformed_records or ingest.records_outside_window:
            statistics["dataset"]["malformed_records"] = ingest.malformed_records
            statistics["dataset"]["malformed_examples"] = ingest.malformed_examples
            statistics["dataset"]["records_outside_window"] = ingest.records_outside_window
        return SectionResult(
            statistics=statistics,
            violations=violations,
            metrics=metrics,
            report_html=_report(violations, rows, summary),
            summary=summary,
        )


def _report(violations: list[dict], notes: list[tuple[str, str, str]], summary: dict) -> str:
    items = "".join(
        f"<tr><td>{esc(v['feature_name'])}</td><td>{esc(v['constraint_check_type'])}</td>"
        f"<td>{esc(v['description'])}</td></tr>"
        for v in violations
    )
    items += "".join(
        f"<tr class='note'><td>{esc(f)}</td><td>{esc(c)}</td><td>{esc(d)}</td></tr>"
        for f, c, d in notes
    )
    body = (
        f"<table><tr><th>feature</th><th>check</th><th>detail</th></tr>{items}</table>"
        if items
        else "<p>No data-quality violations.</p>"
    )
    reason = f"<p class='warn'>{esc(summary['reason'])}</p>" if "reason" in summary else ""
    return f"<section id='data-quality'><h2>Data quality</h2>{reason}{body}</section>"
