"""A copy of the repository's tracked files, alone in an empty folder, runs the whole offline demo.

This is what a user gets from ``git clone``: if the demo (or anything it imports) read a file
outside the checkout, or a file that is not committed, the run in the copy fails. The copy
takes the tracked files of the working tree (so the test checks the change under test, not
the last commit) and runs with this venv's interpreter, but with only the copy on its path.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]


def _tracked_files() -> list[str]:
    if shutil.which("git") is None or not (REPO / ".git").exists():
        pytest.skip("not a git checkout: the tracked files are unknown")
    listing = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True)
    return [name for name in listing.stdout.decode().split("\0") if name]


def _copy_tracked(destination: Path) -> None:
    for name in _tracked_files():
        source = REPO / name
        if source.is_file():  # a tracked file deleted in the working tree is not copied
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)


def test_the_offline_run_works_in_a_fresh_copy_with_nothing_beside_it(tmp_path):
    clone = tmp_path / "somewhere" / "drift-pipeline"
    _copy_tracked(clone)
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith(("PYTHON", "AWS_"))
    }
    environment["PYTHONPATH"] = str(clone)
    # The venv's editable install (the console script) points at this checkout: the copy's own
    # packages must still be the ones imported.
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import workflow.offline, drift_monitor, merge_labels, "
            "evaluate_violations, column_schema, examples.adult as a; "
            "print(drift_monitor.__file__, merge_labels.__file__, evaluate_violations.__file__, "
            "column_schema.__file__, a.LABELED_CSV, sep='\\n')",
        ],
        cwd=clone,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    for imported in probe.stdout.split():
        assert Path(imported).is_relative_to(clone), imported
    completed = subprocess.run(
        [sys.executable, "-m", "workflow.offline.run", "--output", str(tmp_path / "out")],
        cwd=clone,
        env=environment,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    assert "retrain" in completed.stdout
    assert any((tmp_path / "out").rglob("report.html"))
