"""What each retraining ended with, on the trend page: a mark on the decision strip and a table.

Records: ``{STATE_PREFIX}/{endpoint}/retrainings/{slug}.json``, written by the retraining branch
(``retraining.outcome_record``): deployed, registered (awaiting approval) or champion kept, with
the gate's metric, the paired difference and its interval. A record that cannot be read is
listed with the window records that could not be, never dropped.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from trend_report.records import RecordError, Rejected

OUTCOMES = {
    "deployed": "challenger deployed",
    "registered": "challenger registered, awaiting approval",
    "kept_champion": "champion kept",
}


@dataclass(frozen=True)
class RetrainingMark:
    slug: str
    decision: str
    reason: str
    metric: str
    estimate: float
    ci_low: float
    ci_high: float
    holdout_rows: int
    package_status: str
    deployed_model: str | None
    baseline_refreshed: bool

    @property
    def summary(self) -> str:
        text = (
            f"retraining: {OUTCOMES[self.decision]}; {self.metric} {self.estimate:+.3f} "
            f"(95% CI {self.ci_low:+.3f} to {self.ci_high:+.3f}) on {self.holdout_rows} rows"
        )
        if self.decision == "deployed":
            text += (
                "; baseline refreshed" if self.baseline_refreshed else "; baseline NOT refreshed"
            )
        return text


def parse_retraining(key: str, body: bytes) -> RetrainingMark | Rejected:
    try:
        doc = json.loads(body.decode("utf-8"))
        if not isinstance(doc, dict):
            raise RecordError(f"expected a JSON object, got {type(doc).__name__}")
        decision = doc.get("decision")
        if decision not in OUTCOMES:
            raise RecordError(f"decision {decision!r} is not one of {', '.join(OUTCOMES)}")
        window = doc.get("window")
        if not isinstance(window, dict) or not isinstance(window.get("slug"), str):
            raise RecordError("window.slug is missing")
        return RetrainingMark(
            slug=window["slug"],
            decision=decision,
            reason=str(doc.get("reason") or ""),
            metric=str(doc["metric"]),
            estimate=float(doc["estimate"]),
            ci_low=float(doc["ci_low"]),
            ci_high=float(doc["ci_high"]),
            holdout_rows=int(doc["holdout_rows"]),
            package_status=str(doc.get("model_package_status") or ""),
            deployed_model=doc.get("deployed_model"),
            baseline_refreshed=bool(doc.get("baseline_refreshed")),
        )
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return Rejected(key, f"not JSON text: {exc}")
    except (KeyError, TypeError, ValueError) as exc:
        return Rejected(key, f"not a retraining record: {exc}")


def retraining_table(marks: Sequence[RetrainingMark], link: Any) -> str:
    """Newest first; ``link(slug, text)`` links a window to its report."""
    if not marks:
        return ""
    rows = "".join(
        f"<tr><td>{link(m.slug)}</td>"
        f'<td class="r-{m.decision}-text">{escape(OUTCOMES[m.decision])}</td>'
        f"<td>{escape(m.metric)} {m.estimate:+.3f} [{m.ci_low:+.3f}, {m.ci_high:+.3f}]</td>"
        f"<td>{m.holdout_rows}</td><td>{escape(m.package_status)}</td>"
        f"<td>{_baseline(m)}</td><td>{escape(m.reason)}</td></tr>"
        for m in sorted(marks, key=lambda m: m.slug, reverse=True)
    )
    return (
        f"<h2>Retrainings ({len(marks)}, newest first)</h2><table><thead><tr><th>window</th>"
        "<th>outcome</th><th>challenger − champion (95% CI, paired)</th><th>held-out rows</th>"
        "<th>package</th><th>monitoring baseline</th><th>why</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )


def _baseline(mark: RetrainingMark) -> str:
    if mark.decision != "deployed":
        return "unchanged"
    if mark.baseline_refreshed:
        return f"refreshed for {escape(mark.deployed_model or 'the new model')}"
    return '<b class="d-failed-text">not refreshed: still the previous model\'s</b>'
