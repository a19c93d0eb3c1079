"""``python -m trainer compare``: a Processing job that scores the challenger on the held-out rows.

Inputs (``processing_paths``' ``COMPARE_*`` and ``BASELINE_DIR`` under the job's ML root,
re-rooted offline): the model dir holds the training job's ``model.tar.gz``, the holdout dir the
dataset version's ``holdout.parquet`` (merged rows with the endpoint's captured score and
prediction), the baseline dir the ``schema.json``. Writes ``comparison.json`` (both models'
metrics and the paired differences, see :mod:`trainer.comparison`) and
``holdout_scored.parquet`` (the same rows scored by the challenger, in the merged layout: the
baseline job's input for a promoted model).
A failure reason goes to ``/opt/ml/output/message``, as for the analysis jobs.
"""

from __future__ import annotations

import json
import os
import tarfile
from pathlib import Path

import joblib
import pandas as pd

from column_schema import SchemaError, load_schema
from processing_paths import (
    BASELINE_DIR,
    COMPARE_HOLDOUT_DIR,
    COMPARE_MODEL_DIR,
    COMPARE_OUTPUT_DIR,
    ML_ROOT,
)
from trainer.comparison import ComparisonError, champion_columns, compare
from trainer.model import positive_scores


def _local(root: Path, container_path: str) -> Path:
    """A container path (``/opt/ml/...``) under this job's ML root."""
    return root / Path(container_path).relative_to(ML_ROOT)


class CompareJobError(RuntimeError):
    """The job's inputs are missing or unreadable."""


def run(root: Path, *, seed: int = 0) -> dict:
    try:
        schema = load_schema(_local(root, BASELINE_DIR) / "schema.json")
    except SchemaError as exc:
        raise CompareJobError(str(exc)) from exc
    model = _load_model(_local(root, COMPARE_MODEL_DIR), root / "work")
    holdout = _read_holdout(_local(root, COMPARE_HOLDOUT_DIR))
    labels = holdout[schema.label].astype(int).to_numpy()
    challenger_scores = positive_scores(model, holdout, schema)
    challenger_pred = (challenger_scores >= schema.decision_threshold).astype(int)
    report = compare(
        labels,
        champion_columns(holdout, schema),
        (challenger_pred, challenger_scores),
        seed=seed,
    )
    output = _local(root, COMPARE_OUTPUT_DIR)
    output.mkdir(parents=True, exist_ok=True)
    (output / "comparison.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    scored = holdout.copy()
    scored[schema.score] = challenger_scores
    scored[schema.prediction] = challenger_pred.astype("int64")
    scored.to_parquet(output / "holdout_scored.parquet", index=False)
    return report


def _load_model(model_dir: Path, work: Path):
    archives = sorted(model_dir.rglob("model.tar.gz"))
    if not archives:
        raise CompareJobError(f"{model_dir}: no model.tar.gz from the training job")
    work.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archives[0]) as archive:
        archive.extractall(work, filter="data")
    path = work / "model.joblib"
    if not path.is_file():
        raise CompareJobError(f"{archives[0]}: the archive holds no model.joblib")
    return joblib.load(path)


def _read_holdout(holdout_dir: Path) -> pd.DataFrame:
    files = sorted(holdout_dir.rglob("*.parquet"))
    if not files:
        raise CompareJobError(f"{holdout_dir}: no held-out Parquet file")
    return pd.concat([pd.read_parquet(path) for path in files], ignore_index=True)


def main() -> int:
    root = Path(
        os.environ.get("TRAINER_ML_ROOT") or os.environ.get("DRIFT_MONITOR_ML_ROOT") or "/opt/ml"
    )
    try:
        report = run(root, seed=int(os.environ.get("COMPARISON_SEED", "0")))
    except (CompareJobError, ComparisonError) as exc:
        message = root / "output" / "message"
        message.parent.mkdir(parents=True, exist_ok=True)
        message.write_text(str(exc)[:1024], encoding="utf-8")
        print(f"comparison failed: {exc}")
        return 1
    print(json.dumps({k: report[k] for k in ("rows", "champion", "challenger")}))
    return 0
