"""``python -m trainer compare`` as a Processing process: the challenger scores the holdout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import joblib
import pandas as pd

from column_schema import load_schema
from examples.adult import LABELED_CSV, SCHEMA_JSON
from trainer.model import build_pipeline, feature_frame, positive_scores

REPO = Path(__file__).resolve().parents[3]


def _job(root: Path) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DRIFT_MONITOR_ML_ROOT": str(root),
        "PYTHONPATH": os.pathsep.join([str(REPO / "container"), str(REPO / "common")]),
    }
    return subprocess.run(
        [sys.executable, "-m", "trainer", "compare"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _inputs(root: Path, holdout: pd.DataFrame) -> None:
    processing = root / "processing"
    for name in ("model", "holdout", "baseline"):
        (processing / name).mkdir(parents=True)
    (processing / "baseline" / "schema.json").write_text(SCHEMA_JSON.read_text())
    holdout.to_parquet(processing / "holdout" / "holdout.parquet", index=False)


def test_the_job_writes_the_comparison_and_the_scored_holdout(tmp_path):
    schema = load_schema(SCHEMA_JSON)
    frame = pd.read_csv(LABELED_CSV, dtype=str, keep_default_na=False)
    frame["label"] = (frame.pop("income") == ">50K").astype(int)
    train, holdout = frame.iloc[:1200], frame.iloc[1200:1700].reset_index(drop=True)
    champion = build_pipeline(schema, seed=1).fit(
        feature_frame(train[:300], schema), train.label[:300]
    )
    challenger = build_pipeline(schema, seed=1).fit(feature_frame(train, schema), train.label)
    holdout["score"] = positive_scores(champion, holdout, schema)  # the endpoint's capture
    holdout["prediction"] = (holdout["score"] >= 0.5).astype("int64")
    _inputs(tmp_path, holdout)
    joblib.dump(challenger, tmp_path / "model.joblib")
    with tarfile.open(tmp_path / "processing" / "model" / "model.tar.gz", "w:gz") as tar:
        tar.add(tmp_path / "model.joblib", arcname="model.joblib")

    completed = _job(tmp_path)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    output = tmp_path / "processing" / "output"
    report = json.loads((output / "comparison.json").read_text())
    assert report["rows"] == 500
    champion_accuracy = float((holdout["prediction"] == holdout["label"]).mean())
    assert abs(report["champion"]["accuracy"] - champion_accuracy) < 1e-12
    scored = pd.read_parquet(output / "holdout_scored.parquet")
    assert list(scored["score"]) == list(positive_scores(challenger, holdout, schema))


def test_a_missing_model_is_the_jobs_failure_message(tmp_path):
    frame = pd.DataFrame({"label": [0, 1], "score": [0.1, 0.9], "prediction": [0, 1]})
    _inputs(tmp_path, frame)
    completed = _job(tmp_path)
    assert completed.returncode == 1
    message = (tmp_path / "output" / "message").read_text()
    assert "no model.tar.gz from the training job" in message
