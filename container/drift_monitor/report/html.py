"""Tiny helpers for the self-contained HTML report (escaping, inline SVG bars)."""

from __future__ import annotations

import html

_MAX_TICK_LABELS = 10  # at most this many category labels under a chart, evenly spaced
_CHAR_PX = 6.2  # width of a character at font-size 10, generous: labels are never cut


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def bars_svg(
    labels: list[str],
    baseline: list[float],
    current: list[float],
    *,
    x_title: str = "",
    width: int = 360,
    height: int = 120,
) -> str:
    """Side-by-side bars (baseline grey, current blue) of two proportion vectors, inline SVG.

    Axes: the share of rows (0 to the tallest bar, in %) on the left; the bins or categories
    along the bottom, labelled at most ``_MAX_TICK_LABELS`` times and in full (the band under
    the axis and the width grow to fit the longest label and the legend), each bar's tooltip
    naming its bin or category and both shares.
    """
    legend = "grey = baseline, blue = current" + (f"; x: {x_title}" if x_title else "")
    width = max(width, int(len(legend) * _CHAR_PX) + 8)  # the legend is never cut at the side
    step = max(1, -(-len(labels) // _MAX_TICK_LABELS))  # ceil(n / max labels)
    shown = [label for i, label in enumerate(labels) if i % step == 0]
    # room under the axis for the longest shown label, written downwards in full, + legend
    left, label_band = 34, int(max([len(s) for s in shown] + [8]) * _CHAR_PX) + 24
    n = max(len(labels), 1)
    top = max([*baseline, *current, 1e-12])
    slot = (width - left) / n
    bar = max(slot / 2 - 1, 1)
    parts = [
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' "
        f"height='{height + label_band}' role='img' font-size='10'>",
        f"<text x='0' y='10'>{top:.0%}</text><text x='0' y='{height}'>0%</text>",
        f"<text x='10' y='{height / 2 + 30:.0f}' transform='rotate(-90 10 "
        f"{height / 2 + 30:.0f})'>share of rows</text>",
        f"<line x1='{left - 2}' y1='0' x2='{left - 2}' y2='{height}' stroke='#ccc'/>",
        f"<line x1='{left - 2}' y1='{height}' x2='{width}' y2='{height}' stroke='#ccc'/>",
    ]
    for i, label in enumerate(labels):
        for j, (value, colour) in enumerate(((baseline[i], "#999"), (current[i], "#2a6fdb"))):
            h = height * value / top
            x = left + i * slot + j * bar
            parts.append(
                f"<rect x='{x:.1f}' y='{height - h:.1f}' width='{bar:.1f}' "
                f"height='{h:.1f}' fill='{colour}'><title>{esc(label)}: "
                f"{'baseline' if j == 0 else 'current'} {value:.3f}</title></rect>"
            )
        if i % step == 0:
            x = left + i * slot + bar
            # vertical, reading downwards from the axis: never clipped at the sides
            parts.append(
                f"<text x='{x:.1f}' y='{height + 4}' "
                f"transform='rotate(90 {x:.1f} {height + 4})'>{esc(label)}</text>"
            )
    parts.append(f"<text x='0' y='{height + label_band - 4}'>{esc(legend)}</text></svg>")
    return "".join(parts)
