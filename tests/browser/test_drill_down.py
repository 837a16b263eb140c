"""From the dashboard to a question and to an auditor, in real chromium at tablet sizes: the links
carry the filters, the tables sort and narrow as one types, every control is big enough to tap,
no page is wider than the screen, and the breadcrumb leads back. Screenshots in tests/artifacts/."""
from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot, small_targets
from tests.browser.test_dashboard import follow, head_office, no_horizontal_scroll  # noqa: F401 (fixture)
from tests.browser.test_first_screens import sign_in

pytestmark = pytest.mark.browser


def test_head_office_drills_down_to_a_question_and_an_auditor(page, live_server, head_office):  # noqa: F811
    sign_in(page, live_server, head_office.email)
    page.goto(f"{live_server}/office?checklist=store-visit&since=2026-09-01&until=2026-10-31")
    question = page.locator("#items a.question-link").first
    text = question.inner_text()
    follow(page, "#items a.question-link >> nth=0")
    assert page.locator("h1").inner_text() == text
    assert "since=2026-09-01" in page.url and "until=2026-10-31" in page.url
    rows = page.locator("#question-branches tbody tr")
    assert rows.count() > 5
    for section in ("#summary", "#branches", "#failures", "#regions", "#auditors", "#trend"):
        assert page.locator(section).is_visible(), section
    assert page.locator("#branches svg").is_visible()  # the funnel of this question
    assert small_targets(page) == []
    assert no_horizontal_scroll(page)
    screenshot(page, "question-page")

    # Sorting by the mean, highest first after two taps; the find box narrows the branches.
    page.click("#question-branches th:nth-child(3) button.sort")
    page.click("#question-branches th:nth-child(3) button.sort")
    means = [float(v) for v in page.locator("#question-branches tbody td:nth-child(3)").evaluate_all(
        "cells => cells.map(c => c.dataset.value)")]
    assert means == sorted(means, reverse=True)
    code = page.locator("#question-branches tbody tr").first.get_attribute("data-code")
    page.fill("input[data-filter-for=question-branches]", code)
    visible = page.locator("#question-branches tbody tr:visible")
    assert visible.count() == 1 and visible.get_attribute("data-code") == code

    # On to an auditor of this question, and back to the dashboard with the same filters.
    name = page.locator("#auditors a.auditor-link").first.inner_text()
    follow(page, "#auditors a.auditor-link >> nth=0")
    assert page.locator("h1").inner_text() == name
    assert "since=2026-09-01" in page.url
    assert page.locator("#visit-comparison").is_visible()
    assert page.locator("#auditor-questions tbody tr").count() > 5
    assert page.locator("#latest tbody tr").count() > 0
    assert small_targets(page) == []
    assert no_horizontal_scroll(page)
    screenshot(page, "auditor-page")
    follow(page, "nav.crumbs a >> nth=1")
    assert page.url.startswith(f"{live_server}/office?") and "since=2026-09-01" in page.url
