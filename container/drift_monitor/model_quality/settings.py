"""Model-quality settings and names: what constraints.json holds for this section."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from drift_monitor.errors import InputError

CONSTRAINTS_KEY = "binary_classification_constraints"
SETTINGS_KEY = "model_quality_settings"
SUPPORTED_METRICS = ("accuracy", "precision", "recall", "f1", "auc")
OPERATORS = ("LessThanThreshold", "GreaterThanThreshold")


@dataclass(frozen=True)
class QualitySettings:
    """User-editable settings, stored in constraints.json under ``model_quality_settings``."""

    min_labeled_rows: int = 100  # below this: status insufficient_data, no verdict
    confidence_level: float = 0.95  # two-sided level of every interval
    accuracy_tolerance: float = 0.05  # threshold = baseline accuracy - tolerance
    bootstrap_resamples: int = 2000  # F1 bootstrap (multinomial, O(resamples))
    seed: int = 0

    @classmethod
    def from_constraints(cls, constraints: dict) -> QualitySettings:
        raw = constraints.get(SETTINGS_KEY) or {}
        if not isinstance(raw, dict):
            raise InputError(f"constraints.json: {SETTINGS_KEY} must be an object")
        known = {k: raw[k] for k in asdict(cls()) if k in raw}
        try:
            settings = cls(
                min_labeled_rows=int(known.get("min_labeled_rows", cls.min_labeled_rows)),
                confidence_level=float(known.get("confidence_level", cls.confidence_level)),
                accuracy_tolerance=float(known.get("accuracy_tolerance", cls.accuracy_tolerance)),
                bootstrap_resamples=int(known.get("bootstrap_resamples", cls.bootstrap_resamples)),
                seed=int(known.get("seed", cls.seed)),
            )
        except (TypeError, ValueError) as exc:
            raise InputError(f"constraints.json: {SETTINGS_KEY}: {exc}") from exc
        if settings.min_labeled_rows < 1:
            raise InputError(f"constraints.json: {SETTINGS_KEY}.min_labeled_rows must be >= 1")
        if not 0.5 <= settings.confidence_level < 1.0:
            raise InputError(
                f"constraints.json: {SETTINGS_KEY}.confidence_level must be in "
                f"[0.5, 1), got {settings.confidence_level}"
            )
        if not 0.0 <= settings.accuracy_tolerance < 1.0:
            raise InputError(
                f"constraints.json: {SETTINGS_KEY}.accuracy_tolerance must be in "
                f"[0, 1), got {settings.accuracy_tolerance}"
            )
        if settings.bootstrap_resamples < 100:
            raise InputError(f"constraints.json: {SETTINGS_KEY}.bootstrap_resamples must be >= 100")
        return settings
