"""Merge one window: read captures, join the ground truth, write Parquet + manifest to S3.

``merge_window`` is pure apart from the injected S3 client and clock: the same inputs and the
same ``now`` give byte-identical outputs, and a re-run of a window overwrites its objects.
Policy for repeated ids: the first capture of an id wins (later ones are counted as
duplicates); the last label of an id wins, in (upload hour, object key, line) order.
"""

from __future__ import annotations

import json
import logging
import tempfile
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import IO, Any

from botocore.exceptions import ClientError

from capture_format import CaptureParser, RecordError
from column_schema import ColumnSchema, SchemaError, parse_schema
from merge_labels import alert
from merge_labels.batch_capture import BATCH_FOLDER, read_batch_captures
from merge_labels.captures import WindowRows, jsonl_objects, object_lines, read_endpoint_captures
from merge_labels.config import MergeConfig
from merge_labels.errors import BaselineSchemaError
from merge_labels.labels import parse_label
from merge_labels.manifest import IdSample, MergeStats
from merge_labels.merged_table import MergedTableBuilder, write_parquet
from merge_labels.models import MergeEvent, MergeOutcome, MergeResult
from merge_labels.previous import keep_if_shrinking, read_earlier_manifest
from merge_labels.quarantine import Quarantine
from merge_labels.s3io import (
    S3Location,
    hour_floor,
    hours_between,
    parse_s3_uri,
)
from merge_labels.window import Target, iso, resolve_target

logger = logging.getLogger(__name__)

MERGED_DATA_FOLDER = "data"  # merged/{endpoint}/{slug}/data/merged.parquet


class Locations:
    """Every S3 location of one (endpoint, window), as in docs/contracts.md "S3 layout"."""

    def __init__(self, config: MergeConfig, target: Target) -> None:
        bucket, endpoint, slug = config.data_bucket, target.endpoint_name, target.window.slug
        self.bucket = bucket
        self.capture_root = parse_s3_uri(config.capture_s3_uri).child(
            f"{endpoint}/{target.variant_name}/"
        )
        # A batch transform job's DestinationS3Uri (merge_labels.batch_capture).
        self.batch_root = parse_s3_uri(config.capture_s3_uri).child(f"{endpoint}/{BATCH_FOLDER}/")
        self.ground_truth_root = parse_s3_uri(config.ground_truth_s3_uri).child(f"{endpoint}/")
        baselines = config.baseline_prefix
        self.schema = S3Location(bucket, f"{baselines}/{endpoint}/schema.json")
        # The window's folder holds the manifest and the quarantine; the dataset has its own
        # prefix inside it, so the Processing job that downloads that prefix gets only data.
        window_dir = S3Location(bucket, f"merged/{endpoint}/{slug}/")
        self.window_dir = window_dir
        self.merged_data = window_dir.child(f"{MERGED_DATA_FOLDER}/")
        self.merged = self.merged_data.child("merged.parquet")
        self.manifest = window_dir.child("manifest.json")
        self.quarantine = window_dir.child("quarantine.jsonl")
        # Before manifest version 2 the Parquet sat beside the manifest; a re-run removes it
        # so the retraining channel (all of merged/{endpoint}/) never reads a window twice.
        self.legacy_merged = window_dir.child("merged.parquet")
        self.baseline_uri = f"s3://{bucket}/{baselines}/{endpoint}/"
        self.report = S3Location(bucket, f"reports/{endpoint}/{slug}/")
        self.report_uri = self.report.uri
        self.training_data_uri = f"s3://{bucket}/training-data/{endpoint}/"
        self.recent_data_uri = f"s3://{bucket}/merged/{endpoint}/"
        self.model_output_uri = f"s3://{bucket}/models/{endpoint}/"


def load_baseline_schema(s3, location: S3Location) -> ColumnSchema:
    try:
        body = s3.get_object(Bucket=location.bucket, Key=location.key)["Body"].read()
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        raise BaselineSchemaError(
            f"{location.uri}: cannot read the column schema ({code}); "
            "upload schema.json next to the baseline"
        ) from exc
    try:
        return parse_schema(json.loads(body), source=location.uri)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BaselineSchemaError(f"{location.uri}: not valid JSON ({exc})") from exc
    except SchemaError as exc:
        raise BaselineSchemaError(str(exc)) from exc


