"""Both contracts end to end: a Model Monitor schedule (env only, capture JSONL) and a plain
Processing job (arguments, merged Parquet); output files against their schemas; failures."""

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from drift_monitor.cli import main
from examples.adult import scored as _data

REPO = Path(__file__).resolve().parents[3]
CHECK_TYPES = {
    "data_type_check",
    "completeness_check",
    "baseline_drift_check",
    "missing_column_check",
    "extra_column_check",
    "categorical_values_check",
    "dataset_drift_check",
    "model_quality_check",
    "model_output_drift_check",
    "projected_accuracy_check",
    "projection_reliability_check",
}


def _capture_tree(root: Path, table: pa.Table, features: list[str]) -> None:
    """Write ``table`` as data-capture JSONL, one request per row, in the hour folder."""
    hour = root / "adult" / "AllTraffic" / "2026" / "11" / "25" / "13"
    hour.mkdir(parents=True)
    rows = table.select(features).to_pylist()
    scores = table.column("score").to_pylist()
    lines = []
    for index, (row, score) in enumerate(zip(rows, scores, strict=True)):
        buffer = io.StringIO()
        csv.writer(buffer).writerow(["" if row[f] is None else row[f] for f in features])
        lines.append(
            json.dumps(
                {
                    "captureData": {
                        "endpointInput": {
                            "observedContentType": "text/csv",
                            "mode": "INPUT",
                            "data": buffer.getvalue(),
                            "encoding": "CSV",
                        },
                        "endpointOutput": {
                            "observedContentType": "text/csv",
                            "mode": "OUTPUT",
                            "data": f"{score:.6f}",
                            "encoding": "CSV",
                        },
                    },
                    "eventMetadata": {
                        "eventId": f"e{index}",
                        "inferenceId": f"r{index}",
                        "inferenceTime": f"2026-11-25T13:{index % 60:02d}:00Z",
                    },
                    "eventVersion": "0",
                }
            )
        )
    lines.append("garbage line")
    (hour / "capture.jsonl").write_text("\n".join(lines) + "\n")


def _check_outputs(output: Path) -> dict:
    statistics = json.loads((output / "statistics.json").read_text())
    assert statistics["version"] == 0.0 and statistics["dataset"]["item_count"] >= 0
    for feature in statistics["features"]:
        assert feature["inferred_type"] in ("Integral", "Fractional", "String", "Unknown")
        block = feature.get("numerical_statistics") or feature["string_statistics"]
        assert set(block["common"]) == {"num_present", "num_missing"}
    summary = statistics["summary"]
    assert summary["item_count"] == statistics["dataset"]["item_count"]
    for name in ("data_quality", "feature_drift", "dataset_drift"):
        assert summary[name]["status"] in ("ok", "insufficient_data", "no_labels")
    violations = json.loads((output / "constraint_violations.json").read_text())["violations"]
    for violation in violations:
        assert violation["constraint_check_type"] in CHECK_TYPES
        assert isinstance(violation["feature_name"], str) and violation["description"]
        for key in ("observed", "threshold"):
            assert key not in violation or isinstance(violation[key], int | float)
    html = (output / "report.html").read_text()
    assert html.startswith("<!DOCTYPE html>") and "Actual vs projected accuracy" in html
    assert (
        "<script" not in html
        and "http://" not in html.replace("http://www.w3.org/2000/svg", "")
        and "https://" not in html
    )
    for line in (output / "cloudwatch_metrics.jsonl").read_text().splitlines():
        metric = json.loads(line)
        assert set(metric) == {"MetricName", "Timestamp", "Dimensions", "Value", "Unit"}
    return statistics


