"""Which rows the projection uses: rows with a model output, seeded samples, feature frames."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from drift_monitor.dataset import Dataset
from drift_monitor.model_quality import binary_outcomes


def sample_rows(n: int, limit: int, seed: int) -> np.ndarray:
    """At most ``limit`` of ``range(n)``, sorted, the same for the same seed (all if n <= limit)."""
    if n <= limit:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, limit, replace=False))


def stratified_sample(outcome: np.ndarray, limit: int, seed: int) -> np.ndarray:
    """At most ``limit`` row indices, sorted, each class (``outcome`` 0/1) keeping its share;
    all rows if there are no more than ``limit`` (the same for the same seed)."""
    n = outcome.size
    if n <= limit:
        return np.arange(n)
    rng = np.random.default_rng(seed)
    positives, negatives = np.flatnonzero(outcome == 1), np.flatnonzero(outcome != 1)
    k = min(round(limit * positives.size / n), positives.size)
    picked = [
        rng.choice(positives, k, replace=False),
        rng.choice(negatives, limit - k, replace=False),
    ]
    return np.sort(np.concatenate(picked))


def reference_sample(
    labeled_rows: np.ndarray, unlabeled_rows: np.ndarray, limit: int, seed: int
) -> np.ndarray:
    """At most ``limit`` row indices, sorted: labelled rows first, then unlabelled (the
    labelled ones carry the calibration and the weights)."""
    labeled = labeled_rows[sample_rows(labeled_rows.size, limit, seed)]
    room = limit - labeled.size
    unlabeled = (
        unlabeled_rows[sample_rows(unlabeled_rows.size, room, seed)]
        if room > 0
        else unlabeled_rows[:0]
    )
    return np.sort(np.r_[labeled, unlabeled])


def output_rows(window: Dataset) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """(usable mask, predicted positive for usable rows, scores for usable rows or None)."""
    predictions = window.predictions()
    scores = window.scores()
    usable = ~np.isnan(predictions)
    if scores is not None:
        usable &= ~np.isnan(scores)
    predicted_positive = binary_outcomes(
        predictions[usable],
        window.schema.positive_class,
        f"{window.ingest.source or 'window'} column {window.schema.prediction!r}",
    )
    return usable, predicted_positive, None if scores is None else scores[usable]


def frame(window: Dataset, rows: np.ndarray) -> pd.DataFrame:
    """The features of ``rows`` (table row indices) as a data frame."""
    subset = Dataset(
        schema=window.schema, table=window.table.take(pa.array(rows)), n_rows=int(rows.size)
    )
    return subset.features_frame()
