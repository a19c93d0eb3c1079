"""The trend page: one self-contained HTML file (inline CSS and SVG, no script, no network).

Reading order: the latest window's decision and why, the decision strip (every window, each a
link to its report), accuracy, feature drift, dataset drift, label coverage, data quality, then
the flagged windows, every window by day, and any record that could not be read.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from html import escape

from trend_report.charts import (
    accuracy_chart,
    coverage_chart,
    data_quality_chart,
    dataset_drift_chart,
    feature_drift_chart,
    time_frame,
)
from trend_report.records import Rejected, WindowPoint
from trend_report.retrainings import OUTCOMES, RetrainingMark, retraining_table
from trend_report.style import CSS
from trend_report.timeline import SEVERITY, decision_strip, linked, window_label

MAX_FLAGGED_ROWS = 200


def render_page(
    endpoint: str,
    points: Sequence[WindowPoint],
    rejected: Sequence[Rejected] = (),
    *,
    retrainings: Sequence[RetrainingMark] = (),
    generated_at: datetime | None = None,
) -> str:
    points = sorted(points, key=lambda p: p.start)
    generated = (generated_at or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC")
    head = (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>Drift trend: {escape(endpoint)}</title><style>{CSS}</style></head><body>"
        f"<h1>Drift trend: {escape(endpoint)}</h1>"
    )
    if not points:
        body = "<p class=verdict>No evaluated windows yet.</p>"
        return head + body + _rejected(rejected) + _footer(generated) + "</body></html>"
    frame = time_frame(points)
    charts = [
        accuracy_chart(frame, points),
        feature_drift_chart(frame, points),
        dataset_drift_chart(frame, points),
        coverage_chart(frame, points),
        data_quality_chart(frame, points),
    ]
    body = (
        _summary(points)
        + '<figure class="chart"><figcaption>Decision of each window (click a mark for its '
        "report)</figcaption>"
        + _decision_legend()
        + decision_strip(frame, points, retrainings)
        + "</figure>"
        + "".join(chart.render() for chart in charts if chart is not None)
        + _flagged(points)
        + retraining_table(retrainings, _window_link(points))
        + _every_window(points)
        + _rejected(rejected)
    )
    return head + body + _footer(generated) + "</body></html>"


def _summary(points: Sequence[WindowPoint]) -> str:
    latest = points[-1]
    counts = Counter(p.decision for p in points)
    spread = ", ".join(
        f"{counts[d]} {d.replace('_', ' ')}" for d in sorted(counts, key=lambda d: -SEVERITY[d])
    )
    reasons = "".join(f"<li>{escape(r)}</li>" for r in latest.reasons[:4])
    return (
        f'<p class="verdict d-{latest.decision}-text">Latest window {window_label(latest)}: '
        f"<b>{latest.decision.replace('_', ' ').upper()}</b> "
        f"({linked(latest, 'report') if latest.report_html_uri else 'no report'})</p>"
        f"<ul class=reasons>{reasons}</ul>"
        f"<p>{len(points)} windows from {points[0].start:%Y-%m-%d %H:%M} to "
        f"{points[-1].end:%Y-%m-%d %H:%M} UTC: {spread}. A window without a mark has no "
        "record: nothing mergeable, a run that failed before its merge, or not evaluated yet."
        "</p>"
    )


def _decision_legend() -> str:
    keys = "".join(
        f'<span class="key"><i class="d-{d}"></i>{d.replace("_", " ")}</span>' for d in SEVERITY
    )
    rings = "".join(
        f'<span class="key"><b class="ring r-{d}"></b>{escape(text)}</span>'
        for d, text in OUTCOMES.items()
    )
    return f'<div class="legend">{keys}<br>retraining (ring on the window): {rings}</div>'


def _window_link(points: Sequence[WindowPoint]):
    """``link(slug)``: the window's label linked to its report (the slug when unknown)."""
    by_slug = {p.slug: p for p in points}

    def link(slug: str) -> str:
        point = by_slug.get(slug)
        return escape(slug) if point is None else linked(point, window_label(point))

    return link


def _accuracy_cell(value: float | None) -> str:
    return "–" if value is None else f"{value:.1%}"


def _flagged(points: Sequence[WindowPoint]) -> str:
    flagged = [p for p in reversed(points) if p.decision != "healthy"]
    if not flagged:
        return "<h2>Flagged windows</h2><p>None: every window was healthy.</p>"
    rows = "".join(
        f"<tr><td>{linked(p, window_label(p))}</td>"
        f'<td class="d-{p.decision}-text">{p.decision}</td>'
        f"<td>{_accuracy_cell(p.accuracy.value)}</td><td>{_accuracy_cell(p.projected.value)}</td>"
        f"<td>{escape(', '.join(p.drifted_features[:4]) or '–')}</td>"
        f"<td>{escape(p.reasons[0] if p.reasons else '')}</td></tr>"
        for p in flagged[:MAX_FLAGGED_ROWS]
    )
    more = (
        f"<p>{len(flagged) - MAX_FLAGGED_ROWS} older flagged windows are in the list below.</p>"
        if len(flagged) > MAX_FLAGGED_ROWS
        else ""
    )
    return (
        f"<h2>Flagged windows ({len(flagged)}, newest first)</h2><table><thead><tr>"
        "<th>window</th><th>decision</th><th>measured</th><th>projected</th>"
        f"<th>drifted features</th><th>why (deciding reason)</th></tr></thead><tbody>{rows}"
        f"</tbody></table>{more}"
    )


def _every_window(points: Sequence[WindowPoint]) -> str:
    days: dict[str, list[WindowPoint]] = {}
    for p in points:
        days.setdefault(f"{p.start:%Y-%m-%d}", []).append(p)
    lines = "".join(
        f"<li>{day} "
        + " ".join(linked(p, f"{p.start:%H:%M}", f"d-{p.decision}-text") for p in group)
        + "</li>"
        for day, group in reversed(days.items())
    )
    return (
        f"<details><summary>Every window, by day (UTC, newest first; {len(points)} reports)"
        f'</summary><ul class="days">{lines}</ul></details>'
    )


def _rejected(rejected: Sequence[Rejected]) -> str:
    if not rejected:
        return ""
    items = "".join(f"<li><code>{escape(r.key)}</code>: {escape(r.reason)}</li>" for r in rejected)
    return (
        f'<h2 class="d-failed-text">Window records that could not be read ({len(rejected)})</h2>'
        f"<ul>{items}</ul>"
    )


def _footer(generated: str) -> str:
    return f"<footer>Generated {generated} by trend_report from the window records.</footer>"
