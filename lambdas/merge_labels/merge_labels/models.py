"""Typed shapes of the invocation event and of the summary returned to the state machine.

The shapes are those of docs/contracts.md ("State machine execution input" and "MergeLabels").
Times stay strings here and are parsed by :mod:`merge_labels.window`, which gives errors that
name the offending field and value.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class ExecutionInput(BaseModel):
    """The state machine's execution input; every key is optional.

    Strict: an unknown key (a typo such as ``windowStart``) is an error, never ignored, and the
    types are exact JSON types (``force_retrain`` must be ``true``/``false``, not ``"yes"``).
    :mod:`merge_labels.inputs` turns the validation errors into messages that say what to send.
    """

    model_config = ConfigDict(extra="forbid", strict=True)

    endpoint_name: str | None = None
    variant_name: str | None = None
    window_start: str | None = None
    window_end: str | None = None
    force_retrain: bool = False


class MergeEvent(BaseModel):
    """What the MergeLabels task passes to the function."""

    model_config = ConfigDict(extra="ignore")

    input: ExecutionInput = Field(default_factory=ExecutionInput)
    execution_name: str = Field(min_length=1, max_length=256)
    execution_start_time: str = Field(min_length=1)


class WindowModel(BaseModel):
    start: str
    end: str
    slug: str


MergeOutcome = Literal["merged", "no_data", "nothing_mergeable"]


class QuarantineReason(BaseModel):
    kind: str  # capture | label
    reason: str  # the parser's reason, row/line positions blanked
    count: int


class SupersededMerge(BaseModel):
    """The earlier merge of this window that a smaller re-run replaced (kept, not deleted)."""

    run_id: str
    merged_at: str | None
    merged_row_count: int
    labeled_row_count: int | None
    kept_uri: str  # prefix: merged.parquet.kept, manifest.json, quarantine.jsonl, report/


class Alert(BaseModel):
    subject: str  # ASCII, at most 100 characters (SNS)
    message: str


class MergeResult(BaseModel):
    """The compact summary returned to the state machine (``$.merge``).

    ``*_uri`` ending in ``/`` is an S3 prefix, otherwise one object.
    """

    endpoint_name: str
    variant_name: str
    window: WindowModel  # the time interval [start, end) merged
    run_id: str
    merged_row_count: int  # rows in merged.parquet (one per model input row)
    labeled_row_count: int  # of those, rows whose label has arrived
    quarantined_line_count: int  # capture and label lines rejected (quarantine.jsonl)
    # Capture quality (docs/merge_labels.md "Capture quality"): records = non-blank capture
    # lines read; merged + quarantined + outside the window == read.
    capture_record_count: int
    quarantined_record_count: int  # capture records rejected
    quarantined_share: float  # quarantined_record_count / capture_record_count (0 when none)
    quarantine_reasons: list[QuarantineReason]  # top capture reasons, most frequent first
    outcome: MergeOutcome  # merged | no_data (nothing captured) | nothing_mergeable
    # A re-run that merged fewer rows than the earlier merge of the window kept that one under
    # merged/{endpoint}/{slug}/previous/{its run_id}/ (None: nothing was replaced).
    superseded: SupersededMerge | None
    alert: Alert | None  # subject and message of the nothing_mergeable notification
    merged_data_uri: str  # prefix holding only merged.parquet: the analysis job's input
    manifest_uri: str
    baseline_uri: str
    report_uri: str
    training_data_uri: str
    recent_data_uri: str
    model_output_uri: str
    force_retrain: bool
