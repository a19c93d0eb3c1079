"""The feature-drift baseline: per-feature bins and counts (JSON) and a numerical sample."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from column_schema import Feature
from drift_monitor import drift_tests
from drift_monitor.baseline_store import BaselineStore
from drift_monitor.dataset import Dataset

BASELINE_FILE = "feature_drift_baseline.json"
REFERENCE_FILE = "feature_drift_reference.parquet"
MAX_REFERENCE_ROWS = 50_000
N_BINS = 10
ARTEFACT_VERSION = 1
WHAT = "feature-drift baseline"
REFERENCE_WHAT = "feature-drift reference sample"


def numeric_entry(values: np.ndarray) -> dict[str, Any]:
    """Bins and counts of one numerical column (NaN = missing), as ``measure.numeric`` reads."""
    present = values[~np.isnan(values)]
    edges = drift_tests.quantile_edges(present, N_BINS)
    return {
        "type": "numerical",
        "n_present": int(present.size),
        "n_missing": int(values.size - present.size),
        "std": float(present.std()) if present.size else 0.0,
        "bin_edges": edges.tolist(),
        "bin_counts": drift_tests.bin_counts(present, edges).tolist(),
    }


def categorical_entry(values: pa.Array, counts: dict[str, int]) -> dict[str, Any]:
    """Category counts of one column (null = missing), as ``measure.categorical`` reads."""
    return {
        "type": "categorical",
        "n_present": len(values) - values.null_count,
        "n_missing": values.null_count,
        "counts": counts,
    }


def fit(reference: Dataset, baseline_dir: Path, seed: int) -> None:
    """Write the baseline document and the (at most MAX_REFERENCE_ROWS) numerical sample."""
    rng = np.random.default_rng(seed)
    features: dict[str, Any] = {}
    sample_columns: dict[str, np.ndarray] = {}
    rows = (
        np.sort(rng.choice(reference.n_rows, MAX_REFERENCE_ROWS, replace=False))
        if reference.n_rows > MAX_REFERENCE_ROWS
        else None
    )
    for feature in reference.schema.features:
        if feature.is_numerical:
            values = reference.numeric(feature.name)
            features[feature.name] = numeric_entry(values)
            sample_columns[feature.name] = values if rows is None else values[rows]
        else:
            features[feature.name] = categorical_entry(
                reference.categorical(feature.name), reference.category_counts(feature.name)
            )
    document = {
        "version": ARTEFACT_VERSION,
        "n_rows": reference.n_rows,
        "spread": "standard deviation of the baseline",
        "bins": f"{N_BINS} baseline-quantile bins, duplicate edges merged",
        "features": features,
    }
    store = BaselineStore(baseline_dir)
    store.write_json(BASELINE_FILE, document)
    store.write_table(
        REFERENCE_FILE, pa.table(sample_columns) if sample_columns else pa.table({"_": [0]})
    )


def load(store: BaselineStore) -> tuple[dict, pa.Table]:
    """The baseline document (checked to be this version's) and the reference sample."""
    document = store.read_json(BASELINE_FILE, WHAT)
    if document.get("version") != ARTEFACT_VERSION or not isinstance(
        document.get("features"), dict
    ):
        raise store.invalid(BASELINE_FILE, WHAT, f"is not a version-{ARTEFACT_VERSION} one")
    return document, store.read_table(REFERENCE_FILE, REFERENCE_WHAT)


def feature_baseline(store: BaselineStore, document: dict, feature: Feature) -> dict[str, Any]:
    """One feature's baseline entry, refused when absent or of another type than the schema's."""
    base = document["features"].get(feature.name)
    if base is None:
        raise store.invalid(
            BASELINE_FILE,
            WHAT,
            f"has no entry for feature {feature.name!r} (built for another schema)",
        )
    if base["type"] != feature.type:
        raise store.invalid(
            BASELINE_FILE,
            WHAT,
            f"has feature {feature.name!r} as {base['type']} but the schema as {feature.type}",
        )
    return base
