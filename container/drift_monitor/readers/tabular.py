"""Read the merged dataset (Parquet or CSV with header; one file or a directory of files)."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from column_schema import ColumnSchema
from drift_monitor.dataset import METADATA_COLUMNS, Dataset, from_columns, from_table
from drift_monitor.errors import InputError

_SUFFIXES = {"parquet": (".parquet", ".pq"), "csv": (".csv",)}


def find_tabular_files(path: Path, kind: str) -> list[Path]:
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise InputError(f"{path}: dataset path does not exist")
    files = sorted(
        p
        for p in path.rglob("*")
        if p.is_file() and p.suffix.lower() in _SUFFIXES[kind] and not p.name.startswith(".")
    )
    if not files:
        raise InputError(
            f"{path}: no {kind} files ({', '.join(_SUFFIXES[kind])}) in the dataset directory"
        )
    return files


def _read_parquet(path: Path, schema: ColumnSchema) -> pa.Table:
    try:
        names = pq.read_schema(path).names
        categorical = [c for c in schema.categorical if c in names]
        return pq.read_table(path, read_dictionary=categorical)
    except (OSError, pa.ArrowException) as exc:
        raise InputError(f"{path}: not a readable Parquet file ({exc})") from exc


def _read_csv(path: Path, schema: ColumnSchema) -> pa.Table:
    # Categorical features are strings whatever they look like ("1", "2" are categories too);
    # numeric features are left to inference and parsed (with counting) in window.from_table.
    column_types = {c: pa.string() for c in schema.categorical}
    try:
        return pacsv.read_csv(
            path,
            convert_options=pacsv.ConvertOptions(
                column_types=column_types, strings_can_be_null=True, null_values=[""]
            ),
        )
    except (OSError, pa.ArrowException) as exc:
        raise InputError(f"{path}: not a readable CSV file with a header ({exc})") from exc


def read_tabular(files: list[Path], kind: str, schema: ColumnSchema, *, source: str) -> Dataset:
    if kind == "parquet" and len(files) == 1:
        return _read_parquet_columnwise(files[0], schema)
    reader = _read_parquet if kind == "parquet" else _read_csv
    tables = [reader(p, schema) for p in files]
    if len(tables) == 1:
        table = tables.pop()
    else:
        try:
            table = pa.concat_tables(tables, promote_options="permissive")
        except pa.ArrowException as exc:
            raise InputError(
                f"{source}: the {len(files)} files have incompatible columns ({exc})"
            ) from exc
        tables.clear()
    return from_table(table, schema, source=source)


# Columns read per Parquet call: Arrow decodes the columns of one call in parallel, so a few at
# a time read nearly as fast as the whole table, while at most this many raw columns wait
# to be converted (peak memory stays near one copy of the window).
COLUMNS_PER_READ = 4


def _read_parquet_columnwise(path: Path, schema: ColumnSchema) -> Dataset:
    """One Parquet file, a few columns at a time (each raw column is freed once converted)."""
    try:
        names = pq.read_schema(path).names
        handle = pq.ParquetFile(path, read_dictionary=[c for c in schema.categorical if c in names])
        n_rows = handle.metadata.num_rows
    except (OSError, pa.ArrowException) as exc:
        raise InputError(f"{path}: not a readable Parquet file ({exc})") from exc
    pending: dict[str, pa.ChunkedArray] = {}
    wanted = {*METADATA_COLUMNS, *schema.feature_names, schema.score, schema.prediction}
    unread = [c for c in names if c in wanted or c == schema.label]  # extra columns: never

    def load(name: str) -> pa.ChunkedArray:
        if name not in pending:
            # the requested column and the next unread ones (the file's order, usually the
            # order they are asked for)
            group = [name, *[c for c in unread if c != name][: COLUMNS_PER_READ - 1]]
            try:
                table = handle.read(columns=group)
            except (OSError, pa.ArrowException) as exc:
                raise InputError(f"{path}: column {name!r} is not readable ({exc})") from exc
            pending.update(zip(group, table.columns, strict=True))
            unread[:] = [c for c in unread if c not in pending]
        return pending.pop(name)

    return from_columns(names, load, n_rows, schema, source=str(path))
