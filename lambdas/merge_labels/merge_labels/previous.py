"""Re-runs never replace a window's merged data with less of it silently.

Before a re-run publishes, the window's current ``manifest.json`` is read. When the re-run
merged fewer rows than it records, the earlier merge is copied, before anything is overwritten,
to ``merged/{endpoint}/{slug}/previous/{earlier run_id}/``:

* ``merged.parquet.kept`` (not ``*.parquet``: the retraining channel reads every ``*.parquet``
  under ``merged/{endpoint}/`` and must not read a window twice),
* ``manifest.json`` and, when there was one, ``quarantine.jsonl``,
* ``report/``: the objects of the window's report prefix (the analysis of the earlier data).

The new manifest lists every such earlier merge under ``superseded`` (carried over from the
manifest it replaces), and the merge result names the one this run replaced. A re-run with
the same or more rows copies nothing, so re-running an unchanged window stays byte-identical.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from botocore.exceptions import ClientError

from merge_labels.manifest import MergeStats
from merge_labels.s3io import S3Location, list_keys, parse_s3_uri
from merge_labels.window import iso

logger = logging.getLogger(__name__)

PREVIOUS_FOLDER = "previous"
KEPT_PARQUET = "merged.parquet.kept"


def read_earlier_manifest(s3, manifest: S3Location) -> dict[str, Any] | None:
    """The window's current manifest, or None when there is none (or it does not parse)."""
    try:
        body = s3.get_object(Bucket=manifest.bucket, Key=manifest.key)["Body"].read()
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code", "") in ("NoSuchKey", "404", "NotFound"):
            return None
        raise
    try:
        document = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        logger.warning("earlier manifest is not JSON; not compared", extra={"uri": manifest.uri})
        return None
    return document if isinstance(document, dict) else None


def earlier_rows(manifest: dict[str, Any]) -> int:
    rows = (manifest.get("counts") or {}).get("rows")
    return rows if isinstance(rows, int) else 0


def keep_if_shrinking(
    s3,
    earlier: dict[str, Any] | None,
    window_dir: S3Location,
    report: S3Location,
    stats: MergeStats,
) -> dict[str, Any] | None:
    """Carry the earlier ``superseded`` list over; keep the earlier merge if this one is smaller.

    Returns the manifest entry of the merge kept by this run, or None.
    """
    if earlier is None:
        return None
    carried = earlier.get("superseded")
    stats.superseded = (
        [e for e in carried if isinstance(e, dict)] if isinstance(carried, list) else []
    )
    if earlier_rows(earlier) <= stats.rows:
        return None
    entry = _keep(s3, earlier, window_dir, report, stats)
    stats.superseded.append(entry)
    return entry


def _keep(
    s3, earlier: dict[str, Any], window_dir: S3Location, report: S3Location, stats: MergeStats
) -> dict[str, Any]:
    run_id = str(earlier.get("run_id") or "unknown-run")
    kept = window_dir.child(f"{PREVIOUS_FOLDER}/{run_id}/")
    parquet_uri = earlier.get("merged_parquet_uri") or earlier.get("merged_uri")
    if isinstance(parquet_uri, str):
        _copy(s3, parse_s3_uri(parquet_uri), kept.child(KEPT_PARQUET))
    _copy(s3, window_dir.child("manifest.json"), kept.child("manifest.json"))
    quarantine_uri = earlier.get("quarantine_uri")
    if isinstance(quarantine_uri, str):
        _copy(s3, parse_s3_uri(quarantine_uri), kept.child("quarantine.jsonl"))
    report_objects = 0
    for key in list_keys(s3, report):
        _copy(s3, S3Location(report.bucket, key), kept.child("report/" + key[len(report.key) :]))
        report_objects += 1
    counts = earlier.get("counts") or {}
    entry = {
        "run_id": run_id,
        "execution_name": earlier.get("execution_name"),
        "merged_at": earlier.get("merged_at"),
        "merged_row_count": earlier_rows(earlier),
        "labeled_row_count": counts.get("labeled"),
        "kept_uri": kept.uri,
        "report_objects_kept": report_objects,
        "replaced_by_run_id": stats.target.run_id,
        "replaced_at": iso(stats.now),
        "replaced_with_row_count": stats.rows,
    }
    logger.warning("re-run merged fewer rows; earlier merge kept", extra=entry)
    return entry


def _copy(s3, source: S3Location, target: S3Location) -> None:
    try:
        s3.copy_object(
            Bucket=target.bucket,
            Key=target.key,
            CopySource={"Bucket": source.bucket, "Key": source.key},
        )
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code", "") not in ("NoSuchKey", "404", "NotFound"):
            raise
        logger.warning("earlier object missing; not kept", extra={"uri": source.uri})


def superseded_text(entry: dict[str, Any], report_uri: str, analysed_again: bool) -> str:
    """One sentence for people: what was replaced by what, and where the earlier data is."""
    report = (
        "the new analysis replaces its report (the earlier one is kept there under report/)"
        if analysed_again
        else f"its report at {report_uri} was not replaced (a copy is kept there under report/)"
    )
    return (
        f"this re-run merged {entry['replaced_with_row_count']} rows, fewer than the "
        f"{entry['merged_row_count']} of the earlier merge (run {entry['run_id']}, merged at "
        f"{entry['merged_at']}); that merge is kept at {entry['kept_uri']} and {report}"
    )
