"""The SVG charts are valid XML, escape text, and print their numbers."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from audit.reports import charts, heat_maps, line_charts
from audit.reports.periods import month_index


def parse(svg) -> ET.Element:
    return ET.fromstring(str(svg))


def test_ranking_chart_prints_means_and_escapes_names():
    rows = [{"code": "VLN-01", "name": "Akropolis <b>&", "mean": 81.25, "ci_low": 70.0, "ci_high": 92.5,
             "visits": 6, "funnel": "above_95"},
            {"code": "RIX-02", "name": "Alfa", "mean": 40.0, "ci_low": None, "ci_high": None, "visits": 1,
             "funnel": "inside"}]
    root = parse(charts.ranking_chart(rows, 60.0, label="Ranking"))
    text = "".join(root.itertext())
    assert "81.3" in text and "Akropolis <b>&" in text and "n=1" in text  # 81.25 rounds half up
    assert root.get("aria-label") == "Ranking"


def test_heat_map_colours_cells_and_keeps_numbers_readable():
    root = parse(heat_maps.heat_map(["A", "B"], ["greeting", "speed"], [[95.0, 10.0], [None, 50.0]]))
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert {"95", "10", "–", "50"} <= set(texts)
    assert heat_maps.text_colour(heat_maps.viridis(0.0)) == "#ffffff"  # white on dark purple
    assert heat_maps.text_colour(heat_maps.viridis(1.0)) == "#000000"  # black on yellow


def test_funnel_line_bars_and_offsets_are_valid_svg():
    curve = {"n": [1, 5, 10], "centre": 70.0, "lower_95": [30, 52, 57], "upper_95": [100, 88, 83],
             "lower_998": [10, 40, 50], "upper_998": [100, 100, 90]}
    parse(charts.funnel_plot([{"code": "X", "visits": 4, "mean": 20.0, "funnel": "below_998"}], curve))
    parse(line_charts.legend_line_chart(["2026-09", "2026-10"], {"Branch": [60.0, None], "Chain": [70.0, 71.0]}))
    parse(charts.compared_bars([("Greeting", 80.0, 70.0), ("Speed", None, 65.0)], own="Branch", reference="Chain"))
    parse(charts.offsets_chart([("Ina", 12.5, 40), ("Jonas", -3.0, 35)]))


def test_compared_bars_tell_a_section_scored_0_from_one_not_asked():
    """Both drew an empty grey track ("0 / 62" and "– / 63" in a visit's PDF): the worst section
    looked like one without data."""
    root = parse(charts.compared_bars([("Farewell", 0.0, 62.0), ("Returns", None, 63.0)]))
    rects = root.findall("{http://www.w3.org/2000/svg}rect")
    scored = [r for r in rects if r.get("fill") == charts.ORANGE]
    assert len(scored) == 1 and float(scored[0].get("width")) > 0  # the 0, in the colour of "below the chain"
    outlines = [r for r in rects if r.get("fill") == "none"]
    assert len(outlines) == 1 and outlines[0].get("stroke-dasharray")  # the section not asked: a dashed outline
    assert len([r for r in rects if r.get("fill") == charts.LIGHT]) == 1  # one filled track, the scored one's


def test_funnel_plot_names_only_the_most_extreme_branches_and_keeps_names_inside():
    """With 300 branches, 120 of them beyond the 99.8 % limits, the plot names the 5 furthest
    above and the 5 furthest below (in standard errors), not all 120 on top of each other."""
    curve = {"n": [1, 100, 200], "centre": 60.0, "lower_95": [20, 55, 56], "upper_95": [100, 65, 64],
             "lower_998": [5, 52, 54], "upper_998": [100, 68, 66]}
    points = [{"code": f"B{n:03d}", "visits": 200, "mean": 60.0, "funnel": "inside"} for n in range(180)]
    points += [{"code": f"HI{n:02d}", "visits": 150 + n, "mean": 70.0, "funnel": "above_998"} for n in range(55)]
    points += [{"code": f"LO{n:02d}", "visits": 150 + n, "mean": 50.0, "funnel": "below_998"} for n in range(55)]
    points += [{"code": f"TOP{n}", "visits": 200, "mean": 80.0 + 5 * n, "funnel": "above_998"} for n in range(5)]
    points += [{"code": f"LOW{n}", "visits": 200, "mean": 40.0 - 5 * n, "funnel": "below_998"} for n in range(5)]
    points.append({"code": "FEW", "visits": 4, "mean": 99.0, "funnel": "inside"})  # far, but within the limits
    root = parse(charts.funnel_plot(points, curve, axis_label="Visits"))
    texts = root.findall("{http://www.w3.org/2000/svg}text")
    names = {t.text for t in texts if t.text and t.text[0].isalpha() and t.text != "Visits"}
    assert names == {f"TOP{n}" for n in range(5)} | {f"LOW{n}" for n in range(5)}
    for t in texts:  # every name inside the picture, whichever side of its point it is drawn
        if t.text in names:
            right_end = float(t.get("x")) + (0 if t.get("text-anchor") == "end" else charts.text_width(t.text))
            assert right_end <= 640
    axis = [t.text for t in texts if t.get("y") == str(320 - 34 + 14)]
    assert axis == ["0", "50", "100", "150", "200", "250"]  # 204 visits: the axis ends on the next tick


def test_funnel_plot_leaves_out_a_name_that_would_cover_another():
    curve = {"n": [1, 10], "centre": 60.0, "lower_95": [20, 50], "upper_95": [100, 70],
             "lower_998": [5, 45], "upper_998": [100, 75]}
    points = [{"code": "FIRST", "visits": 5, "mean": 95.0, "funnel": "above_998"},
              {"code": "TWIN", "visits": 5, "mean": 94.5, "funnel": "above_998"}]
    texts = [t.text for t in parse(charts.funnel_plot(points, curve)).iter("{http://www.w3.org/2000/svg}text")]
    assert "FIRST" in texts and "TWIN" in texts  # the second goes to the left of the point
    points.append({"code": "THIRD", "visits": 5, "mean": 94.8, "funnel": "above_998"})
    texts = [t.text for t in parse(charts.funnel_plot(points, curve)).iter("{http://www.w3.org/2000/svg}text")]
    assert sum(name in texts for name in ("FIRST", "TWIN", "THIRD")) == 2


def test_a_funnel_name_does_not_cover_another_branch_s_dot():
    curve = {"n": [1, 20], "centre": 60.0, "lower_95": [20, 50], "upper_95": [100, 70],
             "lower_998": [5, 45], "upper_998": [100, 75]}
    points = [{"code": "FAR", "visits": 10, "mean": 99.0, "funnel": "above_998"},
              {"code": "NEIGHBOUR", "visits": 11, "mean": 99.0, "funnel": "inside"}]  # just right of FAR
    root = parse(charts.funnel_plot(points, curve))
    far = next(t for t in root.iter("{http://www.w3.org/2000/svg}text") if t.text == "FAR")
    dot_x = [float(c.get("cx")) for c in root.iter("{http://www.w3.org/2000/svg}circle")]
    assert far.get("text-anchor") == "end" and float(far.get("x")) < min(dot_x)  # drawn left of its point


def test_month_labels_at_both_ends_of_a_trend_stay_inside_the_picture():
    """Long month names ("gruod. 2026", "сент. 2026 г.") sit centred on the first and last point."""
    labels = ["rugs. 2026", "spal. 2026", "lapkr. 2026", "gruod. 2026"]
    for chart in (line_charts.legend_line_chart(labels, {"Branch": [60.0, 61.0, 62.0, 63.0]}),
                  line_charts.legend_line_chart(labels, {"Branch": [60.0, 61.0, 62.0, 63.0]},
                                                reference=("Chain", 70.0))):
        root = parse(chart)
        width = float(root.get("viewBox").split()[2])
        for t in root.iter("{http://www.w3.org/2000/svg}text"):
            if t.text in labels:
                half = charts.text_width(t.text) / 2
                assert float(t.get("x")) - half >= 0 and float(t.get("x")) + half <= width, t.text


def test_long_cyrillic_branch_names_stay_inside_the_ranking_chart():
    """"VLN-01 Салон «Локон» Вильнюс-центр" lost its first letters at the picture's left edge."""
    rows = [{"code": "VLN-01", "name": "Салон «Локон» Вильнюс-центр и ещё", "mean": 70.0, "ci_low": 60.0,
             "ci_high": 80.0, "visits": 4, "funnel": "inside"}]
    root = parse(charts.ranking_chart(rows, 60.0, label="Ranking"))
    label = next(t for t in root.iter() if (t.text or "").startswith("VLN-01"))
    assert float(label.get("x")) - charts.text_width(label.text) >= 0 and label.text.endswith("…")


def _texts(svg) -> list[ET.Element]:
    return [t for t in parse(svg).iter("{http://www.w3.org/2000/svg}text")] or list(parse(svg).iter("text"))


def test_a_year_of_month_labels_does_not_run_together():
    """Thirteen "Jan 2026"-style labels on 640 px printed as "Jan 2026Feb 2026Mar 2026…"."""
    months = [f"{name} 2026" for name in ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
                                          "Nov", "Dec")] + ["Jan 2027"]
    for svg in (line_charts.legend_line_chart(months, {"chain": [70.0] * 13}),
                line_charts.legend_line_chart(months, {"chain": [70.0] * 13}, height=170, width=560)):
        shown = [t for t in _texts(svg) if t.text in months]
        xs = sorted(float(t.get("x")) for t in shown)
        assert 2 <= len(shown) < 13 and shown[0].text == "Jan 2026"
        widest = max(charts.text_width(m) for m in months)
        assert all(b - a >= widest for a, b in zip(xs, xs[1:])), xs