def merge_window(
    event: MergeEvent | Mapping[str, Any], config: MergeConfig, s3, now: datetime
) -> dict[str, Any]:
    """Merge the event's window and return the state machine payload (docs/contracts.md)."""
    if not isinstance(event, MergeEvent):
        event = MergeEvent.model_validate(event)
    target = resolve_target(event, config)
    where = Locations(config, target)
    schema = load_baseline_schema(s3, where.schema)
    stats = MergeStats(target=target, config=config, now=now)
    quarantine = Quarantine()
    try:
        builder = MergedTableBuilder(schema)
        capture_ids = _read_captures(s3, where, target, schema, config, builder, stats, quarantine)
        labels = _read_labels(
            s3, where, target, config, now, capture_ids, stats, quarantine, schema.label_classes
        )
        del capture_ids
        table = builder.finish(labels)
        stats.rows = table.num_rows
        stats.labeled = table.num_rows - table[schema.label].null_count
        del labels
        # The Parquet file goes through local disk (Lambda's /tmp) and the upload is
        # streamed from there by put_object, so the merged output is not held twice in memory.
        with tempfile.TemporaryFile() as merged:
            write_parquet(table, merged)
            del table
            superseded = _publish(s3, where, merged, quarantine, stats)
        reasons = quarantine.top_reasons(kind="capture")
    finally:
        quarantine.close()
    outcome = _outcome(stats)
    logger.info(
        "merged window",
        extra={
            "window": target.window.slug,
            "rows": stats.rows,
            "labeled": stats.labeled,
            "quarantined": quarantine.count,
            "outcome": outcome,
        },
    )
    uris = {
        "report": where.report_uri,
        "manifest": where.manifest.uri,
        "quarantine": where.quarantine.uri,
    }
    return MergeResult(
        endpoint_name=target.endpoint_name,
        variant_name=target.variant_name,
        window=target.window.to_dict(),
        run_id=target.run_id,
        merged_row_count=stats.rows,
        labeled_row_count=stats.labeled,
        quarantined_line_count=quarantine.count,
        capture_record_count=stats.capture_lines,
        quarantined_record_count=stats.records_quarantined,
        quarantined_share=round(stats.quarantined_share(), 6),
        quarantine_reasons=reasons,
        outcome=outcome,
        superseded=_superseded_result(superseded),
        alert=(
            {
                "subject": alert.subject(target),
                "message": alert.message(target, stats, reasons, superseded, uris),
            }
            if outcome == "nothing_mergeable"
            else None
        ),
        merged_data_uri=where.merged_data.uri,
        manifest_uri=where.manifest.uri,
        baseline_uri=where.baseline_uri,
        report_uri=where.report_uri,
        training_data_uri=where.training_data_uri,
        recent_data_uri=where.recent_data_uri,
        model_output_uri=where.model_output_uri,
        force_retrain=target.force_retrain,
    ).model_dump(mode="json")


def _outcome(stats: MergeStats) -> MergeOutcome:
    """Rows merged, nothing captured, or records that were all rejected (a loud outcome)."""
    if stats.rows:
        return "merged"
    return "nothing_mergeable" if stats.records_quarantined else "no_data"


def _superseded_result(entry: dict[str, Any] | None) -> dict[str, Any] | None:
    if entry is None:
        return None
    keys = ("run_id", "merged_at", "merged_row_count", "labeled_row_count", "kept_uri")
    return {key: entry[key] for key in keys}


def _read_captures(
    s3,
    where: Locations,
    target: Target,
    schema: ColumnSchema,
    config: MergeConfig,
    builder: MergedTableBuilder,
    stats: MergeStats,
    quarantine: Quarantine,
) -> set[str]:
    """Parse the window's capture, from the layouts ``CAPTURE_SOURCE`` selects, into
    ``builder``; returns the join keys merged."""
    parser = CaptureParser(schema, config.output_row_separator)
    rows = WindowRows(target.window.start, target.window.end, builder, stats)
    hours = hours_between(target.window.start, target.window.end)
    if config.reads_endpoint_capture:
        read_endpoint_captures(s3, where.capture_root, hours, parser, rows, stats, quarantine)
    if config.reads_batch_transform_capture:
        read_batch_captures(s3, where.batch_root, hours, parser, rows, stats, quarantine)
    return rows.seen


