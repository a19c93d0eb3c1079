"""The demo's job outputs, comparable across code changes: what the identity test checks.

The baseline job runs on labeled.csv (the demo's baseline, the ``baseline_dir`` fixture) and
the monitor job on two windows: the demo's drifted traffic (no labels) and a seeded labelled
resample of labeled.csv (model quality and the projection's reliability test). Speed work must
leave every one of these outputs as it was; ``tests/unit/container/golden/`` holds them as
written by the code before that work, and ``python -m tests.unit.container.golden_outputs``
rewrites them (only when an output is meant to change, with the reason in the commit).

Left out, each for a stated reason (``RUN_SPECIFIC``): fields that name this run's paths or
time, and report.html (a rendering of statistics.json, with the run's time in it).

Floats are the one thing that may differ between machines running the same code: numpy,
OpenBLAS and scikit-learn's gradient boosting pick SIMD kernels by CPU (AVX-512 or AVX2), and
the sums come out in a different order. ``differences`` therefore compares keys, strings,
integers and booleans exactly and floats within ``FLOAT_TOLERANCE``; binary artefacts (Parquet
samples) are kept as ``content_fingerprint``s, so they too are compared by what they hold
rather than by their bytes. The feature-aware model's trees are kept by their shape and their
floats (``model_fingerprint``): on another CPU a near-tie between two split candidates can go the
other way (3 split features among the 625 trees did with AVX-512 masked off), so the model is
judged by what it does, its out-of-fold Brier in projection_baseline.json and the projected
figures of both monitor windows.
"""

from __future__ import annotations

import hashlib
import json
import math
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
# Measured: this code on one CPU with AVX-512, and with it masked off (NPY_DISABLE_CPU_FEATURES
# plus OPENBLAS_CORETYPE Haswell, then SSE only with Sandybridge), differed by at most 2.6e-4
# relative on a figure of order one (projected precision), 1.4e-5 absolute on a standard
# deviation of 0.0075, and 1e-9 on a p-value of 3e-7. Counts, statuses, verdicts and every string
# stay exact. A figure the code rounds (to ROUNDED_FROM_DECIMALS places or more) may also move by
# one unit of its last place: with SSE only, a sensitivity of 0.00445 became 0.0045, not 0.0044.
FLOAT_TOLERANCE = {"rel_tol": 5e-4, "abs_tol": 2e-5}
ROUNDED_FROM_DECIMALS = 3
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
    """Every file of the baseline folder: JSON documents whole, the Parquet samples as content
    fingerprints, the feature-aware model's trees (too big to keep) by shape and floats."""
    outputs: dict[str, Any] = {}
    for path in sorted(baseline.iterdir()):
        if path.suffix == ".parquet":
            outputs[path.name] = content_fingerprint(pq.read_table(path).to_pydict())
        elif path.name == "projection_feature_calibration.json":
            outputs[path.name] = model_fingerprint(json.loads(path.read_text()))
        else:
            outputs[path.name] = _comparable(path.name, path.read_text())
    return outputs


def content_fingerprint(value: Any) -> dict[str, Any]:
    """What a large document holds, small enough to keep: a SHA-256 of its exact structure
    (keys, strings, integers, booleans, nulls, with every float replaced by a marker) and,
    per top-level entry, the count, sum, sum of squares, minimum and maximum of its floats."""
    marked = json.dumps(_floats_marked(value), sort_keys=True)
    entries = value.items() if isinstance(value, dict) else [("", value)]
    floats = {key: _float_summary(list(_floats_in(entry))) for key, entry in entries}
    return {"structure_sha256": hashlib.sha256(marked.encode()).hexdigest(), "floats": floats}


def _one_last_place(actual: float, golden: float) -> bool:
    """Both figures rounded to the same d >= ROUNDED_FROM_DECIMALS places, one unit apart."""
    places = next((d for d in range(ROUNDED_FROM_DECIMALS, 7) if round(golden, d) == golden), None)
    if places is None or not math.isfinite(actual) or round(actual, places) != actual:
        return False
    return abs(actual - golden) <= 1.5 * 10.0**-places


def model_fingerprint(model: dict[str, Any]) -> dict[str, Any]:
    """The feature-aware model without its split features: its settings whole, the number of
    trees in each bag and nodes in each tree, and a summary of every float in the trees."""
    bags = model["bags"]
    return {
        "settings": {key: value for key, value in model.items() if key != "bags"},
        "nodes_per_tree": [[len(tree["feature"]) for tree in bag] for bag in bags],
        "tree_floats": _float_summary(list(_floats_in(bags))),
    }


def _floats_marked(value: Any) -> Any:
    if isinstance(value, float):
        return "<nan>" if math.isnan(value) else "<float>"
    if isinstance(value, dict):
        return {key: _floats_marked(entry) for key, entry in value.items()}
    if isinstance(value, list):
        return [_floats_marked(entry) for entry in value]
    return value


def _floats_in(value: Any):
    if isinstance(value, float):
        if not math.isnan(value):
            yield value
    elif isinstance(value, dict):
        for entry in value.values():
            yield from _floats_in(entry)
    elif isinstance(value, list):
        for entry in value:
            yield from _floats_in(entry)


def _float_summary(values: list[float]) -> dict[str, Any]:
    if not values:
        return {"count": 0}
    return {
        "count": len(values),
        "sum": math.fsum(values),
        "sum_of_squares": math.fsum(v * v for v in values),
        "min": min(values),
        "max": max(values),
    }


def differences(actual: Any, golden: Any, where: str = "") -> list[str]:
    """Where ``actual`` departs from ``golden``: floats beyond ``FLOAT_TOLERANCE`` (NaN equals
    NaN), anything else not exactly equal, including a float where an integer was."""
    if isinstance(golden, dict) and isinstance(actual, dict):
        if sorted(actual) != sorted(golden):
            return [f"{where}: keys {sorted(set(actual) ^ set(golden))} differ"]
        keyed = ((actual[key], golden[key], f"{where}.{key}") for key in golden)
        return [found for args in keyed for found in differences(*args)]
    if isinstance(golden, list) and isinstance(actual, list):
        if len(actual) != len(golden):
            return [f"{where}: {len(actual)} entries, golden {len(golden)}"]
        pairs = enumerate(zip(actual, golden, strict=True))
        return [found for i, (a, g) in pairs for found in differences(a, g, f"{where}[{i}]")]
    if type(golden) is float and type(actual) is float:
        if math.isnan(golden) and math.isnan(actual):
            return []
        if math.isclose(actual, golden, **FLOAT_TOLERANCE) or _one_last_place(actual, golden):
            return []
    elif type(actual) is type(golden) and actual == golden:
        return []
    return [f"{where}: {actual!r}, golden {golden!r}"]


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
