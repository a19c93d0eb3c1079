"""The model family the demo endpoint serves and the Retrain branch trains.

A gradient-boosted tree classifier over the schema's features: numerical columns as they are,
categorical columns ordinal-encoded (unknown categories map to a dedicated code). Kept in one
place so the demo's first model and every retrained challenger are built the same way.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OrdinalEncoder

from column_schema import ColumnSchema


def build_pipeline(schema: ColumnSchema, *, seed: int = 0) -> Pipeline:
    encoder = OrdinalEncoder(
        handle_unknown="use_encoded_value", unknown_value=-1, encoded_missing_value=-2
    )
    columns = ColumnTransformer(
        [
            ("categorical", encoder, schema.categorical),
            ("numerical", "passthrough", schema.numerical),
        ]
    )
    n_categorical = len(schema.categorical)
    classifier = HistGradientBoostingClassifier(
        categorical_features=list(range(n_categorical)) if n_categorical else None,
        max_iter=200,
        learning_rate=0.08,
        early_stopping=False,
        random_state=seed,
    )
    return Pipeline([("columns", columns), ("classifier", classifier)])


def feature_frame(frame: pd.DataFrame, schema: ColumnSchema) -> pd.DataFrame:
    """Select and type the feature columns the way the pipeline expects them."""
    out = pd.DataFrame(index=frame.index)
    for name in schema.numerical:
        out[name] = pd.to_numeric(frame[name], errors="coerce").astype("float64")
    for name in schema.categorical:
        values = frame[name].astype("object")
        out[name] = values.where(values.notna() & (values != ""), np.nan)
    return out[schema.categorical + schema.numerical]


def positive_scores(model: Pipeline, frame: pd.DataFrame, schema: ColumnSchema) -> np.ndarray:
    """Probability of the positive class for each row."""
    column = list(model.classes_).index(schema.positive_class)
    return model.predict_proba(feature_frame(frame, schema))[:, column]
