"""The model-quality fragment: status, then each metric with its interval."""

from __future__ import annotations

import math
from typing import Any

from drift_monitor.report.html import esc


def _fmt(value: Any) -> str:
    return f"{value:.3f}" if isinstance(value, float) and not math.isnan(value) else "–"


def _head(
    summary: dict[str, Any], min_labeled_rows: int, labeled_count: int, label_coverage: float
) -> str:
    status = summary["status"]
    head = (
        f"<h2>Model quality (labelled rows)</h2><p>Status: <b>{esc(status)}</b>. "
        f"{labeled_count} labelled rows, label coverage {label_coverage:.1%}."
    )
    if status == "no_labels":
        return head + " No ground truth has arrived for this window yet.</p>"
    if status == "insufficient_data":
        head += (
            f" Fewer than {min_labeled_rows} labelled rows: figures are shown, "
            f"but no verdict is drawn from them."
        )
    threshold = summary.get("accuracy_threshold")
    if threshold is not None:
        head += f" Accuracy threshold: {threshold:.3f}."
    return head + "</p>"


def _rows(metrics: dict[str, Any], undefined: dict[str, str], names: tuple[str, ...]) -> str:
    lines = [
        "<table><tr><th>metric</th><th>value</th><th>interval</th><th>method</th><th>rows</th></tr>"
    ]
    for name in names:
        if name in metrics:
            m = metrics[name]
            ci = m["confidence_interval"]
            lines.append(
                f"<tr><td>{esc(name)}</td><td>{_fmt(m['value'])}</td>"
                f"<td>[{_fmt(ci['lower'])}, {_fmt(ci['upper'])}] "
                f"({ci['level']:.0%})</td><td>{esc(ci['method'])}</td>"
                f"<td>{m['sample_size']}</td></tr>"
            )
        elif name in undefined:
            lines.append(
                f"<tr><td>{esc(name)}</td><td colspan='4'>not defined: "
                f"{esc(undefined[name])}</td></tr>"
            )
    lines.append("</table>")
    return "".join(lines)


def render(
    summary: dict[str, Any],
    metrics: dict[str, Any] | None,
    undefined: dict[str, str],
    *,
    metric_names: tuple[str, ...],
    min_labeled_rows: int,
    labeled_count: int,
    label_coverage: float,
    without_prediction: int,
) -> str:
    """``metrics`` is None when no labels arrived (then only the status line is shown)."""
    head = _head(summary, min_labeled_rows, labeled_count, label_coverage)
    if summary["status"] == "no_labels":
        return head
    body = _rows(metrics or {}, undefined, metric_names)
    if without_prediction:
        body += f"<p>{without_prediction} labelled rows had no prediction and were left out.</p>"
    return head + body
