"""The analysis job → EvaluateViolations contract, owned in one place.

The container writes ``constraint_violations.json`` and ``statistics.json``; the evaluate
Lambda reads them. Both import the vocabulary from here (check types, section names and
statuses, the violation record), so a new check or status cannot exist on one side only.
Standard library only: the Lambda layer and the analysis image both ship it.
"""

from monitoring_contract.violation import Violation
from monitoring_contract.vocabulary import (
    KNOWN_CHECK_TYPES,
    MODEL_MONITOR_CHECK_TYPES,
    OWN_CHECK_TYPES,
    PIPELINE_CHECK_TYPES,
    CheckType,
    SectionName,
    SectionStatus,
)

__all__ = [
    "KNOWN_CHECK_TYPES",
    "MODEL_MONITOR_CHECK_TYPES",
    "OWN_CHECK_TYPES",
    "PIPELINE_CHECK_TYPES",
    "CheckType",
    "SectionName",
    "SectionStatus",
    "Violation",
]
