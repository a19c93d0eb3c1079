"""Build the merged dataset (docs/contracts.md "Merged dataset") incrementally as Arrow arrays.

Rows are buffered as Python tuples only up to ``chunk_rows`` and then turned into compact
Arrow record batches, so memory follows the size of the merged output, not of the input.
The label column is added at the end, once the ground truth has been read.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import IO

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from column_schema import ColumnSchema

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)
TIMESTAMP = pa.timestamp("ms", tz="UTC")


def merged_arrow_schema(schema: ColumnSchema) -> pa.Schema:
    """Column names and Arrow types of ``merged.parquet`` for a column schema."""
    fields = [
        pa.field("inference_id", pa.string(), nullable=False),
        pa.field("event_id", pa.string(), nullable=False),
        pa.field("inference_time", TIMESTAMP, nullable=False),
    ]
    fields += [
        pa.field(f.name, pa.float64() if f.is_numerical else pa.string()) for f in schema.features
    ]
    if schema.score:
        fields.append(pa.field(schema.score, pa.float64()))
    fields.append(pa.field(schema.prediction, pa.int64()))
    fields.append(pa.field(schema.label, pa.int64()))
    return pa.schema(fields)


def epoch_ms(moment: datetime) -> int:
    return (moment - _EPOCH) // _MS


class MergedTableBuilder:
    """Collects rows and produces the merged Arrow table."""

    def __init__(self, schema: ColumnSchema, chunk_rows: int = 65_536) -> None:
        self.schema = schema
        self.arrow_schema = merged_arrow_schema(schema)
        self._without_label = self.arrow_schema.remove(len(self.arrow_schema) - 1)
        # Rows (tuples in feature order) convert in one C-level pass as a struct array.
        self._feature_struct = pa.struct([self.arrow_schema.field(n) for n in schema.feature_names])
        self.chunk_rows = chunk_rows
        self._batches: list[pa.RecordBatch] = []
        self._reset()

    def _reset(self) -> None:
        self._ids: list[str] = []
        self._events: list[str] = []
        self._times: list[int] = []
        self._rows: list[tuple] = []
        self._scores: list[float | None] = []
        self._predictions: list[int] = []

    def add(
        self,
        row_id: str,
        event_id: str,
        time_ms: int,
        row: tuple,
        score: float | None,
        prediction: int,
    ) -> None:
        self._ids.append(row_id)
        self._events.append(event_id)
        self._times.append(time_ms)
        self._rows.append(row)
        self._scores.append(score)
        self._predictions.append(prediction)
        if len(self._ids) >= self.chunk_rows:
            self._flush()

    def _flush(self) -> None:
        if not self._ids:
            return
        arrays = [
            pa.array(self._ids, pa.string()),
            pa.array(self._events, pa.string()),
            pa.array(self._times, TIMESTAMP),
        ]
        arrays += pa.array(self._rows, self._feature_struct).flatten()
        if self.schema.score:
            arrays.append(pa.array(self._scores, pa.float64()))
        arrays.append(pa.array(self._predictions, pa.int64()))
        self._batches.append(pa.RecordBatch.from_arrays(arrays, schema=self._without_label))
        self._reset()

    def finish(self, labels: dict[str, int]) -> pa.Table:
        """The table with the label column joined on ``inference_id`` (null = no label)."""
        self._flush()
        table = pa.Table.from_batches(self._batches, schema=self._without_label)
        self._batches = []
        if labels and table.num_rows:
            keys = pa.array(list(labels), pa.string())
            values = pa.array(list(labels.values()), pa.int64())
            label = pc.take(values, pc.index_in(table["inference_id"], value_set=keys))
        else:
            label = pa.nulls(table.num_rows, pa.int64())
        return table.append_column(self.arrow_schema.field(self.schema.label), label)


def write_parquet(table: pa.Table, sink: IO[bytes]) -> None:
    """Serialise deterministically (same table, same bytes) so re-runs are byte-identical."""
    pq.write_table(table, sink, compression="snappy")
