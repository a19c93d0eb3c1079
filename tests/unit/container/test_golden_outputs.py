"""Identity test: the demo's baseline and monitor outputs are the golden ones.

The golden files were written by the code before the speed work (issue 16); any change to a
statistic, a violation, a verdict or a metric line fails here, naming the file and the field.
Floats are compared within the cross-CPU tolerance measured in ``golden_outputs``.
"""

from __future__ import annotations

import json

import pytest

from tests.unit.container import golden_outputs


@pytest.fixture(scope="module")
def outputs(baseline_dir, tmp_path_factory):
    return golden_outputs.all_outputs(baseline_dir, tmp_path_factory.mktemp("golden"))


@pytest.mark.parametrize("part", ["baseline", "monitor_drifted", "monitor_labelled"])
def test_outputs_are_the_golden_ones(outputs, part):
    golden = golden_outputs.read_golden()[part]
    actual = outputs[part]
    assert sorted(actual) == sorted(golden), part
    for name in golden:
        found = golden_outputs.differences(actual[name], golden[name], name)
        assert not found, f"{part} differs from golden/{part}.json: {found[:5]}"


def test_the_comparison_allows_float_noise_and_nothing_else():
    """The tolerance absorbs a CPU's rounding, not a changed figure, count or type."""
    golden = {"rate": 0.8545081982137362, "rows": 4885, "p": 3.0996e-07, "nan": float("nan")}
    noisy = {"rate": 0.8545009418952235, "rows": 4885, "p": 3.1117e-07, "nan": float("nan")}
    assert golden_outputs.differences(noisy, golden) == []
    assert golden_outputs.differences({**noisy, "rate": 0.8525}, golden) == [
        ".rate: 0.8525, golden 0.8545081982137362"
    ]
    assert golden_outputs.differences({"sensitivity": 0.0045}, {"sensitivity": 0.0044}) == []
    assert golden_outputs.differences({"sensitivity": 0.0046}, {"sensitivity": 0.0044})
    assert golden_outputs.differences({"share": 0.6}, {"share": 0.5})
    assert golden_outputs.differences({"rate": 0.8535}, {"rate": 0.8545081982137362})
    assert golden_outputs.differences({**noisy, "rows": 4884}, golden)
    assert golden_outputs.differences({**noisy, "rows": 4885.0}, golden)
    assert golden_outputs.differences({**noisy, "extra": 1}, golden)


def test_a_fingerprint_sees_structure_exactly_and_floats_by_summary():
    table = {"age": [39.0, 50.0], "workclass": ["Private", None]}
    same = golden_outputs.content_fingerprint(table)
    assert (
        golden_outputs.differences(
            golden_outputs.content_fingerprint(
                {"age": [39.0 + 1e-9, 50.0], "workclass": ["Private", None]}
            ),
            same,
        )
        == []
    )
    for changed in ({"age": [39.0, 51.0]}, {"workclass": ["Private", "State-gov"]}):
        other = golden_outputs.content_fingerprint({**table, **changed})
        assert golden_outputs.differences(other, same)


def test_the_monitor_windows_reach_every_section(outputs):
    """The golden windows exercise what speed work touches: both windows projected, the
    labelled one with model quality measured, and the feature-aware calibration in use."""
    drifted = outputs["monitor_drifted"]["statistics.json"]
    labelled = outputs["monitor_labelled"]["statistics.json"]
    assert "projected_binary_classification_metrics" in json.dumps(drifted)
    assert "binary_classification_metrics" in labelled
    projection = outputs["baseline"]["projection_baseline.json"]
    assert projection["feature_calibration"]["use"] is True
