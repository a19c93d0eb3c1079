"""The feature-drift fragment: the table sorted by severity and baseline-vs-current charts."""

from __future__ import annotations

from typing import Any

import numpy as np

from drift_monitor.feature_drift.measure import Counts
from drift_monitor.report.html import bars_svg, esc

MAX_CHART_CATEGORIES = 20


def _bin_labels(edges: np.ndarray) -> list[str]:
    bounds = ["-inf", *[f"{e:.4g}" for e in edges], "inf"]
    return [f"({bounds[i]}, {bounds[i + 1]}]" for i in range(len(bounds) - 1)]


def _proportions(counts: np.ndarray) -> list[float]:
    total = counts.sum()
    return [float(c / total) if total else 0.0 for c in counts]


def numeric_chart(name: str, edges: np.ndarray, baseline: np.ndarray, current: np.ndarray) -> str:
    """Shares of rows per baseline-quantile bin."""
    return bars_svg(
        _bin_labels(edges),
        _proportions(baseline),
        _proportions(current),
        x_title=f"{name}, baseline bins",
    )


def categorical_chart(
    name: str, categories: list[str], baseline: np.ndarray, current: np.ndarray
) -> str:
    """Shares of rows of the most common categories (both sides pooled)."""
    ref_total = max(float(baseline.sum()), 1.0)
    cur_total = max(current.sum(), 1.0)
    order = np.argsort(-(baseline / ref_total + current / cur_total))[:MAX_CHART_CATEGORIES]
    many = len(categories) > MAX_CHART_CATEGORIES
    return bars_svg(
        [categories[i] for i in order],
        [float(baseline[i] / ref_total) for i in order],
        [float(current[i] / cur_total) for i in order],
        x_title=f"{name}, the {MAX_CHART_CATEGORIES} most common categories" if many else name,
    )


def counts_chart(name: str, numerical: bool, counts: Counts) -> str:
    """The baseline-vs-current chart of one column's :class:`Counts` (bins or categories)."""
    if numerical:
        return numeric_chart(name, counts.edges, counts.baseline, counts.current)
    return categorical_chart(name, counts.categories, counts.baseline, counts.current)


def fmt(value: Any) -> str:
    if isinstance(value, float):
        return "—" if np.isnan(value) else f"{value:.3g}"
    return esc(value)


def _notes(result: dict[str, Any]) -> str:
    notes = []
    if result.get("unseen_categories"):
        notes.append(
            f"unseen {result['unseen_share']:.1%}: " + ", ".join(result["unseen_categories"][:3])
        )
    if result.get("vanished_categories"):
        notes.append("vanished: " + ", ".join(result["vanished_categories"][:3]))
    if not result["enabled"]:
        notes.append("comparison disabled")
    return "; ".join(notes)


def _row(r: dict[str, Any]) -> str:
    return (
        f"<tr class='{'drift' if r['drifted'] else ''}'><td>{esc(r['name'])}</td>"
        f"<td>{esc(r['type'])}</td><td>{'yes' if r['drifted'] else 'no'}</td>"
        f"<td>{fmt(r['effect_size'])} ({esc(r['effect_size_metric'])})</td>"
        f"<td>{fmt(r['threshold'])}</td>"
        f"<td>{fmt(r['p_value'])} ({fmt(r.get('p_value_adjusted', float('nan')))})</td>"
        f"<td>{fmt(r['psi'])}</td><td>{fmt(r['js_distance'])}</td>"
        f"<td>{r['baseline_missing_rate']:.1%} → {r['current_missing_rate']:.1%}</td>"
        f"<td>{esc(_notes(r))}</td></tr>"
    )


def render(results: list[dict[str, Any]], charts: dict[str, str], summary: dict[str, Any]) -> str:
    """``results`` in report order (drifted first, by severity); ``charts`` by feature."""
    head = (
        "<tr><th>feature</th><th>type</th><th>drifted</th><th>effect (metric)</th>"
        "<th>threshold</th><th>test p (BH)</th><th>PSI</th><th>JS</th>"
        "<th>missing rate base→now</th><th>notes</th></tr>"
    )
    rows = "".join(_row(r) for r in results)
    reason = f"<p class='warn'>{esc(summary['reason'])}</p>" if "reason" in summary else ""
    ordered = [r["name"] for r in results if r["name"] in charts]  # the table's order
    ordered += [name for name in charts if name not in ordered]
    figures = "".join(
        f"<figure><figcaption>{esc(name)}</figcaption>{charts[name]}</figure>" for name in ordered
    )
    return (
        f"<section id='feature-drift'><h2>Feature drift</h2>{reason}"
        f"<p>Flagged when the BH-adjusted test p-value is below the significance level AND "
        f"the effect size reaches its threshold. Sorted by severity (effect / threshold); the "
        f"charts below are in the same order."
        f"</p><table>{head}{rows}</table>"
        f"<h3>Baseline vs current distributions</h3><div class='charts'>{figures}</div>"
        f"</section>"
    )
