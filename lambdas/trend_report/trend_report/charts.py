"""The trend page's charts, each built from the window points on the shared time frame."""

from __future__ import annotations

from collections.abc import Sequence
from statistics import median

from trend_report.records import FeatureScore, WindowPoint
from trend_report.svg import Chart, TimeFrame

TOP_FEATURES = 5


def time_frame(points: Sequence[WindowPoint]) -> TimeFrame:
    durations = [(p.end - p.start).total_seconds() for p in points]
    return TimeFrame(
        t0=points[0].start.timestamp(),
        t1=max(p.end for p in points).timestamp(),
        gap_s=1.5 * median(durations),
    )


def _percent(value: float) -> str:
    return f"{value:.0%}"


def _mid(point: WindowPoint) -> float:
    return (point.start.timestamp() + point.end.timestamp()) / 2


def accuracy_chart(frame: TimeFrame, points: Sequence[WindowPoint]) -> Chart:
    values: list[float] = []
    for p in points:
        for estimate in (p.accuracy, p.projected):
            if estimate.value is not None:
                values.append(estimate.value)
            if estimate.interval is not None:
                values.extend(estimate.interval)
        if p.accuracy_threshold is not None:
            values.append(p.accuracy_threshold)
    low, high = (min(values), max(values)) if values else (0.0, 1.0)
    chart = Chart(
        frame,
        "Accuracy: measured on the labelled rows and projected without labels (95% intervals), "
        "and the accuracy floor",
        max(0.0, low - 0.02),
        min(1.0, high + 0.02),
        _percent,
        height=220,
        css_id="accuracy",
    )
    chart.band([(_mid(p), p.projected.interval) for p in points], "b-projected")
    chart.band([(_mid(p), p.accuracy.interval) for p in points], "b-measured")
    chart.line([(_mid(p), p.accuracy_threshold) for p in points], "s-floor", "accuracy floor")
    chart.line([(_mid(p), p.projected.value) for p in points], "s-projected", "projected", "mean")
    chart.line([(_mid(p), p.accuracy.value) for p in points], "s-measured", "measured", "mean")
    return chart


def top_features(points: Sequence[WindowPoint], limit: int = TOP_FEATURES) -> list[str]:
    """Most often drifted first, then by the largest score relative to its threshold."""
    drifted: dict[str, int] = {}
    peak: dict[str, float] = {}
    for p in points:
        for f in p.features:
            drifted[f.name] = drifted.get(f.name, 0) + int(f.drifted)
            peak[f.name] = max(peak.get(f.name, 0.0), _relative(f))
    return sorted(drifted, key=lambda name: (-drifted[name], -peak[name], name))[:limit]


def _relative(feature: FeatureScore) -> float:
    if feature.score is None:
        return 0.0
    return feature.score / feature.threshold if feature.threshold else feature.score


def feature_drift_chart(frame: TimeFrame, points: Sequence[WindowPoint]) -> Chart | None:
    names = top_features(points)
    if not names:
        return None
    by_window = [{f.name: f for f in p.features} for p in points]
    scores = [f.score for row in by_window for n, f in row.items() if n in names and f.score]
    thresholds = sorted(
        {f.threshold for row in by_window for n, f in row.items() if n in names and f.threshold}
    )
    high = max([*scores, *thresholds, 0.01])
    chart = Chart(
        frame,
        f"Drift score per feature (top {len(names)} by windows drifted; effect size: "
        "Wasserstein/std for numbers, Jensen-Shannon for categories) and the threshold",
        0.0,
        high * 1.05,
        lambda v: f"{v:.2f}",
        height=220,
        css_id="feature-drift",
    )
    for value in thresholds:
        chart.hline(value, "h-threshold", f"threshold {value:g}")
    for index, name in enumerate(names):
        series = []
        for p, row in zip(points, by_window, strict=True):
            feature = row.get(name)
            series.append((_mid(p), feature.score if feature else None))
        chart.line(series, f"f{index}", name)
    return chart


def dataset_drift_chart(frame: TimeFrame, points: Sequence[WindowPoint]) -> Chart:
    chart = Chart(
        frame,
        "Dataset drift: AUC of a classifier telling the window from the baseline "
        "(0.5 = indistinguishable)",
        0.4,
        1.0,
        lambda v: f"{v:.2f}",
        css_id="dataset-drift",
    )
    thresholds = sorted({p.dataset_auc_threshold for p in points if p.dataset_auc_threshold})
    for value in thresholds:
        chart.hline(value, "h-threshold", f"threshold {value:g}")
    chart.line([(_mid(p), p.dataset_auc) for p in points], "s-auc", "AUC")
    return chart


def coverage_chart(frame: TimeFrame, points: Sequence[WindowPoint]) -> Chart:
    chart = Chart(
        frame,
        "Label coverage: share of the window's rows whose label has arrived",
        0.0,
        1.0,
        _percent,
        height=140,
        css_id="coverage",
    )
    chart.bars([(p.start.timestamp(), p.label_coverage) for p in points], "s-coverage", "coverage")
    return chart


def data_quality_chart(frame: TimeFrame, points: Sequence[WindowPoint]) -> Chart:
    counts = [float(p.data_quality_violations) for p in points]
    chart = Chart(
        frame,
        "Data-quality violations per window (types, completeness, categories, columns)",
        0.0,
        max([*counts, 4.0]),
        lambda v: f"{v:.0f}",
        height=140,
        css_id="data-quality",
    )
    chart.bars(
        [(p.start.timestamp(), c) for p, c in zip(points, counts, strict=True)],
        "s-dq",
        "violations",
    )
    return chart
