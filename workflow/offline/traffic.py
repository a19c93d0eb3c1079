"""Simulated traffic: tabular rows -> endpoint invocations spread over a window, and their labels.

The demo, the merge Lambda's tests and its benchmark build the requests an endpoint would have
served from a labelled table; ``workflow.offline.capture_writer`` then writes them in
SageMaker's capture format and ``workflow.offline.batch_capture_writer`` as a batch transform.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from workflow.offline.capture_writer import GroundTruth, Invocation, seeded_uuid


def typed_rows(
    rows: Iterable[Mapping[str, str]], feature_names: Sequence[str], numerical: Collection[str]
) -> list[list[Any]]:
    """CSV-read rows (strings) as feature lists: numbers for ``numerical``, ``None`` if empty."""
    typed = []
    for row in rows:
        values: list[Any] = []
        for name in feature_names:
            raw = row[name]
            if raw is None or raw == "":
                values.append(None)
            elif name in numerical:
                number = float(raw)
                values.append(int(number) if number.is_integer() else number)
            else:
                values.append(raw)
        typed.append(values)
    return typed


def invocations_from_rows(
    rows: Sequence[Sequence[Any] | Mapping[str, Any]],
    outputs: Sequence[float | int],
    *,
    start: datetime,
    end: datetime,
    rng: random.Random,
    batch_sizes: Sequence[int] = (1,),
    batch_weights: Sequence[float] | None = None,
    with_inference_id: bool = True,
    id_prefix: str = "req",
) -> list[Invocation]:
    """Spread rows over ``[start, end)`` as invocations (seeded; times at whole seconds).

    Consecutive rows are grouped into requests whose sizes are drawn from ``batch_sizes``
    (weights ``batch_weights``). Inference ids are ``{id_prefix}-{n:08d}`` when
    ``with_inference_id``; event ids are seeded UUIDs.
    """
    if len(rows) != len(outputs):
        raise ValueError(f"{len(rows)} rows but {len(outputs)} outputs")
    span_s = int((end - start).total_seconds())
    if span_s <= 0:
        raise ValueError("end must be after start")
    sizes: list[int] = []
    remaining = len(rows)
    while remaining > 0:
        size = min(remaining, rng.choices(batch_sizes, weights=batch_weights)[0])
        sizes.append(size)
        remaining -= size
    offsets = sorted(rng.randrange(span_s) for _ in sizes)
    invocations, first = [], 0
    for number, (size, offset) in enumerate(zip(sizes, offsets, strict=True)):
        invocations.append(
            Invocation(
                rows=list(rows[first : first + size]),
                outputs=list(outputs[first : first + size]),
                inference_time=start + timedelta(seconds=offset),
                event_id=seeded_uuid(rng),
                inference_id=f"{id_prefix}-{number:08d}" if with_inference_id else None,
            )
        )
        first += size
    return invocations


def ground_truth_for(
    invocations: Iterable[Invocation],
    row_labels: Sequence[int | None],
    upload_time_of: Callable[[Invocation], datetime],
) -> list[GroundTruth]:
    """Labels of the invocations' rows, ``row_labels`` aligned with the rows in order.

    ``None`` means the label has not arrived (no record); ``upload_time_of`` decides in which
    hour folder the invocation's labels land.
    """
    labels: list[GroundTruth] = []
    position = 0
    for invocation in invocations:
        uploaded = upload_time_of(invocation)
        for row_id in invocation.row_ids():
            if position >= len(row_labels):
                raise ValueError(f"row_labels has {len(row_labels)} entries, fewer than the rows")
            label = row_labels[position]
            position += 1
            if label is not None:
                labels.append(GroundTruth(row_id, int(label), uploaded))
    if position != len(row_labels):
        raise ValueError(f"row_labels has {len(row_labels)} entries for {position} rows")
    return labels
