"""The demo's job outputs, comparable across code changes: what the identity test checks.

The baseline job runs on labeled.csv (the demo's baseline, the ``baseline_dir`` fixture) and
the monitor job on two windows: the demo's drifted traffic (no labels) and a seeded labelled
resample of labeled.csv (model quality and the projection's reliability test). Speed work must
leave every one of these outputs as it was; ``tests/unit/container/golden/`` holds them as
written by the code before that work, and ``make_golden`` rewrites them (only when an output
is meant to change, with the reason in the commit).

Left out, each for a stated reason (``RUN_SPECIFIC``): fields that name this run's paths or
time, and report.html (a rendering of statistics.json, with the run's time in it).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from drift_monitor.cli import main
from examples.adult import scored as _data

GOLDEN = Path(__file__).resolve().parent / "golden"
LABELLED_WINDOW_ROWS, LABELLED_WINDOW_SEED = 2000, 16
# (file, dotted JSON path or metric-line key) -> why it differs between runs of the same code
RUN_SPECIFIC = {
    ("statistics.json", "inferred.schema_source"): "the baseline folder's path",
    ("cloudwatch_metrics.jsonl", "Timestamp"): "the time the job ran",
}
MONITOR_FILES = ("statistics.json", "constraint_violations.json", "cloudwatch_metrics.jsonl")
NOT_COMPARED = {"report.html": "renders statistics.json (compared) with the run's time"}


def windows(folder: Path) -> dict[str, Path]:
    """The two monitor windows as Parquet files in ``folder``."""
    drifted = folder / "drifted.parquet"
    pq.write_table(_data.drifted_table(), drifted)
    labelled = folder / "labelled.parquet"
    table = _data.resample(_data.labeled_table(), LABELLED_WINDOW_ROWS, LABELLED_WINDOW_SEED)
    pq.write_table(table, labelled)
    return {"drifted": drifted, "labelled": labelled}


def run_monitor(window: Path, baseline: Path, folder: Path) -> dict[str, Any]:
    """The real monitor job (the command line, in-process) on ``window``; its outputs."""
    ml_root, output = folder / "ml", folder / "out"
    argv = ["monitor", "--dataset", str(window), "--baseline", str(baseline)]
    code = main([*argv, "--output", str(output)], {"DRIFT_MONITOR_ML_ROOT": str(ml_root)})
    outputs: dict[str, Any] = {"exit_code": code}
    outputs["message"] = (ml_root / "output" / "message").read_text()
    for name in MONITOR_FILES:
        outputs[name] = _comparable(name, (output / name).read_text())
    return outputs


def baseline_outputs(baseline: Path) -> dict[str, Any]:
    """Every file of the baseline folder: JSON documents whole, the rest by SHA-256 (the
    feature-aware model's trees are too big to keep, the Parquet samples are binary)."""
    outputs: dict[str, Any] = {}
    for path in sorted(baseline.iterdir()):
        if path.suffix == ".json" and path.name != "projection_feature_calibration.json":
            outputs[path.name] = _comparable(path.name, path.read_text())
        else:
            outputs[path.name] = hashlib.sha256(path.read_bytes()).hexdigest()
    return outputs


def _comparable(name: str, text: str) -> Any:
    """The parsed file without its run-specific fields."""
    if name.endswith(".jsonl"):
        lines = [json.loads(line) for line in text.splitlines() if line.strip()]
        for line in lines:
            for (file, key), _ in RUN_SPECIFIC.items():
                if file == name:
                    line.pop(key, None)
        return lines
    document = json.loads(text)
    for (file, dotted), _ in RUN_SPECIFIC.items():
        if file == name:
            _drop(document, dotted.split("."))
    return document


def _drop(document: Any, keys: list[str]) -> None:
    for key in keys[:-1]:
        document = document.get(key, {}) if isinstance(document, dict) else {}
    if isinstance(document, dict):
        document.pop(keys[-1], None)


def all_outputs(baseline: Path, folder: Path) -> dict[str, Any]:
    """The baseline folder's outputs and both windows' monitor outputs."""
    outputs = {"baseline": baseline_outputs(baseline)}
    for name, window in windows(folder).items():
        outputs[f"monitor_{name}"] = run_monitor(window, baseline, folder / name)
    return outputs


def read_golden() -> dict[str, Any]:
    return {path.stem: json.loads(path.read_text()) for path in sorted(GOLDEN.glob("*.json"))}


def write_golden(outputs: dict[str, Any]) -> None:
    GOLDEN.mkdir(exist_ok=True)
    for name, value in outputs.items():
        (GOLDEN / f"{name}.json").write_text(json.dumps(value, indent=1, sort_keys=True) + "\n")


def build_demo_baseline(folder: Path) -> Path:
    """The demo's baseline as the ``baseline_dir`` fixture builds it (labeled.csv + score)."""
    dataset = folder / "reference.parquet"
    pq.write_table(_data.labeled_table(), dataset)
    output = folder / "baseline"
    argv = ["baseline", "--dataset", str(dataset), "--schema", str(_data.SCHEMA_JSON)]
    code = main([*argv, "--output", str(output)], {"DRIFT_MONITOR_ML_ROOT": str(folder / "ml")})
    if code != 0:
        raise RuntimeError(f"the baseline job failed ({code})")
    return output


if __name__ == "__main__":  # python -m tests.unit.container.golden_outputs: rewrite the files
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        write_golden(all_outputs(build_demo_baseline(Path(tmp)), Path(tmp)))
