"""The model-output fragment: did the score distribution or the predicted-class mix move?"""

from __future__ import annotations

from typing import Any

from drift_monitor.report.feature_drift import fmt
from drift_monitor.report.html import esc


def _row(r: dict[str, Any]) -> str:
    means = f"{r['baseline_mean']:.3f} → {r['current_mean']:.3f}" if "baseline_mean" in r else "—"
    return (
        f"<tr class='{'drift' if r['drifted'] else ''}'><td>{esc(r['name'])}</td>"
        f"<td>{'yes' if r['drifted'] else 'no'}</td>"
        f"<td>{fmt(r['effect_size'])} ({esc(r['effect_size_metric'])})</td>"
        f"<td>{fmt(r['threshold'])}</td>"
        f"<td>{esc(r['test'])} {fmt(r['p_value'])} "
        f"({fmt(r.get('p_value_adjusted', float('nan')))})</td>"
        f"<td>{means}</td><td>{r['n_current']}</td></tr>"
    )


def render(results: list[dict[str, Any]], charts: dict[str, str], summary: dict[str, Any]) -> str:
    reason = f"<p class='warn'>{esc(summary['reason'])}</p>" if "reason" in summary else ""
    if not results:
        return f"<section id='model-output-drift'><h2>Model output drift</h2>{reason}</section>"
    verdict = "drifted" if summary.get("drifted") else "no drift detected"
    head = (
        "<tr><th>output</th><th>drifted</th><th>effect (metric)</th><th>threshold</th>"
        "<th>test p (BH)</th><th>mean base→now</th><th>rows</th></tr>"
    )
    figures = "".join(
        f"<figure><figcaption>{esc(name)}</figcaption>{chart}</figure>"
        for name, chart in charts.items()
    )
    return (
        f"<section id='model-output-drift'><h2>Model output drift: {verdict}</h2>{reason}"
        "<p>What the model answers, against what it answered on the baseline: flagged when "
        "the BH-adjusted test p-value is below the significance level AND the effect size "
        "reaches its threshold. A moving output is a warning before labels arrive; it does "
        "not say whether accuracy changed (see the accuracy section).</p>"
        f"<table>{head}{''.join(_row(r) for r in results)}</table>"
        f"<div class='charts'>{figures}</div></section>"
    )
