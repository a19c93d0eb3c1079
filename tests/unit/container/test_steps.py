"""Each section is timed and logged, and the thread limit reaches every native thread pool."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from drift_monitor import steps
from examples.adult import scored as _data

REPO = Path(__file__).resolve().parents[3]
SECTIONS = [
    "data_quality",
    "feature_drift",
    "dataset_drift",
    "model_quality",
    "projection",
    "model_output_drift",
]

# A fresh interpreter: nothing native is loaded before the job, as in the image. Every log
# line a step writes is written inside its thread limit, so the probe sees the pools the
# section itself ran with (including any library the section loaded late).
PROBE = textwrap.dedent(
    """
    import json, sys
    from drift_monitor import cli, steps
    assert "numpy" not in sys.modules and "sklearn" not in sys.modules
    import threadpoolctl
    seen = []
    log = steps.log
    def probe(text):
        pools = [(p["user_api"], p["prefix"], p["num_threads"])
                 for p in threadpoolctl.threadpool_info()]
        seen.append({"line": text, "pools": pools})
        log(text)
    steps.log = probe
    code = cli.main(sys.argv[2:])
    with open(sys.argv[1], "w") as handle:
        json.dump({"code": code, "seen": seen}, handle)
    """
)


def _run_probed(tmp_path: Path, name: str, argv: list[str], threads: str) -> dict:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO / "container"), str(REPO / "common")]),
        "DRIFT_MONITOR_ML_ROOT": str(tmp_path / "ml"),
        "DRIFT_MONITOR_THREADS": threads,
    }
    for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env.pop(variable, None)  # the limit must come from the job, not the environment
    record = tmp_path / f"{name}.json"
    run = subprocess.run(
        [sys.executable, "-c", PROBE, str(record), *argv],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    return json.loads(record.read_text())


def test_the_thread_limit_holds_for_every_loaded_blas_and_openmp_library(tmp_path, reference_table):
    pq.write_table(reference_table.slice(0, 800), tmp_path / "ref.parquet")
    pq.write_table(_data.resample(reference_table, 300, 4), tmp_path / "window.parquet")
    baseline = [
        "baseline",
        "--dataset",
        str(tmp_path / "ref.parquet"),
        "--schema",
        str(_data.SCHEMA_JSON),
        "--output",
        str(tmp_path / "b"),
    ]
    monitor = [
        "monitor",
        "--dataset",
        str(tmp_path / "window.parquet"),
        "--baseline",
        str(tmp_path / "b"),
        "--output",
        str(tmp_path / "out"),
    ]
    for name, argv in (("baseline", baseline), ("monitor", monitor)):
        result = _run_probed(tmp_path, name, argv, threads="1")
        assert result["code"] == 0
        timed = [r for r in result["seen"] if r["line"].endswith(" s")]
        assert [r["line"].split(":")[0] for r in timed] == SECTIONS, name
        pools = [pool for record in timed for pool in record["pools"]]
        assert {api for api, _, _ in pools} >= {"blas", "openmp"}  # the test is not vacuous
        unlimited = {(api, prefix, n) for api, prefix, n in pools if api in ("blas", "openmp")}
        assert {n for _, _, n in unlimited} == {1}, (name, unlimited)


def test_run_step_logs_the_duration_and_returns_the_result(capsys):
    assert steps.run_step("feature_drift", 1, lambda a, b: a + b, 2, b=3) == 5
    line = capsys.readouterr().err.strip()
    name, seconds = line.split(": ")
    assert name == "feature_drift" and seconds.endswith(" s") and float(seconds[:-2]) >= 0


def test_a_failing_step_says_so_and_raises(capsys):
    def broken() -> None:
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        steps.run_step("projection", 1, broken)
    assert capsys.readouterr().err.startswith("projection: failed after ")
