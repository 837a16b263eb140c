"""No heading of the branch (location) PDF stands alone at the foot of a page, in any of the
four languages, over a long period (the report with the most sections and rows)."""
from __future__ import annotations

import pytest

from tests.pdf.helpers import build_demo
from tests.pdf.layout import headings_left_alone


@pytest.fixture
def demo_chain(runner, checklists):
    build_demo(runner, locations=8, months=6)


@pytest.mark.parametrize("lang", ["en", "ru", "lt", "lv"])
def test_no_heading_is_left_alone_in_the_branch_pdf(runner, tmp_path, demo_chain, layouts, lang):
    out = tmp_path / "branch.pdf"
    found = {}
    for code in ("VLN-01", "KNS-02", "RIX-03", "KLP-04", "KUR-05"):
        result = runner.invoke(args=["report", "location", code, "--lang", lang, "--out", str(out)])
        assert result.exit_code == 0, result.output
        document = layouts[-1]
        assert len(document.pages) >= 2
        found[code] = headings_left_alone(document)
    assert all(alone == [] for alone in found.values()), found
