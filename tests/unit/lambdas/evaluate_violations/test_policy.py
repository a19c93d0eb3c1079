"""decide() alone: pure rules, no S3."""

from __future__ import annotations

from datetime import timedelta

import pytest

from evaluate_violations.config import EvaluateConfig
from evaluate_violations.cooldown import new_record
from evaluate_violations.facts import WindowFacts
from evaluate_violations.models import Violation
from evaluate_violations.policy import decide
from tests.unit.lambdas.evaluate_violations.conftest import (
    NOW,
    accuracy_violation,
    drift_violation,
    projected_violation,
)


def facts(labeled: int = 388, **overrides) -> WindowFacts:
    values = dict(
        row_count=812,
        labeled_row_count=labeled,
        label_coverage=labeled / 812,
        actual_accuracy=0.71,
        actual_interval=(0.66, 0.75),
        actual_threshold=0.8,
        projected_accuracy=0.74,
        projected_interval=(0.70, 0.78),
        projected_threshold=0.8,
        drifted_features=["age"],
        insufficient_sections=[],
        no_label_sections=[],
        section_notes={},
    )
    values.update(overrides)
    return WindowFacts(**values)


def verdict(violations, config=None, labeled=388, force=False, last=None, now=NOW, **fact_kw):
    return decide(
        violations=[Violation.model_validate(v) for v in violations],
        facts=facts(labeled, **fact_kw),
        config=config or EvaluateConfig.from_env({}),
        force_retrain=force,
        last_retrain=last,
        run_id="run-now",
        now=now,
    )


def test_label_gate_does_not_hold_back_the_projection():
    result = verdict([accuracy_violation(0.7), projected_violation(0.74)], labeled=20)
    assert result.decision == "retrain"
    assert result.reasons[0] == "projected_accuracy_check: accuracy 0.740 < 0.800"
    assert "MIN_LABELED_ROWS_FOR_RETRAIN=200" in result.reasons[1]


def test_gate_boundary_is_inclusive_of_the_minimum():
    assert verdict([accuracy_violation(0.7)], labeled=200).decision == "retrain"
    assert verdict([accuracy_violation(0.7)], labeled=199).decision == "notify"


def test_cooldown_boundary_ends_exactly_after_the_configured_hours():
    last = new_record("adult-income", "run-old", "slug", NOW, forced=False, reasons=[])
    at_end = NOW + timedelta(hours=24)
    assert (
        verdict([accuracy_violation(0.7)], last=last, now=at_end - timedelta(seconds=1)).decision
        == "notify"
    )
    assert verdict([accuracy_violation(0.7)], last=last, now=at_end).decision == "retrain"


def test_cooldown_does_not_touch_notifications():
    last = new_record("adult-income", "run-old", "slug", NOW, forced=False, reasons=[])
    result = verdict([drift_violation("age", 0.3)], last=last, now=NOW + timedelta(hours=1))
    assert result.decision == "notify"
    assert not any(r.startswith("cool-down") for r in result.reasons)
    assert result.cooldown_until is None


def test_retrain_list_can_include_drift():
    config = EvaluateConfig.from_env({"RETRAIN_ON": "baseline_drift_check"})
    assert verdict([drift_violation("age", 0.3)], config=config).decision == "retrain"
    assert verdict([accuracy_violation(0.7)], config=config).decision == "notify"


@pytest.mark.parametrize(
    "operator, sign", [("GreaterThanThreshold", ">"), ("LessThanOrEqualToThreshold", "<=")]
)
def test_reason_uses_the_reported_operator(operator, sign):
    violation = dict(
        accuracy_violation(0.7),
        feature_name="false_positive_rate",
        observed=0.3,
        threshold=0.2,
        comparison_operator=operator,
    )
    assert verdict([violation]).reasons[0] == (
        f"model_quality_check: false_positive_rate 0.300 {sign} 0.200 on 388 labelled rows"
    )


def test_violation_without_numbers_quotes_its_description():
    violation = {
        "feature_name": "__dataset__",
        "constraint_check_type": "dataset_drift_check",
        "description": "A classifier   tells current rows\nfrom baseline rows",
    }
    assert verdict([violation]).reasons[0] == (
        "dataset_drift_check: __dataset__ (A classifier tells current rows from baseline rows)"
    )


def test_features_are_listed_worst_first_and_capped():
    distances = {
        "fnlwgt": 0.15,
        "age": 1.78,
        "race": 0.11,
        "education": 0.33,
        "hours-per-week": 0.9,
        "gender": 0.12,
        "occupation": 0.2,
    }
    reason = verdict([drift_violation(f, d) for f, d in distances.items()]).reasons[0]
    assert reason == (
        "baseline_drift_check: age 1.780 > 0.100; hours-per-week 0.900 > 0.100; "
        "education 0.330 > 0.100; occupation 0.200 > 0.100; fnlwgt 0.150 > 0.100; "
        "and 2 more"
    )
