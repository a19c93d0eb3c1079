"""Shared fixtures: the adult data with a model score, and one baseline built from it."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from column_schema import load_schema
from drift_monitor.baseline_job import run_baseline
from drift_monitor.config import load_config
from examples.adult import scored as _data

SCHEMA_PATH = _data.SCHEMA_JSON


@pytest.fixture(scope="session")
def adult_schema():
    return load_schema(SCHEMA_PATH)


@pytest.fixture(scope="session")
def reference_table() -> pa.Table:
    return _data.labeled_table()


@pytest.fixture(scope="session")
def drifted_table() -> pa.Table:
    return _data.drifted_table()


@pytest.fixture(scope="session")
def baseline_dir(tmp_path_factory, reference_table) -> Path:
    """A baseline folder built once by the real baseline job from labeled.csv + model score."""
    root = tmp_path_factory.mktemp("baseline")
    dataset = root / "reference.parquet"
    pq.write_table(reference_table, dataset)
    output = root / "baseline"
    config = load_config(
        [
            "baseline",
            "--dataset",
            str(dataset),
            "--schema",
            str(SCHEMA_PATH),
            "--output",
            str(output),
        ],
        {"DRIFT_MONITOR_ML_ROOT": str(root / "ml")},
    )
    run_baseline(config)
    return output


def write_parquet(table: pa.Table, path: Path) -> Path:
    pq.write_table(table, path)
    return path
