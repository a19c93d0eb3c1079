"""The projection's baseline artefacts: the one place they are named, written and read back.

``projection_baseline.json`` (calibration knots and quality, per-class precision, the
feature-calibration verdict), the bootstrap maps (Parquet, one column per draw on ``GRID``),
the feature-aware model (plain JSON trees) and a reference sample of baseline rows (Parquet).
Every read goes through :class:`~drift_monitor.baseline_store.BaselineStore` (one error
format for every baseline file) and checks what it got, so a stale or foreign baseline fails
with a clear error instead of a wrong projection.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa

from column_schema import ColumnSchema
from drift_monitor.baseline_store import BaselineStore
from drift_monitor.dataset import Dataset
from drift_monitor.projection.calibration import CalibrationMap
from drift_monitor.projection.estimators import GRID
from drift_monitor.projection.features import FeatureCalibrator

BASELINE_FILE = "projection_baseline.json"
REFERENCE_FILE = "projection_reference.parquet"
DRAWS_FILE = "projection_calibration_draws.parquet"
FEATURE_MODEL_FILE = "projection_feature_calibration.json"


WHAT = {
    BASELINE_FILE: "projection baseline",
    REFERENCE_FILE: "projection reference sample",
    DRAWS_FILE: "projection calibration draws",
    FEATURE_MODEL_FILE: "feature-aware calibration",
}


def write_document(baseline_dir: Path, document: dict) -> None:
    BaselineStore(baseline_dir).write_json(BASELINE_FILE, document)


def load_document(baseline_dir: Path) -> dict:
    return BaselineStore(baseline_dir).read_json(BASELINE_FILE, WHAT[BASELINE_FILE])


def stored_calibration(document: dict) -> CalibrationMap:
    """The score calibration map the baseline fitted (unweighted)."""
    return CalibrationMap.from_json(document["calibration"], source=BASELINE_FILE)


def write_draws(baseline_dir: Path, draws: np.ndarray) -> None:
    table = pa.table({f"draw_{b:04d}": draws[b] for b in range(len(draws))})
    BaselineStore(baseline_dir).write_table(DRAWS_FILE, table)


def load_draws(baseline_dir: Path) -> np.ndarray:
    """The bootstrap maps on ``GRID``: (resamples, GRID.size), probabilities."""
    store = BaselineStore(baseline_dir)
    table = store.read_table(DRAWS_FILE, WHAT[DRAWS_FILE])
    if table.num_rows != GRID.size or table.num_columns < 2:
        raise store.invalid(
            DRAWS_FILE,
            WHAT[DRAWS_FILE],
            f"are {table.num_rows} x {table.num_columns}, expected {GRID.size} rows and at "
            f"least 2 draw columns",
        )
    draws = np.vstack([column.to_numpy() for column in table.columns]).astype(np.float64)
    if np.any(np.isnan(draws)) or np.any((draws < 0) | (draws > 1)):
        raise store.invalid(DRAWS_FILE, WHAT[DRAWS_FILE], "must be probabilities in [0, 1]")
    return draws


def write_feature_calibrator(baseline_dir: Path, calibrator: FeatureCalibrator) -> None:
    """Compact JSON: the trees are a model, not something to read, and indenting would more
    than double the file."""
    BaselineStore(baseline_dir).write_json(FEATURE_MODEL_FILE, calibrator.to_json(), indent=None)


def load_feature_calibrator(baseline_dir: Path, schema: ColumnSchema) -> FeatureCalibrator:
    """The feature-aware model, refused if it was fitted on other features than the schema's."""
    store = BaselineStore(baseline_dir)
    raw = store.read_json(FEATURE_MODEL_FILE, WHAT[FEATURE_MODEL_FILE])
    calibrator = FeatureCalibrator.from_json(raw, source=str(store.path(FEATURE_MODEL_FILE)))
    stored = {*calibrator.encoding.numeric_fill, *calibrator.encoding.categories}
    if stored != set(schema.feature_names):
        raise store.invalid(
            FEATURE_MODEL_FILE,
            WHAT[FEATURE_MODEL_FILE],
            f"fitted on features {sorted(stored)}, but schema.json now has "
            f"{sorted(schema.feature_names)}",
        )
    return calibrator


def write_reference(baseline_dir: Path, table: pa.Table) -> None:
    BaselineStore(baseline_dir).write_table(REFERENCE_FILE, table)


def load_reference(baseline_dir: Path, window: Dataset) -> Dataset:
    """The reference sample as a window of ``window``'s schema (which it must cover)."""
    store = BaselineStore(baseline_dir)
    table = store.read_table(REFERENCE_FILE, WHAT[REFERENCE_FILE])
    missing = [f for f in window.schema.feature_names if f not in table.column_names]
    if missing:
        raise store.invalid(
            REFERENCE_FILE,
            WHAT[REFERENCE_FILE],
            f"lacks features {missing} of the current schema.json",
        )
    return Dataset(schema=window.schema, table=table, n_rows=table.num_rows)
