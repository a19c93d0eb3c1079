"""Data quality: Model Monitor statistics/constraints per feature, and their violations.

Checks: missing/extra columns, data types (values that do not parse, non-integral values in
an Integral feature, negative values in a non-negative one, a column whose stored type
changed), completeness, and unseen categories. Completeness is tested, not just compared:
a feature is flagged only when its non-null share is below the constraint by more than
``completeness_tolerance`` AND a one-sided exact binomial test is significant after
Benjamini–Hochberg across features, so small windows do not alarm on noise.

``profile`` measures the window, ``checks`` measures each check, ``judge`` decides
completeness, ``section`` runs them; the HTML is :mod:`drift_monitor.report.data_quality`.
"""

from drift_monitor.data_quality.profile import (
    MAX_DOMAIN_SIZE,
    NumericFacts,
    numeric_profile,
    profile,
    string_profile,
    suggest_constraints,
)
from drift_monitor.data_quality.section import DataQualitySection

__all__ = [
    "MAX_DOMAIN_SIZE",
    "DataQualitySection",
    "NumericFacts",
    "numeric_profile",
    "profile",
    "string_profile",
    "suggest_constraints",
]
