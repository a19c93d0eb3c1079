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
    (data / "baseline").mkdir()
    frame.iloc[:1500].to_csv(data / "train" / "train.csv", index=False)
    (data / "baseline" / "schema.json").write_text(SCHEMA.read_text())
    return tmp_path


def test_trains_on_the_train_channel_and_says_it_evaluated_nothing(channels):
    completed = _run(channels)
    assert completed.returncode == 0, completed.stderr
    model_dir = channels / "model"
    assert (model_dir / "model.joblib").is_file() and (model_dir / "schema.json").is_file()
    metrics = json.loads((model_dir / "metrics.json").read_text())
    assert metrics["training_rows"] == 1500
    assert 0 < metrics["positive_rows"] < 1500
    assert "held out by time" in metrics["evaluation"]
    assert not any(key.startswith("recent") for key in metrics)


def test_too_few_training_rows_fail_with_the_count(channels):
    train_csv = channels / "input" / "data" / "train" / "train.csv"
    frame = pd.read_csv(train_csv, dtype=str, keep_default_na=False)
    frame.iloc[:150].to_csv(train_csv, index=False)
    completed = _run(channels)
    assert completed.returncode == 1
    assert "only 150 labelled rows" in (channels / "output" / "failure").read_text()


def test_missing_training_channel_fails_with_a_reason(channels):
    (channels / "input" / "data" / "train" / "train.csv").unlink()
    completed = _run(channels)
    assert completed.returncode == 1
    reason = (channels / "output" / "failure").read_text()
    assert "no training CSV files" in reason and "train" in reason
