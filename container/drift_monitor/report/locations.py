"""Where the job's inputs and outputs live in S3, for the report's header.

Inside a Processing job the dataset and the baseline are container-local copies (under the
job's processing root); a reader needs the S3 locations they came from. The job's own
``processingjobconfig.json`` maps each ``LocalPath`` to its ``S3Uri``; a local run without one
keeps the paths as they are.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from drift_monitor.config import ml_root_from, reroot


def _mappings(ml_root: Path) -> tuple[list[tuple[str, str]], str | None]:
    path = ml_root / "config" / "processingjobconfig.json"
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return [], None
    if not isinstance(document, dict):
        return [], None
    pairs: list[tuple[str, str]] = []
    for item in document.get("ProcessingInputs") or []:
        s3 = (item or {}).get("S3Input") or {}
        if s3.get("LocalPath") and s3.get("S3Uri"):
            pairs.append((str(reroot(s3["LocalPath"], ml_root)), s3["S3Uri"]))
    outputs = (document.get("ProcessingOutputConfig") or {}).get("Outputs") or []
    report = next(
        (o["S3Output"]["S3Uri"] for o in outputs if (o or {}).get("S3Output", {}).get("S3Uri")),
        None,
    )
    return pairs, report


def s3_locations(facts: dict[str, object], environ: Any = None) -> dict[str, object]:
    """``facts`` with container-local paths replaced by their S3 URIs, plus the report's own."""
    pairs, report = _mappings(ml_root_from(os.environ if environ is None else environ))
    located: dict[str, object] = {}
    for key, value in facts.items():
        text = str(value)
        for local, uri in pairs:
            if text == local or text.startswith(local.rstrip("/") + "/"):
                rest = text[len(local.rstrip("/")) :].lstrip("/")
                value = uri.rstrip("/") + "/" + rest if rest else uri
                break
        located[key] = value
    if report is not None:
        located["report"] = report
    return located