def test_schedule_contract_with_capture_jsonl_and_no_args(tmp_path, baseline_dir, drifted_table):
    ml_root = tmp_path / "ml"
    _capture_tree(tmp_path / "endpointdata", _data.resample(drifted_table, 600, 1), _data.FEATURES)
    env = {
        "DRIFT_MONITOR_ML_ROOT": str(ml_root),
        "dataset_source": str(tmp_path / "endpointdata"),
        "dataset_format": '{"sagemakerCaptureJson": {"captureIndexNames": '
        '["endpointInput", "endpointOutput"]}}',
        "output_path": str(tmp_path / "resultdata"),
        "baseline_statistics": str(baseline_dir / "statistics.json"),
        "baseline_constraints": str(baseline_dir / "constraints.json"),
        "publish_cloudwatch_metrics": "Enabled",
        "start_time": "2026-11-25T13:00:00Z",
        "end_time": "2026-11-25T14:00:00Z",
        "sagemaker_endpoint_name": "adult",
        "sagemaker_monitoring_schedule_name": "adult-dq",
    }
    assert main([], env) == 0
    statistics = _check_outputs(tmp_path / "resultdata")
    assert statistics["dataset"]["item_count"] == 600
    assert statistics["dataset"]["malformed_records"] == 1
    assert "label" in statistics["inferred"]
    assert "age" in statistics["summary"]["feature_drift"]["drifted_features"]
    published = (ml_root / "output/metrics/cloudwatch/cloudwatch_metrics.jsonl").read_text()
    assert published == (tmp_path / "resultdata" / "cloudwatch_metrics.jsonl").read_text()
    first = json.loads(published.splitlines()[0])
    assert first["Dimensions"] == [
        {"Name": "Endpoint", "Value": "adult"},
        {"Name": "MonitoringSchedule", "Value": "adult-dq"},
    ]
    assert first["Timestamp"] == "2026-11-25T14:00:00Z"
    assert (ml_root / "output/message").read_text().startswith("CompletedWithViolations: ")


def test_processing_job_contract_with_args(tmp_path, baseline_dir, reference_table):
    dataset = tmp_path / "window"
    dataset.mkdir()
    pq.write_table(_data.resample(reference_table, 800, 2), dataset / "merged.parquet")
    env = {"DRIFT_MONITOR_ML_ROOT": str(tmp_path / "ml")}
    assert (
        main(
            [
                "monitor",
                "--dataset",
                str(dataset),
                "--output",
                str(tmp_path / "out"),
                "--baseline",
                str(baseline_dir),
            ],
            env,
        )
        == 0
    )
    _check_outputs(tmp_path / "out")
    assert not (tmp_path / "ml/output/metrics").exists()  # publishing is a schedule thing
    message = (tmp_path / "ml/output/message").read_text()
    violations = json.loads((tmp_path / "out/constraint_violations.json").read_text())
    if violations["violations"]:  # other sections (model quality) may legitimately fire
        assert message.startswith("CompletedWithViolations")
    else:
        assert message == "Completed: Job completed successfully with no violations."


def test_baseline_folder_is_self_contained(baseline_dir):
    names = {p.name for p in baseline_dir.iterdir()}
    assert {"statistics.json", "constraints.json", "schema.json"} <= names
    assert not [n for n in names if n.endswith((".pkl", ".pickle", ".joblib"))]
    assert (
        json.loads((baseline_dir / "statistics.json").read_text())["inferred"]["ignored_columns"]
        == []
    )


def test_empty_window_is_insufficient_data_not_healthy(tmp_path, baseline_dir, reference_table):
    pq.write_table(reference_table.slice(0, 0), tmp_path / "empty.parquet")
    env = {"DRIFT_MONITOR_ML_ROOT": str(tmp_path / "ml")}
    assert (
        main(
            [
                "--dataset",
                str(tmp_path / "empty.parquet"),
                "--output",
                str(tmp_path / "out"),
                "--baseline",
                str(baseline_dir),
            ],
            env,
        )
        == 0
    )
    statistics = _check_outputs(tmp_path / "out")
    assert statistics["summary"]["feature_drift"]["status"] == "insufficient_data"
    assert "insufficient_data" in (tmp_path / "ml/output/message").read_text()


@pytest.mark.parametrize(
    "damage, expected",
    [
        ("constraints.json", "constraints.json: baseline constraints is not valid JSON"),
        ("schema.json", "schema.json: not readable as JSON"),
        ("feature_drift_baseline.json", "feature-drift baseline is not valid JSON"),
        (
            "feature_drift_reference.parquet",
            "feature-drift reference sample is not readable as Parquet",
        ),
        (
            "dataset_drift_reference.parquet",
            "dataset-drift reference sample is not readable as Parquet",
        ),
    ],
)
def test_corrupt_baseline_file_fails_with_its_name(
    tmp_path, baseline_dir, reference_table, damage, expected
):
    copy = tmp_path / "baseline"
    copy.mkdir()
    for item in baseline_dir.iterdir():
        (copy / item.name).write_bytes(item.read_bytes())
    (copy / damage).write_text("{ this is not valid")
    pq.write_table(reference_table.slice(0, 300), tmp_path / "w.parquet")
    env = {"DRIFT_MONITOR_ML_ROOT": str(tmp_path / "ml")}
    code = main(
        [
            "--dataset",
            str(tmp_path / "w.parquet"),
            "--output",
            str(tmp_path / "out"),
            "--baseline",
            str(copy),
        ],
        env,
    )
    assert code == 1
    message = (tmp_path / "ml/output/message").read_text()
    assert message.startswith("Failed: ") and expected in message and str(copy) in message
    if damage != "schema.json":  # the schema has its own reader (common/column_schema)
        assert "rebuild the baseline" in message


