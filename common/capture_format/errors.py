"""The one error of the capture format, and the JSON-line check every record parser starts with."""

from __future__ import annotations

from typing import Any

from orjson import JSONDecodeError
from orjson import loads as json_loads


class RecordError(ValueError):
    """One capture or label line cannot be used; the message is the quarantine reason."""


def json_object_line(line: bytes | str, kind: str) -> dict[str, Any]:
    """One JSON Lines record as an object, or the RecordError a quarantine entry quotes."""
    try:
        record = json_loads(line)
    except JSONDecodeError as exc:
        raise RecordError(f"invalid JSON: {exc}") from None
    if not isinstance(record, dict):
        raise RecordError(f"a {kind} line must be a JSON object")
    return record
