"""Fit a challenger on the ``train`` channel (plus an optional ``recent`` channel).

The state machine's retraining branch passes the assembled dataset version as ``train`` (the
original training set and the fresh labelled rows, the holdout and its duplicates already
removed) and no ``recent`` channel; the champion/challenger comparison is its own job
(``trainer.compare_job``) on the held-out rows. Given a ``recent`` channel (a run by hand), a
random share of it is held out and reported in ``metrics.json``.
"""

from __future__ import annotations

import json
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
from sklearn.metrics import accuracy_score, roc_auc_score

from column_schema import ColumnSchema, SchemaError, load_schema
from trainer.model import build_pipeline, feature_frame, positive_scores

MIN_TRAINING_ROWS = 200
RECENT_HOLDOUT_SHARE = 0.3


class TrainingError(RuntimeError):
    """The training data or configuration cannot produce a model."""


def train(*, data_dir: Path, model_dir: Path, schema_path: Path, seed: int = 0) -> dict:
    try:
        schema = load_schema(schema_path)
    except SchemaError as exc:
        raise TrainingError(str(exc)) from exc
    original = _read_original(data_dir / "train", schema)
    recent = _read_recent(data_dir / "recent", schema)

    rng = np.random.default_rng(seed)
    holdout_mask = rng.random(len(recent)) < RECENT_HOLDOUT_SHARE
    fit_frame = pd.concat([original, recent[~holdout_mask]], ignore_index=True)
    holdout = recent[holdout_mask]
    if len(fit_frame) < MIN_TRAINING_ROWS:
        raise TrainingError(
            f"only {len(fit_frame)} labelled rows to train on; need at least {MIN_TRAINING_ROWS}"
        )

    model = build_pipeline(schema, seed=seed)
    model.fit(feature_frame(fit_frame, schema), fit_frame[schema.label].astype(int))

    model_dir.mkdir(parents=True, exist_ok=True)
    joblib.dump(model, model_dir / "model.joblib")
    (model_dir / "schema.json").write_text(json.dumps(schema.to_dict(), indent=2))
    report = {
        "rows_original": len(original),
        "rows_recent_used": int((~holdout_mask).sum()),
        "recent_holdout_rows": len(holdout),
        **_holdout_metrics(model, holdout, schema),
    }
    (model_dir / "metrics.json").write_text(json.dumps(report, indent=2))
    return report


def _read_original(channel: Path, schema: ColumnSchema) -> pd.DataFrame:
    files = sorted(channel.rglob("*.csv")) if channel.exists() else []
    if not files:
        raise TrainingError(f"{channel}: no training CSV files in the 'train' channel")
    frames = []
    for path in files:
        frame = pd.read_csv(path, keep_default_na=True, na_values=[""], dtype=str)
        missing = [c for c in [*schema.feature_names, schema.label] if c not in frame.columns]
        if missing:
            raise TrainingError(f"{path}: missing columns {missing}")
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def _read_recent(channel: Path, schema: ColumnSchema) -> pd.DataFrame:
    files = sorted(channel.rglob("*.parquet")) if channel.exists() else []
    frames = [pd.read_parquet(path) for path in files]
    frames = [f[f[schema.label].notna()] for f in frames if schema.label in f.columns]
    if not frames:
        return pd.DataFrame(columns=[*schema.feature_names, schema.label])
    return pd.concat(frames, ignore_index=True)


def _holdout_metrics(model, holdout: pd.DataFrame, schema: ColumnSchema) -> dict:
    if holdout.empty:
        return {"recent_holdout_accuracy": None, "recent_holdout_auc": None}
    labels = holdout[schema.label].astype(int).to_numpy()
    scores = positive_scores(model, holdout, schema)
    predictions = (scores >= schema.decision_threshold).astype(int)
    auc = roc_auc_score(labels, scores) if len(np.unique(labels)) == 2 else None
    return {
        "recent_holdout_accuracy": float(accuracy_score(labels, predictions)),
        "recent_holdout_auc": None if auc is None else float(auc),
    }
