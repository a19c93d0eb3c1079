"""The page: verdict and headline first, header, then each section's fragment in reading order."""

from __future__ import annotations

from typing import Any

from drift_monitor.report.html import esc
from drift_monitor.report.locations import s3_locations
from drift_monitor.report.verdict import headline_html, verdict_html
from drift_monitor.sections import SectionResult
from monitoring_contract import SectionName

STYLE = """
body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:1200px}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:3px 6px;
font-size:13px;text-align:left}tr.drift td{background:#fde2e1}tr.note td{color:#666}
.warn{color:#a40}.charts{display:flex;flex-wrap:wrap;gap:12px}figure{margin:0}
figcaption{font-size:12px;font-weight:bold;max-width:420px}.status{font-size:1.1em}
.verdict{font-size:1.25em;font-weight:bold;padding:6px 10px;border-radius:4px;margin:.4em 0}
.verdict.bad{background:#fde2e1;color:#9b1c1c}.verdict.ok{background:#e3f4e5;color:#1b5e20}
.verdict.warn{background:#fff4d6;color:#7a4f00}.verdict.none{background:#eee;color:#444}
.headline{font-size:1.1em;margin:.2em 0 .6em}
"""

ACCURACY_SECTIONS = (str(SectionName.MODEL_QUALITY), str(SectionName.PROJECTION))


def render(
    title: str,
    facts: dict[str, object],
    results: dict[str, SectionResult],
    violations: list[dict[str, Any]],
) -> str:
    located = s3_locations(facts)
    header = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in located.items())
    parts = [
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{esc(title)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{esc(title)}</h1>",
        verdict_html(violations),
        headline_html(results),
        "<p>The window's decision (retrain, notify or healthy) and why are on the endpoint's "
        "<a href='../trend.html'>trend page</a>, next to the windows before it.</p>",
        f"<table>{header}</table>",
    ]
    accuracy = [results[name].report_html for name in ACCURACY_SECTIONS if name in results]
    parts.append(
        "<section id='accuracy'><h2>Actual vs projected accuracy</h2>"
        + (
            "".join(accuracy)
            if accuracy
            else "<p>No model-quality or projection section is installed.</p>"
        )
        + "</section>"
    )
    for name, result in results.items():
        if name not in ACCURACY_SECTIONS:
            parts.append(result.report_html)
    parts.append("</body></html>")
    return "".join(parts)