def test_auditor_counts_of_four_digits_stay_inside_the_offsets_chart():
    svg = charts.offsets_chart([("Ona Auditorė", 12.3, 1025), ("Jonas", -4.0, 883)])
    width = float(parse(svg).get("viewBox").split()[2])
    for text in _texts(svg):
        if "n=" in "".join(text.itertext()):
            right_end = float(text.get("x")) + charts.text_width("".join(text.itertext()))
            assert right_end <= width, (right_end, width)


def test_every_funnel_dot_names_its_branch_on_hover():
    points = [{"code": f"KNS-{n}", "name": f"Branch {n}", "visits": 5 + n % 7, "mean": 50.0 + n % 40,
               "funnel": "inside"} for n in range(300)]
    curve = {"centre": 70.0, "n": [1, 12], "lower_95": [40, 60], "upper_95": [99, 80], "lower_998": [30, 55],
             "upper_998": [100, 85]}
    svg = str(charts.funnel_plot(points, curve))
    titles = re.findall(r"<title>([^<]*)</title>", svg)
    named = [code for title in titles for code in re.findall(r"KNS-\d+", title)]
    assert sorted(named) == sorted(p["code"] for p in points)  # each once; 20 pairs share a spot
    assert len(titles) == 280 and "<title>KNS-37 Branch 37: 87.0 (n=7)</title>" in svg
    assert "<title>KNS-17, KNS-297: 67.0 (n=8)</title>" in svg


