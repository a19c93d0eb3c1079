"""The projection's user-editable settings (constraints.json → ``projection_settings``)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from drift_monitor.errors import InputError
from drift_monitor.projection.calibration import CANDIDATES

SETTINGS_KEY = "projection_settings"
SHIFT_CORRECTIONS = ("none", "importance_weighting")
FEATURE_CALIBRATION = ("auto", "always", "never")


@dataclass(frozen=True)
class ProjectionSettings:
    """User-editable settings, stored in constraints.json under ``projection_settings``."""

    min_rows: int = 100  # rows with an output needed to project
    min_baseline_labeled_rows: int = 200  # labelled baseline rows needed to calibrate
    confidence_level: float = 0.95
    shift_correction: str = "none"
    calibration: str = "isotonic"  # or identity / platt / bagged_isotonic / auto
    feature_calibration: str = "auto"  # auto: if it wins out of fold on the baseline
    feature_calibration_alpha: float = 0.01  # ... significantly (one-sided paired t-test)
    min_feature_calibration_rows: int = 1000  # labelled baseline rows it needs
    feature_calibration_rows: int = 10000  # window rows the feature-aware model scores
    reliability_alpha: float = 0.01  # significance of the measured-vs-projected test
    reliability_min_gap: float = 0.02  # and the gap it must reach (accuracy points):
    # at 1M labelled rows a 0.3-point gap is
    # "significant" but no reason to distrust
    min_labeled_rows_for_reliability: int = 100
    bootstrap_resamples: int = 200
    domain_classifier_rows: int = 5000  # subsample per side for the domain classifier
    reference_rows: int = 20000  # baseline rows kept in projection_reference
    seed: int = 0

    @classmethod
    def from_constraints(cls, constraints: dict) -> ProjectionSettings:
        """The settings in ``constraints``, defaults for the missing ones; a clear error for
        an unknown key, a value of the wrong type or one out of range."""
        raw = constraints.get(SETTINGS_KEY) or {}
        if not isinstance(raw, dict):
            raise InputError(f"constraints.json: {SETTINGS_KEY} must be an object")
        settings = cls(**_coerce(raw, asdict(cls())))
        problem = _first_problem(settings)
        if problem is not None:
            raise InputError(f"constraints.json: {SETTINGS_KEY}{problem}")
        return settings


def _coerce(raw: dict, defaults: dict) -> dict:
    """``raw`` over ``defaults``, each value converted to its default's type."""
    unknown = sorted(set(raw) - set(defaults))
    if unknown:
        raise InputError(f"constraints.json: {SETTINGS_KEY} has unknown keys {unknown}")
    values = dict(defaults)
    for key, value in raw.items():
        kind = type(defaults[key])
        try:
            values[key] = kind(value)
        except (TypeError, ValueError) as exc:
            raise InputError(
                f"constraints.json: {SETTINGS_KEY}.{key}: expected {kind.__name__}, got {value!r}"
            ) from exc
    return values


def _first_problem(settings: ProjectionSettings) -> str | None:
    """The first violated rule's message (appended to ``constraints.json: projection_settings``),
    in a fixed order so the same bad file always gets the same error."""
    counts = (
        settings.min_rows,
        settings.bootstrap_resamples,
        settings.reference_rows,
        settings.domain_classifier_rows,
        settings.min_baseline_labeled_rows,
        settings.feature_calibration_rows,
        settings.min_feature_calibration_rows,
    )
    rules = (
        (
            settings.calibration in (*CANDIDATES, "auto"),
            f".calibration must be one of {(*CANDIDATES, 'auto')}",
        ),
        (
            settings.feature_calibration in FEATURE_CALIBRATION,
            f".feature_calibration must be one of {FEATURE_CALIBRATION}",
        ),
        (
            settings.shift_correction in SHIFT_CORRECTIONS,
            f".shift_correction must be one of {SHIFT_CORRECTIONS}",
        ),
        (
            0 < settings.feature_calibration_alpha < 1,
            ".feature_calibration_alpha must be in (0, 1)",
        ),
        (0 <= settings.reliability_min_gap < 1, ".reliability_min_gap must be in [0, 1)"),
        (
            0.5 <= settings.confidence_level < 1 and 0 < settings.reliability_alpha < 1,
            ": confidence_level must be in [0.5, 1) and reliability_alpha in (0, 1)",
        ),
        (min(counts) >= 1, ": row counts and bootstrap_resamples must be positive"),
    )
    return next((message for holds, message in rules if not holds), None)
