"""One entry of ``constraint_violations.json``, as the container writes it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from monitoring_contract.vocabulary import CheckType


@dataclass(frozen=True)
class Violation:
    """Model Monitor's violation record; ``observed``/``threshold``/``comparison_operator``
    are written only when known (Model Monitor omits them too)."""

    feature_name: str
    constraint_check_type: CheckType
    description: str
    observed: float | None = None
    threshold: float | None = None
    comparison_operator: str | None = None

    def to_json(self) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "feature_name": self.feature_name,
            "constraint_check_type": str(self.constraint_check_type),
            "description": self.description,
        }
        for key in ("observed", "threshold", "comparison_operator"):
            value = getattr(self, key)
            if value is not None:
                entry[key] = value
        return entry
