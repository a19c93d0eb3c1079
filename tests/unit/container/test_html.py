"""The report's inline bar charts say what their axes are."""

import re
import xml.etree.ElementTree as ET

from drift_monitor.report.html import bars_svg


def test_bars_have_axes_tick_labels_and_tooltips():
    labels = [f"(b{i}, b{i + 1}]" for i in range(20)]
    svg = bars_svg(labels, [0.05] * 20, [0.02] * 19 + [0.4], x_title="age, baseline bins")
    root = ET.fromstring(svg)  # well-formed
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "40%" in texts and "0%" in texts and "share of rows" in texts
    assert "grey = baseline, blue = current; x: age, baseline bins" in texts
    ticks = [t for t in texts if t and t.startswith("(b")]
    assert ticks == [labels[i] for i in range(0, 20, 2)]  # every 2nd of 20: at most 10
    tooltips = [t.text for t in root.iter("{http://www.w3.org/2000/svg}title")]
    assert "(b19, b20]: current 0.400" in tooltips and len(tooltips) == 40


def test_long_category_names_are_whole_under_the_axis_and_in_the_tooltip():
    name = "Machine-op-inspct & <others> of a very long category name"
    svg = bars_svg([name], [0.5], [0.5], x_title="occupation, the 20 most common categories")
    root = ET.fromstring(svg)
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert name in texts  # written in full, never cut with an ellipsis
    assert "…" not in svg
    assert re.search(r"<title>Machine-op-inspct &amp; &lt;others&gt; of a .*: baseline", svg)
    # the band under the axis and the width fit the label and the legend
    assert int(root.get("height")) >= 120 + len(name) * 6
    legend = "grey = baseline, blue = current; x: occupation, the 20 most common categories"
    assert legend in texts and int(root.get("width")) >= len(legend) * 6
