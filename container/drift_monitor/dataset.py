"""The rows a job analyses, held column-wise on Arrow/NumPy: a window's merged dataset
(``monitor``) or the baseline's reference dataset (``baseline``). "Window" is the time interval
the rows come from (as in the Lambdas), never the rows themselves.

Every section reads the data through :class:`Dataset`, so the type normalisation (numeric
features as float64 with NaN for missing, categorical features as dictionary-encoded strings)
happens once, and whatever could not be normalised is recorded in :class:`IngestReport`
instead of being dropped silently.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from column_schema import ColumnSchema
from drift_monitor.counting import category_counts

if TYPE_CHECKING:
    import pandas

# Columns the merged dataset may carry besides features and the model's output roles.
METADATA_COLUMNS = ("inference_id", "event_id", "inference_time")


@dataclass
class IngestReport:
    """What the loader found while normalising the raw columns (read by data_quality)."""

    source: str = ""
    missing_columns: list[str] = field(default_factory=list)
    extra_columns: list[str] = field(default_factory=list)
    # feature -> Arrow type name as read, when it was not the expected one
    original_types: dict[str, str] = field(default_factory=dict)
    # feature -> number of present values that did not parse as a number
    unparseable: dict[str, int] = field(default_factory=dict)
    # feature -> up to 5 examples of such values
    unparseable_examples: dict[str, list[str]] = field(default_factory=dict)
    malformed_records: int = 0
    malformed_examples: list[str] = field(default_factory=list)
    records_outside_window: int = 0


@dataclass
class Dataset:
    """The analysed rows. ``table`` has the merged-dataset columns, already type-normalised."""

    schema: ColumnSchema
    table: pa.Table
    n_rows: int
    ingest: IngestReport = field(default_factory=IngestReport)

    def __post_init__(self) -> None:
        self._numeric_cache: dict[str, np.ndarray] = {}
        self._categorical_cache: dict[str, pa.Array] = {}
        self._counts_cache: dict[str, dict[str, int]] = {}

    # --- features -----------------------------------------------------------------------
    def numeric(self, name: str) -> np.ndarray:
        """float64 values of a column, NaN where missing (cached; do not modify in place)."""
        cached = self._numeric_cache.get(name)
        if cached is None:
            cached = _to_float64(self.table.column(name))
            self._numeric_cache[name] = cached
        return cached

    def categorical(self, name: str) -> pa.Array:
        """Dictionary-encoded string array, null = missing (cached)."""
        cached = self._categorical_cache.get(name)
        if cached is None:
            column = self.table.column(name)
            if not pa.types.is_dictionary(column.type):
                column = pc.dictionary_encode(column.cast(pa.string()))
            cached = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
            self._categorical_cache[name] = cached
        return cached

    def category_counts(self, name: str) -> dict[str, int]:
        """Counts of each present category of a column (counted once, then cached; a copy)."""
        cached = self._counts_cache.get(name)
        if cached is None:
            cached = category_counts(self.categorical(name))
            self._counts_cache[name] = cached
        return dict(cached)

    # --- model output and ground truth ----------------------------------------------------
    def scores(self) -> np.ndarray | None:
        """Positive-class probabilities; None when the model outputs only a class."""
        name = self.schema.score
        if name is None or name not in self.table.column_names:
            return None
        return self.numeric(name)

    def predictions(self) -> np.ndarray:
        """Predicted class as float64 0/1, NaN where missing; derived from the score if absent."""
        name = self.schema.prediction
        if name in self.table.column_names:
            return self.numeric(name)
        scores = self.scores()
        if scores is None:
            return np.full(self.n_rows, np.nan)
        positive = float(self.schema.positive_class)
        derived = np.where(scores >= self.schema.decision_threshold, positive, 1.0 - positive)
        derived[np.isnan(scores)] = np.nan
        return derived

    def labels(self) -> np.ndarray:
        """Ground truth as float64 0/1, NaN where the label has not arrived."""
        name = self.schema.label
        if name not in self.table.column_names:
            return np.full(self.n_rows, np.nan)
        return self.numeric(name)

    # --- model-based methods --------------------------------------------------------------
    def features_frame(self) -> pandas.DataFrame:
        """Features as a DataFrame (numeric float64, categorical pandas ``category``)."""
        import pandas as pd

        data = {}
        for feature in self.schema.features:
            if feature.is_numerical:
                data[feature.name] = self.numeric(feature.name)
            else:
                data[feature.name] = self.categorical(feature.name).to_pandas()
        return pd.DataFrame(data)


def _to_float64(column: pa.ChunkedArray | pa.Array) -> np.ndarray:
    if pa.types.is_dictionary(column.type):
        column = column.cast(column.type.value_type)
    if column.type != pa.float64():
        column = column.cast(pa.float64())
    # Arrow turns nulls of a float column into NaN.
    return np.asarray(
        column.to_numpy(zero_copy_only=False)
        if isinstance(column, pa.Array)
        else column.to_numpy(),
        dtype=np.float64,
    )


def from_table(
    table: pa.Table, schema: ColumnSchema, *, source: str = "", ingest: IngestReport | None = None
) -> Dataset:
    """Normalise a raw Arrow table into a :class:`Dataset` (see :func:`from_columns`)."""
    return from_columns(
        table.column_names, table.column, table.num_rows, schema, source=source, ingest=ingest
    )


def from_columns(
    names: list[str],
    load: Callable[[str], pa.ChunkedArray],
    n_rows: int,
    schema: ColumnSchema,
    *,
    source: str = "",
    ingest: IngestReport | None = None,
) -> Dataset:
    """Normalise raw columns (fetched one at a time with ``load``) into a :class:`Dataset`.

    Numeric features become float64 (strings are parsed; values that do not parse become
    missing and are counted); categorical features become dictionary-encoded strings;
    absent features become all-null columns and are listed as missing; unexpected columns
    are listed as extra and dropped. Loading column by column lets a reader free each raw
    column as soon as it is converted, so peak memory is one copy of the window, not two.
    """
    report = ingest or IngestReport()
    report.source = report.source or source
    expected = set(schema.feature_names)
    roles = {r for r in (schema.score, schema.prediction, schema.label) if r}
    report.extra_columns = [
        c for c in names if c not in expected and c not in roles and c not in METADATA_COLUMNS
    ]
    table = _LazyColumns(names, load)
    columns: dict[str, pa.ChunkedArray | pa.Array] = {}
    numeric: dict[str, np.ndarray] = {}
    for name in METADATA_COLUMNS:
        if name in names:
            columns[name] = table.column(name)
    for feature in schema.features:
        if feature.name not in names:
            report.missing_columns.append(feature.name)
            columns[feature.name] = pa.nulls(
                n_rows,
                pa.float64() if feature.is_numerical else pa.dictionary(pa.int32(), pa.string()),
            )
            continue
        column = table.column(feature.name)
        if feature.is_numerical:
            numeric[feature.name] = _to_float64(_normalise_numeric(feature.name, column, report))
            columns[feature.name] = _arrow_view(numeric[feature.name])
        else:
            columns[feature.name] = _normalise_categorical(feature.name, column, report)
    for role in (schema.score, schema.prediction, schema.label):
        if role and role in names:
            numeric[role] = _to_float64(_normalise_numeric(role, table.column(role), report))
            columns[role] = _arrow_view(numeric[role])
    normalised = pa.table(columns) if columns else pa.table({})
    window = Dataset(schema=schema, table=normalised, n_rows=n_rows, ingest=report)
    # The float64 arrays back the table's numeric columns (NaN = null): one copy, shared.
    window._numeric_cache.update(numeric)
    return window


def _arrow_view(values: np.ndarray) -> pa.Array:
    """A float64 Arrow array sharing ``values``' memory, with NaN marked null (no data copy)."""
    values = np.ascontiguousarray(values, dtype=np.float64)
    missing = np.isnan(values)
    n_missing = int(missing.sum())
    validity = pa.array(~missing).buffers()[1] if n_missing else None
    return pa.Array.from_buffers(
        pa.float64(), values.size, [validity, pa.py_buffer(values)], null_count=n_missing
    )


