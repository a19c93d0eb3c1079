"""Collect rejected lines with their reason, source object and line number.

Entries are spooled to a temporary file (in memory up to a few MB, then on disk), so a window
full of bad lines cannot exhaust the function's memory.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections import Counter
from typing import IO

RAW_PREVIEW_CHARS = 2000
REASON_KEY_CHARS = 160
# Row and line positions vary from record to record; the reason they share is what counts.
_POSITION = re.compile(r"\b(row|line|column|char|pos) \d+")


def reason_key(reason: str) -> str:
    """The reason with its row/line positions blanked, so the same problem counts once."""
    text = _POSITION.sub(lambda m: f"{m.group(1)} N", " ".join(reason.split()))
    if len(text) > REASON_KEY_CHARS:
        text = text[: REASON_KEY_CHARS - 3] + "..."
    return text


class Quarantine:
    def __init__(self) -> None:
        self._file: IO[bytes] = tempfile.SpooledTemporaryFile(  # noqa: SIM115 (closed by close())
            max_size=8 << 20
        )
        self.count = 0
        self.by_kind: dict[str, int] = {}
        self.by_reason: Counter[tuple[str, str]] = Counter()  # (kind, reason_key) -> lines

    def add(
        self, kind: str, source_uri: str, line_number: int, reason: str, raw: bytes | str
    ) -> None:
        text = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else raw
        entry = {
            "kind": kind,
            "source": source_uri,
            "line": line_number,
            "reason": reason,
            "raw": text[:RAW_PREVIEW_CHARS],
            "raw_truncated": len(text) > RAW_PREVIEW_CHARS,
        }
        self._file.write(json.dumps(entry, ensure_ascii=False).encode("utf-8") + b"\n")
        self.count += 1
        self.by_kind[kind] = self.by_kind.get(kind, 0) + 1
        self.by_reason[(kind, reason_key(reason))] += 1

    def top_reasons(self, limit: int = 5, kind: str | None = None) -> list[dict[str, object]]:
        """``[{"kind", "reason", "count"}]``, most frequent first (ties: kind, reason)."""
        ranked = sorted(
            ((k, r, n) for (k, r), n in self.by_reason.items() if kind is None or k == kind),
            key=lambda item: (-item[2], item[0], item[1]),
        )
        return [{"kind": k, "reason": r, "count": n} for k, r, n in ranked[:limit]]

    def payload(self) -> bytes:
        self._file.seek(0)
        return self._file.read()

    def close(self) -> None:
        self._file.close()
