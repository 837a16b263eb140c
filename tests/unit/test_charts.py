"""The SVG charts are valid XML, escape text, and print their numbers."""
from __future__ import annotations

import xml.etree.ElementTree as ET

from audit.reports import charts


def parse(svg) -> ET.Element:
    return ET.fromstring(str(svg))


def test_ranking_chart_prints_means_and_escapes_names():
    rows = [{"code": "VLN-01", "name": "Akropolis <b>&", "mean": 81.25, "ci_low": 70.0, "ci_high": 92.5,
             "visits": 6, "funnel": "above_95"},
            {"code": "RIX-02", "name": "Alfa", "mean": 40.0, "ci_low": None, "ci_high": None, "visits": 1,
             "funnel": "inside"}]
    root = parse(charts.ranking_chart(rows, 60.0, label="Ranking"))
    text = "".join(root.itertext())
    assert "81.2" in text and "Akropolis <b>&" in text and "n=1" in text
    assert root.get("aria-label") == "Ranking"


def test_heat_map_colours_cells_and_keeps_numbers_readable():
    root = parse(charts.heat_map(["A", "B"], ["greeting", "speed"], [[95.0, 10.0], [None, 50.0]]))
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert {"95", "10", "–", "50"} <= set(texts)
    assert charts.text_colour(charts.viridis(0.0)) == "#ffffff"  # white on dark purple
    assert charts.text_colour(charts.viridis(1.0)) == charts.INK  # dark on yellow


def test_funnel_line_bars_and_offsets_are_valid_svg():
    curve = {"n": [1, 5, 10], "centre": 70.0, "lower_95": [30, 52, 57], "upper_95": [100, 88, 83],
             "lower_998": [10, 40, 50], "upper_998": [100, 100, 90]}
    parse(charts.funnel_plot([{"code": "X", "visits": 4, "mean": 20.0, "funnel": "below_998"}], curve))
    parse(charts.line_chart(["2026-09", "2026-10"], {"Branch": [60.0, None], "Chain": [70.0, 71.0]}))
    parse(charts.compared_bars([("Greeting", 80.0, 70.0), ("Speed", None, 65.0)], own="Branch", reference="Chain"))
    parse(charts.offsets_chart([("Ina", 12.5, 40), ("Jonas", -3.0, 35)]))
