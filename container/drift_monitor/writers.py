"""Write the JSON outputs (strict JSON: NaN becomes null, infinities become strings)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any


def clean(value: Any) -> Any:
    """Make a structure strict-JSON-safe (numpy scalars to Python, NaN to null)."""
    if isinstance(value, dict):
        return {str(k): clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalar
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    return value


def write_json(path: Path, document: Any, *, indent: int | None = 2) -> None:
    """``indent=None`` for a model file nobody reads by eye (indenting doubles its size)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(clean(document), indent=indent, allow_nan=False)
    path.write_text(text + "\n", encoding="utf-8")


def write_violations(path: Path, violations: list[dict]) -> None:
    """constraint_violations.json, always written (``{"violations": []}`` when healthy)."""
    write_json(path, {"violations": violations})
