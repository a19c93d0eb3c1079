"""capture_quality_check: raised from the merge result, configured like any other type."""

from __future__ import annotations

import pytest

from evaluate_violations.config import ConfigError, EvaluateConfig
from evaluate_violations.evaluation import evaluate
from evaluate_violations.models import EvaluateEvent
from monitoring_contract import KNOWN_CHECK_TYPES, CheckType
from tests.unit.lambdas.evaluate_violations.conftest import (
    BUCKET,
    NOW,
    accuracy_violation,
    event,
    statistics,
    write_reports,
)

HALF_QUARANTINED = {
    "capture_record_count": 218,
    "quarantined_record_count": 114,
    "quarantined_share": 114 / 218,
    "quarantine_reasons": [
        {
            "kind": "capture",
            "reason": "endpointInput row N: expected 14 fields, got 15",
            "count": 110,
        },
        {"kind": "capture", "reason": "invalid JSON: oops", "count": 4},
    ],
}
KEPT = {
    "run_id": "adult-income-20261125t1300-00000000",
    "merged_at": "2026-11-25T14:06:00Z",
    "merged_row_count": 300,
    "labeled_row_count": 200,
    "kept_uri": f"s3://{BUCKET}/merged/adult-income/x/previous/adult-income-20261125t1300-00000000/",
}


def run(s3, config, **merge_overrides):
    return evaluate(
        EvaluateEvent.model_validate(event(**merge_overrides)), s3=s3, config=config, now=NOW
    ).result


def test_the_check_type_is_part_of_the_contract():
    assert CheckType.CAPTURE_QUALITY == "capture_quality_check"
    assert CheckType.CAPTURE_QUALITY in KNOWN_CHECK_TYPES


def test_a_large_quarantined_share_notifies_with_counts_and_reasons(s3, config):
    write_reports(s3, violations=[], stats=statistics(confusion=(170, 20, 22, 176)))
    result = run(s3, config, **HALF_QUARANTINED)
    assert result.decision == "notify"
    [reason] = [r for r in result.reasons if r.startswith("capture_quality_check:")]
    assert "114 of 218 capture records quarantined (52.3% > MAX_QUARANTINED_SHARE=0.05)" in reason
    assert "110 x endpointInput row N: expected 14 fields, got 15; 4 x invalid JSON" in reason
    assert reason in result.message
    assert "Quarantined:        114 of 218 capture records (52.3%)" in result.message


def test_a_share_at_the_threshold_is_healthy(s3):
    write_reports(s3, violations=[], stats=statistics(confusion=(170, 20, 22, 176)))
    config = EvaluateConfig.from_env({"DATA_BUCKET": BUCKET, "MAX_QUARANTINED_SHARE": "0.6"})
    result = run(s3, config, **HALF_QUARANTINED)
    assert result.decision == "healthy"
    assert not any("capture_quality_check" in r for r in result.reasons)


def test_the_check_can_be_ignored_or_left_without_action(s3):
    write_reports(s3, violations=[], stats=statistics(confusion=(170, 20, 22, 176)))
    ignoring = EvaluateConfig.from_env({"DATA_BUCKET": BUCKET, "IGNORE": "capture_quality_check"})
    result = run(s3, ignoring, **HALF_QUARANTINED)
    assert result.decision == "healthy"
    assert "capture_quality_check: 1 violation(s) ignored (IGNORE)" in result.reasons
    only_drift = EvaluateConfig.from_env(
        {"DATA_BUCKET": BUCKET, "NOTIFY_ON": "baseline_drift_check"}
    )
    assert run(s3, only_drift, **HALF_QUARANTINED).decision == "healthy"


def test_it_never_retrains_but_does_not_hide_a_retrain(s3, config):
    with pytest.raises(ConfigError, match="capture_quality_check cannot retrain"):
        EvaluateConfig.from_env({"RETRAIN_ON": "model_quality_check,capture_quality_check"})
    write_reports(s3, violations=[accuracy_violation(0.70)])
    result = run(s3, config, **HALF_QUARANTINED)
    assert result.decision == "retrain"
    assert any(r.startswith("capture_quality_check:") for r in result.reasons)


@pytest.mark.parametrize("value", ["-0.1", "1.5", "nan", "lots"])
def test_the_threshold_is_a_share(value):
    with pytest.raises(ConfigError, match="MAX_QUARANTINED_SHARE"):
        EvaluateConfig.from_env({"MAX_QUARANTINED_SHARE": value})


def test_the_default_threshold():
    assert EvaluateConfig.from_env({}).max_quarantined_share == 0.05


def test_a_smaller_rerun_is_reported_and_notifies(s3, config):
    write_reports(s3, violations=[], stats=statistics(confusion=(170, 20, 22, 176)))
    result = run(s3, config, merged_row_count=150, labeled_row_count=100, superseded=KEPT)
    assert result.decision == "notify"
    [reason] = [r for r in result.reasons if r.startswith("capture_quality_check:")]
    assert (
        "this re-run merged 150 rows, fewer than the 300 of the earlier merge "
        "(run adult-income-20261125t1300-00000000, merged at 2026-11-25T14:06:00Z)"
    ) in reason
    assert KEPT["kept_uri"] in result.message
