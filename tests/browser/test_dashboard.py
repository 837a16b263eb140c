"""The head-office dashboard in real chromium at tablet sizes: charts, a filter, sorting,
the folded heat map, drill-down to a branch – every control big enough to tap, no page
wider than the screen, and screenshots in tests/artifacts/."""
from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot, small_targets
from tests.browser.test_first_screens import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def head_office(runner, checklists, make_user):
    result = runner.invoke(args=["demo", "--locations", "30", "--months", "2", "--seed", "3", "--end", "2026-10-31"])
    assert result.exit_code == 0, result.output
    return make_user("reviewer", name="Head Office")


def follow(page, selector: str) -> None:
    with page.expect_navigation(wait_until="load"):
        page.click(selector)


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def test_head_office_filters_sorts_and_drills_down(page, live_server, head_office):
    sign_in(page, live_server, head_office.email)
    follow(page, "a[href='/office']")
    assert page.locator("h1").inner_text() == "Chain dashboard"
    assert page.locator("#ranking-table tbody tr").count() == 30
    for section in ("#ranking", "#heat-map", "#funnel", "#items", "#auditors", "#trend", "#regions"):
        assert page.locator(f"{section} svg, {section} table").first.is_visible(), section
    assert page.locator("main svg").count() >= 7
    assert page.locator("#summary .sentences li").count() >= 4
    assert small_targets(page) == []
    assert no_horizontal_scroll(page)
    screenshot(page, "office-dashboard")

    # Sorting: the mean column, lowest first.
    page.click("#ranking-table th:nth-child(5) button.sort")
    means = [float(v) for v in page.locator("#ranking-table tbody td.mean").evaluate_all(
        "cells => cells.map(c => c.dataset.value)")]
    assert means == sorted(means)
    # The funnel column sorts from far below the limits to far above them, not by its symbols.
    page.click("#ranking-table th:nth-child(8) button.sort")
    bands = page.locator("#ranking-table tbody td.band").evaluate_all("cells => cells.map(c => c.classList[1])")
    order = ["below_998", "below_95", "inside", "above_95", "above_998"]
    assert [order.index(b) for b in bands] == sorted(order.index(b) for b in bands)
    assert len(set(bands)) >= 3

    # The heat map of every branch is folded away until asked for.
    all_branches = page.locator("#heat-map details:not(#heat-table)")
    assert not all_branches.locator(".heat-map").is_visible()
    all_branches.locator("summary").click()
    assert all_branches.locator(".heat-map").is_visible()
    # The same numbers as a table of every branch, to sort and to read aloud.
    table = page.locator("#heat-table")
    table.locator("summary").click()
    assert table.locator("tbody tr").count() == page.locator("#ranking-table tbody tr").count()
    assert small_targets(page) == []

    # A filter narrows the chain.
    region = page.locator("select[name=region] option").nth(1).get_attribute("value")
    page.select_option("select[name=region]", region)
    follow(page, "#filters button[type=submit]")
    assert f"region={region}" in page.url
    regions = page.locator("#ranking-table tbody td:nth-child(3)").all_inner_texts()
    assert 0 < len(regions) < 30 and set(regions) == {region}
    assert f"region={region}" in page.locator("#download-pdf").get_attribute("href")
    assert small_targets(page) == []
    assert no_horizontal_scroll(page)
    screenshot(page, "office-dashboard-region")

    # Drill-down: from the chain to a branch.
    link = page.locator("#ranking-table a.branch-link").first
    code = link.inner_text().split(" ")[0]
    follow(page, "#ranking-table a.branch-link >> nth=0")
    assert f"/office/locations/{code}" in page.url
    assert page.locator("h1").count() == 1


@pytest.mark.parametrize("lang", ["ru", "lt", "lv"])
def test_every_ranking_column_is_visible_without_scrolling_the_table(page, live_server, head_office, lang):
    """Long headers ("95 % pasikliautinasis intervalas") used to push the funnel, shrunk-mean
    and interval columns out of the card, reachable only by scrolling the table sideways."""
    sign_in(page, live_server, head_office.email)
    follow(page, f"button.lang[value={lang}]")
    page.goto(f"{live_server}/office")
    hidden = page.evaluate("""() => { const wrap = document.querySelector('#ranking-table').closest('.table-wrap');
        return wrap.scrollWidth - wrap.clientWidth; }""")
    assert hidden <= 1
    assert no_horizontal_scroll(page)
    screenshot(page, f"dashboard-{lang}")


