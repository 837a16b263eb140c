"""Reports without nearly blank pages: a heat map of few sections keeps its own size instead of
being stretched to the page's width (the e-mail checklist's map of the 25 lowest branches, four
sections wide, was drawn a third larger and left the regions' map alone on a page, 70 % blank),
and a table neither starts nor ends with a single row on a page."""
from __future__ import annotations

import re
from pathlib import Path

from flask import render_template_string

from audit.reports.pdf import html_to_pdf
from tests.pdf.helpers import build_demo, pdf_reader, squash


def chain_pages(runner, tmp_path: Path, checklist: str) -> list[str]:
    out = tmp_path / f"{checklist}.pdf"
    result = runner.invoke(args=["report", "chain", "--checklist", checklist, "--out", str(out)])
    assert result.exit_code == 0, result.output
    return [squash(page.extract_text()) for page in pdf_reader(out.read_bytes()).pages]


def test_both_heat_maps_of_a_four_section_checklist_share_a_page(app, runner, tmp_path, checklists):
    assert len(checklists["email-enquiry"].parsed.sections) == 4
    build_demo(runner, locations=40, months=4)
    pages = chain_pages(runner, tmp_path, "email-enquiry")
    regions = [n for n, text in enumerate(pages) if "Regions × sections" in text]
    # The lowest of the ranked branches (3 visits or more): fewer than 25 of this checklist's are.
    lowest = [n for n, text in enumerate(pages) if re.search(r"The \d+ lowest branches × sections", text)]
    assert regions and regions == lowest, (regions, lowest)
    # The eight sections of the store checklist: its maps are wider than the page and still fit it.
    store = chain_pages(runner, tmp_path, "store-visit")
    assert any("Regions × sections" in text and re.search(r"The \d+ lowest branches × sections", text)
               for text in store)


def rows_per_page(app, before_mm: float, rows: int) -> list[list[str]]:
    """Which of a report table's ``rows`` each page holds, the table after ``before_mm`` of text."""
    with app.test_request_context():
        html = render_template_string(
            '{% extends "reports/base.html" %}{% block title %}Rows{% endblock %}{% block content %}'
            '<div style="height: {{ before }}mm"></div><table><thead><tr><th>Row</th></tr></thead><tbody>'
            '{% for n in range(1, rows + 1) %}<tr><td>row-{{ n }}-end</td></tr>{% endfor %}'
            '</tbody></table>{% endblock %}', lang="en", before=before_mm, rows=rows)
        data = html_to_pdf(html)
    return [[word for word in page.extract_text().split() if word.startswith("row-")]
            for page in pdf_reader(data).pages]


def test_a_table_does_not_start_with_one_row_at_the_foot_of_a_page(app):
    """The location report's sections table began at the foot of page 1 with its first row."""
    for before in range(200, 236, 5):  # the table's start slides down page 1
        pages = [rows for rows in rows_per_page(app, before, 8) if rows]
        assert all(len(rows) >= 3 for rows in pages), (before, pages)
        assert sum(len(rows) for rows in pages) == 8


def test_a_table_does_not_end_with_one_row_alone_on_a_page(app):
    """The chain report's ranking left its last branch alone on a page."""
    for rows in range(40, 80):  # the table's end slides over page 2
        pages = [on_page for on_page in rows_per_page(app, 0, rows) if on_page]
        assert all(len(on_page) >= 3 for on_page in pages), (rows, [len(p) for p in pages])
        assert [row for page in pages for row in page] == [f"row-{n}-end" for n in range(1, rows + 1)]


def test_the_dashboard_and_the_pdf_map_the_same_lowest_branches(app, runner, tmp_path, checklists, client, make_user):
    """The dashboard mapped the 20 lowest branches, the PDF the 25 lowest."""
    from audit.services.chain_stats import StatsFilter, chain_statistics
    from tests.conftest import login

    build_demo(runner, locations=40, months=4)
    ranked = [r for r in chain_statistics(StatsFilter("store-visit"), "en")["locations"] if r["rank"]]
    lowest = [r["code"] for r in reversed(ranked)][:25]  # the lowest of the ranked branches (3 visits or more)
    login(client, make_user("admin").email)
    html = client.get("/office?checklist=store-visit").get_data(as_text=True)
    assert "The 25 lowest branches × sections" in html
    # The dashboard's map: the branch names in one picture, the cells beside it in another.
    picture = re.search(r'<div class="heat-map" role="img" aria-label="The lowest branches × sections">.*?</svg>',
                        html, re.S).group(0)
    assert [label.split()[0] for label in re.findall(r'text-anchor="end">([^<]+)<', picture)] == lowest
    assert any("The 25 lowest branches × sections" in text for text in chain_pages(runner, tmp_path, "store-visit"))
