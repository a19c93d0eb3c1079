"""The unit of analysis: a *section* owns one concern (data quality, drift, model quality...).

``baseline`` and ``monitor`` are one code path over the registered sections
(:func:`drift_monitor.registry.default_sections`); each section fits its own baseline
artefacts and analyses a window against them, returning a :class:`SectionResult` that the
pipeline merges into ``statistics.json``, ``constraint_violations.json``, the CloudWatch
metric lines and ``report.html``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from drift_monitor.dataset import Dataset


@dataclass
class SectionResult:
    # top-level keys merged into statistics.json
    statistics: dict[str, Any] = field(default_factory=dict)
    # entries of constraint_violations.json (monitoring_contract.Violation.to_json())
    violations: list[dict[str, Any]] = field(default_factory=list)
    metrics: list[dict[str, Any]] = field(default_factory=list)  # {"MetricName", "Value", "Unit"}
    report_html: str = ""  # self-contained HTML fragment (drift_monitor.report.<section>)
    summary: dict[str, Any] = field(default_factory=dict)  # statistics.json summary.<name>


@runtime_checkable
class Section(Protocol):
    name: str

    def fit_baseline(self, reference: Dataset, baseline_dir: Path) -> dict:
        """Write this section's artefacts (JSON/Parquet, no pickles) into ``baseline_dir``;
        return top-level keys to merge into constraints.json."""
        ...

    def analyse(self, window: Dataset, baseline_dir: Path, constraints: dict) -> SectionResult:
        """Analyse one window against the baseline in ``baseline_dir``."""
        ...
