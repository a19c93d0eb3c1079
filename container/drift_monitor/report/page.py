"""The page: header, verdict, then each section's fragment in reading order."""

from __future__ import annotations

from typing import Any

from drift_monitor.report.html import esc
from drift_monitor.sections import SectionResult
from monitoring_contract import SectionName

STYLE = """
body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:1200px}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:3px 6px;
font-size:13px;text-align:left}tr.drift td{background:#fde2e1}tr.note td{color:#666}
.warn{color:#a40}.charts{display:flex;flex-wrap:wrap;gap:12px}figure{margin:0}
figcaption{font-size:12px;font-weight:bold}.status{font-size:1.1em}
"""

ACCURACY_SECTIONS = (str(SectionName.MODEL_QUALITY), str(SectionName.PROJECTION))


def render(
    title: str,
    facts: dict[str, object],
    results: dict[str, SectionResult],
    violations: list[dict[str, Any]],
) -> str:
    header = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in facts.items())
    counts: dict[str, int] = {}
    for violation in violations:
        counts[violation["constraint_check_type"]] = (
            counts.get(violation["constraint_check_type"], 0) + 1
        )
    verdict = (
        "no violations"
        if not violations
        else ", ".join(f"{n} × {k}" for k, n in sorted(counts.items()))
    )
    parts = [
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{esc(title)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{esc(title)}</h1><table>{header}</table>",
        f"<p class='status'>Violations: {esc(verdict)}</p>",
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
