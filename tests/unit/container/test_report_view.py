"""report.html reads right: verdict and headline first, no misleading metric, S3 locations."""

from __future__ import annotations

import json

from drift_monitor.report import model_quality, render
from drift_monitor.report.feature_drift import render as feature_drift_html
from drift_monitor.report.locations import s3_locations
from drift_monitor.sections import SectionResult

METRIC_NAMES = ("accuracy", "f1")


def _metric(value: float, lower: float, upper: float, n: int) -> dict:
    return {
        "value": value,
        "confidence_interval": {"lower": lower, "upper": upper, "level": 0.95, "method": "wilson"},
        "sample_size": n,
    }


def _quality(status: str, accuracy: float, ci: tuple[float, float], labelled: int) -> str:
    summary = {
        "status": status,
        "accuracy": accuracy,
        "accuracy_ci": list(ci),
        "accuracy_threshold": 0.82,
        "labeled_count": labelled,
    }
    metrics = {
        "accuracy": _metric(accuracy, *ci, labelled),
        "f1": _metric(1.0, 1.0, 1.0, labelled),
        "confusion_matrix": {"1": {"1": 131, "0": 59}, "0": {"1": 65, "0": 292}},
    }
    return model_quality.render(
        summary,
        metrics,
        {},
        metric_names=METRIC_NAMES,
        min_labeled_rows=100,
        labeled_count=labelled,
        label_coverage=0.68,
        without_prediction=0,
    )


def test_a_fired_accuracy_check_says_so_first_in_words_and_colour():
    html = _quality("ok", 0.773, (0.736, 0.806), 547)
    assert html.startswith("<p class='verdict bad'>BELOW THE FLOOR: accuracy 0.773")
    assert "model_quality_check fired" in html
    assert "Status: ok" not in html


def test_under_the_floor_with_an_interval_reaching_it_is_not_a_violation():
    html = _quality("ok", 0.81, (0.78, 0.84), 400)
    assert html.startswith("<p class='verdict warn'>UNDER THE FLOOR, NOT CONCLUSIVE")
    assert _quality("ok", 0.85, (0.82, 0.88), 400).startswith("<p class='verdict ok'>")


def test_below_the_minimum_rows_no_metric_is_shown():
    html = _quality("insufficient_data", 1.0, (1.0, 1.0), 7)
    assert "NO VERDICT: 7 labelled rows, fewer than the 100 needed" in html
    assert "1.000" not in html and "<table>" not in html


def test_a_zero_width_interval_is_marked_not_estimable():
    html = _quality("ok", 0.85, (0.82, 0.88), 400)
    f1_row = html.split("<td>f1</td>")[1].split("</tr>")[0]
    assert "not estimable (zero width)" in f1_row and "[1.000, 1.000]" not in html


def test_the_confusion_matrix_and_the_prediction_distribution_are_shown():
    html = _quality("ok", 0.773, (0.736, 0.806), 547)
    assert "Confusion matrix (547 labelled rows)" in html
    assert "<tr><th>actual 1</th><td>131</td><td>59</td></tr>" in html
    assert "class 1: predicted 35.8%, actual 34.7%" in html  # 196/547 and 190/547


def test_the_page_opens_with_the_verdict_and_the_headline():
    results = {
        "feature_drift": SectionResult(
            summary={"status": "ok", "drifted_features": ["age", "workclass"], "tested": 14}
        ),
        "dataset_drift": SectionResult(summary={"status": "ok", "drifted": True}),
        "model_output_drift": SectionResult(
            summary={"status": "ok", "evaluated": True, "drifted": False}
        ),
        "model_quality": SectionResult(
            summary={"status": "insufficient_data", "labeled_count": 7, "accuracy": 1.0}
        ),
        "projection": SectionResult(
            summary={"status": "ok", "projected_accuracy": 0.788, "accuracy_threshold": 0.82}
        ),
    }
    violations = [{"constraint_check_type": "baseline_drift_check"}] * 2
    html = render("Drift report: e", {"endpoint": "e"}, results, violations)
    assert "<p class='verdict bad'>VIOLATIONS: 2 × baseline_drift_check</p>" in html
    assert (
        "<p class='headline'>2 of 14 features drifted, dataset drift yes, model output drift no, "
        "accuracy measured: "
        "too few labels (7), no verdict, projected 78.8%, floor 82.0%</p>"
    ) in html
    body = html.split("<body>")[1]
    assert body.index("VIOLATIONS") < body.index("'headline'") < body.index("<th>endpoint</th>")
    assert "href='../trend.html'" in html
    assert "<p class='verdict ok'>NO VIOLATIONS" in render("t", {}, {}, [])


def test_charts_follow_the_tables_severity_order():
    rows = [
        {
            "name": name,
            "type": "numerical",
            "drifted": drifted,
            "effect_size": 0.5,
            "effect_size_metric": "Wasserstein",
            "threshold": 0.1,
            "p_value": 0.01,
            "psi": 0.1,
            "js_distance": 0.1,
            "baseline_missing_rate": 0.0,
            "current_missing_rate": 0.0,
            "enabled": True,
        }
        for name, drifted in (("hours", True), ("age", True), ("zip", False))
    ]
    charts = {"age": "<svg>a</svg>", "zip": "<svg>z</svg>", "hours": "<svg>h</svg>"}
    html = feature_drift_html(rows, charts, {"status": "ok"})
    assert html.index("<svg>h</svg>") < html.index("<svg>a</svg>") < html.index("<svg>z</svg>")


def test_the_header_names_s3_locations_not_container_paths(tmp_path):
    config = {
        "ProcessingInputs": [
            {
                "S3Input": {
                    "S3Uri": "s3://b/merged/e/w/data/",
                    "LocalPath": "/opt/ml/processing/input/data",
                }
            },
            {
                "S3Input": {
                    "S3Uri": "s3://b/baselines/e/",
                    "LocalPath": "/opt/ml/processing/baseline",
                }
            },
        ],
        "ProcessingOutputConfig": {
            "Outputs": [
                {
                    "S3Output": {
                        "S3Uri": "s3://b/reports/e/w/",
                        "LocalPath": "/opt/ml/processing/output",
                    }
                }
            ]
        },
    }
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "processingjobconfig.json").write_text(json.dumps(config))
    facts = {
        "endpoint": "e",
        "dataset": f"{tmp_path}/processing/input/data",
        "baseline": f"{tmp_path}/processing/baseline",
    }
    located = s3_locations(facts, {"DRIFT_MONITOR_ML_ROOT": str(tmp_path)})
    assert located == {
        "endpoint": "e",
        "dataset": "s3://b/merged/e/w/data/",
        "baseline": "s3://b/baselines/e/",
        "report": "s3://b/reports/e/w/",
    }
    assert s3_locations(facts, {"DRIFT_MONITOR_ML_ROOT": str(tmp_path / "none")}) == facts
