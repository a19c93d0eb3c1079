"""The sections ``baseline`` and ``monitor`` run, in order (report order follows this list)."""

from __future__ import annotations

from drift_monitor.sections import Section


def default_sections() -> list[Section]:
    from drift_monitor.data_quality import DataQualitySection
    from drift_monitor.dataset_drift import DatasetDriftSection
    from drift_monitor.feature_drift import FeatureDriftSection

    sections: list[Section] = [DataQualitySection(), FeatureDriftSection(), DatasetDriftSection()]
    from drift_monitor.model_output_drift import ModelOutputDriftSection
    from drift_monitor.model_quality import ModelQualitySection
    from drift_monitor.projection import ProjectionSection

    sections += [ModelQualitySection(), ProjectionSection(), ModelOutputDriftSection()]
    return sections
