"""The projection's baseline artefacts: the one place they are named, written and read back.

``projection_baseline.json`` (calibration knots and quality, per-class precision, the
feature-calibration verdict), the bootstrap maps (Parquet, one column per draw on ``GRID``),
the feature-aware model (plain JSON trees) and a reference sample of baseline rows (Parquet).
Every read checks what it got, so a stale or foreign baseline fails with a clear error
instead of a wrong projection.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from column_schema import ColumnSchema
from drift_monitor.errors import InputError
from drift_monitor.projection.calibration import CalibrationMap
from drift_monitor.projection.estimators import GRID
from drift_monitor.projection.features import FeatureCalibrator
from drift_monitor.window import WindowData

BASELINE_FILE = "projection_baseline.json"
REFERENCE_FILE = "projection_reference.parquet"
DRAWS_FILE = "projection_calibration_draws.parquet"
FEATURE_MODEL_FILE = "projection_feature_calibration.json"


def write_document(baseline_dir: Path, document: dict) -> None:
    (baseline_dir / BASELINE_FILE).write_text(
        json.dumps(document, indent=2, allow_nan=False) + "\n", encoding="utf-8"
    )


def load_document(baseline_dir: Path) -> dict:
    return _load_json(baseline_dir / BASELINE_FILE)


def stored_calibration(document: dict) -> CalibrationMap:
    """The score calibration map the baseline fitted (unweighted)."""
    return CalibrationMap.from_json(document["calibration"], source=BASELINE_FILE)


def write_draws(baseline_dir: Path, draws: np.ndarray) -> None:
    pq.write_table(
        pa.table({f"draw_{b:04d}": draws[b] for b in range(len(draws))}),
        baseline_dir / DRAWS_FILE,
    )


def load_draws(baseline_dir: Path) -> np.ndarray:
    """The bootstrap maps on ``GRID``: (resamples, GRID.size), probabilities."""
    path = baseline_dir / DRAWS_FILE
    table = _read_parquet(path, "calibration draws")
    if table.num_rows != GRID.size or table.num_columns < 2:
        raise InputError(
            f"{path}: expected {GRID.size} rows and at least 2 draw columns, got "
            f"{table.num_rows} x {table.num_columns}; rebuild the baseline"
        )
    draws = np.vstack([column.to_numpy() for column in table.columns]).astype(np.float64)
    if np.any(np.isnan(draws)) or np.any((draws < 0) | (draws > 1)):
        raise InputError(f"{path}: calibration draws must be probabilities in [0, 1]")
    return draws


def write_feature_calibrator(baseline_dir: Path, calibrator: FeatureCalibrator) -> None:
    (baseline_dir / FEATURE_MODEL_FILE).write_text(
        json.dumps(calibrator.to_json(), allow_nan=False) + "\n", encoding="utf-8"
    )


def load_feature_calibrator(baseline_dir: Path, schema: ColumnSchema) -> FeatureCalibrator:
    """The feature-aware model, refused if it was fitted on other features than the schema's."""
    path = baseline_dir / FEATURE_MODEL_FILE
    calibrator = FeatureCalibrator.from_json(_load_json(path), source=str(path))
    stored = {*calibrator.encoding.numeric_fill, *calibrator.encoding.categories}
    if stored != set(schema.feature_names):
        raise InputError(
            f"{path}: fitted on features {sorted(stored)}, but schema.json now "
            f"has {sorted(schema.feature_names)}; rebuild the baseline"
        )
    return calibrator


def write_reference(baseline_dir: Path, table: pa.Table) -> None:
    pq.write_table(table, baseline_dir / REFERENCE_FILE)


def load_reference(baseline_dir: Path, window: WindowData) -> WindowData:
    """The reference sample as a window of ``window``'s schema (which it must cover)."""
    path = baseline_dir / REFERENCE_FILE
    table = _read_parquet(path, "projection reference sample")
    missing = [f for f in window.schema.feature_names if f not in table.column_names]
    if missing:
        raise InputError(
            f"{path}: the reference sample lacks features {missing}; rebuild the "
            f"baseline with the current schema.json"
        )
    return WindowData(schema=window.schema, table=table, n_rows=table.num_rows)


def _load_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InputError(
            f"{path}: projection baseline not found; run the baseline job "
            f"(python -m drift_monitor baseline) first"
        ) from exc
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: not readable as JSON ({exc})") from exc


def _read_parquet(path: Path, what: str) -> pa.Table:
    try:
        return pq.read_table(path)
    except FileNotFoundError as exc:
        raise InputError(f"{path}: {what} not found; run the baseline job first") from exc
    except (OSError, pa.ArrowInvalid) as exc:
        raise InputError(f"{path}: not readable as Parquet ({exc})") from exc
