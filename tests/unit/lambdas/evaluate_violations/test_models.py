"""The report models against the shared vocabulary (monitoring_contract)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from evaluate_violations.models import StatisticsSummary, Violation
from monitoring_contract import CheckType, SectionName, SectionStatus


def _violation(check: str) -> Violation:
    return Violation.model_validate(
        {"feature_name": "age", "constraint_check_type": check, "description": "d"}
    )


@pytest.mark.parametrize("check", list(CheckType))
def test_a_known_check_type_becomes_the_shared_enum(check):
    assert _violation(str(check)).constraint_check_type is check


@pytest.mark.parametrize("check", ["LessThanThreshold", "fairness_check_from_a_newer_container"])
def test_an_unknown_check_type_is_kept_as_text_not_rejected(check):
    parsed = _violation(check).constraint_check_type
    assert parsed == check and not isinstance(parsed, CheckType)


def test_an_empty_check_type_is_rejected():
    with pytest.raises(ValidationError, match="constraint_check_type"):
        _violation("")


def test_the_summary_has_one_field_per_section_and_typed_statuses():
    assert set(StatisticsSummary.model_fields) - {"item_count"} == set(SectionName)
    summary = StatisticsSummary.model_validate(
        {"projection": {"status": "no_labels"}, "data_quality": {"status": "ok"}}
    )
    assert list(summary.sections()) == [SectionName.DATA_QUALITY, SectionName.PROJECTION]
    assert summary.sections()[SectionName.PROJECTION].status is SectionStatus.NO_LABELS
    with pytest.raises(ValidationError, match=r"feature_drift\.status"):
        StatisticsSummary.model_validate({"feature_drift": {"status": "stale"}})
