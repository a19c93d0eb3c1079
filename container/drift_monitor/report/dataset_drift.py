"""The dataset-drift fragment: the classifier test's verdict, or why there is none."""

from __future__ import annotations

from typing import Any

from drift_monitor.report.html import esc


def render(summary: dict[str, Any]) -> str:
    if summary.get("status") == "ok" and "auc" in summary:
        verdict = "drift detected" if summary["drifted"] else "no joint drift detected"
        body = (
            f"<p>Held-out AUC of a baseline-vs-current classifier: "
            f"<b>{summary['auc']:.3f}</b> (threshold {summary['auc_threshold']}), "
            f"Mann–Whitney p = {summary['p_value']:.3g}, "
            f"{summary['rows']['reference']} baseline and "
            f"{summary['rows']['current']} current rows: {verdict}.</p>"
        )
    else:
        body = f"<p>{esc(summary.get('status'))}: {esc(summary.get('reason', ''))}</p>"
    return f"<section id='dataset-drift'><h2>Dataset drift</h2>{body}</section>"
