"""The decision strip: one coloured mark per window (or per pixel column), each a link.

With fewer windows than pixels every window is its own link to its report; with more (a year
of hourly windows is 8,760), a column links to its most severe window, and its tooltip says
how many windows it stands for and what they decided.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from html import escape

from trend_report.records import WindowPoint
from trend_report.retrainings import RetrainingMark
from trend_report.svg import LEFT, RIGHT, WIDTH, TimeFrame, _fmt

SEVERITY = {"healthy": 0, "no_data": 1, "notify": 2, "retrain": 3, "failed": 4}
STRIP_HEIGHT = 34


def report_link(point: WindowPoint) -> str | None:
    """Relative to the trend page, which sits in the endpoint's reports folder; None for a
    window that has no report (no data)."""
    return None if not point.report_html_uri else f"{point.slug}/report.html"


def linked(point: WindowPoint, inner: str, css: str = "") -> str:
    """``inner`` as a link to the window's report, or as plain text when it has none."""
    link = report_link(point)
    cls = f' class="{css}"' if css else ""
    if link is None:
        return f"<span{cls}>{inner}</span>"
    return f'<a{cls} href="{escape(link)}">{inner}</a>'


def window_label(point: WindowPoint) -> str:
    return f"{point.start:%Y-%m-%d %H:%M}–{point.end:%H:%M} UTC"


def decision_strip(
    frame: TimeFrame, points: Sequence[WindowPoint], retrainings: Sequence[RetrainingMark] = ()
) -> str:
    """The marks, and a ring on each window that retrained (its outcome as colour and tooltip)."""
    columns: dict[int, list[WindowPoint]] = {}
    for point in points:
        columns.setdefault(frame.column(point.start.timestamp()), []).append(point)
    marks = []
    for group in columns.values():
        worst = max(group, key=lambda p: SEVERITY[p.decision])
        x0 = frame.x(group[0].start.timestamp())
        x1 = max(frame.x(group[-1].end.timestamp()), x0 + 1.0)
        rect = (
            f'<rect class="d-{worst.decision}" '
            f'x="{_fmt(x0)}" y="4" width="{_fmt(x1 - x0)}" height="{STRIP_HEIGHT - 8}">'
            f"<title>{escape(_tooltip(group, worst))}</title></rect>"
        )
        link = report_link(worst)
        marks.append(rect if link is None else f'<a href="{escape(link)}">{rect}</a>')
    by_slug = {point.slug: point for point in points}
    for mark in retrainings:
        window = by_slug.get(mark.slug)
        if window is None:
            continue
        middle = (window.start.timestamp() + window.end.timestamp()) / 2
        marks.append(
            f'<circle class="r-{mark.decision}" cx="{_fmt(frame.x(middle))}" '
            f'cy="{STRIP_HEIGHT / 2}" r="7"><title>{escape(mark.summary)}</title></circle>'
        )
    return (
        f'<svg class="strip" viewBox="0 0 {WIDTH} {STRIP_HEIGHT}" width="100%" role="img" '
        f'aria-label="decision of each window" data-points="{len(points)}" '
        f'data-retrainings="{len(retrainings)}">'
        f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{STRIP_HEIGHT / 2}" '
        f'y2="{STRIP_HEIGHT / 2}"/>{"".join(marks)}</svg>'
    )


def _tooltip(group: Sequence[WindowPoint], worst: WindowPoint) -> str:
    if len(group) == 1:
        reason = worst.reasons[0] if worst.reasons else ""
        return f"{window_label(worst)}: {worst.decision}. {reason}".strip()
    counts = Counter(p.decision for p in group)
    spread = ", ".join(f"{n} {d}" for d, n in sorted(counts.items(), key=lambda i: -SEVERITY[i[0]]))
    return (
        f"{len(group)} windows {group[0].start:%Y-%m-%d %H:%M} to {group[-1].end:%Y-%m-%d %H:%M}"
        f": {spread}; the link opens {window_label(worst)} ({worst.decision})"
    )