def test_an_error_under_one_filter_leaves_the_labels_in_line(page, live_server, head_office):
    sign_in(page, live_server, head_office.email)
    page.goto(f"{live_server}/office?since=2026-13-01")
    assert page.locator("#filters .error").count() >= 1
    tops = page.evaluate("""() => [...document.querySelectorAll('#filters label.field > span:first-child')]
        .map(s => Math.round(s.getBoundingClientRect().top))""")
    rows = sorted(set(tops))
    assert len(rows) <= 3 and tops[0] == tops[1]  # "Checklist" and "From" labels on one line


def test_the_section_table_keeps_the_branch_in_view_while_its_sections_scroll(page, live_server, head_office):
    """Eight Latvian section titles beside the branch are wider than a 1024 px tablet: half the
    columns were reachable only by scrolling, with no sign of it and the branch scrolled away."""
    sign_in(page, live_server, head_office.email)
    follow(page, "button.lang[value=lv]")
    page.goto(f"{live_server}/office")
    page.click("#heat-table summary")
    wrap = page.locator("#heat-table .table-wrap")
    overflow = wrap.evaluate("w => w.scrollWidth - w.clientWidth")
    if overflow <= 1:
        return  # it fits (portrait is narrower, so at least that size scrolls)
    # the scrolling side is shaded (the scroll shadows of the wrapper)
    assert "radial-gradient" in wrap.evaluate("w => getComputedStyle(w).backgroundImage")
    wrap.evaluate("w => { w.scrollLeft = w.scrollWidth; }")
    first = page.locator("#heat-table tbody th").first
    assert first.bounding_box()["x"] <= wrap.bounding_box()["x"] + 1  # the branch did not scroll away
    assert first.is_visible() and "·" in first.inner_text()
    assert no_horizontal_scroll(page)


@pytest.mark.parametrize("lang", ["en", "ru", "lt", "lv"])
def test_the_least_consistent_questions_fit_their_card(page, live_server, head_office, lang):
    """In Lithuanian at 820 px the questions' table was 6 px wider than its card: its two columns
    of branches kept 220 px each beside "nepertraukinėdamas?", and the table scrolled sideways."""
    sign_in(page, live_server, head_office.email)
    follow(page, f"button.lang[value={lang}]")
    page.goto(f"{live_server}/office")
    table = page.locator("#items table")
    card = page.locator("#items")
    right = table.evaluate("t => t.getBoundingClientRect().right")
    inner = card.evaluate("c => c.getBoundingClientRect().right - parseFloat(getComputedStyle(c).paddingRight)"
                          " - parseFloat(getComputedStyle(c).borderRightWidth)")
    assert right <= inner + 0.5
    wrap = page.locator("#items .table-wrap")
    assert wrap.evaluate("w => w.scrollWidth - w.clientWidth") == 0


#: The smallest text of each heat map as drawn on the screen: its font size times the scale the
#: picture is drawn at (its width on the page over its viewBox width).
HEAT_TEXT_PX_JS = """section => [...section.querySelectorAll('svg')].map(svg => {
  const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  const sizes = [...svg.querySelectorAll('text')].map(t => parseFloat(getComputedStyle(t).fontSize) * scale);
  return Math.min(...sizes);
})"""


@pytest.mark.parametrize("lang", ["ru", "lt"])
def test_heat_map_labels_and_numbers_are_as_large_as_the_page_text_allows(page, live_server, head_office, lang):
    """Shrunk to its card, the heat map printed branch names and numbers at 8–9 px on a tablet
    (column headings at 8 px in portrait). Every text of it is now drawn at 12 px at least; the
    sections scroll sideways inside the card with the branch names kept in view."""
    sign_in(page, live_server, head_office.email)
    follow(page, f"button.lang[value={lang}]")
    page.goto(f"{live_server}/office")
    section = page.locator("#heat-map")
    section.locator("details:not(#heat-table) summary").click()
    smallest = section.evaluate(HEAT_TEXT_PX_JS)
    assert len(smallest) >= 2 and min(smallest) >= 12 - 0.01, smallest
    assert no_horizontal_scroll(page)
    screenshot(page, f"dashboard-heat-map-{lang}")
    # Where the sections do not all fit, they scroll inside the card and the branch names stay.
    cells = section.locator(".heat-cells").first
    if cells.evaluate("c => c.scrollWidth - c.clientWidth") > 1:
        card_right = section.evaluate("s => s.getBoundingClientRect().right")
        assert cells.evaluate("c => c.getBoundingClientRect().right") <= card_right
        cells.evaluate("c => { c.scrollLeft = c.scrollWidth; }")
        labels = section.locator(".heat-labels").first
        assert labels.bounding_box()["x"] >= section.bounding_box()["x"]
        assert labels.is_visible()
