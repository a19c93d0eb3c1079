"""Open the pages people read in Debian's headless Chromium: DOM, console messages, screenshots.

Used by the browser tests (``tests/functional/test_browser_pages.py``) and to refresh the
README's screenshots from a demo run::

    .venv/bin/python -m workflow.offline.browser output/offline-run --docs docs/img

(the demo's trend page and the report of its first drifted window). Chromium runs as root only
with ``--no-sandbox``; ``make browser`` installs it.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars")
TIMEOUT_S = 90


class BrowserMissingError(RuntimeError):
    """Chromium is not installed."""


@dataclass(frozen=True)
class Rendered:
    dom: str  # the document after rendering (``--dump-dom``)
    console: list[str]  # the page's console messages (errors, failed loads), one per line


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        raise BrowserMissingError("chromium is not installed (`make browser` installs it)")
    return found


def render(page: Path) -> Rendered:
    """Load ``page`` from the file system (no network) and return its DOM and console lines."""
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run(
            [
                chromium(),
                *FLAGS,
                f"--user-data-dir={profile}",
                "--enable-logging=stderr",
                "--v=0",
                "--dump-dom",
                page.resolve().as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
            check=False,
        )
    if done.returncode != 0:
        raise RuntimeError(f"chromium exited {done.returncode}: {done.stderr[-2000:]}")
    console = [line for line in done.stderr.splitlines() if ":CONSOLE" in line]
    return Rendered(dom=done.stdout, console=console)


def screenshot(page: Path, png: Path, *, width: int = 1100, height: int = 1800) -> Path:
    png.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                chromium(),
                *FLAGS,
                f"--user-data-dir={profile}",
                f"--window-size={width},{height}",
                f"--screenshot={png.resolve()}",
                page.resolve().as_uri(),
            ],
            capture_output=True,
            timeout=TIMEOUT_S,
            check=True,
        )
    return png


def first_drifted_report(reports: Path) -> Path:
    """The report of the earliest window whose statistics say some feature drifted."""
    for statistics in sorted(reports.glob("*/statistics.json")):
        summary = json.loads(statistics.read_text(encoding="utf-8")).get("summary", {})
        if (summary.get("feature_drift") or {}).get("drifted_features"):
            return statistics.parent / "report.html"
    raise FileNotFoundError(f"{reports}: no window with drifted features")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("run", type=Path, help="a demo run's output folder (make run)")
    parser.add_argument("--endpoint", default="adult-income")
    parser.add_argument("--docs", type=Path, default=Path("docs/img"))
    args = parser.parse_args(argv)
    reports = args.run / "reports" / args.endpoint
    shots = {
        "trend.png": (reports / "trend.html", 1800),
        "report-drifted.png": (first_drifted_report(reports), 2600),
    }
    for name, (page, height) in shots.items():
        print(screenshot(page, args.docs / name, height=height))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
