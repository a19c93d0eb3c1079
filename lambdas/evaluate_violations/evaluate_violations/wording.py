"""Number and accuracy wording shared by the reasons and the notification, so both agree."""

from __future__ import annotations

from datetime import datetime

from evaluate_violations.facts import WindowFacts


def num(value: float) -> str:
    """Three decimals in the usual range, significant digits outside it (p-values, counts)."""
    if value == 0 or 0.001 <= abs(value) < 10_000:
        return f"{value:.3f}"
    return f"{value:.3g}"


def interval(bounds: tuple[float, float] | None) -> str:
    return f" [{num(bounds[0])}, {num(bounds[1])}]" if bounds else ""


def versus(threshold: float | None) -> str:
    return f" vs threshold {num(threshold)}" if threshold is not None else ""


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def actual_accuracy_text(facts: WindowFacts) -> str | None:
    """``0.710 [0.660, 0.750] vs threshold 0.800 on 388 labelled rows``, or None."""
    if facts.actual_accuracy is None:
        return None
    return (
        f"{num(facts.actual_accuracy)}{interval(facts.actual_interval)}"
        f"{versus(facts.actual_threshold)} on {facts.labeled_row_count} labelled rows"
    )


def projected_accuracy_text(facts: WindowFacts) -> str | None:
    """``0.740 [0.700, 0.780] vs threshold 0.800``, or None."""
    if facts.projected_accuracy is None:
        return None
    return (
        f"{num(facts.projected_accuracy)}{interval(facts.projected_interval)}"
        f"{versus(facts.projected_threshold)}"
    )


def accuracy_lines(facts: WindowFacts) -> list[str]:
    """Actual and projected accuracy against their thresholds, with intervals where present."""
    lines = []
    actual = actual_accuracy_text(facts)
    if actual:
        lines.append(f"actual accuracy {actual}")
    projected = projected_accuracy_text(facts)
    if projected:
        lines.append(f"projected accuracy {projected}")
    return lines
