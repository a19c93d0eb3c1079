"""Resolve the window, the endpoint/variant and the run id of one execution.

A scheduled run has an empty input, so the default window is the previous full window
(``WINDOW_MINUTES``, aligned to the epoch in UTC) before the execution's start time.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from merge_labels.config import MergeConfig
from merge_labels.errors import MergeInputError
from merge_labels.models import MergeEvent

# SageMaker EndpointName / VariantName pattern (max 63 characters).
_SAGEMAKER_NAME = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")
RUN_ID_MAX = 50
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


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


def parse_time(value: str, field: str) -> datetime:
    """Parse ISO-8601; a time without an offset is taken as UTC."""
    text = value.strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise MergeInputError(
            f"{field}: {value!r} is not an ISO-8601 time (expected e.g. 2026-11-25T13:00:00Z)"
        ) from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def default_window(before: datetime, minutes: int) -> Window:
    """The last full ``minutes`` window that ends at or before ``before``."""
    step = timedelta(minutes=minutes)
    end = _EPOCH + ((before - _EPOCH) // step) * step
    return Window(end - step, end)


def resolve_target(event: MergeEvent, config: MergeConfig) -> Target:
    """Apply the defaults and validate; every error names the field and the value."""
    data = event.input
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
    step = timedelta(minutes=config.window_minutes)
    start = parse_time(data.window_start, "input.window_start") if data.window_start else None
    end = parse_time(data.window_end, "input.window_end") if data.window_end else None
    if start is not None and end is not None:
        window = Window(start, end)
    elif start is not None:
        window = Window(start, start + step)
    elif end is not None:
        window = Window(end - step, end)
    else:
        window = default_window(started, config.window_minutes)
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
    return Target(
        endpoint_name=endpoint,
        variant_name=variant,
        window=window,
        run_id=make_run_id(endpoint, window, event.execution_name),
        execution_name=event.execution_name,
        force_retrain=data.force_retrain,
    )


def make_run_id(endpoint: str, window: Window, execution_name: str) -> str:
    """``{endpoint}-{yyyymmddthhmm}-{8 hex}``: a SageMaker job-name fragment, <= 50 chars."""
    digest = hashlib.sha256(f"{execution_name}{window.slug}".encode()).hexdigest()[:8]
    stamp = f"{window.start:%Y%m%dt%H%M}"
    room = RUN_ID_MAX - len(stamp) - len(digest) - 2
    prefix = re.sub(r"[^a-z0-9-]", "-", endpoint.lower())[:room].strip("-") or "endpoint"
    return f"{prefix}-{stamp}-{digest}"
