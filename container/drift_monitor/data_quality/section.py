"""The data-quality section: measure every check, judge completeness, present the findings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from column_schema import Feature
from drift_monitor.constraints import enabled, feature_entry, feature_settings, number
from drift_monitor.data_quality import checks
from drift_monitor.data_quality.checks import CompletenessTest, Note
from drift_monitor.data_quality.judge import completeness_violations
from drift_monitor.data_quality.profile import NumericFacts, profile, suggest_constraints
from drift_monitor.dataset import Dataset
from drift_monitor.errors import InputError
from drift_monitor.report import data_quality as report
from drift_monitor.sections import SectionResult
from monitoring_contract import SectionName, SectionStatus


class DataQualitySection:
    name = str(SectionName.DATA_QUALITY)

    def fit_baseline(self, reference: Dataset, baseline_dir: Path) -> dict:
        # Everything this section needs later lives in constraints.json itself.
        return suggest_constraints(reference, profile(reference))

    def analyse(self, window: Dataset, baseline_dir: Path, constraints: dict) -> SectionResult:
        ingest = window.ingest
        min_rows = int(
            number(feature_settings(constraints, ""), "minimum_rows", "monitoring_config")
        )
        enough = window.n_rows >= min_rows
        violations = checks.column_checks(ingest)
        notes = checks.malformed_notes(ingest)
        facts = {
            name: NumericFacts.of(window.numeric(name))
            for name in window.schema.numerical
            if name not in ingest.missing_columns
        }
        profiles = profile(window, facts)
        tests: list[CompletenessTest] = []
        for feature, prof in zip(window.schema.features, profiles, strict=True):
            found, noted, test = _feature_checks(window, feature, prof, facts, constraints, enough)
            violations += found
            notes += noted
            tests += [test] if test else []
        violations += completeness_violations(tests, constraints)
        summary = _summary(window, violations, enough, min_rows)
        return SectionResult(
            statistics=_statistics(window, profiles),
            violations=violations,
            metrics=_metrics(profiles),
            report_html=report.render(violations, notes, summary),
            summary=summary,
        )


def _feature_checks(
    window: Dataset,
    feature: Feature,
    prof: dict[str, Any],
    facts: dict[str, NumericFacts],
    constraints: dict,
    enough: bool,
) -> tuple[list[dict[str, Any]], list[Note], CompletenessTest | None]:
    """One feature's type and domain violations, notes and completeness measurement."""
    name, ingest = feature.name, window.ingest
    entry = feature_entry(constraints, name)
    if entry is None:
        raise InputError(
            f"constraints.json has no entry for feature {name!r} of the schema: the "
            "baseline does not match the schema; re-run the baseline job"
        )
    settings = feature_settings(constraints, name)
    if not enabled(settings.get("evaluate_constraints", "Enabled")) or (
        name in ingest.missing_columns
    ):
        return [], [], None
    threshold = number(settings, "datatype_check_threshold", name)
    block = prof.get("numerical_statistics") or prof["string_statistics"]
    present = block["common"]["num_present"]
    notes: list[Note] = []
    if feature.is_numerical:
        violations, notes = checks.unparseable_check(name, present, ingest, threshold)
        violations += checks.integral_check(name, facts[name], entry, threshold)
        violations += checks.non_negative_check(name, facts[name], entry, threshold)
    else:
        violations = checks.stored_type_check(name, ingest)
    test = (
        checks.completeness_test(name, entry, settings, present, window.n_rows) if enough else None
    )
    if not feature.is_numerical and enough:
        buckets = block["distribution"]["categorical"]["buckets"]
        counts = {b["value"]: b["count"] for b in buckets}
        violations += checks.domain_check(name, entry, settings, counts, present)
    return violations, notes, test


def _metrics(profiles: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``feature_non_null_{feature}``: the share of present values, per feature with rows."""
    metrics = []
    for prof in profiles:
        common = (prof.get("numerical_statistics") or prof["string_statistics"])["common"]
        total = common["num_present"] + common["num_missing"]
        if total:
            metrics.append(
                {
                    "MetricName": f"feature_non_null_{prof['name']}",
                    "Value": common["num_present"] / total,
                    "Unit": "None",
                }
            )
    return metrics


def _summary(
    window: Dataset, violations: list[dict[str, Any]], enough: bool, min_rows: int
) -> dict[str, Any]:
    summary: dict[str, Any] = {
        "status": SectionStatus.OK if enough else SectionStatus.INSUFFICIENT_DATA,
        "violations": len(violations),
        "malformed_records": window.ingest.malformed_records,
    }
    if not enough:
        summary["reason"] = (
            f"{window.n_rows} rows, fewer than minimum_rows={min_rows}: "
            "completeness and domain checks skipped"
        )
    return summary


def _statistics(window: Dataset, profiles: list[dict[str, Any]]) -> dict[str, Any]:
    """statistics.json keys: Model Monitor's dataset and features, and malformed records."""
    ingest = window.ingest
    dataset: dict[str, Any] = {"item_count": window.n_rows}
    if ingest.malformed_records or ingest.records_outside_window:
        dataset["malformed_records"] = ingest.malformed_records
        dataset["malformed_examples"] = ingest.malformed_examples
        dataset["records_outside_window"] = ingest.records_outside_window
    return {"version": 0.0, "dataset": dataset, "features": profiles}
