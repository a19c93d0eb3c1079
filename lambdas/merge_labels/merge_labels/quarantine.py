"""Collect rejected lines with their reason, source object and line number.

Entries are spooled to a temporary file (in memory up to a few MB, then on disk), so a window
full of bad lines cannot exhaust the function's memory.
"""

from __future__ import annotations

import json
import tempfile
from typing import IO

RAW_PREVIEW_CHARS = 2000


class Quarantine:
    def __init__(self) -> None:
        self._file: IO[bytes] = tempfile.SpooledTemporaryFile(  # noqa: SIM115 (closed by close())
            max_size=8 << 20
        )
        self.count = 0
        self.by_kind: dict[str, int] = {}

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

    def payload(self) -> bytes:
        self._file.seek(0)
        return self._file.read()

    def close(self) -> None:
        self._file.close()
