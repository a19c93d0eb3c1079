"""The notification of a window whose capture records were all rejected (``nothing_mergeable``).

Built here, where the counts and reasons are, and published by the state machine's
``NotifyNothingMergeable`` state (``$.merge.alert``). SNS subjects must be ASCII, one line,
at most 100 characters.
"""

from __future__ import annotations

import re
from typing import Any

from merge_labels.manifest import MergeStats
from merge_labels.previous import superseded_text
from merge_labels.window import Target

SUBJECT_MAX_CHARS = 100
_UNSAFE = re.compile(r"[^\x20-\x7e]")


def window_text(target: Target) -> str:
    start, end = target.window.start, target.window.end
    end_text = f"{end:%H:%M}" if end.date() == start.date() else f"{end:%Y-%m-%d %H:%M}"
    return f"{start:%Y-%m-%d %H:%M}-{end_text}"


def subject(target: Target) -> str:
    tail = f" {window_text(target)} -> nothing mergeable"
    room = SUBJECT_MAX_CHARS - len("Drift: ") - len(tail)
    name = _UNSAFE.sub("?", target.endpoint_name)
    if len(name) > room:
        name = name[: max(room - 3, 1)] + "..."
    return _UNSAFE.sub("?", f"Drift: {name}{tail}")[:SUBJECT_MAX_CHARS]


def message(
    target: Target,
    stats: MergeStats,
    reasons: list[dict[str, Any]],
    superseded: dict[str, Any] | None,
    uris: dict[str, str],
) -> str:
    read, quarantined = stats.capture_lines, stats.records_quarantined
    share = "all" if quarantined == read else f"{quarantined} of"
    lines = [
        f"Endpoint: {target.endpoint_name} (variant {target.variant_name})",
        f"Window:   {window_text(target)} UTC, run {target.run_id}",
        "Outcome:  NOTHING MERGEABLE - nothing was analysed",
        f"{share.capitalize()} {read} capture records read in this window were quarantined"
        + (
            f" ({stats.records_outside_window} outside the window)"
            if stats.records_outside_window
            else ""
        )
        + "; no row could be merged.",
        "Top reasons:",
    ]
    lines += [f"  - {r['count']} x {r['reason']}" for r in reasons] or ["  - (none recorded)"]
    if superseded is not None:
        lines.append("Earlier data: " + superseded_text(superseded, uris["report"], False) + ".")
    lines.append(f"Quarantine: {uris['quarantine']}")
    lines.append(f"Manifest:   {uris['manifest']}")
    return "\n".join(lines) + "\n"
