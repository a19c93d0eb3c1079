"""evaluate() against moto S3: the decisions, the label gate, the cool-down and forcing."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from evaluate_violations.config import EvaluateConfig
from evaluate_violations.evaluation import evaluate
from evaluate_violations.models import EvaluateEvent
from tests.unit.lambdas.evaluate_violations.conftest import (
    BUCKET,
    ENDPOINT,
    NOW,
    REPORT_URI,
    accuracy_violation,
    categorical_violation,
    drift_violation,
    event,
    projected_violation,
    statistics,
    write_reports,
)

STATE_KEY = f"state/{ENDPOINT}/retrain.json"


def run(s3, config, now=NOW, **merge_overrides):
    return evaluate(
        EvaluateEvent.model_validate(event(**merge_overrides)), s3=s3, config=config, now=now
    )


def state(s3) -> dict:
    return json.loads(s3.get_object(Bucket=BUCKET, Key=STATE_KEY)["Body"].read())


def has_state(s3) -> bool:
    return s3.list_objects_v2(Bucket=BUCKET, Prefix=STATE_KEY).get("KeyCount", 0) > 0


def test_empty_violations_is_healthy(s3, config):
    write_reports(s3, violations=[], stats=statistics(confusion=(170, 20, 22, 176)))
    evaluation = run(s3, config)
    result = evaluation.result
    assert result.decision == "healthy"
    assert result.reasons[0] == "no violations"
    assert result.actual_accuracy == pytest.approx(346 / 388, abs=1e-4)
    assert result.report_uri == REPORT_URI
    assert result.report_html_uri == REPORT_URI + "report.html"
    assert evaluation.violation_count == 0
    assert not has_state(s3)


def test_drift_only_notifies_and_names_the_features(s3, config):
    write_reports(
        s3,
        violations=[drift_violation("age", 0.23), drift_violation("hours-per-week", 0.17)],
        stats=statistics(
            confusion=(170, 20, 22, 176), projected=0.86, drifted=["age", "hours-per-week"]
        ),
    )
    evaluation = run(s3, config)
    result = evaluation.result
    assert result.decision == "notify"
    assert result.top_drifted_features == ["age", "hours-per-week"]
    assert "baseline_drift_check: age 0.230 > 0.100; hours-per-week 0.170 > 0.100" in result.reasons
    assert evaluation.violation_count == 2
    assert evaluation.drifted_feature_count == 2
    assert not has_state(s3)


def test_model_quality_with_enough_labels_retrains_and_records_the_claim(s3, config):
    write_reports(
        s3,
        violations=[accuracy_violation(0.7088), drift_violation("age", 0.23)],
        stats=statistics(drifted=["age"]),
    )
    result = run(s3, config).result
    assert result.decision == "retrain"
    assert result.reasons[0] == "model_quality_check: accuracy 0.709 < 0.800 on 388 labelled rows"
    assert result.labeled_row_count == 388
    assert result.actual_accuracy == pytest.approx(0.7088)
    assert result.projected_accuracy == pytest.approx(0.74)
    assert any(
        r.startswith("actual accuracy 0.709 [")
        and r.endswith("vs threshold 0.800 on 388 labelled rows")
        for r in result.reasons
    )
    assert "projected accuracy 0.740 [0.700, 0.780] vs threshold 0.800" in result.reasons
    record = state(s3)
    assert record["run_id"] == "adult-income-20261125t1300-1a2b3c4d"
    assert record["retrained_at"].startswith("2026-11-25T14:05:00")
    assert record["forced"] is False


def test_projected_accuracy_check_retrains_by_default(s3, config):
    write_reports(
        s3, violations=[projected_violation(0.74)], stats=statistics(confusion=None, projected=0.74)
    )
    result = run(s3, config, labeled_row_count=0).result
    assert result.decision == "retrain"
    assert result.actual_accuracy is None
    assert "model_quality: no labels in this window, not evaluated" in result.reasons


def test_too_few_labels_turn_model_quality_retrain_into_notify(s3, config):
    write_reports(
        s3, violations=[accuracy_violation(0.70)], stats=statistics(confusion=(60, 25, 20, 45))
    )  # 150 labelled rows
    result = run(s3, config, labeled_row_count=150).result
    assert result.decision == "notify"
    gate = [r for r in result.reasons if "MIN_LABELED_ROWS_FOR_RETRAIN=200" in r]
    assert gate == [
        "model_quality_check: accuracy 0.700 < 0.800 on 150 labelled rows; only 150 "
        "labelled rows < MIN_LABELED_ROWS_FOR_RETRAIN=200, so it notifies instead "
        "of retraining"
    ]
    assert not has_state(s3)


def test_gate_is_configurable(s3):
    write_reports(
        s3, violations=[accuracy_violation(0.70)], stats=statistics(confusion=(60, 25, 20, 45))
    )
    lenient = EvaluateConfig.from_env(
        {"DATA_BUCKET": BUCKET, "MIN_LABELED_ROWS_FOR_RETRAIN": "100"}
    )
    assert run(s3, lenient, labeled_row_count=150).result.decision == "retrain"


def test_cooldown_turns_a_second_retrain_into_notify_and_expires(s3, config):
    write_reports(s3, violations=[accuracy_violation(0.71)], stats=statistics())
    first = run(s3, config, run_id="run-1").result
    assert first.decision == "retrain"

    later = NOW + timedelta(hours=1)
    second = run(s3, config, now=later, run_id="run-2").result
    assert second.decision == "notify"
    assert second.reasons[0].startswith(
        "cool-down until 2026-11-26T14:05:00Z: retraining was "
        "due (model_quality_check) but the last retrain was "
        "decided at 2026-11-25T14:05:00Z by run run-1"
    )
    assert "notifying instead" in second.reasons[0]
    assert state(s3)["run_id"] == "run-1"  # the record is not moved by a blocked run

    after = NOW + timedelta(hours=24, minutes=1)
    third = run(s3, config, now=after, run_id="run-3").result
    assert third.decision == "retrain"
    assert state(s3)["run_id"] == "run-3"


def test_cooldown_hours_are_configurable_and_zero_disables_it(s3):
    write_reports(s3, violations=[accuracy_violation(0.71)], stats=statistics())
    short = EvaluateConfig.from_env({"DATA_BUCKET": BUCKET, "RETRAIN_COOLDOWN_HOURS": "2"})
    assert run(s3, short, run_id="run-1").result.decision == "retrain"
    assert run(s3, short, now=NOW + timedelta(hours=1), run_id="run-2").result.decision == "notify"
    assert run(s3, short, now=NOW + timedelta(hours=2), run_id="run-3").result.decision == "retrain"
    off = EvaluateConfig.from_env({"DATA_BUCKET": BUCKET, "RETRAIN_COOLDOWN_HOURS": "0"})
    assert (
        run(s3, off, now=NOW + timedelta(hours=2, minutes=1), run_id="run-4").result.decision
        == "retrain"
    )
    assert state(s3)["run_id"] == "run-4"


def test_a_retried_invocation_of_the_claiming_run_still_retrains(s3, config):
    write_reports(s3, violations=[accuracy_violation(0.71)], stats=statistics())
    assert run(s3, config, run_id="run-1").result.decision == "retrain"
    retry = run(s3, config, now=NOW + timedelta(minutes=2), run_id="run-1").result
    assert retry.decision == "retrain"


def test_forced_retrain_overrides_the_cooldown(s3, config):
    write_reports(s3, violations=[accuracy_violation(0.71)], stats=statistics())
    run(s3, config, run_id="run-1")
    forced = run(
        s3, config, now=NOW + timedelta(hours=1), run_id="run-2", force_retrain=True
    ).result
    assert forced.decision == "retrain"
    assert forced.reasons[0] == (
        "forced retrain requested (merge.force_retrain=true); "
        "cool-down until 2026-11-26T14:05:00Z overridden"
    )
    record = state(s3)
    assert (record["run_id"], record["forced"]) == ("run-2", True)


def test_forced_retrain_on_a_healthy_window(s3, config):
    write_reports(s3, violations=[], stats=statistics(confusion=(170, 20, 22, 176)))
    result = run(s3, config, force_retrain=True).result
    assert result.decision == "retrain"
    assert result.reasons[:2] == [
        "forced retrain requested (merge.force_retrain=true)",
        "no violations",
    ]


def test_ignore_list_drops_a_type_from_the_decision(s3):
    write_reports(
        s3,
        violations=[categorical_violation("workclass")],
        stats=statistics(confusion=(170, 20, 22, 176)),
    )
    ignoring = EvaluateConfig.from_env(
        {"DATA_BUCKET": BUCKET, "IGNORE": "categorical_values_check"}
    )
    evaluation = run(s3, ignoring)
    assert evaluation.result.decision == "healthy"
    assert "categorical_values_check: 1 violation(s) ignored (IGNORE)" in evaluation.result.reasons
    assert evaluation.violation_count == 0

    default = run(s3, EvaluateConfig.from_env({"DATA_BUCKET": BUCKET})).result
    assert default.decision == "notify"
    assert (
        "categorical_values_check: workclass (12% of values not in baseline domain)"
        in default.reasons
    )


def test_ignoring_model_quality_leaves_projection_to_decide(s3):
    write_reports(s3, violations=[accuracy_violation(0.71)], stats=statistics())
    config = EvaluateConfig.from_env(
        {
            "DATA_BUCKET": BUCKET,
            "RETRAIN_ON": "projected_accuracy_check",
            "IGNORE": "model_quality_check",
        }
    )
    assert run(s3, config).result.decision == "healthy"


def test_explicit_notify_list_leaves_other_types_without_action(s3):
    write_reports(
        s3,
        violations=[categorical_violation("workclass")],
        stats=statistics(confusion=(170, 20, 22, 176)),
    )
    config = EvaluateConfig.from_env({"DATA_BUCKET": BUCKET, "NOTIFY_ON": "baseline_drift_check"})
    result = run(s3, config).result
    assert result.decision == "healthy"
    assert any("in neither RETRAIN_ON nor NOTIFY_ON: no action" in r for r in result.reasons)


@pytest.mark.parametrize(("flag", "expected"), [("false", "healthy"), ("true", "notify")])
def test_insufficient_data_is_reported_never_called_drift(s3, flag, expected):
    stats = statistics(
        confusion=(20, 5, 5, 20),
        item_count=60,
        statuses={
            "feature_drift": "insufficient_data",
            "dataset_drift": "insufficient_data",
            "model_quality": "insufficient_data",
        },
    )
    stats["summary"]["feature_drift"]["reason"] = "60 rows, fewer than minimum_rows=200"
    write_reports(s3, violations=[], stats=stats)
    config = EvaluateConfig.from_env({"DATA_BUCKET": BUCKET, "NOTIFY_ON_INSUFFICIENT_DATA": flag})
    result = run(s3, config, merged_row_count=60, labeled_row_count=50).result
    assert result.decision == expected
    assert (
        f"feature_drift: insufficient data in this window (60 rows, fewer than "
        f"minimum_rows=200), not evaluated and not treated as drift "
        f"(NOTIFY_ON_INSUFFICIENT_DATA={flag}: "
        f"{'notifying' if flag == 'true' else 'no action'})"
    ) in result.reasons
    assert sum("insufficient data" in r for r in result.reasons) == 3
    assert result.top_drifted_features == []
    assert not any("drift_check" in r for r in result.reasons)


def test_state_bucket_defaults_to_the_report_bucket_and_prefix_is_configurable(s3):
    write_reports(s3, violations=[accuracy_violation(0.71)], stats=statistics())
    config = EvaluateConfig.from_env({"STATE_PREFIX": "ops/cooldown"})
    assert config.data_bucket is None
    run(s3, config)
    body = s3.get_object(Bucket=BUCKET, Key=f"ops/cooldown/{ENDPOINT}/retrain.json")["Body"]
    assert json.loads(body.read())["endpoint_name"] == ENDPOINT


def test_summary_absent_falls_back_to_metric_groups_and_violations(s3, config):
    write_reports(
        s3,
        violations=[drift_violation("age", 0.3), accuracy_violation(0.7088)],
        stats=statistics(summary=False),
    )
    result = run(s3, config).result
    assert result.actual_accuracy == pytest.approx(0.7088)
    assert result.projected_accuracy == pytest.approx(0.74)
    assert result.top_drifted_features == ["age"]
    assert result.labeled_row_count == 388  # from the merge payload


def test_top_drifted_features_are_capped_and_count_everything(s3, config):
    drifted = ["age", "hours-per-week", "capital-gain", "education", "occupation", "race", "gender"]
    write_reports(
        s3,
        violations=[drift_violation(f, 0.2) for f in drifted],
        stats=statistics(confusion=(170, 20, 22, 176), drifted=drifted),
    )
    evaluation = run(s3, config)
    assert evaluation.result.top_drifted_features == drifted[:5]
    assert evaluation.drifted_feature_count == 7
    drift_reason = next(
        r for r in evaluation.result.reasons if r.startswith("baseline_drift_check")
    )
    assert drift_reason.endswith("and 2 more")
