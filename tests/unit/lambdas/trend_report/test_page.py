"""The trend page: self-contained, every window linked, charts with their points, small."""

from __future__ import annotations

import re

from tests.unit.lambdas.trend_report.helpers import body, record, slug_of
from trend_report.page import render_page
from trend_report.records import Rejected, WindowPoint, parse_record
from trend_report.svg import WIDTH


def points(decisions: list[str]) -> list[WindowPoint]:
    parsed = [parse_record(f"k{i}", body(record(i, d))) for i, d in enumerate(decisions)]
    assert all(isinstance(p, WindowPoint) for p in parsed)
    return parsed  # type: ignore[return-value]


def test_the_page_marks_every_decision_and_links_every_window():
    decisions = ["healthy", "healthy", "retrain", "notify", "healthy"]
    html = render_page("adult-income", points(decisions))
    for index, decision in enumerate(decisions):
        assert f'href="{slug_of(index)}/report.html"><rect class="d-{decision}"' in html
    assert "Latest window 2026-11-25 09:00–10:00 UTC: <b>HEALTHY</b>" in html
    assert "1 retrain, 1 notify, 3 healthy" in html
    assert "Flagged windows (2, newest first)" in html


def test_the_page_needs_no_network_and_no_script():
    html = render_page("adult-income", points(["healthy", "notify"]))
    assert "<script" not in html
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    assert "@import" not in html and "url(" not in html


def test_each_chart_has_its_data_points():
    html = render_page("adult-income", points(["healthy", "notify", "retrain"]))
    for chart in ("accuracy", "feature-drift", "dataset-drift", "coverage", "data-quality"):
        match = re.search(rf'<figure class="chart" id="{chart}">.*?data-points="(\d+)"', html)
        assert match, chart
        assert int(match.group(1)) > 0, chart
    accuracy = html.split('id="accuracy"')[1].split("</figure>")[0]
    assert accuracy.count("<circle") == 3 * 3  # floor, projected, measured: one dot per window
    assert "accuracy floor" in accuracy


def test_a_window_without_a_verdict_leaves_a_hole_not_a_point():
    parsed = points(["healthy", "healthy", "healthy"])
    document = record(1)
    document["accuracy"] = {"value": 1.0, "interval": [1.0, 1.0], "status": "insufficient_data"}
    parsed[1] = parse_record("k", body(document))  # type: ignore[assignment]
    html = render_page("adult-income", parsed)
    measured = html.split('class="s-measured"><path')[1].split("</g>")[0]
    assert 'data-points="2"' in measured
    assert measured.count("M") == 2  # two separate runs around the hole


def test_unreadable_records_are_listed():
    html = render_page("e", points(["healthy"]), [Rejected("s3://b/state/e/windows/x.json", "bad")])
    assert "Window records that could not be read (1)" in html
    assert "s3://b/state/e/windows/x.json" in html


def test_a_year_of_hourly_windows_is_reduced_to_the_plot_width():
    decisions = ["notify" if (i // 240) % 6 == 5 else "healthy" for i in range(8760)]
    html = render_page("adult-income", points(decisions))
    path = re.search(r'class="s-measured"><path data-points="8760" d="([^"]+)"', html)
    assert path, "the measured accuracy line covers every window"
    assert len(path.group(1).split()) <= WIDTH  # at most one point per pixel column
    strip = html.split('class="strip"')[1].split("</svg>")[0]
    assert strip.count("<a href=") <= WIDTH
    assert html.count("/report.html") >= 8760  # the by-day list still links every window
    assert len(html.encode()) < 2_000_000


def test_no_windows_yet():
    assert "No evaluated windows yet." in render_page("e", [])
