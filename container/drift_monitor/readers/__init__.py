"""Dataset readers: merged Parquet/CSV (file or directory) and raw data-capture JSONL."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from column_schema import ColumnSchema
from drift_monitor.dataset import Dataset
from drift_monitor.errors import InputError
from drift_monitor.readers.capture import read_capture
from drift_monitor.readers.tabular import find_tabular_files, read_tabular


def detect_format(path: Path) -> str:
    """Guess the format from file names when ``dataset_format`` is not set."""
    if path.is_file():
        suffix = path.suffix.lower()
    else:
        if not path.exists():
            raise InputError(f"{path}: dataset path does not exist")
        suffixes = {p.suffix.lower() for p in path.rglob("*") if p.is_file()}
        if ".jsonl" in suffixes:
            return "sagemakerCaptureJson"
        suffix = ".parquet" if ".parquet" in suffixes else ".csv" if ".csv" in suffixes else ""
    if suffix == ".jsonl":
        return "sagemakerCaptureJson"
    if suffix in (".parquet", ".pq"):
        return "parquet"
    if suffix == ".csv":
        return "csv"
    raise InputError(
        f"{path}: cannot tell the dataset format from the file names; set "
        'dataset_format, e.g. {"parquet": {}}'
    )


def read_dataset(
    path: Path,
    dataset_format: dict[str, Any],
    schema: ColumnSchema,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
) -> Dataset:
    """Read one window. Tabular data is taken as is (the merge Lambda already windowed it);
    capture JSONL is filtered to ``[start, end)`` by ``inferenceTime``."""
    kind = next(iter(dataset_format)) if dataset_format else detect_format(path)
    if kind == "sagemakerCaptureJson":
        return read_capture(path, schema, start=start, end=end)
    if kind == "csv":
        header = dataset_format.get("csv", {}).get("header", True) if dataset_format else True
        if str(header).lower() not in ("true", "1"):
            raise InputError(
                f"{path}: CSV without a header is not supported for the merged "
                'dataset; use {"csv": {"header": true}}'
            )
    files = find_tabular_files(path, kind)
    return read_tabular(files, kind, schema, source=str(path))


__all__ = ["detect_format", "read_dataset"]
