"""Parse the invocation event; every mistake in the execution input becomes a readable error.

The user's execution input (``event["input"]``) is validated strictly by
:class:`merge_labels.models.ExecutionInput`: unknown keys are rejected with the list of known
ones, and the types are exact JSON types. This module turns pydantic's errors into one
:class:`MergeInputError` whose message says what was sent and what to send instead; the state
machine's failure notification shows that message first. The keys the state machine itself
adds (``execution_name``, ``execution_start_time``) are checked too, but a problem there is
the definition's, not the user's, and is worded so.
"""

from __future__ import annotations

import difflib
import json
import re
from typing import Any

from pydantic import ValidationError

from merge_labels.errors import MergeInputError
from merge_labels.models import ExecutionInput, MergeEvent

KNOWN_INPUT_KEYS = tuple(ExecutionInput.model_fields)
EXAMPLE_INPUT = '{"window_start": "2026-11-25T13:00:00Z", "window_end": "2026-11-25T14:00:00Z"}'
_JSON_TYPES = {
    bool: "boolean",
    int: "number",
    float: "number",
    str: "string",
    type(None): "null",
    list: "array",
    dict: "object",
}
_EXPECTED = {"force_retrain": "a JSON boolean, true or false (without quotes)"}


def parse_event(event: Any) -> MergeEvent:
    """The validated event, or :class:`MergeInputError` naming every problem."""
    if isinstance(event, dict) and not isinstance(event.get("input", {}), dict):
        raise MergeInputError(
            f"the execution input must be a JSON object such as {EXAMPLE_INPUT} (or {{}} for "
            f"the previous full window); got a JSON {json_type(event['input'])}"
        )
    try:
        return MergeEvent.model_validate(event)
    except ValidationError as exc:
        raise MergeInputError(describe(exc)) from None


def describe(exc: ValidationError) -> str:
    """One message for all of ``exc``'s errors: unknown keys first, then each bad value, then
    any problem with the keys the state machine adds."""
    errors = exc.errors()
    unknown = [str(e["loc"][1]) for e in errors if _is_unknown_input_key(e)]
    problems = [unknown_keys_message(unknown)] if unknown else []
    problems += [_problem(e) for e in errors if _is_input_value(e)]
    event = [
        f"{'.'.join(str(part) for part in e['loc']) or '(event)'}: {e['msg']}"
        for e in errors
        if not _is_unknown_input_key(e) and not _is_input_value(e)
    ]
    if event:
        # The state machine builds these keys ($$.Execution.*): a definition problem.
        problems.append(
            "the MergeLabels event from the state machine is invalid (check the MergeLabels "
            f"state's Parameters): {'; '.join(event)}"
        )
    return "; ".join(problems)


def unknown_keys_message(keys: list[str]) -> str:
    hints = [f"{key!r}{_did_you_mean(key)}" for key in keys]
    noun = "key" if len(keys) == 1 else "keys"
    return (
        f"input: unknown {noun} {', '.join(hints)}; the execution input accepts only "
        f"{', '.join(KNOWN_INPUT_KEYS)} (all optional)"
    )


def json_type(value: Any) -> str:
    return _JSON_TYPES.get(type(value), type(value).__name__)


def _is_unknown_input_key(error: Any) -> bool:
    location = error["loc"]
    return error["type"] == "extra_forbidden" and len(location) == 2 and location[0] == "input"


def _did_you_mean(key: str) -> str:
    snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", key).replace("-", "_").lower()
    if snake in KNOWN_INPUT_KEYS:
        return f" (did you mean {snake!r}?)"
    close = difflib.get_close_matches(snake, KNOWN_INPUT_KEYS, n=1, cutoff=0.75)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _is_input_value(error: Any) -> bool:
    location = error["loc"]
    return error["type"] != "extra_forbidden" and len(location) == 2 and location[0] == "input"


def _problem(error: Any) -> str:
    field = str(error["loc"][1])
    value = error.get("input")
    expected = _EXPECTED.get(field, "a JSON string")
    if field != "force_retrain":
        expected += ", or leave the key out for the default"
    got = "null" if value is None else f"{_show(value)} (a JSON {json_type(value)})"
    return f"input.{field}: must be {expected}; got {got}"


def _show(value: Any) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= 80 else text[:77] + "..."
