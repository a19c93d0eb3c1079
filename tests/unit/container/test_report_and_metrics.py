"""report.html is self-contained and ordered; CloudWatch lines follow the BYOC format."""

import json
from datetime import UTC, datetime

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from column_schema import parse_schema
from drift_monitor.baseline_job import run_baseline
from drift_monitor.cloudwatch import metric_lines
from drift_monitor.config import load_config
from drift_monitor.data_quality import DataQualitySection
from drift_monitor.dataset_drift import DatasetDriftSection
from drift_monitor.feature_drift import FeatureDriftSection
from drift_monitor.monitor_job import run_monitor
from drift_monitor.report import render
from drift_monitor.sections import SectionResult


def _sections():
    return [DataQualitySection(), FeatureDriftSection(), DatasetDriftSection()]


def test_metric_lines_skip_non_finite_values_and_stamp_dimensions():
    lines = metric_lines(
        [
            {"MetricName": "a", "Value": 0.5, "Unit": "None"},
            {"MetricName": "b", "Value": float("nan")},
            {"MetricName": "c", "Value": float("inf")},
        ],
        datetime(2026, 11, 25, 14, tzinfo=UTC),
        "ep",
        None,
    )
    assert [json.loads(line) for line in lines] == [
        {
            "MetricName": "a",
            "Timestamp": "2026-11-25T14:00:00Z",
            "Dimensions": [{"Name": "Endpoint", "Value": "ep"}],
            "Value": 0.5,
            "Unit": "None",
        }
    ]


def test_report_places_accuracy_fragments_first_and_escapes():
    results = {
        "feature_drift": SectionResult(report_html="<section>drift</section>"),
        "model_quality": SectionResult(report_html="<p>actual 0.8</p>"),
        "projection": SectionResult(report_html="<p>projected 0.7</p>"),
    }
    html = render(
        "<b>t</b>",
        {"endpoint": "<x>"},
        results,
        [{"constraint_check_type": "baseline_drift_check"}],
    )
    assert "&lt;b&gt;t&lt;/b&gt;" in html and "&lt;x&gt;" in html
    accuracy = html.index("Actual vs projected accuracy")
    assert (
        accuracy
        < html.index("actual 0.8")
        < html.index("projected 0.7")
        < html.index("drift</section>")
    )
    assert "1 × baseline_drift_check" in html


def test_baseline_with_a_constant_column_then_a_moved_window(tmp_path):
    """A constant baseline feature has no spread: any move is an infinite effect, and the
    outputs stay strict JSON."""
    schema_path = tmp_path / "schema.json"
    schema_path.write_text(
        json.dumps(
            {"features": [{"name": "k", "type": "numerical"}, {"name": "x", "type": "numerical"}]}
        )
    )
    parse_schema(json.loads(schema_path.read_text()))
    rng = np.random.default_rng(0)
    reference = pa.table(
        {
            "k": np.full(500, 3.0),
            "x": rng.normal(size=500),
            "score": rng.uniform(size=500),
            "label": rng.integers(0, 2, 500),
        }
    )
    pq.write_table(reference, tmp_path / "ref.parquet")
    env = {"DRIFT_MONITOR_ML_ROOT": str(tmp_path / "ml")}
    run_baseline(
        load_config(
            [
                "baseline",
                "--dataset",
                str(tmp_path / "ref.parquet"),
                "--schema",
                str(schema_path),
                "--output",
                str(tmp_path / "base"),
            ],
            env,
        ),
        _sections(),
    )
    window = pa.table(
        {"k": np.full(300, 4.0), "x": rng.normal(size=300), "score": rng.uniform(size=300)}
    )
    pq.write_table(window, tmp_path / "w.parquet")
    message = run_monitor(
        load_config(
            [
                "--dataset",
                str(tmp_path / "w.parquet"),
                "--baseline",
                str(tmp_path / "base"),
                "--output",
                str(tmp_path / "out"),
            ],
            env,
        ),
        _sections(),
    )
    statistics = json.loads((tmp_path / "out" / "statistics.json").read_text())
    k = next(f for f in statistics["drift"]["features"] if f["name"] == "k")
    assert k["drifted"] and k["effect_size"] == "Infinity"
    assert "k" in statistics["summary"]["feature_drift"]["drifted_features"]
    assert message.startswith("CompletedWithViolations")
    violations = json.loads((tmp_path / "out" / "constraint_violations.json").read_text())
    drift = next(v for v in violations["violations"] if v["feature_name"] == "k")
    assert "observed" not in drift  # infinite: left out rather than written as a string
