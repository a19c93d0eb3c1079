"""Column-wise counting on Arrow dictionary arrays (no per-row Python)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


def category_counts(values: pa.Array) -> dict[str, int]:
    """Counts of each present category (nulls excluded), via bincount on dictionary indices."""
    if not pa.types.is_dictionary(values.type):
        values = pc.dictionary_encode(values.cast(pa.string()))
    if len(values) == 0:
        return {}
    indices = values.indices
    if values.null_count:
        indices = indices.drop_null()
    index = indices.to_numpy(zero_copy_only=False).astype(np.int64, copy=False)
    counts = np.bincount(index, minlength=len(values.dictionary))
    dictionary = values.dictionary.to_pylist()
    merged: dict[str, int] = {}
    for category, count in zip(dictionary, counts, strict=True):
        if count and category is not None:
            merged[str(category)] = merged.get(str(category), 0) + int(count)
    return merged


def aligned_counts(
    reference: dict[str, int], current: dict[str, int]
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Category list (baseline categories, then unseen ones) and both count vectors."""
    categories = list(reference) + sorted(c for c in current if c not in reference)
    ref = np.array([reference.get(c, 0) for c in categories], dtype=np.float64)
    cur = np.array([current.get(c, 0) for c in categories], dtype=np.float64)
    return categories, ref, cur
