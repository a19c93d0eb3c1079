"""The Adult example with a model score attached: what tests and benchmarks analyse.

``labeled.csv`` has the 14 features and ``income``; the pipeline's merged dataset also has
``score``, ``prediction`` and ``label``. We attach them with a small, seeded logistic
regression trained on ``labeled.csv`` (one-hot categoricals, standardised numerics), so the
score is a real model output rather than a synthetic formula.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from examples.adult import LABELED_CSV, SCHEMA_JSON
from examples.adult import TRAFFIC_DRIFTED_CSV as DRIFTED_CSV

__all__ = ["DRIFTED_CSV", "LABELED_CSV", "SCHEMA_JSON"]

NUMERICAL = ["age", "fnlwgt", "educational-num", "capital-gain", "capital-loss", "hours-per-week"]
CATEGORICAL = [
    "workclass",
    "education",
    "marital-status",
    "occupation",
    "relationship",
    "race",
    "gender",
    "native-country",
]
FEATURES = [
    "age",
    "workclass",
    "fnlwgt",
    "education",
    "educational-num",
    "marital-status",
    "occupation",
    "relationship",
    "race",
    "gender",
    "capital-gain",
    "capital-loss",
    "hours-per-week",
    "native-country",
]


def read_features(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(
        path, dtype={c: object for c in CATEGORICAL}, keep_default_na=False, na_values=[""]
    )
    for column in NUMERICAL:
        frame[column] = frame[column].astype("float64")
    return frame


@functools.cache
def _model():
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    frame = read_features(LABELED_CSV)
    y = (frame["income"] == ">50K").astype(int).to_numpy()
    prep = ColumnTransformer(
        [
            ("num", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), NUMERICAL),
            (
                "cat",
                make_pipeline(
                    SimpleImputer(strategy="constant", fill_value="missing"),
                    OneHotEncoder(handle_unknown="ignore"),
                ),
                CATEGORICAL,
            ),
        ]
    )
    model = make_pipeline(prep, LogisticRegression(max_iter=500, C=1.0))
    model.fit(frame[FEATURES], y)
    return model


def scored(frame: pd.DataFrame, threshold: float = 0.5) -> pd.DataFrame:
    """Features plus ``score`` and ``prediction`` (and ``label`` when ``income`` is present)."""
    out = frame[FEATURES].copy()
    out["score"] = _model().predict_proba(frame[FEATURES])[:, 1]
    out["prediction"] = (out["score"] >= threshold).astype("int64")
    if "income" in frame:
        out["label"] = (frame["income"] == ">50K").astype("int64")
    return out


def labeled_table() -> pa.Table:
    """labeled.csv as a merged-dataset table with score, prediction and label."""
    return to_arrow(scored(read_features(LABELED_CSV)))


def drifted_table() -> pa.Table:
    """traffic_drifted.csv as a merged-dataset table (score, prediction; no label)."""
    return to_arrow(scored(read_features(DRIFTED_CSV)))


def to_arrow(frame: pd.DataFrame) -> pa.Table:
    columns = {}
    for name in frame.columns:
        if name in CATEGORICAL:
            values = [None if pd.isna(v) else str(v) for v in frame[name]]
            columns[name] = pa.array(values, pa.string())
        elif name in ("prediction", "label"):
            columns[name] = pa.array(frame[name].to_numpy(), pa.int64())
        else:
            columns[name] = pa.array(
                frame[name].to_numpy(np.float64), pa.float64(), from_pandas=True
            )
    return pa.table(columns)


def resample(table: pa.Table, n_rows: int, seed: int) -> pa.Table:
    """Rows drawn uniformly WITH replacement (seeded)."""
    rng = np.random.default_rng(seed)
    return table.take(pa.array(rng.integers(0, table.num_rows, n_rows)))
