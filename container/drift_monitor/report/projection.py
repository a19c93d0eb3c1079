"""The projection's fragment of ``report.html``, from what the section writes.

It reads only the section's ``statistics.json`` entry (``projected_binary_classification_metrics``)
and its summary, so the page says exactly what the JSON says.
"""

from __future__ import annotations

import math

from drift_monitor.quality_intervals import wilson_interval
from drift_monitor.report.html import esc


def projection_html(statistics: dict, summary: dict) -> str:
    """The "Projected accuracy" fragment; a short one when the window was not projectable."""
    caveat = f"<p><i>{esc(statistics['caveat'])}</i></p>"
    if "accuracy" not in statistics:
        return f"<h2>Projected accuracy</h2><p>{esc(statistics['reason'])}.</p>{caveat}"
    accuracy = statistics["accuracy"]
    interval = accuracy["confidence_interval"]
    level = interval["level"]
    rows = [
        f"<table><tr><th></th><th>accuracy</th><th>interval ({level:.0%})</th><th>rows</th></tr>",
        f"<tr><td>projected (all rows)</td><td>{_fmt(accuracy['value'])}</td>"
        f"<td>[{_fmt(interval['lower'])}, {_fmt(interval['upper'])}]</td>"
        f"<td>{accuracy['rests_on']['rows']}</td></tr>",
    ]
    if "measured_vs_projected" in statistics:
        rows.append(_measured_rows(statistics["measured_vs_projected"], level))
    rows.append("</table>")
    threshold = summary.get("accuracy_threshold")
    threshold_text = "" if threshold is None else f" Accuracy threshold: {threshold:.3f}."
    return (
        "<h2>Projected accuracy</h2>"
        f"<p>Method: {esc(accuracy['method'])}.{threshold_text}</p>"
        + "".join(rows)
        + f"<p>Rests on: {esc(accuracy['rests_on']['sentence'])}.</p>"
        + caveat
    )


def _measured_rows(test: dict, level: float) -> str:
    """Measured accuracy on the labelled rows (Wilson interval) and the projection on them."""
    n = test["labeled_rows"]
    lower, upper = wilson_interval(round(test["measured_accuracy"] * n), n, level)
    return (
        f"<tr><td>measured (labelled rows)</td>"
        f"<td>{_fmt(test['measured_accuracy'])}</td>"
        f"<td>[{_fmt(lower)}, {_fmt(upper)}] (Wilson)</td>"
        f"<td>{n}</td></tr>"
        f"<tr><td>projected (same labelled rows)</td>"
        f"<td>{_fmt(test['projected_accuracy'])}</td>"
        f"<td>gap test p = {test['p_value']:.2g}</td>"
        f"<td>{n}</td></tr>"
    )


def _fmt(value: float | None) -> str:
    return (
        "–" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.3f}"
    )
