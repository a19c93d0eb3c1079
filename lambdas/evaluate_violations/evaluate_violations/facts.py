"""The few numbers a reader needs, taken from the reports (summary first, metric groups second).

Kept apart from the policy so the reasons, the message and the metrics quote the same values.
"""

from __future__ import annotations

from dataclasses import dataclass

from evaluate_violations.config import (
    ENV_MAX_QUARANTINED_SHARE,
    MAX_TOP_DRIFTED_FEATURES,
    EvaluateConfig,
)
from evaluate_violations.models import FeatureDriftSummary, MergePayload, Violation
from evaluate_violations.reports import Reports
from monitoring_contract import CheckType, SectionName, SectionStatus

MAX_QUARANTINE_REASONS = 3


@dataclass(frozen=True)
class WindowFacts:
    row_count: int  # rows analysed
    labeled_row_count: int  # labelled rows the measured accuracy rests on
    label_coverage: float | None
    actual_accuracy: float | None
    actual_interval: tuple[float, float] | None
    actual_threshold: float | None
    projected_accuracy: float | None
    projected_interval: tuple[float, float] | None
    projected_threshold: float | None
    drifted_features: list[str] | None  # None = drift was not reported at all
    insufficient_sections: list[SectionName]
    no_label_sections: list[SectionName]
    section_notes: dict[SectionName, str]  # section → the container's reason for its status

    @property
    def top_drifted_features(self) -> list[str] | None:
        if self.drifted_features is None:
            return None
        return self.drifted_features[:MAX_TOP_DRIFTED_FEATURES]

    @property
    def drifted_feature_count(self) -> int:
        return len(self.drifted_features or [])


def window_facts(reports: Reports, merge: MergePayload) -> WindowFacts:
    summary = reports.statistics.summary
    quality = summary.model_quality
    projection = summary.projection
    drift = summary.feature_drift

    labeled = quality.labeled_count if quality and quality.labeled_count is not None else None
    labeled_row_count = labeled if labeled is not None else merge.labeled_row_count
    row_count = summary.item_count if summary.item_count is not None else merge.merged_row_count
    coverage = quality.label_coverage if quality else None
    if coverage is None and row_count > 0:
        coverage = labeled_row_count / row_count

    actual = quality.accuracy if quality else None
    if actual is None:
        actual = reports.fallback_accuracy("binary_classification_metrics")
    projected = projection.projected_accuracy if projection else None
    if projected is None:
        projected = reports.fallback_accuracy("projected_binary_classification_metrics")

    statuses = {name: section.status for name, section in summary.sections().items()}
    insufficient = [
        n for n, status in statuses.items() if status == SectionStatus.INSUFFICIENT_DATA
    ]
    no_labels = [n for n, status in statuses.items() if status == SectionStatus.NO_LABELS]

    return WindowFacts(
        row_count=row_count,
        labeled_row_count=labeled_row_count,
        label_coverage=coverage,
        actual_accuracy=actual,
        actual_interval=quality.accuracy_ci if quality else None,
        actual_threshold=quality.accuracy_threshold if quality else None,
        projected_accuracy=projected,
        projected_interval=projection.interval if projection else None,
        projected_threshold=projection.accuracy_threshold if projection else None,
        drifted_features=_drifted_features(reports, drift, insufficient),
        insufficient_sections=insufficient,
        no_label_sections=no_labels,
        section_notes={
            name: section.reason for name, section in summary.sections().items() if section.reason
        },
    )


def _drifted_features(
    reports: Reports, drift: FeatureDriftSummary | None, insufficient: list[SectionName]
) -> list[str] | None:
    """The container's ranked list; else the features of drift violations, in report order."""
    if SectionName.FEATURE_DRIFT in insufficient:
        return []
    if drift is not None and drift.drifted_features is not None:
        return list(drift.drifted_features)
    from_violations = list(
        dict.fromkeys(
            v.feature_name
            for v in reports.violations
            if v.constraint_check_type == CheckType.BASELINE_DRIFT and v.feature_name
        )
    )
    if from_violations or drift is not None:
        return from_violations
    return None


def capture_quality_violations(merge: MergePayload, config: EvaluateConfig) -> list[Violation]:
    """``capture_quality_check`` violations from the merge result (the container never sees
    the rejected records): the quarantined share above MAX_QUARANTINED_SHARE, and a re-run
    that merged fewer rows than the earlier merge of the window."""
    found = []
    read, rejected = merge.capture_record_count, merge.quarantined_record_count
    if read and merge.quarantined_share > config.max_quarantined_share:
        reasons = "; ".join(
            f"{r.count} x {r.reason}" for r in merge.quarantine_reasons[:MAX_QUARANTINE_REASONS]
        )
        found.append(
            Violation(
                feature_name="",
                constraint_check_type=CheckType.CAPTURE_QUALITY,
                description=(
                    f"{rejected} of {read} capture records quarantined "
                    f"({merge.quarantined_share:.1%} > {ENV_MAX_QUARANTINED_SHARE}="
                    f"{config.max_quarantined_share:g}); top reasons: {reasons or 'not reported'}"
                ),
                observed=merge.quarantined_share,
                threshold=config.max_quarantined_share,
                comparison_operator="GreaterThanThreshold",
            )
        )
    earlier = merge.superseded
    if earlier is not None:
        found.append(
            Violation(
                feature_name="",
                constraint_check_type=CheckType.CAPTURE_QUALITY,
                description=(
                    f"this re-run merged {merge.merged_row_count} rows, fewer than the "
                    f"{earlier.merged_row_count} of the earlier merge (run {earlier.run_id}, "
                    f"merged at {earlier.merged_at}); that merge and its report are kept at "
                    f"{earlier.kept_uri}"
                ),
                observed=float(merge.merged_row_count),
                threshold=float(earlier.merged_row_count),
                comparison_operator="LessThanThreshold",
            )
        )
    return found
