"""The decision: retrain, notify or healthy, and the reasons a person can check.

Pure: violations, window facts, the configured policy, the last retrain record and the clock
in; a verdict out. Order of rules:

1. Each violation type is ignored (IGNORE), retrains (RETRAIN_ON), notifies (NOTIFY_ON, ``*`` =
   any other type) or is listed with no action (NOTIFY_ON is an explicit list without it).
2. ``model_quality_check`` cannot retrain on fewer than MIN_LABELED_ROWS_FOR_RETRAIN labelled
   rows: it notifies instead.
3. A forced retrain (``merge.force_retrain``) always retrains.
4. Otherwise a retrain within RETRAIN_COOLDOWN_HOURS of the last one becomes a notification.
5. Sections with ``insufficient_data`` are reported, never called drift; they notify only if
   NOTIFY_ON_INSUFFICIENT_DATA is true.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from evaluate_violations.config import (
    ENV_MIN_LABELED_ROWS_FOR_RETRAIN,
    ENV_NOTIFY_ON_INSUFFICIENT_DATA,
    ENV_RETRAIN_COOLDOWN_HOURS,
    EvaluateConfig,
)
from evaluate_violations.cooldown import RetrainRecord
from evaluate_violations.facts import WindowFacts
from evaluate_violations.models import Decision, Violation
from evaluate_violations.wording import accuracy_lines, iso, num
from monitoring_contract import CheckType, SectionName

MAX_FEATURES_PER_REASON = 5
MAX_DESCRIPTION_CHARS = 160
_OPERATORS = {
    "LessThanThreshold": "<",
    "GreaterThanThreshold": ">",
    "LessThanOrEqualToThreshold": "<=",
    "GreaterThanOrEqualToThreshold": ">=",
}


@dataclass(frozen=True)
class Verdict:
    decision: Decision
    reasons: list[str]
    violation_count: int  # violations that were not ignored
    cooldown_until: datetime | None  # set when the cool-down turned a retrain into notify


@dataclass(frozen=True)
class _Groups:
    retrain: dict[str, list[Violation]]
    notify: dict[str, list[Violation]]
    unlisted: dict[str, list[Violation]]
    ignored: dict[str, list[Violation]]


def decide(
    *,
    violations: list[Violation],
    facts: WindowFacts,
    config: EvaluateConfig,
    force_retrain: bool,
    last_retrain: RetrainRecord | None,
    run_id: str,
    now: datetime,
) -> Verdict:
    groups = _classify(violations, config)
    gated = _gate_on_labels(groups, facts, config)
    until = _active_cooldown(last_retrain, config, run_id, now)
    headline = _headline(groups, gated, facts, config, force_retrain, until, last_retrain)

    reasons = [headline.reason] if headline.reason else []
    reasons += _violation_reasons(groups, gated, facts, config)
    reasons += _section_reasons(facts, config)
    if not violations:
        reasons.insert(0 if not force_retrain else 1, "no violations")
    reasons.extend(accuracy_lines(facts))

    counted = sum(
        len(items)
        for items in (
            *groups.retrain.values(),
            *gated.values(),
            *groups.notify.values(),
            *groups.unlisted.values(),
        )
    )
    return Verdict(
        decision=headline.decision,
        reasons=reasons,
        violation_count=counted,
        cooldown_until=headline.cooldown_applied,
    )


@dataclass(frozen=True)
class _Headline:
    decision: Decision
    reason: str | None  # the decision-driving first reason (forced retrain, cool-down)
    cooldown_applied: datetime | None = None


def _gate_on_labels(
    groups: _Groups, facts: WindowFacts, config: EvaluateConfig
) -> dict[str, list[Violation]]:
    """Rule 2: too few labels → ``model_quality_check`` leaves the retrain group."""
    gated: dict[str, list[Violation]] = {}
    if (
        CheckType.MODEL_QUALITY in groups.retrain
        and facts.labeled_row_count < config.min_labeled_rows_for_retrain
    ):
        gated[CheckType.MODEL_QUALITY] = groups.retrain.pop(CheckType.MODEL_QUALITY)
    return gated


def _headline(
    groups: _Groups,
    gated: dict[str, list[Violation]],
    facts: WindowFacts,
    config: EvaluateConfig,
    force_retrain: bool,
    until: datetime | None,
    last_retrain: RetrainRecord | None,
) -> _Headline:
    """Rules 3-6: forced retrain, cool-down, then retrain > notify > healthy."""
    if force_retrain:
        overridden = f"; cool-down until {iso(until)} overridden" if until else ""
        return _Headline(
            "retrain", f"forced retrain requested (merge.force_retrain=true){overridden}"
        )
    if groups.retrain and until is not None:
        assert last_retrain is not None
        reason = (
            f"cool-down until {iso(until)}: retraining was due "
            f"({', '.join(groups.retrain)}) but the last retrain was decided at "
            f"{iso(last_retrain.retrained_at)} by run {last_retrain.run_id} "
            f"({ENV_RETRAIN_COOLDOWN_HOURS}={config.retrain_cooldown_hours:g}); notifying instead"
        )
        return _Headline("notify", reason, cooldown_applied=until)
    if groups.retrain:
        return _Headline("retrain", None)
    insufficient_notifies = bool(facts.insufficient_sections) and config.notify_on_insufficient_data
    if groups.notify or gated or insufficient_notifies:
        return _Headline("notify", None)
    return _Headline("healthy", None)


def _violation_reasons(
    groups: _Groups, gated: dict[str, list[Violation]], facts: WindowFacts, config: EvaluateConfig
) -> list[str]:
    """One line per type: retraining, label-gated, notifying, no action, ignored."""
    reasons = [_describe(check, items, facts) for check, items in groups.retrain.items()]
    reasons += [
        f"{_describe(check, items, facts)}; only {facts.labeled_row_count} labelled rows "
        f"< {ENV_MIN_LABELED_ROWS_FOR_RETRAIN}={config.min_labeled_rows_for_retrain}, "
        f"so it notifies instead of retraining"
        for check, items in gated.items()
    ]
    reasons += [_describe(check, items, facts) for check, items in groups.notify.items()]
    reasons += [
        f"{_describe(check, items, facts)} (in neither RETRAIN_ON nor NOTIFY_ON: no action)"
        for check, items in groups.unlisted.items()
    ]
    reasons += [
        f"{check}: {len(items)} violation(s) ignored (IGNORE)"
        for check, items in groups.ignored.items()
    ]
    return reasons


def _section_reasons(facts: WindowFacts, config: EvaluateConfig) -> list[str]:
    """Sections that could not judge the window: reported, never called drift (rule 5)."""
    action = "notifying" if config.notify_on_insufficient_data else "no action"
    reasons = [
        f"{section}: insufficient data in this window{_note(facts, section)}, not evaluated "
        f"and not treated as drift ({ENV_NOTIFY_ON_INSUFFICIENT_DATA}="
        f"{str(config.notify_on_insufficient_data).lower()}: {action})"
        for section in facts.insufficient_sections
    ]
    reasons += [
        f"{section}: no labels in this window{_note(facts, section)}, not evaluated"
        for section in facts.no_label_sections
    ]
    return reasons


def _active_cooldown(
    last_retrain: RetrainRecord | None, config: EvaluateConfig, run_id: str, now: datetime
) -> datetime | None:
    if last_retrain is None or config.retrain_cooldown_hours == 0:
        return None
    if last_retrain.run_id == run_id:
        return None  # this run claimed it already (a retried invocation): stay idempotent
    until = last_retrain.cooldown_until(config.retrain_cooldown_hours)
    return until if now < until else None


def _classify(violations: list[Violation], config: EvaluateConfig) -> _Groups:
    groups = _Groups(retrain={}, notify={}, unlisted={}, ignored={})
    for violation in violations:
        check = violation.constraint_check_type
        if check in config.ignore:
            target = groups.ignored
        elif check in config.retrain_on:
            target = groups.retrain
        elif config.notify_on is None or check in config.notify_on:
            target = groups.notify
        else:
            target = groups.unlisted
        target.setdefault(check, []).append(violation)
    return groups


def _describe(check: str, items: list[Violation], facts: WindowFacts) -> str:
    """Worst first (relative distance past the threshold), so the cap keeps what matters."""
    items = sorted(items, key=_severity, reverse=True)
    if check == CheckType.CAPTURE_QUALITY:  # the description is the reason, counts and all
        return f"{check}: " + "; ".join(" ".join(v.description.split()) for v in items)
    parts = [_describe_one(v) for v in items[:MAX_FEATURES_PER_REASON]]
    if len(items) > MAX_FEATURES_PER_REASON:
        parts.append(f"and {len(items) - MAX_FEATURES_PER_REASON} more")
    text = f"{check}: " + "; ".join(parts)
    if check == CheckType.MODEL_QUALITY:
        text += f" on {facts.labeled_row_count} labelled rows"
    return text


def _severity(violation: Violation) -> float:
    if violation.observed is None or violation.threshold is None or violation.threshold == 0:
        return 0.0
    return abs(violation.observed - violation.threshold) / abs(violation.threshold)


def _describe_one(violation: Violation) -> str:
    name = violation.feature_name
    if violation.observed is not None and violation.threshold is not None:
        op = _OPERATORS.get(
            violation.comparison_operator or "",
            "<" if violation.observed < violation.threshold else ">",
        )
        values = f"{num(violation.observed)} {op} {num(violation.threshold)}"
        return f"{name} {values}" if name else values
    description = " ".join(violation.description.split())
    if len(description) > MAX_DESCRIPTION_CHARS:
        description = description[: MAX_DESCRIPTION_CHARS - 3] + "..."
    return f"{name} ({description})" if name else description


def _note(facts: WindowFacts, section: SectionName) -> str:
    note = facts.section_notes.get(section)
    return f" ({note})" if note else ""
