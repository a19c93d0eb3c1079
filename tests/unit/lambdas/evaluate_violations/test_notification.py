"""The SNS subject (ASCII, ≤ 100 chars) and the ten-second message."""

from __future__ import annotations

from datetime import timedelta

from evaluate_violations.evaluation import evaluate
from evaluate_violations.models import EvaluateEvent, MergePayload
from evaluate_violations.notification import subject, window_text
from tests.unit.lambdas.evaluate_violations.conftest import (
    NOW,
    accuracy_violation,
    drift_violation,
    event,
    merge_payload,
    statistics,
    write_reports,
)


def merge(**overrides) -> MergePayload:
    return MergePayload.model_validate(merge_payload(**overrides))


def test_subject_reads_like_the_contract_example_in_ascii():
    assert subject(merge(), "retrain") == "Drift: adult-income 2026-11-25 13:00-14:00 -> retrain"


def test_subject_stays_ascii_and_under_the_sns_limit_for_long_names():
    name = "a-very-long-endpoint-name-" + "x" * 40 + "-é\n"
    text = subject(merge(endpoint_name=name), "healthy")
    assert len(text) <= 100
    assert text.isascii()
    assert all(ch.isprintable() for ch in text)
    assert text.endswith("... 2026-11-25 13:00-14:00 -> healthy")


def test_window_text_repeats_the_date_only_for_another_day():
    window = merge().window
    assert window_text(window.start, window.end) == "2026-11-25 13:00-14:00"
    assert (
        window_text(window.start + timedelta(hours=10), window.end + timedelta(hours=10))
        == "2026-11-25 23:00-00:00"
    )
    assert (
        window_text(window.start, window.end + timedelta(days=1))
        == "2026-11-25 13:00-2026-11-26 14:00"
    )


def test_message_has_everything_a_person_needs(s3, config):
    write_reports(
        s3,
        violations=[
            accuracy_violation(0.7088),
            drift_violation("age", 0.23),
            drift_violation("hours-per-week", 0.19),
        ],
        stats=statistics(drifted=["age", "hours-per-week"]),
    )
    result = evaluate(EvaluateEvent.model_validate(event()), s3=s3, config=config, now=NOW).result
    lines = result.message.splitlines()
    assert lines[0] == "Endpoint: adult-income (variant AllTraffic)"
    assert lines[1] == (
        "Window:   2026-11-25 13:00-14:00 UTC, 812 rows, run adult-income-20261125t1300-1a2b3c4d"
    )
    assert lines[2] == "Decision: RETRAIN"
    assert lines[3] == "Why:"
    assert lines[4] == "  - model_quality_check: accuracy 0.709 < 0.800 on 388 labelled rows"
    assert lines[5] == "  - baseline_drift_check: age 0.230 > 0.100; hours-per-week 0.190 > 0.100"
    assert "Top drifted features: age, hours-per-week" in lines
    assert any(
        line.startswith("Actual accuracy:    0.709 [0.")
        and line.endswith("] vs threshold 0.800 on 388 labelled rows")
        for line in lines
    )
    assert "Projected accuracy: 0.740 [0.700, 0.780] vs threshold 0.800" in lines
    assert "Label coverage:     388 of 812 rows labelled (48%)" in lines
    assert "Analysis job:       analysis-adult-income-20261125t1300-1a2b3c4d" in lines
    assert lines[-1] == (
        "Report: s3://drift-data/reports/adult-income/20261125T1300Z-20261125T1400Z/report.html"
    )
    assert len(lines) <= 20  # readable in ten seconds


def test_message_says_what_was_not_measured(s3, config):
    write_reports(s3, violations=[], stats=statistics(confusion=None, projected=None))
    result = evaluate(
        EvaluateEvent.model_validate(event(labeled_row_count=0)), s3=s3, config=config, now=NOW
    ).result
    assert result.decision == "healthy"
    assert result.subject.endswith("-> healthy")
    assert "Actual accuracy:    not measured (no labelled rows)" in result.message
    assert "Projected accuracy: not reported" in result.message
    assert "Top drifted features: none" in result.message
    assert "Label coverage:     0 of 812 rows labelled (0%)" in result.message


def test_message_caps_long_reason_lists(s3, config):
    checks = [
        "data_type_check",
        "completeness_check",
        "missing_column_check",
        "extra_column_check",
        "categorical_values_check",
        "dataset_drift_check",
        "projection_reliability_check",
        "baseline_drift_check",
        "LessThanThreshold",
        "GreaterThanThreshold",
    ]  # unknown types: NOTIFY_ON "*"
    violations = [
        {"feature_name": f"f{i}", "constraint_check_type": check, "description": f"problem {i}"}
        for i, check in enumerate(checks * 2)
    ]
    write_reports(s3, violations=violations, stats=statistics(confusion=(170, 20, 22, 176)))
    result = evaluate(EvaluateEvent.model_validate(event()), s3=s3, config=config, now=NOW).result
    assert result.decision == "notify"
    why = [line for line in result.message.splitlines() if line.startswith("  - ")]
    assert len(why) == 9
    assert why[0] == "  - data_type_check: f0 (problem 0); f10 (problem 10)"
    assert why[-1] == "  - and 2 more (see the report)"
    assert len(result.reasons) == 12  # the payload keeps every reason (+ 2 accuracy lines)
