"""``baseline``: profile a labelled reference dataset and write a self-contained baseline folder.

Output: statistics.json and constraints.json (Model Monitor data-quality schema, plus each
section's constraint keys), every section's artefacts (JSON/Parquet), and a copy of
schema.json, so the folder can be uploaded as ``baselines/{endpoint}/`` as is.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np

from column_schema import ColumnSchema, load_schema
from drift_monitor.baseline_store import (
    CONSTRAINTS_FILE,
    SCHEMA_FILE,
    STATISTICS_FILE,
    BaselineStore,
)
from drift_monitor.config import Config
from drift_monitor.constraints import deep_merge
from drift_monitor.data_quality import profile
from drift_monitor.dataset import Dataset
from drift_monitor.errors import InputError
from drift_monitor.readers import read_dataset
from drift_monitor.registry import default_sections
from drift_monitor.role_columns import check_roles
from drift_monitor.sections import Section
from drift_monitor.steps import run_step

MAX_UNPARSEABLE_SHARE = 0.01


def _schema(config: Config) -> tuple[ColumnSchema, Path]:
    path = config.schema_path
    if path is None:
        candidate = (
            config.dataset_source
            if config.dataset_source.is_dir()
            else config.dataset_source.parent
        ) / "schema.json"
        if not candidate.is_file():
            raise InputError(
                "baseline needs the column schema: pass --schema PATH (or set "
                f"schema_path); no schema.json next to {config.dataset_source}"
            )
        path = candidate
    return load_schema(path), path


def check_reference(reference: Dataset) -> None:
    """A baseline must be built from complete, parseable data: refuse otherwise."""
    source = reference.ingest.source
    if reference.n_rows == 0:
        raise InputError(f"{source}: the baseline dataset has no rows")
    if reference.ingest.missing_columns:
        raise InputError(
            f"{source}: the baseline dataset lacks the schema feature(s) "
            f"{reference.ingest.missing_columns}"
        )
    for name, bad in reference.ingest.unparseable.items():
        present = bad + int((~np.isnan(reference.numeric(name))).sum())
        if bad / max(present, 1) > MAX_UNPARSEABLE_SHARE:
            examples = reference.ingest.unparseable_examples.get(name)
            raise InputError(
                f"{source}: {bad} values of numerical feature {name!r} are not "
                f"numbers (e.g. {examples}); fix the data or the schema type"
            )


def run_baseline(config: Config, sections: list[Section] | None = None) -> str:
    schema, schema_path = _schema(config)
    reference = read_dataset(config.dataset_source, config.dataset_format, schema)
    check_reference(reference)
    warnings = check_roles(reference, "baseline")
    output = config.output_path
    output.mkdir(parents=True, exist_ok=True)
    constraints: dict = {}
    for section in sections if sections is not None else default_sections():
        fitted = run_step(section.name, config.threads, section.fit_baseline, reference, output)
        constraints = deep_merge(constraints, fitted or {})
    statistics = {
        "version": 0.0,
        "dataset": {"item_count": reference.n_rows},
        "features": profile(reference),
        "inferred": {
            "schema_source": str(schema_path),
            "dataset_format": config.dataset_format or "detected from file names",
            "ignored_columns": reference.ingest.extra_columns,
            "unparseable_values": reference.ingest.unparseable,
        },
    }
    store = BaselineStore(output)
    store.write_json(STATISTICS_FILE, statistics)
    store.write_json(CONSTRAINTS_FILE, constraints)
    if schema_path.resolve() != store.path(SCHEMA_FILE).resolve():
        shutil.copyfile(schema_path, store.path(SCHEMA_FILE))
    done = f"Completed: baseline of {reference.n_rows} rows written to {output}"
    return "; warning: ".join([done, *warnings])
