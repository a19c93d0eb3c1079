"""Fit a challenger on the ``train`` channel: the dataset version the retraining branch assembled.

That version is the original training set plus the fresh labelled rows, with the held-out rows
and their duplicates already removed (``lambdas/retraining``). The trainer evaluates nothing
itself: the champion/challenger comparison is its own job (``trainer.compare_job``) on rows
held out by time. An earlier ``recent`` channel with a random in-trainer holdout was removed: a
random split of overlapping windows scored the model on copies of its own training rows.
``metrics.json`` therefore says what was fitted and where the evaluation is, nothing more.
"""

from __future__ import annotations

import json
from pathlib import Path

import joblib
import pandas as pd

from column_schema import ColumnSchema, SchemaError, load_schema
from trainer.model import build_pipeline, feature_frame

MIN_TRAINING_ROWS = 200


class TrainingError(RuntimeError):
    """The training data or configuration cannot produce a model."""


def train(*, data_dir: Path, model_dir: Path, schema_path: Path, seed: int = 0) -> dict:
    try:
        schema = load_schema(schema_path)
    except SchemaError as exc:
        raise TrainingError(str(exc)) from exc
    fit_frame = _read_training_set(data_dir / "train", schema)
    if len(fit_frame) < MIN_TRAINING_ROWS:
        raise TrainingError(
            f"only {len(fit_frame)} labelled rows to train on; need at least {MIN_TRAINING_ROWS}"
        )

    model = build_pipeline(schema, seed=seed)
    model.fit(feature_frame(fit_frame, schema), fit_frame[schema.label].astype(int))

    model_dir.mkdir(parents=True, exist_ok=True)
    joblib.dump(model, model_dir / "model.joblib")
    (model_dir / "schema.json").write_text(json.dumps(schema.to_dict(), indent=2))
    labels = fit_frame[schema.label].astype(int)
    report = {
        "training_rows": len(fit_frame),
        "positive_rows": int((labels == 1).sum()),
        "seed": seed,
        "evaluation": "none here: CompareChallenger scores the rows held out by time",
    }
    (model_dir / "metrics.json").write_text(json.dumps(report, indent=2))
    return report


def _read_training_set(channel: Path, schema: ColumnSchema) -> pd.DataFrame:
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
