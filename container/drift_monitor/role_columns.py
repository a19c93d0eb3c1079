"""Say plainly what a dataset without the schema's label, score or prediction column costs.

Without this a baseline built from unlabelled data succeeds silently and the projection only
says "not projectable" windows later. The jobs call :func:`check_roles` right after reading:
each consequence becomes one ``warning:`` (or ``note:``) line in the job's log, and a dataset
that holds none of the schema's columns, where nothing at all can be computed, is refused.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from drift_monitor.dataset import Dataset
from drift_monitor.errors import InputError
from drift_monitor.steps import log


@dataclass(frozen=True)
class Finding:
    level: str  # "warning" | "note"
    text: str


def _has_values(window: Dataset, column: str | None) -> bool:
    if not column or column not in window.table.column_names:
        return False
    return bool(window.n_rows == 0 or np.any(~np.isnan(window.numeric(column))))


def _absent(window: Dataset, role: str, column: str) -> str:
    where = window.ingest.source or "the dataset"
    if column in window.table.column_names:
        return f"{role} column {column!r} in {where} has no values"
    return f"no {role} column {column!r} in {where}"


def _no_output(window: Dataset) -> str:
    """Neither a score nor a prediction with values."""
    schema = window.schema
    columns = [("score", schema.score), ("prediction", schema.prediction)]
    named = [f"{role} column {column!r}" for role, column in columns if column]
    where = window.ingest.source or "the dataset"
    if len(named) == 1:
        return f"{named[0]} absent or empty in {where}"
    return f"neither {named[0]} nor {named[1]} has values in {where}"


def baseline_findings(window: Dataset) -> list[Finding]:
    """What the baseline will not build, one finding per missing role."""
    schema = window.schema
    has_score, has_prediction = (
        _has_values(window, schema.score),
        _has_values(window, schema.prediction),
    )
    findings = []
    if not has_score and not has_prediction:
        findings.append(
            Finding(
                "warning",
                f"{_no_output(window)}: model quality and the projection will not be built "
                "(they need the model's output)",
            )
        )
    elif schema.score and not has_score:
        findings.append(
            Finding(
                "warning",
                f"{_absent(window, 'score', schema.score)}: the baseline is built for a "
                "class-only model (no AUC, no score calibration); windows that carry scores "
                "will not be projectable",
            )
        )
    if not _has_values(window, schema.label):
        findings.append(
            Finding(
                "warning",
                f"{_absent(window, 'label', schema.label)}: model quality and the projection's "
                "calibration will not be built; monitoring will report model quality as "
                "no_labels and the projection as not projectable",
            )
        )
    return findings


def monitor_findings(window: Dataset) -> list[Finding]:
    """What this window's analysis will leave out (labels are often not in yet: a note)."""
    schema = window.schema
    findings = []
    if not _has_values(window, schema.score) and not _has_values(window, schema.prediction):
        findings.append(
            Finding(
                "warning",
                f"{_no_output(window)}: model quality and the projection will not be computed",
            )
        )
    if not _has_values(window, schema.label):
        findings.append(
            Finding(
                "note",
                f"{_absent(window, 'label', schema.label)}: model quality reports no_labels "
                "for this window (labels may not have arrived yet)",
            )
        )
    return findings


def require_some_column(window: Dataset) -> None:
    """Refuse a non-empty dataset with none of the schema's columns: nothing can be computed."""
    schema = window.schema
    names = set(window.table.column_names) - set(window.ingest.missing_columns)
    expected = [*schema.feature_names, schema.score, schema.prediction, schema.label]
    if window.n_rows and not names & {c for c in expected if c}:
        found = sorted(window.ingest.extra_columns)[:10]
        raise InputError(
            f"{window.ingest.source or 'dataset'}: none of the schema's columns is in the "
            f"dataset (found {found}); wrong file, or wrong schema.json?"
        )


def check_roles(window: Dataset, mode: str) -> list[str]:
    """Log each finding for ``mode`` (baseline/monitor); return the warnings' texts."""
    require_some_column(window)
    findings = baseline_findings(window) if mode == "baseline" else monitor_findings(window)
    for finding in findings:
        log(f"{finding.level}: {finding.text}")
    return [f.text for f in findings if f.level == "warning"]
