"""The pages people read, opened in a real browser (Debian's headless Chromium, no network).

Each page must render with no console message (no failed load, no error), and its charts must
be there with their data points. Skipped, saying why, only where chromium is not installed
(`make browser` installs it as root).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from drift_monitor.baseline_job import run_baseline
from drift_monitor.config import load_config
from drift_monitor.monitor_job import run_monitor
from examples.adult import scored
from tests.unit.lambdas.trend_report.helpers import body, record
from trend_report.page import render_page
from trend_report.records import parse_record
from workflow.offline.browser import render, screenshot

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        shutil.which("chromium") is None,
        reason="Debian's chromium is not installed (needs root and apt-get: `make browser`); "
        "the pages are not opened in a browser here",
    ),
]


@pytest.fixture(scope="module")
def drifted_report(tmp_path_factory) -> Path:
    """report.html of the drifted Adult traffic against a baseline of the labelled data."""
    root = tmp_path_factory.mktemp("report")
    env = {"DRIFT_MONITOR_ML_ROOT": str(root / "ml")}
    pq.write_table(scored.labeled_table(), root / "reference.parquet")
    pq.write_table(scored.drifted_table(), root / "window.parquet")
    reference, window = str(root / "reference.parquet"), str(root / "window.parquet")
    baseline, schema = str(root / "baseline"), str(scored.SCHEMA_JSON)
    run_baseline(
        load_config(
            ["baseline", "--dataset", reference, "--schema", schema, "--output", baseline], env
        )
    )
    run_monitor(
        load_config(
            ["--dataset", window, "--baseline", baseline, "--output", str(root / "out")], env
        )
    )
    return root / "out" / "report.html"


@pytest.fixture(scope="module")
def trend_page(tmp_path_factory) -> Path:
    decisions = ["healthy"] * 20 + ["retrain"] + ["notify"] * 6 + ["healthy"] * 21
    points = [parse_record(f"k{i}", body(record(i, d))) for i, d in enumerate(decisions)]
    page = tmp_path_factory.mktemp("trend") / "trend.html"
    page.write_text(render_page("adult-income", points), encoding="utf-8")  # type: ignore[arg-type]
    return page


def _points(dom: str) -> list[int]:
    return [int(n) for n in re.findall(r'data-points="(\d+)"', dom)]


def test_the_trend_page_renders_with_its_charts_and_no_console_message(trend_page):
    rendered = render(trend_page)
    assert rendered.console == []
    assert "Drift trend: adult-income" in rendered.dom
    charts = re.findall(r'<figure class="chart" id="([\w-]+)"', rendered.dom)
    assert charts == ["accuracy", "feature-drift", "dataset-drift", "coverage", "data-quality"]
    assert rendered.dom.count("<circle") >= 48 * 3  # every window's point on the accuracy chart
    assert max(_points(rendered.dom)) >= 48
    assert rendered.dom.count('<rect class="d-') == 48  # one decision mark per window


def test_the_drifted_report_renders_with_its_charts_and_no_console_message(drifted_report):
    rendered = render(drifted_report)
    assert rendered.console == []
    assert '<p class="verdict bad">VIOLATIONS:' in rendered.dom
    assert re.search(
        r"<p class=\"headline\">\d+ of 14 features drifted, dataset drift yes", rendered.dom
    )
    charts = rendered.dom.split("<h3>Baseline vs current distributions</h3>")[1]
    assert charts.count("<svg") >= 14 and charts.count("<rect") > 100  # bars with their data


def test_screenshots_are_pictures_of_the_pages(trend_page, drifted_report, tmp_path):
    for page in (trend_page, drifted_report):
        png = screenshot(page, tmp_path / f"{page.parent.name}.png", height=900)
        data = png.read_bytes()
        assert data.startswith(b"\x89PNG") and len(data) > 20_000  # not a blank page
