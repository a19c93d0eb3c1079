"""The names both sides of the contract use: violation check types, sections, statuses."""

from __future__ import annotations

from enum import StrEnum


class CheckType(StrEnum):
    """``constraint_check_type`` of a violation (docs/contracts.md)."""

    # Model Monitor's own data-quality check types (same names, same meaning).
    DATA_TYPE = "data_type_check"
    COMPLETENESS = "completeness_check"
    BASELINE_DRIFT = "baseline_drift_check"
    MISSING_COLUMN = "missing_column_check"
    EXTRA_COLUMN = "extra_column_check"
    CATEGORICAL_VALUES = "categorical_values_check"
    # This project's checks.
    DATASET_DRIFT = "dataset_drift_check"
    MODEL_QUALITY = "model_quality_check"
    PROJECTED_ACCURACY = "projected_accuracy_check"
    PROJECTION_RELIABILITY = "projection_reliability_check"
    MODEL_OUTPUT_DRIFT = "model_output_drift_check"
    # Raised by the evaluate Lambda from the merge result, not by the container: too many
    # capture records quarantined, or a re-run that merged fewer rows than the earlier merge.
    CAPTURE_QUALITY = "capture_quality_check"


MODEL_MONITOR_CHECK_TYPES: tuple[CheckType, ...] = (
    CheckType.DATA_TYPE,
    CheckType.COMPLETENESS,
    CheckType.BASELINE_DRIFT,
    CheckType.MISSING_COLUMN,
    CheckType.EXTRA_COLUMN,
    CheckType.CATEGORICAL_VALUES,
)
OWN_CHECK_TYPES: tuple[CheckType, ...] = (
    CheckType.DATASET_DRIFT,
    CheckType.MODEL_QUALITY,
    CheckType.PROJECTED_ACCURACY,
    CheckType.PROJECTION_RELIABILITY,
    CheckType.MODEL_OUTPUT_DRIFT,
)
PIPELINE_CHECK_TYPES: tuple[CheckType, ...] = (CheckType.CAPTURE_QUALITY,)
KNOWN_CHECK_TYPES: tuple[CheckType, ...] = (
    MODEL_MONITOR_CHECK_TYPES + OWN_CHECK_TYPES + PIPELINE_CHECK_TYPES
)


class SectionName(StrEnum):
    """Keys of ``statistics.json`` → ``summary``, one per analysis section, in report order."""

    DATA_QUALITY = "data_quality"
    FEATURE_DRIFT = "feature_drift"
    DATASET_DRIFT = "dataset_drift"
    MODEL_QUALITY = "model_quality"
    PROJECTION = "projection"
    MODEL_OUTPUT_DRIFT = "model_output_drift"


class SectionStatus(StrEnum):
    """Whether a section could judge the window (not whether it found a problem)."""

    OK = "ok"
    INSUFFICIENT_DATA = "insufficient_data"
    NO_LABELS = "no_labels"
