"""The retraining notification: subject, a readable message and SNS message attributes.

Either way (promoted, kept, skipped) the message says what was decided and why, shows the
comparison table, and where the model package, the dataset version and the reports are.
Attributes (``endpoint``, ``decision``, ``severity``) let subscribers filter.
"""

from __future__ import annotations

from typing import Any

from retraining.gate import GateDecision

SUBJECT_LIMIT = 100


def attributes(endpoint: str, decision: str, severity: str) -> dict[str, dict[str, str]]:
    """SNS ``MessageAttributes`` in the shape the Step Functions SNS integration passes on."""
    return {
        name: {"DataType": "String", "StringValue": value}
        for name, value in (("endpoint", endpoint), ("decision", decision), ("severity", severity))
    }


def subject(text: str) -> str:
    ascii_text = text.encode("ascii", "replace").decode()
    return (
        ascii_text if len(ascii_text) <= SUBJECT_LIMIT else ascii_text[: SUBJECT_LIMIT - 3] + "..."
    )


def comparison_table(comparison: dict[str, Any]) -> list[str]:
    level = f"{float(comparison.get('confidence', 0.95)):.0%}"
    lines = [
        f"Held-out rows: {comparison['rows']} (the most recent labelled traffic, scored by both)",
        f"{'metric':<10}{'champion':>10}{'challenger':>12}{'difference':>12}  {level} CI (paired)",
    ]
    for metric, difference in comparison["differences"].items():
        lines.append(
            f"{metric:<10}{comparison['champion'][metric]:>10.3f}"
            f"{comparison['challenger'][metric]:>12.3f}{difference['estimate']:>+12.3f}"
            f"  {difference['ci_low']:+.3f} to {difference['ci_high']:+.3f}"
        )
    p_value = comparison["differences"].get("accuracy", {}).get("mcnemar_p_value")
    if p_value is not None:
        lines.append(f"McNemar exact test on accuracy: p = {p_value:.3g}")
    return lines


def promotion_message(
    *,
    endpoint: str,
    decision: GateDecision,
    outcome: str,
    comparison: dict[str, Any],
    package_arn: str,
    package_status: str,
    locations: dict[str, str],
    deployment: dict[str, str] | None,
    why_retrained: list[str],
) -> str:
    headline = {
        "deployed": f"The challenger won and now serves {endpoint}.",
        "registered": f"The challenger won; it is registered ({package_status}), not deployed.",
        "kept_champion": f"The champion keeps serving {endpoint}: the challenger did not win.",
    }[outcome]
    lines = [headline, f"Decision: {decision.verdict}: {decision.reason}", ""]
    lines += comparison_table(comparison)
    lines += ["", f"Model package: {package_arn} ({package_status})"]
    scored = locations.get("Holdout scored by the challenger", "the scored holdout")
    if deployment:
        lines.append(
            f"Deployed: model {deployment['model_name']}, endpoint config "
            f"{deployment['endpoint_config_name']} (UpdateEndpoint started)"
        )
    elif outcome == "registered":
        lines.append(
            f"Monitoring baseline: when you deploy this package, make a baseline from {scored} "
            "(make_baseline) so later windows are judged against the new model."
        )
    lines += [f"{name}: {uri}" for name, uri in locations.items()]
    if why_retrained:
        lines += ["", "Why retraining ran:"] + [f"- {reason}" for reason in why_retrained[:5]]
    return "\n".join(lines)


def baseline_refreshed_lines(activation: dict[str, Any], waited_minutes: float) -> list[str]:
    """What the post-deploy steps did, appended to the promotion message."""
    lines = [
        "",
        f"The endpoint served the challenger after {waited_minutes:.0f} min; the monitoring "
        f"baseline is now the new model's: {activation['baseline_uri']}",
        "(made by the baseline job from the held-out rows the challenger scored but never "
        "trained on; later windows are judged against it).",
        f"Kept from your constraints.json: {', '.join(activation['carried_over']) or 'nothing'}.",
        f"The previous baseline is kept at {activation['replaced_copy_uri']} (copy it back to "
        "roll back).",
    ]
    if activation["removed"]:
        lines.append(f"Removed (the new baseline has none): {', '.join(activation['removed'])}")
    return lines