def _read_labels(
    s3,
    where: Locations,
    target: Target,
    config: MergeConfig,
    now: datetime,
    capture_ids: set[str],
    stats: MergeStats,
    quarantine: Quarantine,
    classes: tuple[str, str] | None = None,
) -> dict[str, int]:
    """Labels for this window's ids from collection hours [window start, cutoff)."""
    window = target.window
    cutoff = min(now, window.end + timedelta(hours=config.label_lag_hours))
    stats.label_cutoff = cutoff
    labels: dict[str, int] = {}
    root = where.ground_truth_root
    for uri, key in jsonl_objects(s3, root, hours_between(window.start, cutoff), stats):
        stats.label_files.append(uri)
        file_lines = object_lines(s3, root.bucket, key, uri, "label", quarantine, stats)
        for number, line in enumerate(file_lines, 1):
            if not line or line.isspace():
                stats.blank_lines += 1
                continue
            stats.label_lines += 1
            try:
                row_id, label = parse_label(line, classes)
            except RecordError as exc:
                quarantine.add("label", uri, number, str(exc), line)
                continue
            if row_id not in capture_ids:
                stats.labels_without_capture.add(row_id)
                continue
            if row_id in labels:
                stats.duplicate_labels.add(row_id)
            labels[row_id] = label
    _count_late_labels(s3, root, cutoff, now, config, capture_ids, stats, classes)
    return labels


def _count_late_labels(
    s3,
    root: S3Location,
    cutoff: datetime,
    now: datetime,
    config: MergeConfig,
    capture_ids: set[str],
    stats: MergeStats,
    classes: tuple[str, str] | None = None,
) -> None:
    """Count (not use) labels for this window that arrived after the lag cutoff."""
    first = hour_floor(cutoff)
    if first < cutoff:
        first += timedelta(hours=1)  # the folder holding the cutoff was read in full
    stop = min(now, first + timedelta(hours=config.late_label_scan_hours))
    if stop <= first:  # the cutoff is "now": nothing can have arrived after it
        return
    late: IdSample = stats.labels_past_lag
    stats.late_scan = (first, stop)
    for uri, key in jsonl_objects(s3, root, hours_between(first, stop), stats):
        stats.late_label_files += 1
        for line in object_lines(s3, root.bucket, key, uri, "late", None, stats):
            if not line or line.isspace():
                continue
            try:
                row_id, _ = parse_label(line, classes)
            except RecordError:
                stats.late_malformed_lines += 1
                continue
            if row_id in capture_ids:
                late.add(row_id)
        logger.debug("scanned late labels", extra={"source": uri})


def _publish(
    s3, where: Locations, merged: IO[bytes], quarantine: Quarantine, stats: MergeStats
) -> dict[str, Any] | None:
    """Upload only after everything parsed: Parquet, then quarantine, manifest last.

    A re-run with fewer rows first keeps the earlier merge (merge_labels.previous); returns
    its manifest entry, else None.
    """
    earlier = read_earlier_manifest(s3, where.manifest)
    superseded = keep_if_shrinking(s3, earlier, where.window_dir, where.report, stats)
    merged.seek(0)
    s3.put_object(
        Bucket=where.bucket,
        Key=where.merged.key,
        Body=merged,
        ContentType="application/vnd.apache.parquet",
    )
    s3.delete_object(Bucket=where.bucket, Key=where.legacy_merged.key)
    if quarantine.count:
        s3.put_object(
            Bucket=where.bucket,
            Key=where.quarantine.key,
            Body=quarantine.payload(),
            ContentType="application/x-ndjson",
        )
    else:  # a stale quarantine of an earlier run of this window would now be misleading
        s3.delete_object(Bucket=where.bucket, Key=where.quarantine.key)
    manifest = stats.to_manifest(
        quarantine, where.merged.uri, where.quarantine.uri if quarantine.count else None
    )
    s3.put_object(
        Bucket=where.bucket,
        Key=where.manifest.key,
        Body=json.dumps(manifest, indent=2, sort_keys=False).encode("utf-8"),
        ContentType="application/json",
    )
    logger.debug("published", extra={"manifest": where.manifest.uri, "at": iso(stats.now)})
    return superseded