# Imported audits with gaps: Dec 2024, then Jun, Aug, Oct, Dec 2025, then Dec 2026.
GAPPY_MONTHS = ["2024-12", "2025-06", "2025-08", "2025-10", "2025-12", "2026-12"]
GAPPY_LABELS = ["Dec 2024", "Jun 2025", "Aug 2025", "Oct 2025", "Dec 2025", "Dec 2026"]


def _gappy_charts(values):
    positions = [month_index(m) for m in GAPPY_MONTHS]
    return (line_charts.legend_line_chart(GAPPY_LABELS, {"Chain": values}, positions=positions, join_within=1),
            line_charts.legend_line_chart(GAPPY_LABELS, {"Chain": values}, positions=positions, join_within=1,
                                          reference=("Chain average", 70.0)))


def _dots(svg) -> list[float]:
    return [float(c.get("cx")) for c in parse(svg).iter("{http://www.w3.org/2000/svg}circle")]


def _subpaths(svg) -> list[list[tuple[float, float]]]:
    """The line's pieces: each "M x,y L x,y …" of the paths as a list of points."""
    pieces = []
    for path in parse(svg).iter("{http://www.w3.org/2000/svg}path"):
        for piece in path.get("d").split("M")[1:]:
            pieces.append([tuple(float(n) for n in point.split(",")) for point in piece.replace("L", " ").split()])
    return pieces


def test_trend_points_stand_at_their_calendar_month():
    """Dec 2024 → Jun 2025 (6 months) was drawn as wide a step as Jun → Aug (2 months)."""
    for svg in _gappy_charts([70.0, 72.0, 74.0, 73.0, 75.0, 78.0]):
        xs = _dots(svg)
        assert len(xs) == 6
        month_width = (xs[-1] - xs[0]) / 24  # Dec 2024 to Dec 2026
        steps = [b - a for a, b in zip(xs, xs[1:])]
        assert steps == pytest.approx([6 * month_width, 2 * month_width, 2 * month_width, 2 * month_width,
                                       12 * month_width], abs=0.2)


def test_a_trend_line_is_broken_across_months_without_visits():
    """Consecutive months only are joined; Dec 2024 and Dec 2026 stand alone as dots."""
    for svg in _gappy_charts([70.0, 72.0, 74.0, 73.0, 75.0, 78.0]):
        assert _subpaths(svg) == []  # no two neighbours are consecutive months
    positions = [month_index(m) for m in ["2025-01", "2025-02", "2025-03", "2025-05", "2025-06", "2025-08"]]
    labels = ["Jan", "Feb", "Mar", "May", "Jun", "Aug"]
    svg = line_charts.legend_line_chart(labels, {"Chain": [60.0, 61.0, 62.0, 63.0, 64.0, 65.0]},
                                   positions=positions, join_within=1)
    xs = _dots(svg)
    pieces = _subpaths(svg)
    assert [[x for x, _ in piece] for piece in pieces] == [pytest.approx(xs[0:3], abs=0.1),
                                                          pytest.approx(xs[3:5], abs=0.1)]
    assert len(xs) == 6  # August, alone, is still a dot


