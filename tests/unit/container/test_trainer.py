"""The trainer under the SageMaker training contract, as a local process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from examples.adult import LABELED_CSV as LABELED
from examples.adult import SCHEMA_JSON as SCHEMA

REPO = Path(__file__).resolve().parents[3]


def _run(root: Path) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "TRAINER_ML_ROOT": str(root),
        "PYTHONPATH": os.pathsep.join([str(REPO / "container"), str(REPO / "common")]),
    }
    return subprocess.run(
        [sys.executable, "-m", "trainer", "train"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture
def channels(tmp_path):
    frame = pd.read_csv(LABELED, dtype=str, keep_default_na=False)
    frame["label"] = (frame.pop("income") == ">50K").astype(int)
    data = tmp_path / "input" / "data"
    (data / "train").mkdir(parents=True)
    (data / "recent").mkdir()
    (data / "baseline").mkdir()
    frame.iloc[:1500].to_csv(data / "train" / "train.csv", index=False)
    recent = frame.iloc[1500:2100].copy()
    recent.loc[recent.index[::3], "label"] = None  # labels not arrived for a third
    recent.to_parquet(data / "recent" / "merged.parquet", index=False)
    (data / "baseline" / "schema.json").write_text(SCHEMA.read_text())
    return tmp_path


def test_trains_on_original_plus_labelled_recent_rows_and_reports_holdout(channels):
    completed = _run(channels)
    assert completed.returncode == 0, completed.stderr
    model_dir = channels / "model"
    assert (model_dir / "model.joblib").is_file() and (model_dir / "schema.json").is_file()
    metrics = json.loads((model_dir / "metrics.json").read_text())
    assert metrics["rows_original"] == 1500
    assert metrics["rows_recent_used"] + metrics["recent_holdout_rows"] == 400  # labelled only
    assert 0.7 < metrics["recent_holdout_accuracy"] <= 1.0


def test_missing_training_channel_fails_with_a_reason(channels):
    (channels / "input" / "data" / "train" / "train.csv").unlink()
    completed = _run(channels)
    assert completed.returncode == 1
    reason = (channels / "output" / "failure").read_text()
    assert "no training CSV files" in reason and "train" in reason
