"""The promotion gate: does the challenger beat the champion, by enough, on enough rows?

Reads the comparison (``trainer.comparison``): for the configured metric, the paired difference
challenger - champion, its estimate and confidence interval. The challenger is promoted only
when the interval's lower end is above the margin, so a lucky draw on a small holdout does not
replace a model. Every other case says which rule stopped it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

Verdict = Literal["wins", "too_few_rows", "loses", "tie_within_margin", "not_significant"]


@dataclass(frozen=True)
class GateSettings:
    metric: str = "accuracy"
    margin: float = 0.0
    min_rows: int = 200


@dataclass(frozen=True)
class GateDecision:
    promote: bool
    verdict: Verdict
    reason: str


def decide(comparison: dict[str, Any], settings: GateSettings) -> GateDecision:
    rows = int(comparison["rows"])
    metric = settings.metric
    difference = comparison["differences"][metric]
    estimate, low, high = (float(difference[k]) for k in ("estimate", "ci_low", "ci_high"))
    level = f"{float(comparison.get('confidence', 0.95)):.0%}"
    interval = f"{estimate:+.3f} ({level} CI {low:+.3f} to {high:+.3f})"
    if rows < settings.min_rows:
        return GateDecision(
            False,
            "too_few_rows",
            f"only {rows} held-out rows; the gate needs at least {settings.min_rows} "
            "(MinHoldoutRows) to judge",
        )
    if any(math.isnan(v) for v in (estimate, low, high)):
        return GateDecision(False, "not_significant", f"{metric} difference is undefined")
    if estimate < 0:
        return GateDecision(False, "loses", f"challenger is worse: {metric} {interval}")
    if estimate <= settings.margin:
        return GateDecision(
            False,
            "tie_within_margin",
            f"{metric} {interval} is within the margin {settings.margin:.3f}",
        )
    if low <= settings.margin:
        return GateDecision(
            False,
            "not_significant",
            f"{metric} {interval}: the interval reaches the margin {settings.margin:.3f}, "
            "so the gain may be chance",
        )
    return GateDecision(
        True, "wins", f"{metric} {interval}, all above the margin {settings.margin:.3f}"
    )
