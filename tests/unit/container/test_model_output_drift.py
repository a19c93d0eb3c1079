"""Model-output drift: the score distribution and the predicted-class mix, judged like features."""

import json
import shutil

import numpy as np
import pyarrow as pa
import pytest

from drift_monitor.dataset import from_table
from drift_monitor.errors import InputError
from drift_monitor.model_output_drift import BASELINE_FILE, ModelOutputDriftSection
from examples.adult import scored as _data


@pytest.fixture
def constraints(baseline_dir):
    return json.loads((baseline_dir / "constraints.json").read_text())


def _analyse(table, schema, baseline_dir, constraints):
    return ModelOutputDriftSection().analyse(from_table(table, schema), baseline_dir, constraints)


def test_a_window_like_the_baseline_is_not_flagged(
    reference_table, adult_schema, baseline_dir, constraints
):
    result = _analyse(
        _data.resample(reference_table, 2000, 21), adult_schema, baseline_dir, constraints
    )
    assert result.summary == {
        "status": "ok",
        "evaluated": True,
        "drifted": False,
        "drifted_outputs": [],
    }
    assert result.violations == []
    outputs = result.statistics["model_output_drift"]["outputs"]
    assert [o["output"] for o in outputs] == ["score", "prediction"]
    assert all(o["p_value_adjusted"] > 0.01 for o in outputs)
    assert {m["MetricName"] for m in result.metrics} == {
        "model_output_drift_score",
        "model_output_drift_prediction",
    }


def test_the_demo_drift_moves_the_models_output(
    drifted_table, adult_schema, baseline_dir, constraints
):
    result = _analyse(drifted_table, adult_schema, baseline_dir, constraints)
    assert result.summary["drifted"] and result.summary["drifted_outputs"] == [
        "score",
        "prediction",
    ]
    checks = {v["feature_name"]: v for v in result.violations}
    assert {v["constraint_check_type"] for v in checks.values()} == {"model_output_drift_check"}
    score = checks["score"]
    assert score["observed"] > score["threshold"] == 0.1
    assert "Model output drift: drifted" in result.report_html


def test_a_shift_too_small_to_matter_is_not_flagged_at_any_size(
    reference_table, adult_schema, baseline_dir, constraints
):
    """Scores nudged by 0.005 on 50,000 rows: the test may notice, the effect size does not."""
    table = _data.resample(reference_table, 50_000, 22)
    index = table.schema.get_field_index("score")
    nudged = np.clip(table.column("score").to_numpy() + 0.005, 0.0, 1.0)
    table = table.set_column(index, "score", pa.array(nudged))
    result = _analyse(table, adult_schema, baseline_dir, constraints)
    score = result.statistics["model_output_drift"]["outputs"][0]
    assert score["effect_size"] < 0.1 and not result.summary["drifted"]


def test_a_small_window_is_not_judged(drifted_table, adult_schema, baseline_dir, constraints):
    result = _analyse(drifted_table.slice(0, 20), adult_schema, baseline_dir, constraints)
    assert result.summary["status"] == "insufficient_data" and result.violations == []
    assert "fewer than minimum_rows=50" in result.summary["reason"]


def test_a_class_only_model_gets_the_class_mix(
    drifted_table, adult_schema, baseline_dir, constraints
):
    result = _analyse(
        drifted_table.drop_columns(["score"]), adult_schema, baseline_dir, constraints
    )
    outputs = result.statistics["model_output_drift"]["outputs"]
    assert [o["output"] for o in outputs] == ["prediction"]
    assert result.summary["drifted_outputs"] == ["prediction"]


def test_an_older_baseline_or_a_disabled_check_says_why_it_did_not_judge(
    tmp_path, drifted_table, adult_schema, baseline_dir, constraints
):
    older = tmp_path / "older-baseline"
    shutil.copytree(baseline_dir, older)
    (older / BASELINE_FILE).unlink()
    result = _analyse(drifted_table, adult_schema, older, constraints)
    assert result.summary["evaluated"] is False and result.violations == []
    assert "rebuild the baseline" in result.summary["reason"]
    assert "rebuild the baseline" in result.report_html
    constraints["model_output_drift"]["enabled"] = False
    result = _analyse(drifted_table, adult_schema, baseline_dir, constraints)
    assert result.summary["evaluated"] is False and result.violations == []
    assert "disabled" in result.summary["reason"]


def test_a_baseline_of_another_version_is_refused(
    tmp_path, drifted_table, adult_schema, baseline_dir, constraints
):
    other = tmp_path / "other-baseline"
    shutil.copytree(baseline_dir, other)
    (other / BASELINE_FILE).write_text(json.dumps({"version": 99}))
    with pytest.raises(InputError, match="model-output baseline is not a version-1 one"):
        _analyse(drifted_table, adult_schema, other, constraints)


def test_a_malformed_setting_names_its_block(
    drifted_table, adult_schema, baseline_dir, constraints
):
    constraints["model_output_drift"]["score_threshold"] = "high"
    with pytest.raises(
        InputError, match=r"constraints.json: model_output_drift score_threshold='high' is not"
    ):
        _analyse(drifted_table, adult_schema, baseline_dir, constraints)
