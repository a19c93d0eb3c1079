"""One encoding of feature frames for the gradient-boosted models of the projection.

``HistGradientBoostingClassifier`` takes categorical columns as pandas categories, at most 255
of them; both the domain classifier (:mod:`drift_monitor.projection.shift`) and the
feature-aware calibration (:mod:`drift_monitor.projection.features`) need the same category
sets on every frame they fit or score. The most frequent categories are kept; the rest become
``__other__``; a category the sets do not know is ``__other__`` when that exists, else missing.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

MAX_CATEGORIES = 250  # HistGradientBoosting's categorical limit is 255 bins
OTHER = "__other__"


def _is_categorical(series: pd.Series) -> bool:
    return (
        isinstance(series.dtype, pd.CategoricalDtype)
        or series.dtype == object
        or pd.api.types.is_string_dtype(series.dtype)
    )


def category_dtypes(*frames: pd.DataFrame) -> dict[str, pd.CategoricalDtype]:
    """Category sets of the categorical columns, from the pooled values of ``frames``."""
    dtypes = {}
    for column in frames[0].columns:
        if not _is_categorical(frames[0][column]):
            continue
        counts = pd.concat([frame[column].astype("string") for frame in frames]).value_counts()
        keep = list(counts.index[:MAX_CATEGORIES])
        dtypes[column] = pd.CategoricalDtype(keep + ([OTHER] if len(counts) > len(keep) else []))
    return dtypes


def encode(frame: pd.DataFrame, dtypes: dict[str, pd.CategoricalDtype]) -> pd.DataFrame:
    """``frame`` with numeric columns as float64 and categorical ones in ``dtypes``."""
    out: dict[str, pd.Series] = {}
    missing: Any = pd.NA  # typed Any: pandas-stubs do not list NAType as a ``where`` filler
    for column in frame.columns:
        if column in dtypes:
            dtype = dtypes[column]
            text = frame[column].astype("string")
            known = text.isin(dtype.categories) | text.isna()
            if OTHER in dtype.categories:
                text = text.where(known, OTHER)
            else:
                text = text.where(known, missing)
            out[column] = text.astype(object).where(text.notna(), np.nan).astype(dtype)
        else:
            out[column] = frame[column].astype(np.float64)
    return pd.DataFrame(out, index=frame.index)
