"""Scoring a projection method on benchmark chunks: MAE, alerts, coverage, paired differences.

Shared by the accuracy benchmarks so every method is scored by the same code on the same chunks.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class Chunk:
    """One benchmark chunk: its true accuracy, the threshold, and each method's estimate."""

    scenario: str
    severity: str
    repeat: int
    true_accuracy: float
    estimates: dict = field(default_factory=dict)  # method -> point estimate
    intervals: dict = field(default_factory=dict)  # method -> (lower, upper)
    threshold: float = 0.0
    rests_on: dict = field(default_factory=dict)


METHODS = [
    "constant",
    "2021 sample (Isolation Forest)",
    "NannyML CBPE",
    "ours (score-only calibration)",
    "ours (importance weighting)",
    "ours",
]


def alert_scores(chunks: list[Chunk], method: str) -> tuple[float, float, float, int]:
    truth = np.array([c.true_accuracy < c.threshold for c in chunks])
    alert = np.array([c.estimates[method] < c.threshold for c in chunks])
    tp = int(np.sum(truth & alert))
    precision = tp / alert.sum() if alert.sum() else float("nan")
    recall = tp / truth.sum() if truth.sum() else float("nan")
    f1 = 2 * tp / (alert.sum() + truth.sum()) if alert.sum() + truth.sum() else float("nan")
    return precision, recall, f1, int(truth.sum())


def coverage(chunks: list[Chunk], method: str) -> float:
    hits = [
        c.intervals[method][0] <= c.true_accuracy <= c.intervals[method][1]
        for c in chunks
        if method in c.intervals
    ]
    return float(np.mean(hits)) if hits else float("nan")


def mae(chunks: list[Chunk], method: str) -> float:
    return 100 * float(np.mean([abs(c.estimates[method] - c.true_accuracy) for c in chunks]))


def fmt(value: float, digits: int = 2) -> str:
    return "–" if value != value else f"{value:.{digits}f}"


def paired_difference(
    chunks: list[Chunk], ours: str, other: str, *, resamples: int = 2000, seed: int = 0
) -> list[str]:
    """Paired two-level bootstrap: is ours better than ``other``, or within noise?

    Chunks of one repeat share its model and baseline, and how much a method gains depends
    on them, so a bootstrap over chunks alone would claim too much certainty: each resample
    draws the repeats with replacement, then chunks within each drawn repeat.
    """
    truth = np.array([c.true_accuracy for c in chunks])
    threshold = np.array([c.threshold for c in chunks])
    below = truth < threshold
    rng = np.random.default_rng(seed)
    by_repeat = [
        np.flatnonzero([c.repeat == r for c in chunks]) for r in sorted({c.repeat for c in chunks})
    ]
    rows = np.empty((resamples, len(chunks)), dtype=np.int64)
    for b in range(resamples):
        drawn = rng.integers(0, len(by_repeat), len(by_repeat))
        rows[b] = np.concatenate([rng.choice(by_repeat[r], by_repeat[r].size) for r in drawn])
    out = []
    diffs = {}
    for name in (ours, other):
        estimate = np.array([c.estimates[name] for c in chunks])
        error = np.abs(estimate - truth)[rows].mean(axis=1)
        alert = estimate < threshold
        tp = (alert & below)[rows].sum(axis=1)
        f1 = 2 * tp / np.maximum(alert[rows].sum(axis=1) + below[rows].sum(axis=1), 1)
        diffs[name] = (100 * error, f1)
    for label, index in (("MAE (pp)", 0), ("alert F1", 1)):
        delta = diffs[ours][index] - diffs[other][index]
        lower, upper = np.quantile(delta, [0.025, 0.975])
        out.append(f"| {label} | {np.mean(delta):+.3f} | [{lower:+.3f}, {upper:+.3f}] |")
    return out


def table(chunks: list[Chunk], title: str, chunk_size: int) -> list[str]:
    truth = np.array([c.true_accuracy for c in chunks])
    positives = sum(c.true_accuracy < c.threshold for c in chunks)
    lines = [
        f"### {title}",
        "",
        f"{len(chunks)} chunks of {chunk_size} rows; true accuracy "
        f"{truth.min():.3f}–{truth.max():.3f} (mean {truth.mean():.3f}); "
        f"{positives} chunks truly below the threshold.",
        "",
        "| method | MAE (pp) | alert precision | alert recall | alert F1 | interval coverage |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for method in [*METHODS, "ours: container alert"]:
        error = "–" if method == "ours: container alert" else fmt(mae(chunks, method))
        precision, recall, f1, _ = alert_scores(chunks, method)
        covered = coverage(chunks, method) if method in chunks[0].intervals else float("nan")
        lines.append(
            f"| {method} | {error} | {fmt(precision)} | {fmt(recall)} | {fmt(f1)} | "
            f"{fmt(covered)} |"
        )
    return [*lines, ""]
