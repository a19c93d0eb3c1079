"""Identity test: the demo's baseline and monitor outputs are exactly the golden ones.

The golden files were written by the code before the speed work (issue 16); any change to a
statistic, a violation, a verdict or a metric line fails here, naming the file.
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
    for name in golden:  # canonical text: NaN equals NaN, floats compared exactly
        assert json.dumps(actual[name], sort_keys=True) == json.dumps(
            golden[name], sort_keys=True
        ), f"{part}: {name} differs from tests/unit/container/golden/{part}.json"


def test_the_monitor_windows_reach_every_section(outputs):
    """The golden windows exercise what speed work touches: both windows projected, the
    labelled one with model quality measured, and the feature-aware calibration in use."""
    drifted = outputs["monitor_drifted"]["statistics.json"]
    labelled = outputs["monitor_labelled"]["statistics.json"]
    assert "projected_binary_classification_metrics" in json.dumps(drifted)
    assert "binary_classification_metrics" in labelled
    projection = outputs["baseline"]["projection_baseline.json"]
    assert projection["feature_calibration"]["use"] is True
