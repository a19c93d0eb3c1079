"""The command line as a user meets it: help, each command, and bad input as one clear line."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from drift_monitor import cli
from drift_monitor.cli import main
from examples.adult import scored as _data
from tests.unit.container.test_steps import SECTIONS  # the order the sections run and report

REPO = Path(__file__).resolve().parents[3]
SCHEMA = str(_data.SCHEMA_JSON)


@pytest.fixture
def env(tmp_path):
    return {"DRIFT_MONITOR_ML_ROOT": str(tmp_path / "ml")}


def _message(env) -> str:
    return (Path(env["DRIFT_MONITOR_ML_ROOT"]) / "output" / "message").read_text()


def test_help_lists_the_commands_and_every_option_with_its_default(capsys, env):
    assert main(["--help"], env) == 0
    top = capsys.readouterr().out
    for command in ("baseline", "monitor", "infer-schema", "DRIFT_MONITOR_THREADS"):
        assert command in top
    expected = {
        "baseline": ["/opt/ml/processing/input/baseline_dataset_input", "next to the dataset"],
        "monitor": ["/opt/ml/processing/input/endpoint", "/opt/ml/processing/baseline"],
        "infer-schema": ["(default: label)", "(default: score)", "(default: 0.5)"],
    }
    for command, defaults in expected.items():
        assert main([command, "--help"], env) == 0
        text = " ".join(capsys.readouterr().out.split())  # undo argparse's wrapping
        options = [w for w in text.split() if w.startswith("--") and w != "--help"]
        assert options and all(f"{o} " in text for o in options)
        assert text.count("default:") >= 4 and all(d in text for d in defaults), command
    assert main(["--dataset", "x", "--help"], env) == 0  # options without a command: monitor
    assert "--baseline DIR" in capsys.readouterr().out
    assert not (Path(env["DRIFT_MONITOR_ML_ROOT"]) / "output" / "message").exists()


def test_python_m_help_exits_zero():
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO / "container"), str(REPO / "common")]),
    }
    run = subprocess.run(
        [sys.executable, "-m", "drift_monitor", "--help"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("usage: python -m drift_monitor")


def test_console_script_entry_point(monkeypatch, capsys):
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    assert pyproject["project"]["scripts"]["drift-monitor"] == "drift_monitor.cli:run"
    monkeypatch.setattr(sys, "argv", ["drift-monitor", "--help"])
    with pytest.raises(SystemExit) as exit_info:
        cli.run()
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.startswith("usage: drift-monitor")


def test_infer_schema_then_baseline_then_monitor_from_csv(tmp_path, env, capsys, reference_table):
    """The path of a new user: a schema from the data, a baseline, a CSV window."""
    reference = tmp_path / "reference" / "reference.parquet"
    reference.parent.mkdir()
    pq.write_table(reference_table.slice(0, 1500), reference)
    assert main(["infer-schema", str(reference)], env) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith(f"Wrote {reference.parent / 'schema.json'}: 14 features")
    assert "age: numerical" in captured.err
    # no --schema: baseline reads the schema.json next to the dataset
    assert (
        main(["baseline", "--dataset", str(reference), "--output", str(tmp_path / "b")], env) == 0
    )
    assert _message(env).startswith("Completed: baseline of 1500 rows")
    window = tmp_path / "window.csv"
    pacsv.write_csv(_data.resample(reference_table, 400, 3), window)
    argv = ["monitor", "--dataset", str(window), "--baseline", str(tmp_path / "b")]
    assert main([*argv, "--output", str(tmp_path / "out"), "--format", "csv"], env) == 0
    statistics = json.loads((tmp_path / "out" / "statistics.json").read_text())
    assert statistics["dataset"]["item_count"] == 400
    assert statistics["inferred"]["dataset_format"] == {"csv": {"header": True}}


def test_baseline_from_a_csv_file(tmp_path, env, reference_table):
    reference = tmp_path / "reference.csv"
    pacsv.write_csv(reference_table.slice(0, 1200), reference)
    argv = ["baseline", "--dataset", str(reference), "--schema", SCHEMA]
    assert main([*argv, "--output", str(tmp_path / "b")], env) == 0
    assert (tmp_path / "b" / "constraints.json").is_file()


@pytest.mark.parametrize(
    "argv, expected",
    [
        (["baseline", "--dataset", "{tmp}/nowhere.parquet", "--schema", SCHEMA], "does not exist"),
        (["baseline", "--dataset", "{tmp}/ref.parquet", "--schema", "{tmp}/no.json"], "not found"),
        (["monitor", "--format", "avro"], "unknown format 'avro'"),
        (["baseline", "--dataset", "{tmp}/ref.txt", "--schema", SCHEMA], "cannot tell the"),
        (["baseline", "--dataset", "{tmp}/ref.parquet", "--schema", SCHEMA], "lacks the schema"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
        (["monitor", "--threads", "0"], "expected a positive integer"),
        (["monitor", "--start", "yesterday"], "start_time='yesterday' is not an ISO-8601"),
    ],
)
def test_bad_input_is_one_clear_line_and_exit_1(tmp_path, env, capsys, argv, expected):
    import pyarrow as pa

    pq.write_table(pa.table({"other": [1, 2, 3]}), tmp_path / "ref.parquet")  # no schema feature
    (tmp_path / "ref.txt").write_text("age\n1\n")
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    assert main(argv, env) == 1
    err = capsys.readouterr().err
    assert expected in err and "Traceback" not in err
    assert _message(env).startswith("Failed: ") and expected in _message(env)


@pytest.mark.parametrize(
    "extra, expected",
    [
        ([], "data file does not exist"),
        (["--categorical", "nope"], "--categorical nope: no such column"),
    ],
)
def test_infer_schema_bad_input(tmp_path, env, capsys, extra, expected):
    import pyarrow as pa

    if extra:
        pq.write_table(pa.table({"x": [1.0]}), tmp_path / "d.parquet")
    assert main(["infer-schema", str(tmp_path / "d.parquet"), *extra], env) == 1
    err = capsys.readouterr().err
    assert err.startswith("Failed: ") and expected in err and "Traceback" not in err


def test_infer_schema_to_stdout_and_no_silent_overwrite(tmp_path, env, capsys, reference_table):
    pq.write_table(reference_table.slice(0, 50), tmp_path / "d.parquet")
    assert main(["infer-schema", str(tmp_path / "d.parquet"), "--output", "-"], env) == 0
    assert json.loads(capsys.readouterr().out)["label"] == "label"
    (tmp_path / "schema.json").write_text("{}")
    assert main(["infer-schema", str(tmp_path / "d.parquet")], env) == 1
    assert "--force" in capsys.readouterr().err
    assert (tmp_path / "schema.json").read_text() == "{}"


def test_a_baseline_without_labels_says_what_will_not_be_built(
    tmp_path, env, capsys, reference_table
):
    pq.write_table(reference_table.slice(0, 600).drop_columns(["label"]), tmp_path / "r.parquet")
    argv = ["baseline", "--dataset", str(tmp_path / "r.parquet"), "--schema", SCHEMA]
    assert main([*argv, "--output", str(tmp_path / "b")], env) == 0
    err = capsys.readouterr().err
    assert (
        "warning: no label column 'label' in " in err
        and "model quality and the projection's calibration will not be built" in err
    )
    timed = re.findall(r"^(\w+): \d+\.\d\d s$", err, flags=re.M)  # the progress lines
    assert timed == SECTIONS
    assert "; warning: no label column 'label'" in _message(env)


def test_a_dataset_with_none_of_the_schema_columns_is_refused(tmp_path, env, baseline_dir):
    import pyarrow as pa

    pq.write_table(pa.table({"x": [1, 2, 3]}), tmp_path / "w.parquet")
    argv = ["monitor", "--dataset", str(tmp_path / "w.parquet"), "--baseline", str(baseline_dir)]
    assert main([*argv, "--output", str(tmp_path / "out")], env) == 1
    assert "none of the schema's columns is in the dataset (found ['x'])" in _message(env)
