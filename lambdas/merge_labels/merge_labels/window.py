"""Resolve the window, the endpoint/variant and the run id of one execution.

A scheduled run has an empty input, so the default window is the previous full window
(``WINDOW_MINUTES``, aligned to the epoch in UTC) before the execution's start time.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from merge_labels.config import ENV_MAX_WINDOW_HOURS, MergeConfig
from merge_labels.errors import MergeInputError
from merge_labels.models import ExecutionInput, MergeEvent

# SageMaker EndpointName / VariantName pattern (max 63 characters).
_SAGEMAKER_NAME = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")
RUN_ID_MAX = 50
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
EXAMPLE_TIME = "2026-11-25T13:00:00Z"
# How far past the execution's start a window may end (clock skew between the caller and AWS).
FUTURE_TOLERANCE = timedelta(minutes=5)


@dataclass(frozen=True)
class Window:
    """A half-open UTC interval ``[start, end)``."""

    start: datetime
    end: datetime

    @property
    def slug(self) -> str:
        return f"{self.start:%Y%m%dT%H%M}Z-{self.end:%Y%m%dT%H%M}Z"

    def to_dict(self) -> dict[str, str]:
        return {"start": iso(self.start), "end": iso(self.end), "slug": self.slug}


@dataclass(frozen=True)
class Target:
    """Everything the merge needs to know about this execution besides the configuration."""

    endpoint_name: str
    variant_name: str
    window: Window
    run_id: str
    execution_name: str
    force_retrain: bool


def iso(moment: datetime) -> str:
    """UTC ISO-8601 with a ``Z`` suffix, second precision (the contract's style)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(value: str, field: str, *, require_timezone: bool = False) -> datetime:
    """Parse ISO-8601 date and time.

    A date without a time is refused (it would silently mean midnight). A time without an
    offset is refused when ``require_timezone`` (the user's window bounds), else taken as UTC
    (the state machine's own ``$$.Execution.StartTime`` always has one).
    """
    text = value.strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise MergeInputError(
            f"{field}: {value!r} is not an ISO-8601 time; send a full date and time with "
            f"timezone, e.g. {EXAMPLE_TIME}"
        ) from exc
    if "T" not in text.upper() and " " not in text:
        raise MergeInputError(
            f"{field}: {value!r} is a date without a time (it would mean midnight); send a "
            f"full ISO-8601 time with timezone, e.g. {moment:%Y-%m-%d}T00:00:00Z"
        )
    if moment.tzinfo is None:
        if require_timezone:
            raise MergeInputError(
                f"{field}: {value!r} has no timezone; send a full ISO-8601 time with timezone, "
                f"e.g. {moment:%Y-%m-%dT%H:%M:%S}Z for UTC or an offset such as +01:00"
            )
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def default_window(before: datetime, minutes: int) -> Window:
    """The last full ``minutes`` window that ends at or before ``before``."""
    step = timedelta(minutes=minutes)
    end = _EPOCH + ((before - _EPOCH) // step) * step
    return Window(end - step, end)


def resolve_target(event: MergeEvent, config: MergeConfig) -> Target:
    """Apply the defaults and validate; every error names the field, the value and what to
    send instead."""
    data = event.input
    _refuse_empty_strings(data)
    endpoint = data.endpoint_name or config.default_endpoint_name
    if not endpoint:
        raise MergeInputError("input.endpoint_name is missing and DEFAULT_ENDPOINT_NAME is not set")
    variant = data.variant_name or config.default_variant_name
    for field, name in (("endpoint_name", endpoint), ("variant_name", variant)):
        if not _SAGEMAKER_NAME.match(name):
            raise MergeInputError(
                f"input.{field}: {name!r} is not a valid SageMaker name "
                "(1-63 characters: letters, digits, inner hyphens)"
            )
    started = parse_time(event.execution_start_time, "execution_start_time")
    window = _window(data, config, started)
    _check_window(window, data, config, started)
    return Target(
        endpoint_name=endpoint,
        variant_name=variant,
        window=window,
        run_id=make_run_id(endpoint, window, event.execution_name),
        execution_name=event.execution_name,
        force_retrain=data.force_retrain,
    )


def _refuse_empty_strings(data: ExecutionInput) -> None:
    for field in ("endpoint_name", "variant_name", "window_start", "window_end"):
        value = getattr(data, field)
        if value is not None and not value.strip():
            raise MergeInputError(
                f"input.{field}: is empty; send a value or leave the key out for the default"
            )


def _window(data: ExecutionInput, config: MergeConfig, started: datetime) -> Window:
    step = timedelta(minutes=config.window_minutes)
    start = end = None
    if data.window_start is not None:
        start = parse_time(data.window_start, "input.window_start", require_timezone=True)
    if data.window_end is not None:
        end = parse_time(data.window_end, "input.window_end", require_timezone=True)
    if start is not None and end is not None:
        return Window(start, end)
    if start is not None:
        return Window(start, start + step)
    if end is not None:
        return Window(end - step, end)
    return default_window(started, config.window_minutes)


def _check_window(
    window: Window, data: ExecutionInput, config: MergeConfig, started: datetime
) -> None:
    for field, moment in (("window_start", window.start), ("window_end", window.end)):
        if moment.second or moment.microsecond:
            raise MergeInputError(
                f"input.{field}: {iso(moment)} must be a whole minute (the "
                "window slug has minute resolution)"
            )
    if window.end <= window.start:
        raise MergeInputError(
            f"input.window_end ({iso(window.end)}) must be after "
            f"input.window_start ({iso(window.start)})"
        )
    if window.end > started + FUTURE_TOLERANCE:
        field = "window_end" if data.window_end is not None else "window_start"
        raise MergeInputError(
            f"input.{field}: the window {iso(window.start)} to {iso(window.end)} ends after "
            f"the execution started ({iso(started)}; up to {_minutes(FUTURE_TOLERANCE)} "
            "ahead is tolerated as clock skew): a window can be analysed only once it has "
            "ended; send a window that has ended, or leave window_start and window_end out "
            "for the previous full window"
        )
    longest = timedelta(hours=config.max_window_hours)
    if window.end - window.start > longest:
        raise MergeInputError(
            f"input: the window {iso(window.start)} to {iso(window.end)} is "
            f"{_duration(window.end - window.start)} long; the maximum is {_duration(longest)} "
            f"({ENV_MAX_WINDOW_HOURS}={config.max_window_hours}); split it into shorter "
            "windows, one execution each"
        )


def _minutes(span: timedelta) -> str:
    return f"{int(span.total_seconds() // 60)} minutes"


def _duration(span: timedelta) -> str:
    hours = span.total_seconds() / 3600
    if hours >= 48 and hours % 24 == 0:
        return f"{int(hours // 24)} days"
    return f"{hours:g} hours"


def make_run_id(endpoint: str, window: Window, execution_name: str) -> str:
    """``{endpoint}-{yyyymmddthhmm}-{8 hex}``: a SageMaker job-name fragment, <= 50 chars."""
    digest = hashlib.sha256(f"{execution_name}{window.slug}".encode()).hexdigest()[:8]
    stamp = f"{window.start:%Y%m%dt%H%M}"
    room = RUN_ID_MAX - len(stamp) - len(digest) - 2
    prefix = re.sub(r"[^a-z0-9-]", "-", endpoint.lower())[:room].strip("-") or "endpoint"
    return f"{prefix}-{stamp}-{digest}"
