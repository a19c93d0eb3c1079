"""Tiny helpers for the self-contained HTML report (escaping, inline SVG bars)."""

from __future__ import annotations

import html


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def bars_svg(labels: list[str], baseline: list[float], current: list[float], *,
             width: int = 360, height: int = 120) -> str:
    """Side-by-side bars (baseline grey, current blue) of two proportion vectors, inline SVG."""
    n = max(len(labels), 1)
    top = max([*baseline, *current, 1e-12])
    slot = width / n
    bar = max(slot / 2 - 1, 1)
    parts = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height + 14}' "
             f"role='img'>"]
    for i, label in enumerate(labels):
        for j, (value, colour) in enumerate(((baseline[i], "#999"), (current[i], "#2a6fdb"))):
            h = height * value / top
            x = i * slot + j * bar
            parts.append(f"<rect x='{x:.1f}' y='{height - h:.1f}' width='{bar:.1f}' "
                         f"height='{h:.1f}' fill='{colour}'><title>{esc(label)}: "
                         f"{'baseline' if j == 0 else 'current'} {value:.3f}</title></rect>")
    parts.append(f"<text x='0' y='{height + 12}' font-size='10'>grey = baseline, "
                 "blue = current</text></svg>")
    return "".join(parts)
