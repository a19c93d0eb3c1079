"""``monitor``: analyse one window against the baseline through every registered section."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from column_schema import load_schema
from drift_monitor import cloudwatch, report
from drift_monitor.baseline_store import CONSTRAINTS_FILE, SCHEMA_FILE, BaselineStore
from drift_monitor.config import Config
from drift_monitor.constraints import deep_merge, enabled
from drift_monitor.dataset import Dataset
from drift_monitor.errors import InputError
from drift_monitor.readers import read_dataset
from drift_monitor.registry import default_sections
from drift_monitor.role_columns import check_roles
from drift_monitor.sections import Section, SectionResult
from drift_monitor.steps import run_step
from drift_monitor.writers import write_json, write_violations
from monitoring_contract import SectionStatus


def load_baseline(config: Config) -> tuple[Path, dict]:
    """Baseline directory and its constraints (validated as a constraints.json).

    The baseline statistics.json is not read: no section uses it (each reads its own
    artefacts), so only its folder matters (``baseline_statistics`` locates the baseline).
    """
    baseline_dir = config.baseline_dir
    if baseline_dir is None or not baseline_dir.is_dir():
        raise InputError(
            f"baseline directory {baseline_dir} does not exist (set "
            "baseline_statistics / baseline_constraints, or --baseline)"
        )
    store = BaselineStore(baseline_dir)
    name = config.baseline_constraints or CONSTRAINTS_FILE
    constraints = store.read_json(name, "baseline constraints")
    if not isinstance(constraints.get("features"), list):
        raise store.invalid(
            name, "baseline constraints", "has no 'features' list (not a constraints.json)"
        )
    return baseline_dir, constraints


def _inferred(config: Config, window: Dataset, schema_path: Path) -> dict[str, Any]:
    schema = window.schema
    names = window.table.column_names
    inferred: dict[str, Any] = {
        "schema_source": str(schema_path),
        "dataset_format": config.dataset_format or "detected from file names",
    }
    if schema.prediction not in names:
        inferred["prediction"] = (
            f"absent; derived as score >= {schema.decision_threshold}"
            if window.scores() is not None
            else "absent"
        )
    if schema.label not in names:
        inferred["label"] = "absent (no ground truth in this dataset)"
    if schema.score and schema.score not in names:
        inferred["score"] = "absent"
    if window.ingest.original_types:
        inferred["column_types_as_read"] = window.ingest.original_types
    return inferred


def with_overrides(constraints: dict, config: Config) -> tuple[dict, dict[str, Any]]:
    """Apply the deployment's settings that take precedence over constraints.json."""
    if config.accuracy_threshold is None:
        return constraints, {}
    rule = {"threshold": config.accuracy_threshold, "comparison_operator": "LessThanThreshold"}
    overridden = deep_merge(constraints, {"binary_classification_constraints": {"accuracy": rule}})
    return overridden, {
        "binary_classification_constraints.accuracy.threshold": {
            "value": config.accuracy_threshold,
            "source": "environment accuracy_threshold",
        }
    }


def run_monitor(config: Config, sections: list[Section] | None = None) -> str:
    baseline_dir, constraints = load_baseline(config)
    constraints, overrides = with_overrides(constraints, config)
    schema_path = config.schema_path or baseline_dir / SCHEMA_FILE
    schema = load_schema(schema_path)
    window = read_dataset(
        config.dataset_source,
        config.dataset_format,
        schema,
        start=config.start_time,
        end=config.end_time,
    )
    results: dict[str, SectionResult] = {}
    check_roles(window, "monitor")
    for section in sections if sections is not None else default_sections():
        results[section.name] = run_step(
            section.name, config.threads, section.analyse, window, baseline_dir, constraints
        )

    statistics: dict[str, Any] = {
        "version": 0.0,
        "dataset": {"item_count": window.n_rows},
        "features": [],
    }
    violations: list[dict] = []
    metrics: list[dict] = []
    for result in results.values():
        statistics = deep_merge(statistics, result.statistics)
        violations.extend(result.violations)
        metrics.extend(result.metrics)
    statistics["summary"] = {
        "item_count": window.n_rows,
        **{name: r.summary for name, r in results.items()},
    }
    statistics["inferred"] = _inferred(config, window, schema_path)
    if overrides:
        statistics["overrides"] = overrides

    output = config.output_path
    output.mkdir(parents=True, exist_ok=True)
    write_json(output / "statistics.json", statistics)
    write_violations(output / "constraint_violations.json", violations)

    emit = enabled((constraints.get("monitoring_config") or {}).get("emit_metrics", "Enabled"))
    lines = cloudwatch.metric_lines(
        metrics if emit else [], config.metric_time, config.endpoint_name, config.schedule_name
    )
    cloudwatch.write_metrics(lines, output)
    if config.publish_cloudwatch_metrics:
        cloudwatch.write_metrics(lines, config.cloudwatch_dir)

    window_text = (
        f"{config.start_time:%Y-%m-%d %H:%M} – {config.end_time:%Y-%m-%d %H:%M} UTC"
        if config.start_time and config.end_time
        else "as given"
    )
    facts = {
        "endpoint": config.endpoint_name or "—",
        "window": window_text,
        "rows": window.n_rows,
        "dataset": str(config.dataset_source),
        "baseline": str(baseline_dir),
    }
    title = f"Drift report: {config.endpoint_name or 'model'}"
    (output / "report.html").write_text(
        report.render(title, facts, results, violations), encoding="utf-8"
    )

    statuses = {name: r.summary.get("status") for name, r in results.items()}
    if violations:
        return f"CompletedWithViolations: {violations[0]['description']}"
    if any(s == SectionStatus.INSUFFICIENT_DATA for s in statuses.values()):
        return (
            f"Completed: insufficient_data — {window.n_rows} rows in the window; no drift verdict"
        )
    return "Completed: Job completed successfully with no violations."
