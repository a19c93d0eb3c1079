"""Subject and body of the failure notification: the reason first, in plain words.

The state machine's failure path (``Failed<State>`` -> ``FormatFailure`` -> ``NotifyFailure``)
invokes :func:`lambda_handler` with ``{"state": <the state's data>, "execution":
$$.Execution}``. The state's data holds ``failure`` (``{"state": <failed state>, "error":
{"Error", "Cause"}}``) and, when the merge ran, ``merge``. Step Functions gives the cause in
three shapes, and intrinsics cannot tell them apart, hence this function:

* a Lambda error: JSON ``{"errorType", "errorMessage", "stackTrace", ...}``: the reason is
  ``errorMessage``; the stack trace is left out (it stays in the function's logs);
* a failed SageMaker ``.sync`` job: JSON of DescribeProcessingJob / DescribeTrainingJob: the
  reason is the job's ``ExitMessage`` (the container's own words) or ``FailureReason``;
* anything else (SageMaker API errors, SNS errors, ``States.*``): the cause text as it is.

Subject: ``Drift pipeline FAILED: <endpoint> <window> in <state>`` (ASCII, at most 100
characters, as SNS requires). Body: the reason, then what failed and where to look (job name,
execution name and ARN, console links). Nothing here may raise on odd input: the state machine
falls back to a raw notification only when this function itself fails.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from aws_lambda_powertools import Tracer

from evaluate_violations.notification import SUBJECT_MAX_CHARS, window_text

ENV_DEFAULT_ENDPOINT_NAME = "DEFAULT_ENDPOINT_NAME"
ENV_WINDOW_MINUTES = "WINDOW_MINUTES"
DEFAULT_WINDOW_MINUTES = 60
MAX_REASON_CHARS = 2000
MAX_DETAIL_CHARS = 1000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_TRACEBACK = "Traceback (most recent call last)"
_JOBS = {
    "ProcessingJobName": ("Processing job", "processing-jobs"),
    "TrainingJobName": ("Training job", "jobs"),
}


# X-Ray (Tracing: Active in template.yaml): the invocation and its AWS calls (boto3 patched).
# Outside Lambda (tests, the offline run) Powertools disables it.
tracer = Tracer(service="format_failure")


@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, str]:
    """``{"subject", "message"}`` for the SNS failure notification."""
    return failure_notice(event, os.environ)


def failure_notice(event: Mapping[str, Any], env: Mapping[str, str]) -> dict[str, str]:
    state = _mapping(event.get("state"))
    execution = _mapping(event.get("execution"))
    failure = _mapping(state.get("failure"))
    failed_state = _text(failure.get("state")) or "an unknown state"
    error = _mapping(failure.get("error"))
    cause = Cause.parse(_text(error.get("Error")), error.get("Cause"))
    endpoint, window = _endpoint_and_window(state, execution, env)
    subject = _subject(endpoint, window, failed_state)
    lines = [cause.reason, ""]
    lines.append(f"Failed state: {failed_state} (error {cause.error or 'unknown'})")
    lines.append(f"Endpoint: {endpoint}")
    lines.append(f"Window: {window}")
    lines += cause.details
    lines += _execution_lines(execution, failed_state)
    return {"subject": subject, "message": "\n".join(lines)}


class Cause:
    """The reason and the identifiers found in one Step Functions error."""

    def __init__(self, error: str, reason: str, details: list[str]) -> None:
        self.error = error
        self.reason = reason
        self.details = details

    @classmethod
    def parse(cls, error: str, raw: Any) -> Cause:
        document = _json_object(raw)
        if document is not None and ("errorMessage" in document or "errorType" in document):
            return cls._lambda(error, document)
        if document is not None and any(key in document for key in _JOBS):
            return cls._job(error, document)
        text = _text(raw) if not isinstance(raw, (dict, list)) else json.dumps(raw)
        reason = _clean(text) or f"The state failed with {error or 'an unknown error'}"
        return cls(error, reason, [])

    @classmethod
    def _lambda(cls, error: str, document: Mapping[str, Any]) -> Cause:
        kind = _text(document.get("errorType")) or error
        reason = _clean(_text(document.get("errorMessage"))) or f"The function raised {kind}"
        return cls(error or kind, reason, [])

    @classmethod
    def _job(cls, error: str, document: Mapping[str, Any]) -> Cause:
        key = next(key for key in _JOBS if key in document)
        label, console_path = _JOBS[key]
        name = _text(document.get(key))
        failure_reason = _clean(_text(document.get("FailureReason")))
        exit_message = _clean(_text(document.get("ExitMessage")))
        reason = exit_message or failure_reason or f"The {label.lower()} {name} failed"
        status = _text(document.get("ProcessingJobStatus") or document.get("TrainingJobStatus"))
        details = [f"{label}: {name}" + (f" (status {status})" if status else "")]
        if failure_reason and failure_reason != reason:
            details.append(f"  SageMaker's failure reason: {failure_reason[:MAX_DETAIL_CHARS]}")
        arn = _text(document.get("ProcessingJobArn") or document.get("TrainingJobArn"))
        region = _region(arn)
        if region and name:
            details.append(
                f"  Console: https://{region}.console.aws.amazon.com/sagemaker/home"
                f"?region={region}#/{console_path}/{quote(name)}"
            )
        return cls(error, reason, details)


def _execution_lines(execution: Mapping[str, Any], failed_state: str) -> list[str]:
    arn = _text(execution.get("Id"))
    lines = [f"Execution: {_text(execution.get('Name')) or 'unknown'}"]
    if arn:
        lines.append(f"  ARN: {arn}")
        region = _region(arn)
        if region:
            lines.append(
                f"  Console: https://{region}.console.aws.amazon.com/states/home"
                f"?region={region}#/v2/executions/details/{arn}"
            )
    started = _text(execution.get("StartTime"))
    if started:
        lines.append(f"  Started: {started}")
    if failed_state == "MergeLabels" and "Input" in execution:
        sent = json.dumps(execution.get("Input"), default=str)
        lines.append(f"  Execution input: {sent[:MAX_DETAIL_CHARS]}")
    lines.append(
        "The full error (and any stack trace) is in the execution's history and the "
        "function's or job's CloudWatch logs."
    )
    return lines


def _endpoint_and_window(
    state: Mapping[str, Any], execution: Mapping[str, Any], env: Mapping[str, str]
) -> tuple[str, str]:
    """From the merge result when the merge ran, else from the execution input as sent."""
    merge = _mapping(state.get("merge"))
    window = _mapping(merge.get("window"))
    start, end = _time(window.get("start")), _time(window.get("end"))
    if merge.get("endpoint_name") and start and end:
        return _ascii(_text(merge["endpoint_name"])), window_text(start, end)
    sent = _mapping(execution.get("Input"))
    endpoint = sent.get("endpoint_name")
    if not isinstance(endpoint, str) or not endpoint.strip():
        endpoint = env.get(ENV_DEFAULT_ENDPOINT_NAME) or "unknown endpoint"
    return _ascii(endpoint), _input_window(sent, execution, env)


def _input_window(
    sent: Mapping[str, Any], execution: Mapping[str, Any], env: Mapping[str, str]
) -> str:
    raw_start, raw_end = sent.get("window_start"), sent.get("window_end")
    if raw_start is None and raw_end is None:
        started = _time(execution.get("StartTime"))
        if started is None:
            return "window unknown"
        step = timedelta(minutes=_minutes(env.get(ENV_WINDOW_MINUTES)))
        default_end = _EPOCH + ((started - _EPOCH) // step) * step
        return window_text(default_end - step, default_end)
    start, end = _time(raw_start), _time(raw_end)
    if start and end:
        return window_text(start, end)
    parts = [f"from {_short(raw_start)}" if raw_start is not None else ""]
    parts.append(f"to {_short(raw_end)}" if raw_end is not None else "")
    return " ".join(part for part in parts if part)


def _subject(endpoint: str, window: str, failed_state: str) -> str:
    tail = f" {_ascii(window)} in {_ascii(failed_state)}"
    head = "Drift pipeline FAILED: "
    room = SUBJECT_MAX_CHARS - len(head) - len(tail)
    if len(endpoint) > room:
        endpoint = endpoint[: max(room - 3, 1)] + "..."
    return (head + endpoint + tail)[:SUBJECT_MAX_CHARS]


def _clean(text: str) -> str:
    """Without a Python stack trace, trimmed, at most MAX_REASON_CHARS."""
    if _TRACEBACK in text:
        text = text.split(_TRACEBACK, 1)[0]
    text = text.strip()
    if len(text) > MAX_REASON_CHARS:
        text = text[: MAX_REASON_CHARS - 3] + "..."
    return text


def _json_object(raw: Any) -> dict[str, Any] | None:
    if isinstance(raw, dict):
        return raw
    if not isinstance(raw, str) or not raw.lstrip().startswith("{"):
        return None
    try:
        value = json.loads(raw)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str) or "T" not in value.upper():
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


def _region(arn: str) -> str | None:
    parts = arn.split(":")
    return parts[3] if len(parts) > 3 and parts[1] == "aws" and parts[3] else None


def _minutes(value: Any) -> int:
    try:
        minutes = int(str(value))
    except ValueError:
        return DEFAULT_WINDOW_MINUTES
    return minutes if minutes > 0 else DEFAULT_WINDOW_MINUTES


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ("" if value is None else str(value))


def _short(value: Any) -> str:
    text = _ascii(json.dumps(value, default=str) if not isinstance(value, str) else value)
    return text if len(text) <= 25 else text[:22] + "..."


def _ascii(text: str) -> str:
    """Printable ASCII only, one line (SNS subjects)."""
    return "".join(c if " " <= c <= "~" else "?" for c in text)
