"""Pydantic shapes of what this function reads and returns (docs/contracts.md).

Input: the EvaluateViolations event and the MergeLabels payload inside it. Read from S3:
``constraint_violations.json`` and the ``summary`` object of ``statistics.json``.
Output: the EvaluateViolations result. Unknown keys in inputs are ignored (other stages may add
facts), but every key this function relies on is typed, so a wrong shape fails loudly.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from monitoring_contract import CheckType, SectionName, SectionStatus

Decision = Literal["retrain", "notify", "healthy"]


def _nan_to_none(value: Any) -> Any:
    """JSON writers spell a missing metric as NaN or "NaN"; treat both as absent."""
    if isinstance(value, str) and value.strip().lower() == "nan":
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


# --- event -------------------------------------------------------------------------------------


class Window(_Lenient):
    start: datetime
    end: datetime
    slug: str


class QuarantineReason(_Lenient):
    kind: str = "capture"
    reason: str
    count: int = Field(ge=0)


class SupersededMerge(_Lenient):
    """The earlier merge of the window a smaller re-run replaced (kept at ``kept_uri``)."""

    run_id: str
    merged_at: str | None = None
    merged_row_count: int = Field(ge=0)
    kept_uri: str


class MergePayload(_Lenient):
    """``$.merge``: what MergeLabels returns; only the keys used here are required."""

    endpoint_name: str = Field(min_length=1)
    variant_name: str | None = None
    window: Window
    run_id: str = Field(min_length=1)
    merged_row_count: int = Field(ge=0)  # rows in merged.parquet
    labeled_row_count: int = Field(ge=0)  # of those, rows whose label has arrived
    quarantined_line_count: int = Field(default=0, ge=0)
    # Capture quality (read by the capture_quality_check); absent in older payloads.
    capture_record_count: int = Field(default=0, ge=0)
    quarantined_record_count: int = Field(default=0, ge=0)
    quarantined_share: float = Field(default=0.0, ge=0, le=1)
    quarantine_reasons: list[QuarantineReason] = Field(default_factory=list)
    superseded: SupersededMerge | None = None
    report_uri: str = Field(pattern=r"^s3://[^/]+/.*$")
    force_retrain: bool = False


class EvaluateEvent(_Lenient):
    merge: MergePayload
    processing_job_name: str | None = None
    execution_arn: str | None = None  # $$.Execution.Id: console links in the message
    image_uri: str | None = None  # the analysis image the job ran (its digest is recorded)


# --- constraint_violations.json ------------------------------------------------------------------


class Violation(_Lenient):
    feature_name: str
    # A known type becomes a ``CheckType``; any other non-empty name is kept as a string, not
    # rejected: Model Monitor's model-quality monitor writes e.g. ``LessThanThreshold`` and a
    # newer container may add a check. The policy treats it as any type (NOTIFY_ON "*").
    constraint_check_type: CheckType | Annotated[str, Field(min_length=1)] = Field(
        union_mode="left_to_right"
    )
    description: str
    observed: float | None = None
    threshold: float | None = None
    comparison_operator: str | None = None  # model-quality: LessThanThreshold, ...

    _nan = field_validator("observed", "threshold", mode="before")(_nan_to_none)


class ViolationsReport(_Lenient):
    violations: list[Violation]


# --- statistics.json "summary" -----------------------------------------------------------------


class _Section(_Lenient):
    status: SectionStatus | None = None
    reason: str | None = None  # why the status is not "ok", when the container says


class FeatureDriftSummary(_Section):
    drifted_features: list[str] | None = None
    tested: int | None = None


class DatasetDriftSummary(_Section):
    auc: float | None = None
    auc_threshold: float | None = None
    p_value: float | None = None
    drifted: bool | None = None

    _nan = field_validator("auc", "auc_threshold", "p_value", mode="before")(_nan_to_none)


class ModelOutputDriftSummary(_Section):
    evaluated: bool | None = None  # false: disabled, or a baseline without model-output files
    drifted: bool | None = None
    drifted_outputs: list[str] | None = None  # "score", "prediction"


class ModelQualitySummary(_Section):
    labeled_count: int | None = Field(default=None, ge=0)
    label_coverage: float | None = None
    accuracy: float | None = None
    accuracy_ci: tuple[float, float] | None = None
    accuracy_threshold: float | None = None

    _nan = field_validator("label_coverage", "accuracy", "accuracy_threshold", mode="before")(
        _nan_to_none
    )


class ProjectionSummary(_Section):
    projected_accuracy: float | None = None
    interval: tuple[float, float] | None = None
    accuracy_threshold: float | None = None
    rests_on: str | None = None

    _nan = field_validator("projected_accuracy", "accuracy_threshold", mode="before")(_nan_to_none)


class StatisticsSummary(_Lenient):
    """``statistics.json`` → ``summary``; every key optional (contracts)."""

    item_count: int | None = None
    data_quality: _Section | None = None
    feature_drift: FeatureDriftSummary | None = None
    dataset_drift: DatasetDriftSummary | None = None
    model_quality: ModelQualitySummary | None = None
    projection: ProjectionSummary | None = None
    model_output_drift: ModelOutputDriftSummary | None = None

    def sections(self) -> dict[SectionName, _Section]:
        """Present sections by name, in the container's order."""
        named: dict[SectionName, _Section | None] = {
            name: getattr(self, name) for name in SectionName
        }
        return {name: section for name, section in named.items() if section is not None}


class MetricValue(_Lenient):
    """``{"value": float, "standard_deviation": float | "NaN"}`` (aws-contracts §3.8)."""

    value: float | None = None

    _nan = field_validator("value", mode="before")(_nan_to_none)


class MetricGroup(_Lenient):
    """A model-quality metric group; only ``accuracy`` is read here."""

    accuracy: MetricValue | None = None


class FeatureDrift(_Lenient):
    """One entry of ``drift.features``: what the trend page plots per feature and window."""

    name: str
    effect_size: float | None = None
    threshold: float | None = None
    drifted: bool | None = None
    severity: float | None = None

    _nan = field_validator("effect_size", "threshold", "severity", mode="before")(_nan_to_none)


class DriftDetails(_Lenient):
    features: list[FeatureDrift] = Field(default_factory=list)


class StatisticsReport(_Lenient):
    """The parts of ``statistics.json`` read here: the summary, the model-quality metric
    groups as a fallback when the summary lacks accuracy, and the per-feature drift scores
    (for the window record the trend page reads)."""

    summary: StatisticsSummary = Field(default_factory=StatisticsSummary)
    drift: DriftDetails | None = None
    binary_classification_metrics: MetricGroup | None = None
    projected_binary_classification_metrics: MetricGroup | None = None


# --- result ------------------------------------------------------------------------------------


class EvaluationResult(BaseModel):
    """``$.evaluation.Payload``: exactly the keys of the EvaluateViolations contract."""

    model_config = ConfigDict(extra="forbid")

    decision: Decision
    reasons: list[str]
    report_uri: str
    report_html_uri: str
    actual_accuracy: float | None
    projected_accuracy: float | None
    labeled_row_count: int  # labelled rows the measured accuracy rests on
    top_drifted_features: list[str] | None
    subject: str = Field(max_length=100)
    message: str
    # SNS MessageAttributes (endpoint, decision, severity, check_types) for filter policies
    message_attributes: dict[str, dict[str, str]] = Field(default_factory=dict)
    image_uri: str | None = None  # the analysis image that produced the reports
    image_digest: str | None = None  # None when it could not be resolved (provenance.json says why)