def test_baseline_statistics_are_not_needed_to_monitor(tmp_path, baseline_dir, reference_table):
    """No section reads the baseline statistics.json; only its folder locates the baseline."""
    copy = tmp_path / "baseline"
    copy.mkdir()
    for item in baseline_dir.iterdir():
        (copy / item.name).write_bytes(item.read_bytes())
    (copy / "statistics.json").write_text("{ this is not valid")
    pq.write_table(reference_table.slice(0, 300), tmp_path / "w.parquet")
    env = {"DRIFT_MONITOR_ML_ROOT": str(tmp_path / "ml")}
    argv = ["--dataset", str(tmp_path / "w.parquet"), "--output", str(tmp_path / "out")]
    assert main([*argv, "--baseline", str(copy)], env) == 0


def test_missing_inputs_fail_clearly(tmp_path, baseline_dir):
    env = {"DRIFT_MONITOR_ML_ROOT": str(tmp_path / "ml")}
    assert (
        main(
            [
                "--dataset",
                str(tmp_path / "nowhere"),
                "--baseline",
                str(baseline_dir),
                "--output",
                str(tmp_path / "o"),
            ],
            env,
        )
        == 1
    )
    assert "does not exist" in (tmp_path / "ml/output/message").read_text()
    assert main(["--baseline", str(tmp_path / "no-baseline")], env) == 1
    assert "no-baseline" in (tmp_path / "ml/output/message").read_text()
    (tmp_path / "ref").mkdir()
    (tmp_path / "ref" / "data.csv").write_text("age\n1\n")
    assert main(["baseline", "--dataset", str(tmp_path / "ref")], env) == 1
    assert "--schema" in (tmp_path / "ml/output/message").read_text()


def test_baseline_refuses_unusable_reference(tmp_path):
    table = pa.table({"age": ["1", "x", "y"]})
    pq.write_table(table, tmp_path / "ref.parquet")
    env = {"DRIFT_MONITOR_ML_ROOT": str(tmp_path / "ml")}
    assert (
        main(
            [
                "baseline",
                "--dataset",
                str(tmp_path / "ref.parquet"),
                "--schema",
                str(_data.SCHEMA_JSON),
                "--output",
                str(tmp_path / "b"),
            ],
            env,
        )
        == 1
    )
    assert "lacks the schema feature(s)" in (tmp_path / "ml/output/message").read_text()


def test_python_m_drift_monitor_as_a_subprocess(tmp_path, reference_table, drifted_table):
    """The real entry point, as the image runs it: baseline, then a schedule-style monitor."""
    pq.write_table(reference_table.slice(0, 1500), tmp_path / "ref.parquet")  # keep it quick
    pq.write_table(_data.resample(drifted_table, 1000, 9), tmp_path / "window.parquet")
    env = {
        **os.environ,
        "DRIFT_MONITOR_ML_ROOT": str(tmp_path / "ml"),
        "PYTHONPATH": os.pathsep.join([str(REPO / "container"), str(REPO / "common")]),
    }
    base = subprocess.run(
        [
            sys.executable,
            "-m",
            "drift_monitor",
            "baseline",
            "--dataset",
            str(tmp_path / "ref.parquet"),
            "--schema",
            str(_data.SCHEMA_JSON),
            "--output",
            str(tmp_path / "baseline"),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert base.returncode == 0, base.stderr
    env.update(
        {
            "dataset_source": str(tmp_path / "window.parquet"),
            "dataset_format": '{"parquet": {}}',
            "output_path": str(tmp_path / "out"),
            "baseline_statistics": str(tmp_path / "baseline/statistics.json"),
            "baseline_constraints": str(tmp_path / "baseline/constraints.json"),
            "publish_cloudwatch_metrics": "Disabled",
        }
    )
    run = subprocess.run(
        [sys.executable, "-m", "drift_monitor"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("CompletedWithViolations")
    _check_outputs(tmp_path / "out")
    bad = subprocess.run(
        [sys.executable, "-m", "drift_monitor", "--output", "/x", "--bogus"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 1
    assert "bad arguments" in (tmp_path / "ml/output/message").read_text()
