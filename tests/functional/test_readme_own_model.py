"""The README's "Your own model" commands run as written and print what the README shows.

The fenced block between ``<!-- own-model: begin -->`` and ``<!-- own-model: end -->`` is run
with bash in this checkout, except its ``git clone`` and ``make`` lines (this checkout is the
clone and its environment is installed; ``test_fresh_clone.py`` covers installing). Every line
of the output the README quotes must appear in the real output (temporary paths replaced,
section timings and elisions skipped), so the section cannot go stale.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
TIMING = re.compile(r"^[a-z_]+: \d+(\.\d+)? s$")
TEMP_PATH = re.compile(r"/tmp/tmp\.[A-Za-z0-9]+")


def _section() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index("<!-- own-model: begin -->")
    return text[start : text.index("<!-- own-model: end -->", start)]


def _commands() -> str:
    block = re.search(r"```bash\n(.*?)```", _section(), re.S)
    assert block, "README: the own-model section has no bash block"
    kept = [
        line for line in block.group(1).splitlines() if not line.startswith(("git clone", "make "))
    ]
    return "\n".join(kept)


def _quoted_output() -> list[str]:
    text = README.read_text(encoding="utf-8")
    after = text[text.index("<!-- own-model: end -->") :]
    block = re.search(r"```text\n(.*?)```", after, re.S)
    assert block, "README: the own-model output block is missing"
    return [line.strip() for line in block.group(1).splitlines() if line.strip()]


@pytest.fixture(scope="module")
def ran(tmp_path_factory):
    script = _commands() + '\necho "WORK=$WORK"\n'
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        env={"PATH": "/usr/bin:/bin", "TMPDIR": str(tmp_path_factory.mktemp("own-model"))},
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    output = done.stdout + done.stderr
    work = Path(re.search(r"^WORK=(.*)$", done.stdout, re.M).group(1))
    return output, work


def test_the_documented_commands_make_a_schema_a_baseline_and_a_report(ran):
    _, work = ran
    schema = json.loads((work / "schema.json").read_text())
    assert len(schema["features"]) == 14
    assert (work / "baseline" / "constraints.json").is_file()
    assert (work / "baseline" / "statistics.json").is_file()
    violations = json.loads((work / "report" / "constraint_violations.json").read_text())
    assert violations["violations"], "the drifted window should raise violations"
    assert (work / "report" / "report.html").is_file()


def test_the_readme_quotes_the_real_output(ran):
    output, work = ran
    real = {" ".join(line.split()) for line in output.splitlines()}
    for line in _quoted_output():
        if line == "..." or TIMING.match(line):
            continue
        expected = " ".join(TEMP_PATH.sub(str(work), line).split())
        assert expected in real, f"README shows {line!r}, the commands printed:\n{output}"
