"""Reading a window's capture: the objects of the hour folders, and each parsed record kept once.

Both capture layouts (an endpoint's data capture here, a batch transform's manifests in
``merge_labels.batch_capture``) end in :class:`WindowRows`, so records are filtered to the
window and de-duplicated the same way whichever source they came from.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime

from capture_format import CaptureParser, CaptureRecord, RecordError
from merge_labels.manifest import MergeStats
from merge_labels.merged_table import MergedTableBuilder, epoch_ms
from merge_labels.quarantine import Quarantine
from merge_labels.s3io import S3Location, UnreadableObject, hour_prefix, list_keys, read_lines


class WindowRows:
    """Records into the merged table: inside ``[start, end)`` only, the first capture of a
    join key wins (later ones are counted in ``duplicate_capture_ids``)."""

    def __init__(
        self, start: datetime, end: datetime, builder: MergedTableBuilder, stats: MergeStats
    ) -> None:
        self.start, self.end = start, end
        self.builder, self.stats = builder, stats
        self.seen: set[str] = set()

    def take(self, record: CaptureRecord) -> bool:
        """Add the record's rows; False (and nothing added) when it is outside the window."""
        if not self.start <= record.inference_time < self.end:
            return False
        seen, add = self.seen, self.builder.add
        time_ms = epoch_ms(record.inference_time)
        scores: Sequence[float | None] = record.scores or [None] * len(record.rows)
        for row_id, row, score, prediction in zip(
            record.row_ids(), record.rows, scores, record.predictions, strict=True
        ):
            if row_id in seen:
                self.stats.duplicate_capture_ids.add(row_id)
                continue
            seen.add(row_id)
            add(row_id, record.event_id, time_ms, row, score, prediction)
        return True


def jsonl_objects(
    s3, root: S3Location, hours: list[datetime], stats: MergeStats
) -> Iterator[tuple[str, str]]:
    """(uri, key) of every ``.jsonl`` object in the hour folders; others are recorded."""
    for hour in hours:
        for key in list_keys(s3, hour_prefix(root, hour)):
            if key.endswith(".jsonl"):
                yield f"s3://{root.bucket}/{key}", key
            else:
                stats.skipped_objects.add(f"s3://{root.bucket}/{key}")


def object_lines(
    s3, bucket: str, key: str, uri: str, kind: str, quarantine: Quarantine | None, stats
) -> list[bytes]:
    """The object's lines (gzip and a UTF-8 byte-order mark handled by ``read_lines``).

    An object that is not JSON Lines text (corrupt gzip, another compression, binary bytes)
    gives no lines: it is quarantined as one item (line 0, its size in the reason) and counted
    as one record read and rejected, so merged + quarantined + outside the window == read.
    Late-label scans only count it (``labels_past_lag.malformed_lines``).
    """
    try:
        return read_lines(s3, bucket, key)
    except UnreadableObject as exc:
        if kind == "late" or quarantine is None:
            stats.late_malformed_lines += 1
            return []
        quarantine.add(kind, uri, 0, f"unreadable object ({exc.size} bytes): {exc}", b"")
        if kind == "capture":
            stats.capture_lines += 1
            stats.records_quarantined += 1
        else:
            stats.label_lines += 1
        return []


def read_endpoint_captures(
    s3,
    root: S3Location,
    hours: list[datetime],
    parser: CaptureParser,
    rows: WindowRows,
    stats: MergeStats,
    quarantine: Quarantine,
) -> None:
    """Parse the data-capture lines of an endpoint's hour folders into ``rows``.

    This is the hot loop of the merge (one iteration per captured request), so the counters
    are kept in locals and stored in ``stats`` at the end.
    """
    parse, take = parser.parse, rows.take
    lines = blank = outside = inside = rejected = 0
    for uri, key in jsonl_objects(s3, root, hours, stats):
        stats.capture_files.append(uri)
        for number, line in enumerate(
            object_lines(s3, root.bucket, key, uri, "capture", quarantine, stats), 1
        ):
            if not line or line.isspace():
                blank += 1
                continue
            lines += 1
            try:
                record = parse(line)
            except RecordError as exc:
                quarantine.add("capture", uri, number, str(exc), line)
                rejected += 1
                continue
            if take(record):
                inside += 1
            else:
                outside += 1
    stats.capture_lines += lines
    stats.blank_lines += blank
    stats.records_outside_window += outside
    stats.records_in_window += inside
    stats.records_quarantined += rejected
