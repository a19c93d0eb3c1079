"""Read raw SageMaker data-capture JSONL (Model Monitor's ``sagemakerCaptureJson`` format).

Walks ``{dataset_source}/**/*.jsonl`` (the ``{endpoint}/{variant}/yyyy/mm/dd/hh/`` tree) and
parses each line with :mod:`capture_format`, the parser the merge Lambda uses, so a plain
Model Monitor schedule and the pipeline accept and reject the same records: CSV, JSON and
BASE64 payloads, batched requests split into rows, outputs as scores or classes. Records with
``inferenceTime`` outside ``[start, end)`` are counted and skipped. There are no labels in
capture data. Lines that cannot be used are counted and reported with the parser's reason
(examples kept), never dropped silently. Files are decoded as the merge Lambda decodes
objects (:func:`capture_format.file_lines`): gzip by its magic bytes, a UTF-8 byte-order mark
stripped; a file that is not JSON Lines text (corrupt gzip, binary) counts as one malformed
record with its size and reason, instead of as lines of garbage.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pyarrow as pa

from capture_format import CaptureParser, CaptureRecord, FileError, RecordError, file_lines
from column_schema import ColumnSchema
from drift_monitor.dataset import Dataset, IngestReport, from_table
from drift_monitor.errors import InputError

_MAX_EXAMPLES = 5


def read_capture(
    root: Path, schema: ColumnSchema, *, start: datetime | None, end: datetime | None
) -> Dataset:
    if not root.exists():
        raise InputError(f"{root}: dataset_source does not exist")
    files = sorted(root.rglob("*.jsonl")) if root.is_dir() else [root]
    report = IngestReport(source=str(root))
    parser = CaptureParser(schema)
    rows = _Rows(features=[[] for _ in schema.feature_names])
    for path in files:
        for record in _records(path, parser, report):
            when = record.inference_time
            if (start and when < start) or (end and when >= end):
                report.records_outside_window += 1
                continue
            rows.add(record)
    return from_table(rows.table(schema), schema, source=str(root), ingest=report)


def _records(path: Path, parser: CaptureParser, report: IngestReport) -> Iterator[CaptureRecord]:
    """The parsed records of one file; unusable lines are counted (with a few examples)."""
    data = path.read_bytes()
    try:
        lines = file_lines(data)
    except FileError as exc:
        _malformed(report, f"{path}: unreadable file ({len(data)} bytes): {exc}")
        return
    for line_no, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            yield parser.parse(line)
        except RecordError as exc:
            _malformed(report, f"{path}:{line_no}: {exc}")


def _malformed(report: IngestReport, example: str) -> None:
    report.malformed_records += 1
    if len(report.malformed_examples) < _MAX_EXAMPLES:
        report.malformed_examples.append(example)


@dataclass
class _Rows:
    """The window's rows, column by column, as the records arrive."""

    features: list[list]
    scores: list[float] = field(default_factory=list)
    predictions: list[int] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    event_ids: list[str] = field(default_factory=list)
    times: list[datetime] = field(default_factory=list)

    def add(self, record: CaptureRecord) -> None:
        for row in record.rows:
            for column, value in zip(self.features, row, strict=True):
                column.append(value)
        self.ids.extend(record.row_ids())
        self.event_ids.extend([record.event_id] * len(record.rows))
        self.times.extend([record.inference_time] * len(record.rows))
        self.predictions.extend(record.predictions)
        if record.scores is not None:
            self.scores.extend(record.scores)

    def table(self, schema: ColumnSchema) -> pa.Table:
        columns: dict[str, pa.Array] = {
            "inference_id": pa.array(self.ids, pa.string()),
            "event_id": pa.array(self.event_ids, pa.string()),
            "inference_time": pa.array(self.times, pa.timestamp("ms", tz="UTC")),
        }
        for feature, values in zip(schema.features, self.features, strict=True):
            columns[feature.name] = pa.array(
                values, pa.float64() if feature.is_numerical else pa.string()
            )
        if schema.score:
            columns[schema.score] = pa.array(self.scores, pa.float64())
        columns[schema.prediction] = pa.array(self.predictions, pa.int64())
        return pa.table(columns)
