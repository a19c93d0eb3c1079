"""Where every benchmark's table goes: ``benchmarks/results/<name>.md``, also printed."""

from __future__ import annotations

from pathlib import Path

RESULTS_DIR = Path(__file__).resolve().parent / "results"


def publish(text: str, path: Path) -> None:
    """Write the results table (the README quotes these files) and show it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    print(text)
