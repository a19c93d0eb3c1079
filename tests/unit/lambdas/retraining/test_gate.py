"""The promotion gate's decision table."""

from __future__ import annotations

import pytest

from retraining.gate import GateSettings, decide


def comparison(estimate: float, low: float, high: float, rows: int = 500) -> dict:
    return {
        "rows": rows,
        "confidence": 0.95,
        "differences": {"accuracy": {"estimate": estimate, "ci_low": low, "ci_high": high}},
    }


@pytest.mark.parametrize(
    ("case", "margin", "promote", "verdict"),
    [
        (comparison(0.04, 0.02, 0.06), 0.01, True, "wins"),
        (comparison(-0.03, -0.05, -0.01), 0.01, False, "loses"),
        (comparison(0.04, 0.02, 0.06, rows=150), 0.01, False, "too_few_rows"),
        (comparison(0.005, -0.01, 0.02), 0.01, False, "tie_within_margin"),
        (comparison(0.0, -0.02, 0.02), 0.0, False, "tie_within_margin"),
        (comparison(0.03, 0.005, 0.055), 0.01, False, "not_significant"),
        (comparison(0.03, -0.01, 0.07), 0.0, False, "not_significant"),
        (comparison(0.03, 0.01, 0.05), 0.01, False, "not_significant"),  # low == margin
    ],
)
def test_decision_table(case, margin, promote, verdict):
    decision = decide(case, GateSettings(metric="accuracy", margin=margin, min_rows=200))
    assert (decision.promote, decision.verdict) == (promote, verdict), decision.reason


def test_reasons_say_which_rule_stopped_the_challenger():
    few = decide(comparison(0.04, 0.02, 0.06, rows=150), GateSettings(min_rows=200))
    assert "150 held-out rows" in few.reason and "200" in few.reason
    straddle = decide(comparison(0.03, -0.01, 0.07), GateSettings(margin=0.0))
    assert "-0.010" in straddle.reason and "chance" in straddle.reason


def test_the_configured_metric_decides():
    case = comparison(-0.02, -0.04, 0.0)
    case["differences"]["auc"] = {"estimate": 0.05, "ci_low": 0.03, "ci_high": 0.07}
    assert not decide(case, GateSettings(metric="accuracy")).promote
    assert decide(case, GateSettings(metric="auc")).promote
