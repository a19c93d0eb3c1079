"""The model-quality fragment: the verdict first, then each metric with its interval.

Below the minimum of labelled rows no metric is shown (seven rows give ``f1 1.000 [1.000,
1.000]``, which reads as certainty); an interval of zero width is marked as not estimable.
"""

from __future__ import annotations

import math
from typing import Any

from drift_monitor.report.html import esc


def _fmt(value: Any) -> str:
    return f"{value:.3f}" if isinstance(value, float) and not math.isnan(value) else "–"


def _verdict(summary: dict[str, Any], min_labeled_rows: int, labeled_count: int) -> str:
    """The check's outcome in words and colour (``model_quality_check`` fires when the
    accuracy's whole interval lies below the floor)."""
    status = summary["status"]
    if status == "no_labels":
        return "<p class='verdict none'>NO VERDICT: no ground truth has arrived yet.</p>"
    if status == "insufficient_data":
        return (
            f"<p class='verdict none'>NO VERDICT: {labeled_count} labelled rows, fewer than "
            f"the {min_labeled_rows} needed; no metric is shown.</p>"
        )
    threshold, accuracy = summary.get("accuracy_threshold"), summary.get("accuracy")
    interval = summary.get("accuracy_ci") or [math.nan, math.nan]
    if threshold is None or not isinstance(accuracy, float):
        return "<p class='verdict none'>NO VERDICT: no accuracy floor is set.</p>"
    if interval[1] < threshold:
        return (
            f"<p class='verdict bad'>BELOW THE FLOOR: accuracy {accuracy:.3f}, its interval "
            f"[{interval[0]:.3f}, {interval[1]:.3f}] lies below {threshold:.3f} "
            f"(model_quality_check fired).</p>"
        )
    if accuracy < threshold:
        return (
            f"<p class='verdict warn'>UNDER THE FLOOR, NOT CONCLUSIVE: accuracy {accuracy:.3f} "
            f"< {threshold:.3f}, but its interval reaches {interval[1]:.3f}: no violation.</p>"
        )
    return (
        f"<p class='verdict ok'>AT OR ABOVE THE FLOOR: accuracy {accuracy:.3f} ≥ "
        f"{threshold:.3f}.</p>"
    )


def _head(summary: dict[str, Any], labeled_count: int, label_coverage: float) -> str:
    threshold = summary.get("accuracy_threshold")
    floor = "" if threshold is None else f" Accuracy floor: {threshold:.3f}."
    return (
        f"<h2>Model quality (labelled rows)</h2><p>{labeled_count} labelled rows, label "
        f"coverage {label_coverage:.1%}.{floor}</p>"
    )


def _interval(ci: dict[str, Any]) -> str:
    lower, upper = ci["lower"], ci["upper"]
    if isinstance(lower, float) and isinstance(upper, float) and lower == upper:
        return "<i>not estimable (zero width)</i>"
    return f"[{_fmt(lower)}, {_fmt(upper)}] ({ci['level']:.0%})"


def _rows(metrics: dict[str, Any], undefined: dict[str, str], names: tuple[str, ...]) -> str:
    lines = [
        "<table><tr><th>metric</th><th>value</th><th>interval</th><th>method</th><th>rows</th></tr>"
    ]
    for name in names:
        if name in metrics:
            m = metrics[name]
            ci = m["confidence_interval"]
            lines.append(
                f"<tr><td>{esc(name)}</td><td>{_fmt(m['value'])}</td>"
                f"<td>{_interval(ci)}</td><td>{esc(ci['method'])}</td>"
                f"<td>{m['sample_size']}</td></tr>"
            )
        elif name in undefined:
            lines.append(
                f"<tr><td>{esc(name)}</td><td colspan='4'>not defined: "
                f"{esc(undefined[name])}</td></tr>"
            )
    lines.append("</table>")
    return "".join(lines)


def confusion_html(matrix: dict[str, dict[str, int]]) -> str:
    """statistics.json's ``confusion_matrix`` (actual → predicted → rows), and the predicted
    and actual class shares it implies on the labelled rows."""
    classes = sorted({*matrix, *(p for row in matrix.values() for p in row)}, reverse=True)
    total = sum(n for row in matrix.values() for n in row.values()) or 1
    head = "".join(f"<th>predicted {esc(c)}</th>" for c in classes)
    rows = "".join(
        f"<tr><th>actual {esc(a)}</th>"
        + "".join(f"<td>{matrix.get(a, {}).get(p, 0)}</td>" for p in classes)
        + "</tr>"
        for a in classes
    )
    shares = "; ".join(
        f"class {esc(c)}: predicted "
        f"{sum(row.get(c, 0) for row in matrix.values()) / total:.1%}, actual "
        f"{sum(matrix.get(c, {}).values()) / total:.1%}"
        for c in classes
    )
    return (
        f"<h3>Confusion matrix ({total} labelled rows)</h3><table><tr><th></th>{head}</tr>"
        f"{rows}</table><p>Prediction distribution on the labelled rows: {shares}.</p>"
    )


def render(
    summary: dict[str, Any],
    metrics: dict[str, Any] | None,
    undefined: dict[str, str],
    *,
    metric_names: tuple[str, ...],
    min_labeled_rows: int,
    labeled_count: int,
    label_coverage: float,
    without_prediction: int,
) -> str:
    """``metrics`` is None when no labels arrived (then only the verdict is shown)."""
    html = _verdict(summary, min_labeled_rows, labeled_count) + _head(
        summary, labeled_count, label_coverage
    )
    if summary["status"] != "ok":
        return html
    html += _rows(metrics or {}, undefined, metric_names)
    matrix = (metrics or {}).get("confusion_matrix")
    if isinstance(matrix, dict) and matrix:
        html += confusion_html(matrix)
    if without_prediction:
        html += f"<p>{without_prediction} labelled rows had no prediction and were left out.</p>"
    return html
