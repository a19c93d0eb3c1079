"""Hand-written SVG time-series charts: no plotting library, no script, no network.

Why hand-written: the page must open from a file with no network and stay small with a year of
hourly windows; a plotting library would either need a CDN or inline hundreds of kilobytes of
JavaScript per page (and be packaged into the Lambda). Every chart shares one time frame, so
the charts and the decision strip line up. Series longer than the plot is wide are reduced to
the minimum and maximum of each pixel column (a drift peak is never averaged away); accuracy
lines show the column's mean, their bands its full extent.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape

WIDTH = 960
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 10, 24
TICK_STEPS_S = (3600, 3 * 3600, 6 * 3600, 12 * 3600, 86400, 2 * 86400, 7 * 86400, 14 * 86400)
MONTH_S = 30 * 86400
MAX_TICKS = 8
MAX_DOTS = 200  # series with more points are drawn as lines only

# (time in epoch seconds, value or None)
Series = Sequence[tuple[float, float | None]]
BandSeries = Sequence[tuple[float, tuple[float, float] | None]]


@dataclass(frozen=True)
class TimeFrame:
    """The shared horizontal axis: first window start to last window end."""

    t0: float
    t1: float
    gap_s: float  # a hole longer than this breaks a line (a window without a record)

    @property
    def plot_width(self) -> int:
        return WIDTH - LEFT - RIGHT

    def x(self, t: float) -> float:
        span = max(self.t1 - self.t0, 1.0)
        return LEFT + (t - self.t0) / span * self.plot_width

    def column(self, t: float) -> int:
        return int(self.x(t))


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


@dataclass
class Chart:
    """One chart: a title, a y range, and layers drawn in the order they are added."""

    frame: TimeFrame
    title: str
    y0: float
    y1: float
    y_label: Callable[[float], str]
    height: int = 170
    css_id: str = ""
    layers: list[str] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)  # (css class, label)
    points: int = 0

    def y(self, value: float) -> float:
        span = self.y1 - self.y0 or 1.0
        clipped = min(max(value, self.y0), self.y1)
        return TOP + (1 - (clipped - self.y0) / span) * (self.height - TOP - BOTTOM)

    def line(self, series: Series, css: str, label: str, keep: str = "both") -> None:
        """``keep`` per pixel column when reduced: "both" (low and high), "max", or "mean"."""
        segments = _segments([(t, v) for t, v in series], self.frame.gap_s)
        parts = []
        for segment in segments:
            reduced = _decimate(self.frame, segment, keep)
            coords = [(self.frame.x(t), self.y(v)) for t, v in reduced]
            if len(coords) == 1:  # a lone window: a short tick so it stays visible
                x, y = coords[0]
                coords = [(x - 1.5, y), (x + 1.5, y)]
            parts.append("M" + " ".join(f"{_fmt(x)},{_fmt(y)}" for x, y in coords))
        count = sum(len(s) for s in segments)
        self.points += count
        dots = ""
        if count <= MAX_DOTS:  # few windows: a dot per window, so a lone window shows too
            dots = "".join(
                f'<circle cx="{_fmt(self.frame.x(t))}" cy="{_fmt(self.y(v))}" r="2.5"/>'
                for segment in segments
                for t, v in segment
            )
        self.layers.append(
            f'<g class="{css}"><path data-points="{count}" d="{" ".join(parts)}"><title>'
            f"{escape(label)}</title></path>{dots}</g>"
        )
        self.legend.append((css, label))

    def band(self, series: BandSeries, css: str) -> None:
        segments = _segments([(t, b) for t, b in series], self.frame.gap_s)
        parts = []
        for segment in segments:
            lows = _decimate(self.frame, [(t, b[0]) for t, b in segment], keep="min")
            highs = _decimate(self.frame, [(t, b[1]) for t, b in segment], keep="max")
            if len(lows) == 1:
                lows = [(lows[0][0] - 1800, lows[0][1]), (lows[0][0] + 1800, lows[0][1])]
                highs = [(highs[0][0] - 1800, highs[0][1]), (highs[0][0] + 1800, highs[0][1])]
            ring = [(self.frame.x(t), self.y(v)) for t, v in highs]
            ring += [(self.frame.x(t), self.y(v)) for t, v in reversed(lows)]
            parts.append("M" + " ".join(f"{_fmt(x)},{_fmt(y)}" for x, y in ring) + "Z")
        self.layers.append(f'<path class="{css}" d="{" ".join(parts)}"/>')

    def hline(self, value: float, css: str, label: str) -> None:
        y = _fmt(self.y(value))
        self.layers.append(
            f'<line class="{css}" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y}" y2="{y}">'
            f"<title>{escape(label)}</title></line>"
        )
        self.legend.append((css, label))

    def bars(self, series: Series, css: str, label: str) -> None:
        """One bar per pixel column (its largest value): counts and shares per window."""
        tallest: dict[int, tuple[float, float]] = {}
        for t, v in series:
            if v is None:
                continue
            self.points += 1
            column = self.frame.column(t)
            if column not in tallest or v > tallest[column][1]:
                tallest[column] = (t, v)
        base = self.y(self.y0)
        window_s = self.frame.gap_s / 1.5  # the typical window length
        width = max(self.frame.x(self.frame.t0 + window_s) - LEFT - 0.5, 1.0)
        rects = [
            f'<rect x="{_fmt(self.frame.x(t))}" y="{_fmt(self.y(v))}" width="{_fmt(width)}" '
            f'height="{_fmt(base - self.y(v))}"/>'
            for t, v in tallest.values()
        ]
        self.layers.append(
            f'<g class="{css}" data-points="{sum(1 for _, v in series if v is not None)}">'
            + "".join(rects)
            + "</g>"
        )
        self.legend.append((css, label))

    def render(self) -> str:
        grid = self._y_axis() + _x_axis(self.frame, self.height)
        legend = "".join(
            f'<span class="key"><i class="{css}"></i>{escape(label)}</span>'
            for css, label in self.legend
        )
        ident = f' id="{self.css_id}"' if self.css_id else ""
        return (
            f'<figure class="chart"{ident}><figcaption>{escape(self.title)}</figcaption>'
            f'<div class="legend">{legend}</div>'
            f'<svg viewBox="0 0 {WIDTH} {self.height}" width="100%" role="img" '
            f'aria-label="{escape(self.title)}" data-points="{self.points}">'
            f"{grid}{''.join(self.layers)}</svg></figure>"
        )

    def _y_axis(self) -> str:
        out = []
        for i in range(5):
            value = self.y0 + (self.y1 - self.y0) * i / 4
            y = _fmt(self.y(value))
            out.append(
                f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y}" y2="{y}"/>'
                f'<text class="tick" x="{LEFT - 6}" y="{y}" text-anchor="end" '
                f'dominant-baseline="middle">{escape(self.y_label(value))}</text>'
            )
        return "".join(out)


def _x_axis(frame: TimeFrame, height: int) -> str:
    span = frame.t1 - frame.t0
    step = next((s for s in TICK_STEPS_S if span / s <= MAX_TICKS), None)
    step = step or MONTH_S * max(1, round(span / MONTH_S / MAX_TICKS))
    first = (frame.t0 // step + (1 if frame.t0 % step else 0)) * step
    pattern = "%m-%d %H:%M" if step < 86400 else "%Y-%m-%d"
    out = []
    tick = first
    while tick <= frame.t1:
        if frame.x(tick) > WIDTH - RIGHT - 30:  # its label would be cut at the right edge
            break
        x = _fmt(frame.x(tick))
        label = datetime.fromtimestamp(tick, UTC).strftime(pattern)
        out.append(
            f'<line class="grid" x1="{x}" x2="{x}" y1="{TOP}" y2="{height - BOTTOM}"/>'
            f'<text class="tick" x="{x}" y="{height - 6}" text-anchor="middle">{label}</text>'
        )
        tick += step
    return "".join(out)


def _segments(series: Sequence[tuple[float, object]], gap_s: float) -> list[list]:
    """Contiguous runs of present values; a missing value or a hole in time breaks a run."""
    runs: list[list] = []
    current: list = []
    last_t: float | None = None
    for t, v in series:
        if v is None or (last_t is not None and t - last_t > gap_s):
            if current:
                runs.append(current)
            current = []
        if v is not None:
            current.append((t, v))
        last_t = t
    if current:
        runs.append(current)
    return runs


def _decimate(
    frame: TimeFrame, points: Sequence[tuple[float, float]], keep: str = "both"
) -> list[tuple[float, float]]:
    """At most two points per pixel column (its lowest and highest, or one: its highest,
    lowest or mean), in time order."""
    if len(points) <= frame.plot_width:
        return list(points)
    columns: dict[int, list[tuple[float, float]]] = {}
    for point in points:
        columns.setdefault(frame.column(point[0]), []).append(point)
    out: list[tuple[float, float]] = []
    for group in columns.values():
        if keep == "mean":
            out.append((group[len(group) // 2][0], sum(p[1] for p in group) / len(group)))
            continue
        low = min(group, key=lambda p: p[1])
        high = max(group, key=lambda p: p[1])
        chosen = {"min": [low], "max": [high]}.get(keep, sorted({low, high}))
        out.extend(chosen)
    return out