def _normalise_numeric(
    name: str, column: pa.ChunkedArray, report: IngestReport
) -> pa.ChunkedArray | pa.Array:
    ctype = column.type
    if pa.types.is_dictionary(ctype):
        column = column.cast(ctype.value_type)
        ctype = column.type
    if pa.types.is_floating(ctype) or pa.types.is_integer(ctype):
        return column.cast(pa.float64())
    if pa.types.is_boolean(ctype) or pa.types.is_decimal(ctype):
        report.original_types[name] = str(ctype)
        return column.cast(pa.float64())
    if pa.types.is_null(ctype):
        return pa.nulls(len(column), pa.float64())
    # Strings (or anything else): parse, count what does not parse.
    report.original_types[name] = str(ctype)
    as_text = pc.utf8_trim_whitespace(column.cast(pa.string()))
    empty = pc.equal(as_text, "")
    as_text = pc.if_else(empty, pa.scalar(None, pa.string()), as_text)
    try:
        return as_text.cast(pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass  # some values are not numbers: parse one by one to count and name them
    parsed = np.full(len(as_text), np.nan)
    text_values = as_text.to_numpy(zero_copy_only=False)
    bad_examples: list[str] = []
    bad = 0
    for index, value in enumerate(text_values):
        if value is None:
            continue
        try:
            parsed[index] = float(value)
        except ValueError:
            bad += 1
            if len(bad_examples) < 5:
                bad_examples.append(str(value)[:40])
    report.unparseable[name] = bad
    report.unparseable_examples[name] = bad_examples
    return pa.array(parsed, type=pa.float64(), from_pandas=True)


def _normalise_categorical(name: str, column: pa.ChunkedArray, report: IngestReport) -> pa.Array:
    ctype = column.type
    if pa.types.is_dictionary(ctype):
        if not pa.types.is_string(ctype.value_type) and not pa.types.is_large_string(
            ctype.value_type
        ):
            report.original_types[name] = str(ctype)
            column = column.cast(ctype.value_type).cast(pa.string())
            return pc.dictionary_encode(column).combine_chunks()
        return column.combine_chunks().cast(pa.dictionary(pa.int32(), pa.string()))
    if not (pa.types.is_string(ctype) or pa.types.is_large_string(ctype)):
        if not pa.types.is_null(ctype):
            report.original_types[name] = str(ctype)
        column = column.cast(pa.string())
    text = pc.utf8_trim_whitespace(column)
    text = pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)
    return pc.dictionary_encode(text).combine_chunks()


class _LazyColumns:
    def __init__(self, names: list[str], load: Callable[[str], pa.ChunkedArray]) -> None:
        self.column_names = names
        self._load = load

    def column(self, name: str) -> pa.ChunkedArray:
        return self._load(name)
