"""The data-quality fragment: violations, then notes below their thresholds."""

from __future__ import annotations

from typing import Any

from drift_monitor.report.html import esc


def render(
    violations: list[dict[str, Any]], notes: list[tuple[str, str, str]], summary: dict[str, Any]
) -> str:
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