def test_a_missing_value_breaks_the_line_instead_of_bridging_it():
    svg = line_charts.legend_line_chart(["Jan", "Feb", "Mar"], {"Branch": [60.0, None, 70.0], "Chain": [65.0] * 3})
    pieces = _subpaths(svg)
    assert len(pieces) == 1 and len(pieces[0]) == 3  # the chain's line only; the branch has two dots


def test_month_labels_over_gaps_keep_their_years_and_do_not_overlap():
    for svg in _gappy_charts([70.0, 72.0, 74.0, 73.0, 75.0, 78.0]):
        shown = [t for t in _texts(svg) if t.text in GAPPY_LABELS]
        assert shown[0].text == "Dec 2024" and "Dec 2026" in [t.text for t in shown]
        xs = [float(t.get("x")) for t in shown]
        widest = max(charts.text_width(label) for label in GAPPY_LABELS)
        assert all(b - a >= widest for a, b in zip(xs, xs[1:])), [t.text for t in shown]


def test_points_without_positions_are_still_evenly_spaced():
    xs = _dots(line_charts.legend_line_chart(["a", "b", "c", "d"], {"s": [1.0, 2.0, 3.0, 4.0]}))
    steps = [b - a for a, b in zip(xs, xs[1:])]
    assert steps == pytest.approx([steps[0]] * 3, abs=0.1)
    lone = _dots(line_charts.legend_line_chart(["Dec 2026"], {"s": [80.0]}, positions=[month_index("2026-12")],
                                          join_within=1))
    assert len(lone) == 1


def test_the_funnel_axis_ends_on_a_tick_beyond_the_busiest_branch():
    """9 visits sat on the edge of an axis labelled up to 8, its code cut off."""
    import re

    from audit.reports.charts import funnel_plot

    points = [{"code": "KNS-02", "name": "Kaunas", "visits": 9, "mean": 40.0, "funnel": "below_998"},
              {"code": "VLN-01", "name": "Vilnius", "visits": 3, "mean": 70.0, "funnel": "inside"}]
    curve = {"centre": 70.0, "n": list(range(1, 10)), "lower_95": [50.0] * 9, "upper_95": [90.0] * 9,
             "lower_998": [45.0] * 9, "upper_998": [95.0] * 9}
    svg = str(funnel_plot(points, curve))
    ticks = [int(t) for t in re.findall(r'text-anchor="middle" fill="[^"]+">(\d+)</text>', svg)]
    assert ticks[-1] == 10
    busiest = float(re.search(r'<circle cx="([\d.]+)"', svg).group(1))
    assert busiest < 640 - 16 - 20  # well inside the plot, room for its code
    assert ">KNS-02</text>" in svg


def test_branches_at_the_same_spot_of_a_funnel_share_one_larger_dot_named_together():
    """A yes/no question: a dozen branches answered twice and passed once sit on one spot; one
    dot per branch stacked there looked like one branch."""
    curve = {"n": [1, 10], "centre": 80.0, "lower_95": [10, 55], "upper_95": [100, 100],
             "lower_998": [0, 40], "upper_998": [100, 100]}
    points = ([{"code": f"B{n:02d}", "visits": 2, "mean": 50.0, "funnel": "inside"} for n in range(12)]
              + [{"code": "LOW", "visits": 10, "mean": 10.0, "funnel": "below_998"},
                 {"code": "LOW2", "visits": 10, "mean": 10.0, "funnel": "below_998"},
                 {"code": "ALONE", "visits": 6, "mean": 85.0, "funnel": "inside"}])
    root = parse(charts.funnel_plot(points, curve))
    dots = list(root.iter("{http://www.w3.org/2000/svg}circle"))
    assert len(dots) == 3
    by_title = {dot.find("{http://www.w3.org/2000/svg}title").text: float(dot.get("r")) for dot in dots}
    assert by_title == {"B00, B01, B02, B03, B04, B05, B06, B07, B08, B09, B10, B11: 50.0 (n=2)": 10.0,
                        "LOW, LOW2: 10.0 (n=10)": pytest.approx(4 * 2 ** 0.5, abs=0.05), "ALONE: 85.0 (n=6)": 4.0}
    names = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert [name for name in names if name.startswith("LOW")] in (["LOW +1"], ["LOW2 +1"])  # one name, not two
    assert charts.funnel_shares_dots(points, curve)  # the caption says what a larger dot is
    assert not charts.funnel_shares_dots(points[11:14:2], curve)
