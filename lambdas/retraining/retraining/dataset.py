"""Which rows a challenger is trained on and which it is judged on (pure logic, no I/O).

* **Each inference once**: windows overlap (a re-run, a longer window over the same hours), so
  the merged files repeat rows; rows are keyed by ``inference_id`` and the one from the most
  recently merged file wins (its label is the latest that arrived).
* **Lookback**: only rows whose ``inference_time`` is within the lookback before the window's end.
* **Holdout by time**: the most recent share of the labelled rows is held out for the
  champion/challenger comparison; they describe the traffic the model serves next.
* **Leakage guard**: no held-out row, and no exact duplicate of one (same feature values, as
  the demo's resampled windows and real repeat customers produce), is in the training data,
  whether it comes from the fresh rows or from the original training set.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from column_schema import ColumnSchema

Row = dict[str, Any]


@dataclass(frozen=True)
class MergedFile:
    """One window's ``merged.parquet``: ``rank`` orders files by when they were merged."""

    uri: str
    rank: float
    rows: list[Row]


@dataclass
class Assembly:
    train: list[Row]  # features + label: original rows, then fresh rows
    holdout: list[Row]  # merged rows (with the endpoint's score/prediction), oldest first
    counts: dict[str, int] = field(default_factory=dict)
    holdout_start: str | None = None  # inference_time of the first held-out row


def feature_key(row: Row, schema: ColumnSchema) -> tuple:
    """The row's feature values, normalised so a CSV row and a Parquet row compare equal."""
    return tuple(
        _normalise(row.get(name), name in schema.numerical) for name in schema.feature_names
    )


def _normalise(value: Any, numerical: bool) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip()
    if text == "":
        return None
    if numerical:
        try:
            return float(text)
        except ValueError:
            return text
    return text


def latest_labelled(files: Iterable[MergedFile], schema: ColumnSchema) -> tuple[list[Row], int]:
    """Labelled rows, one per ``inference_id`` (the latest merged file wins); and how many
    repeated rows were collapsed."""
    by_id: dict[str, Row] = {}
    repeats = 0
    for merged in sorted(files, key=lambda f: f.rank):
        for row in merged.rows:
            if row.get(schema.label) is None:
                continue
            key = str(row["inference_id"])
            repeats += key in by_id
            by_id[key] = row
    return list(by_id.values()), repeats


def assemble(
    original: Sequence[Row],
    files: Iterable[MergedFile],
    schema: ColumnSchema,
    *,
    window_end: datetime,
    lookback_hours: float,
    holdout_share: float,
) -> Assembly:
    labelled, repeats = latest_labelled(files, schema)
    since = window_end - timedelta(hours=lookback_hours)
    fresh = sorted(
        (r for r in labelled if since <= r["inference_time"] < window_end),
        key=lambda r: (r["inference_time"], str(r["inference_id"])),
    )
    holdout_count = math.ceil(len(fresh) * holdout_share) if fresh else 0
    earlier, holdout = fresh[: len(fresh) - holdout_count], fresh[len(fresh) - holdout_count :]
    held = {feature_key(r, schema) for r in holdout}
    original_kept = [r for r in original if feature_key(r, schema) not in held]
    fresh_kept = [r for r in earlier if feature_key(r, schema) not in held]
    columns = [*schema.feature_names, schema.label]
    train = [{c: r.get(c) for c in columns} for r in (*original_kept, *fresh_kept)]
    counts = {
        "original_rows": len(original),
        "fresh_labelled_rows": len(fresh),
        "repeated_inferences_collapsed": repeats,
        "outside_lookback_rows": len(labelled) - len(fresh),
        "holdout_rows": len(holdout),
        "fresh_training_rows": len(fresh_kept),
        "original_training_rows": len(original_kept),
        "dropped_duplicates_of_holdout": (len(earlier) - len(fresh_kept))
        + (len(original) - len(original_kept)),
        "training_rows": len(train),
    }
    start = holdout[0]["inference_time"].isoformat() if holdout else None
    return Assembly(train=train, holdout=holdout, counts=counts, holdout_start=start)
