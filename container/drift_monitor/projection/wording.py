"""What the projection says about itself: its method, what it rests on, why it cannot project.

Kept apart from the numbers so the sentences (read by people in statistics.json, the report
and the notifications) can be reviewed in one place.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from drift_monitor.projection.estimators import Projection
from drift_monitor.projection.settings import ProjectionSettings
from drift_monitor.projection.shift import ShiftEstimate
from monitoring_contract import SectionStatus

CONCEPT_DRIFT_CAVEAT = (
    "A projection from the model's outputs and the features cannot see concept drift: if the "
    "relation between features and label has changed, the projected accuracy is wrong while "
    "looking confident. Measured accuracy on labelled rows takes precedence wherever labels "
    "have arrived."
)
RELIABILITY_TEST = (
    "z-test: measured vs projected correct count on the labelled rows, "
    "variance = outcome noise + calibration bootstrap variance"
)


def score_method(calibration_method: str, weighted: bool, feature_aware: bool) -> str:
    return (
        "CBPE: mean calibrated probability of a correct prediction "
        f"({calibration_method} calibration of the score"
        f"{', importance-weighted' if weighted else ''}"
        f"{', adjusted by a feature-aware calibration' if feature_aware else ''}); "
        "parametric-bootstrap interval (calibration resampling + outcome noise), "
        "widened by the disagreement with the alternative estimates"
    )


def class_method(weighted: bool) -> str:
    return (
        "class-only: baseline accuracy within each predicted class"
        f"{' (importance-weighted)' if weighted else ''} x the "
        "window's predicted-class mix; parametric-bootstrap interval"
    )


def not_projectable(
    document: dict,
    scores: np.ndarray | None,
    predicted_positive: np.ndarray,
    settings: ProjectionSettings,
) -> tuple[SectionStatus, str] | None:
    """(status, sentence) when the window cannot be projected against this baseline."""
    n_rows = int(predicted_positive.size)
    if document.get("labeled_rows", 0) == 0:
        return (
            SectionStatus.NO_LABELS,
            "not projectable: the baseline has no labelled rows, so there "
            "is nothing to calibrate the model's outputs against",
        )
    if scores is not None and document.get("output_format") == "class":
        return (
            SectionStatus.INSUFFICIENT_DATA,
            "not projectable: the baseline was built for a "
            "class-only model; rebuild it with scores",
        )
    if scores is not None and "calibration" not in document:
        return (
            SectionStatus.INSUFFICIENT_DATA,
            f"not projectable: the baseline has {document['labeled_rows']} labelled rows,"
            f" fewer than the {settings.min_baseline_labeled_rows} needed to fit and "
            f"check a calibration",
        )
    if n_rows < settings.min_rows:
        return (
            SectionStatus.INSUFFICIENT_DATA,
            f"not projectable: {n_rows} rows with a model output, fewer than {settings.min_rows}",
        )
    if scores is None:
        return _unknown_class(document, predicted_positive)
    return None


def _unknown_class(
    document: dict, predicted_positive: np.ndarray
) -> tuple[SectionStatus, str] | None:
    precision = document.get("class_precision") or {}
    for name, present in (
        ("negative", bool(np.any(~predicted_positive))),
        ("positive", bool(np.any(predicted_positive))),
    ):
        if present and precision.get(name) is None:
            return (
                SectionStatus.INSUFFICIENT_DATA,
                f"not projectable: the window has {name} predictions but the "
                f"baseline's labelled rows have none, so their accuracy is unknown",
            )
    return None


def rests_on(
    document: dict,
    shift: ShiftEstimate | None,
    projection: Projection,
    settings: ProjectionSettings,
    class_only: bool,
) -> dict[str, Any]:
    """The facts the projection rests on, and one sentence saying them (``sentence``)."""
    facts: dict[str, Any] = {
        "rows": projection.n_rows,
        "baseline_labeled_rows": document["labeled_rows"],
    }
    if class_only:
        parts = [
            f"the baseline's per-predicted-class accuracy "
            f"({document['labeled_rows']} labelled rows) holding in this window"
        ]
    else:
        parts = _calibration_facts(document, projection, facts)
    if shift is not None:
        parts.append(_shift_facts(shift, settings, facts))
    else:
        facts["shift_correction"] = "none (too few rows for a domain classifier)"
    if projection.alternatives:
        facts["alternative_estimates"] = {
            name: round(value, 4) for name, value in projection.alternatives.items()
        }
        facts["sensitivity"] = round(projection.sensitivity, 4)
        parts.append(
            f"the alternative estimates ({', '.join(projection.alternatives)}) lie "
            f"up to {100 * projection.sensitivity:.1f} points away (in the "
            f"interval)"
        )
    parts.append(f"{projection.n_rows} rows")
    facts["sentence"] = "; ".join(parts) + "; blind to concept drift"
    return facts


def _calibration_facts(document: dict, projection: Projection, facts: dict) -> list[str]:
    """The calibration's quality and the feature-aware adjustment (into ``facts``); their
    parts of the sentence."""
    quality = document.get("calibration_quality") or {}
    facts.update(
        calibration_method=quality.get("method"),
        calibration_ece=quality.get("out_of_fold_ece"),
        calibration_brier=quality.get("out_of_fold_brier"),
    )
    parts = [
        f"{quality.get('method')} calibration on {document['labeled_rows']} "
        f"labelled baseline rows (out-of-fold ECE "
        f"{quality.get('out_of_fold_ece', math.nan):.3f})"
    ]
    verdict = document.get("feature_calibration") or {}
    score_only = projection.alternatives.get("score_only")
    facts["feature_calibration"] = {
        key: verdict.get(key)
        for key in ("out_of_fold_brier_feature_aware", "out_of_fold_brier_score_only", "reason")
    }
    facts["feature_calibration"]["used"] = score_only is not None
    if score_only is not None:
        adjustment = projection.accuracy - score_only
        facts["feature_calibration"]["adjustment"] = round(adjustment, 4)
        parts.append(
            f"a feature-aware calibration (out-of-fold Brier "
            f"{verdict.get('out_of_fold_brier_feature_aware', math.nan):.4f} vs "
            f"{verdict.get('out_of_fold_brier_score_only', math.nan):.4f} for "
            f"the score alone) moves the estimate by {100 * adjustment:+.1f} "
            f"points"
        )
    return parts


def _shift_facts(shift: ShiftEstimate, settings: ProjectionSettings, facts: dict) -> str:
    """The overlap with the baseline (into ``facts``); its part of the sentence."""
    ess_share = shift.effective_sample_size / max(shift.reference_rows_used, 1)
    facts.update(
        effective_sample_size=round(shift.effective_sample_size, 1),
        effective_sample_share=round(ess_share, 4),
        outside_support_share=round(shift.outside_support_share, 4),
        domain_classifier_auc=round(shift.domain_auc, 4),
        shift_correction=settings.shift_correction,
    )
    return (
        f"overlap with the baseline: effective sample size "
        f"{shift.effective_sample_size:.0f} of {shift.reference_rows_used} "
        f"({ess_share:.0%}), {shift.outside_support_share:.1%} of rows outside "
        f"the baseline's support"
    )


def projected_accuracy_description(
    projection: Projection, level: float, threshold: float, sentence: str
) -> str:
    return (
        f"projected accuracy {projection.accuracy:.3f} on {projection.n_rows} rows, "
        f"{level:.0%} interval [{projection.lower:.3f}, {projection.upper:.3f}] lies below "
        f"the threshold {threshold:.3f} ({sentence})"
    )


def reliability_description(
    labeled_rows: int,
    measured: float,
    projected: float,
    z: float,
    p_value: float,
    gap: float,
    settings: ProjectionSettings,
) -> str:
    return (
        f"the projection is no longer trustworthy: on {labeled_rows} labelled rows measured "
        f"accuracy {measured:.3f} vs projected {projected:.3f} (z = {z:.2f}, p = "
        f"{p_value:.2g} < {settings.reliability_alpha}, gap {gap:.3f} >= "
        f"{settings.reliability_min_gap}); concept drift or a calibration that no longer holds"
    )
