"""What a reader sees first: the verdict in words and colour, and a one-line headline.

Both are read from the sections' summaries and the violations the page already receives,
so they say exactly what ``statistics.json`` and ``constraint_violations.json`` say.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from drift_monitor.report.html import esc
from drift_monitor.sections import SectionResult


def verdict_html(violations: list[dict[str, Any]]) -> str:
    if not violations:
        return "<p class='verdict ok'>NO VIOLATIONS: every check passed or had no verdict.</p>"
    counts = Counter(str(v["constraint_check_type"]) for v in violations)
    listed = ", ".join(f"{n} × {k}" for k, n in sorted(counts.items()))
    return f"<p class='verdict bad'>VIOLATIONS: {esc(listed)}</p>"


def _features(summary: dict[str, Any]) -> str:
    if summary.get("status") not in (None, "ok"):
        return f"feature drift not judged ({summary.get('status')})"
    drifted = summary.get("drifted_features") or []
    tested = summary.get("tested")
    return f"{len(drifted)} of {tested if tested is not None else '?'} features drifted"


def _dataset(summary: dict[str, Any]) -> str:
    if summary.get("status") == "ok" and "drifted" in summary:
        return f"dataset drift {'yes' if summary['drifted'] else 'no'}"
    return f"dataset drift not judged ({summary.get('status')})"


def _output(summary: dict[str, Any]) -> str:
    if summary.get("status") == "ok" and summary.get("evaluated"):
        return f"model output drift {'yes' if summary['drifted'] else 'no'}"
    return f"model output drift not judged ({summary.get('status')})"


def _measured(summary: dict[str, Any]) -> str:
    status = summary.get("status")
    labelled = summary.get("labeled_count", 0)
    if status == "ok" and isinstance(summary.get("accuracy"), float):
        return f"accuracy measured {summary['accuracy']:.1%} on {labelled} labels"
    if status == "no_labels":
        return "accuracy measured: no labels yet"
    return f"accuracy measured: too few labels ({labelled}), no verdict"


def _projected(summary: dict[str, Any]) -> str:
    value = summary.get("projected_accuracy")
    if summary.get("status") == "ok" and isinstance(value, float):
        return f"projected {value:.1%}"
    return f"projected: none ({summary.get('status')})"


def headline_html(results: dict[str, SectionResult]) -> str:
    """ "N of M features drifted, dataset drift yes/no, accuracy measured/projected"."""
    parts = []
    builders = (
        ("feature_drift", _features),
        ("dataset_drift", _dataset),
        ("model_output_drift", _output),
        ("model_quality", _measured),
        ("projection", _projected),
    )
    for name, build in builders:
        if name in results:
            parts.append(build(results[name].summary))
    floor = next(
        (
            results[n].summary.get("accuracy_threshold")
            for n in ("model_quality", "projection")
            if n in results and results[n].summary.get("accuracy_threshold") is not None
        ),
        None,
    )
    if floor is not None:
        parts.append(f"floor {floor:.1%}")
    return f"<p class='headline'>{esc(', '.join(parts))}</p>" if parts else ""
