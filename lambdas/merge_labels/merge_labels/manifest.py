"""Counters of one merge and the ``manifest.json`` they become (written next to the Parquet).

Every input line ends up in exactly one count: a merged row, a duplicate, outside the window,
quarantined, a blank line; every label in one of labeled / duplicate / without capture /
quarantined. Samples of ids are kept small so the manifest stays a few KB.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from merge_labels.config import MergeConfig
from merge_labels.quarantine import Quarantine
from merge_labels.window import Target, iso

SAMPLE_SIZE = 10
MANIFEST_VERSION = 2  # 2: merged_uri became merged_parquet_uri (data/ beside the manifest)
POLICY = {
    "duplicate_capture_ids": "first capture wins; later captures with the same id are "
    "counted here and not merged",
    "duplicate_labels": "last label wins, in (upload hour, object key, line) order",
    "join_key": "capture inferenceId, else eventId; batched requests use {id}:{row_index}",
    "labels_read_from": "ground-truth hour folders in [window start, min(now, window end + "
    "label_lag_hours))",
}


@dataclass
class IdSample:
    """A count of ids plus the first few of them."""

    count: int = 0
    sample: list[str] = field(default_factory=list)

    def add(self, item: str) -> None:
        self.count += 1
        if len(self.sample) < SAMPLE_SIZE:
            self.sample.append(item)

    def to_dict(self) -> dict[str, Any]:
        return {"count": self.count, "sample": list(self.sample)}


@dataclass
class MergeStats:
    target: Target
    config: MergeConfig
    now: datetime
    capture_files: list[str] = field(default_factory=list)
    label_files: list[str] = field(default_factory=list)
    batch_manifests: list[str] = field(default_factory=list)  # batch-transform capture
    skipped_objects: IdSample = field(default_factory=IdSample)
    capture_lines: int = 0
    label_lines: int = 0
    blank_lines: int = 0
    records_in_window: int = 0
    records_outside_window: int = 0
    records_quarantined: int = 0  # capture lines rejected (they are in quarantine.jsonl)
    duplicate_capture_ids: IdSample = field(default_factory=IdSample)
    duplicate_labels: IdSample = field(default_factory=IdSample)
    labels_without_capture: IdSample = field(default_factory=IdSample)
    labels_past_lag: IdSample = field(default_factory=IdSample)
    late_label_files: int = 0
    late_malformed_lines: int = 0
    late_scan: tuple[datetime, datetime] | None = None
    label_cutoff: datetime | None = None
    rows: int = 0
    labeled: int = 0
    # Earlier merges of this window whose data a smaller re-run replaced, oldest first; carried
    # over from the manifest being replaced (docs/merge_labels.md "Re-runs").
    superseded: list[dict[str, Any]] = field(default_factory=list)

    def quarantined_share(self) -> float:
        """Share of the capture records read that were quarantined (0 when none were read)."""
        return self.records_quarantined / self.capture_lines if self.capture_lines else 0.0

    def capture_quality(self, quarantine: Quarantine) -> dict[str, Any]:
        return {
            "records_read": self.capture_lines,
            "records_quarantined": self.records_quarantined,
            "quarantined_share": round(self.quarantined_share(), 6),
            "top_reasons": quarantine.top_reasons(kind="capture"),
            "label_top_reasons": quarantine.top_reasons(kind="label"),
        }

    def to_manifest(
        self, quarantine: Quarantine, merged_parquet_uri: str, quarantine_uri: str | None
    ) -> dict[str, Any]:
        target = self.target
        late_from, late_to = self.late_scan or (None, None)
        return {
            "manifest_version": MANIFEST_VERSION,
            "endpoint_name": target.endpoint_name,
            "variant_name": target.variant_name,
            "window": target.window.to_dict(),
            "run_id": target.run_id,
            "execution_name": target.execution_name,
            "merged_at": iso(self.now),
            "merged_parquet_uri": merged_parquet_uri,
            "quarantine_uri": quarantine_uri,
            "empty": self.rows == 0,
            "counts": {
                "capture_lines": self.capture_lines,
                "records_in_window": self.records_in_window,
                "records_outside_window": self.records_outside_window,
                "rows": self.rows,
                "labeled": self.labeled,
                "unlabeled": self.rows - self.labeled,
                "malformed_capture_lines": quarantine.by_kind.get("capture", 0),
                "label_lines": self.label_lines,
                "malformed_label_lines": quarantine.by_kind.get("label", 0),
                "quarantined_lines": quarantine.count,
                "blank_lines": self.blank_lines,
            },
            "duplicate_capture_ids": self.duplicate_capture_ids.to_dict(),
            "duplicate_labels": self.duplicate_labels.to_dict(),
            "labels_without_capture": self.labels_without_capture.to_dict(),
            "labels_past_lag": {
                **self.labels_past_lag.to_dict(),
                "scanned_hours": {
                    "from": iso(late_from) if late_from else None,
                    "to": iso(late_to) if late_to else None,
                },
                "files": self.late_label_files,
                "malformed_lines": self.late_malformed_lines,
            },
            "capture_quality": self.capture_quality(quarantine),
            "superseded": list(self.superseded),
            "label_cutoff": iso(self.label_cutoff) if self.label_cutoff else None,
            "files_read": {
                "capture": {"count": len(self.capture_files), "uris": self.capture_files},
                "ground_truth": {"count": len(self.label_files), "uris": self.label_files},
                "skipped_not_jsonl": self.skipped_objects.to_dict(),
                "batch_transform_manifests": {
                    "count": len(self.batch_manifests),
                    "uris": self.batch_manifests,
                },
            },
            "policy": POLICY,
            "config": self.config.to_dict(),
        }
