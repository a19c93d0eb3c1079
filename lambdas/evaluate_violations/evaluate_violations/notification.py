"""Subject and body of the SNS notification: what a person needs in ten seconds.

SNS subjects must be ASCII, without line breaks or control characters, and under 100
characters; the subject is built to respect that whatever the endpoint name. The message ends
with console links (the report in S3, the execution in Step Functions) for the execution's
region, and ``message_attributes`` lets subscribers filter on endpoint, decision, severity and
check types without parsing the body.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import UTC, datetime

from evaluate_violations.facts import WindowFacts
from evaluate_violations.links import execution_console_url, region_of, s3_console_url
from evaluate_violations.models import Decision, MergePayload, Violation
from evaluate_violations.wording import (
    accuracy_lines,
    actual_accuracy_text,
    projected_accuracy_text,
)

SUBJECT_MAX_CHARS = 100
SEVERITY = {"retrain": "high", "notify": "medium", "healthy": "low"}
NO_CHECKS = "none"  # SNS String.Array needs an element to match "anything but" filters on
MAX_REASON_LINES = 8
_UNSAFE = re.compile(r"[^\x20-\x7e]")


def subject(merge: MergePayload, decision: Decision) -> str:
    """``Drift: adult-income 2026-11-25 13:00-14:00 -> retrain`` (ASCII, ≤ 100 chars)."""
    tail = f" {window_text(merge.window.start, merge.window.end)} -> {decision}"
    room = SUBJECT_MAX_CHARS - len("Drift: ") - len(tail)
    name = _ascii(merge.endpoint_name)
    if len(name) > room:
        name = name[: max(room - 3, 1)] + "..."
    return _ascii(f"Drift: {name}{tail}")[:SUBJECT_MAX_CHARS]


def window_text(start: datetime, end: datetime) -> str:
    """``2026-11-25 13:00-14:00``; the end date is repeated only when it is another day
    (an end at midnight closes the start's day)."""
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    same_day = end.date() == start.date() or (
        (end - start).total_seconds() <= 86_400 and end.time() == datetime.min.time()
    )
    end_text = f"{end:%H:%M}" if same_day else f"{end:%Y-%m-%d %H:%M}"
    return f"{start:%Y-%m-%d %H:%M}-{end_text}"


def message(
    *,
    merge: MergePayload,
    decision: Decision,
    reasons: list[str],
    facts: WindowFacts,
    report_html_uri: str,
    processing_job_name: str | None,
    execution_arn: str | None = None,
) -> str:
    variant = f" (variant {merge.variant_name})" if merge.variant_name else ""
    lines = [
        f"Endpoint: {merge.endpoint_name}{variant}",
        f"Window:   {window_text(merge.window.start, merge.window.end)} UTC, "
        f"{facts.row_count} rows, run {merge.run_id}",
        f"Decision: {decision.upper()}",
        "Why:",
    ]
    shown = [r for r in reasons if r not in accuracy_lines(facts)]
    lines += [f"  - {reason}" for reason in shown[:MAX_REASON_LINES]]
    if len(shown) > MAX_REASON_LINES:
        lines.append(f"  - and {len(shown) - MAX_REASON_LINES} more (see the report)")
    top = facts.top_drifted_features
    if top is None:
        lines.append("Top drifted features: not reported")
    else:
        more = facts.drifted_feature_count - len(top)
        suffix = f" (+{more} more)" if more > 0 else ""
        lines.append(f"Top drifted features: {', '.join(top) if top else 'none'}{suffix}")
    actual = actual_accuracy_text(facts) or "not measured (no labelled rows)"
    projected = projected_accuracy_text(facts) or "not reported"
    lines.append(f"Actual accuracy:    {actual}")
    lines.append(f"Projected accuracy: {projected}")
    lines.append(f"Label coverage:     {_coverage(facts)}")
    if merge.quarantined_record_count:
        lines.append(
            f"Quarantined:        {merge.quarantined_record_count} of "
            f"{merge.capture_record_count} capture records ({merge.quarantined_share:.1%})"
        )
    if processing_job_name:
        lines.append(f"Analysis job:       {processing_job_name}")
    lines.append(f"Report: {report_html_uri}")
    lines += _links(report_html_uri, execution_arn)
    return "\n".join(lines) + "\n"


def _links(report_html_uri: str, execution_arn: str | None) -> list[str]:
    region = region_of(execution_arn)
    if region is None or execution_arn is None:
        return []
    lines = []
    report = s3_console_url(report_html_uri, region)
    if report:
        lines.append(f"Report in the S3 console: {report}")
    execution = execution_console_url(execution_arn)
    if execution:
        lines.append(f"Execution in the Step Functions console: {execution}")
    trend = s3_console_url(report_html_uri.rsplit("/", 2)[0] + "/trend.html", region)
    if trend:
        lines.append(f"Trend of the endpoint: {trend}")
    return lines


def message_attributes(
    endpoint_name: str, decision: Decision, violations: Iterable[Violation]
) -> dict[str, dict[str, str]]:
    """SNS ``MessageAttributes``: a subscription filter policy can select e.g. one endpoint,
    ``decision`` ``retrain``, or any message whose ``check_types`` include a given check."""
    checks = sorted({str(v.constraint_check_type) for v in violations}) or [NO_CHECKS]
    return {
        "endpoint": {"DataType": "String", "StringValue": endpoint_name},
        "decision": {"DataType": "String", "StringValue": decision},
        "severity": {"DataType": "String", "StringValue": SEVERITY[decision]},
        "check_types": {"DataType": "String.Array", "StringValue": json.dumps(checks)},
    }


def _coverage(facts: WindowFacts) -> str:
    share = f" ({facts.label_coverage:.0%})" if facts.label_coverage is not None else ""
    return f"{facts.labeled_row_count} of {facts.row_count} rows labelled{share}"


def _ascii(text: str) -> str:
    return _UNSAFE.sub("?", text)
