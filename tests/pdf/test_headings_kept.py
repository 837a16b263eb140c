"""No heading of the chain PDF stands alone at the foot of a page: a heading, with its caption or
legend, goes with the first of the table, chart or list it introduces. In Russian, Lithuanian and
Latvian "All branches" and its legend ended page 2 of a 40-branch chain, the ranking on page 3."""
from __future__ import annotations

import pytest

from tests.pdf.helpers import build_demo
from tests.pdf.layout import headings_left_alone


@pytest.fixture
def forty_branches(runner, checklists):
    build_demo(runner, locations=40, months=2)


@pytest.mark.parametrize("lang", ["en", "ru", "lt", "lv"])
def test_no_heading_is_left_alone_at_the_foot_of_a_page(runner, tmp_path, forty_branches, layouts, lang):
    out = tmp_path / "chain.pdf"
    result = runner.invoke(args=["report", "chain", "--checklist", "store-visit", "--lang", lang, "--out", str(out)])
    assert result.exit_code == 0, result.output
    (document,) = layouts
    assert len(document.pages) >= 5  # long enough to have page breaks between sections
    assert headings_left_alone(document) == []
