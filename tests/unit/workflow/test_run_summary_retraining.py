"""The offline run's summary says what the retraining branch ended with."""

from __future__ import annotations

from workflow.offline.run import _retraining_line


def test_a_promotion_shows_the_decision_the_reason_and_the_package():
    line = _retraining_line(
        {
            "promotion": {
                "decision": "kept_champion",
                "reason": "accuracy +0.009 (95% CI -0.024 to +0.041)",
                "model_package_arn": "arn:aws:sagemaker:us-east-1:1:model-package/adult-income/1",
                "model_package_status": "Rejected",
            }
        }
    )
    assert line == (
        "retraining: kept_champion (accuracy +0.009 (95% CI -0.024 to +0.041)); "
        "package adult-income/1 Rejected"
    )


def test_a_skipped_branch_says_why_and_other_windows_say_nothing():
    busy = {"retraining_lock": {"acquired": False, "subject": "a: retrain skipped, busy"}}
    assert _retraining_line(busy) == "retraining: a: retrain skipped, busy"
    few = {"retraining_lock": {"acquired": True}, "dataset": {"enough": False, "subject": "few"}}
    assert _retraining_line(few) == "retraining: few"
    assert _retraining_line({"evaluation": {"decision": "notify"}}) is None
