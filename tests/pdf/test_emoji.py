"""Emoji typed on a tablet (🙂 👍 ✅ in a comment) are printed in the visit PDF, and its page
stays readable as text.

Without an emoji font each one printed as an empty box, and pypdf read the page holding one as
garbage (the page's text is what a manager searches and copies from). The font is Debian's
``fonts-noto-color-emoji``, installed by ``make system-deps``.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta

from tests.pdf.helpers import pdf_reader, squash
from tests.pdf.test_visit_pdf import PLAIN, chain, record  # noqa: F401 – the demo chain fixture

COMMENT = "Floor not swept 🙁 – the staff were friendly though 👍✅"


def fonts_of(page) -> set[str]:
    fonts = page["/Resources"].get_object().get("/Font", {})
    return {str(font.get_object()["/BaseFont"]) for font in fonts.values()}


def test_emoji_in_a_comment_are_printed_and_the_page_reads_as_text(app, runner, tmp_path, chain):  # noqa: F811
    visit = record(app, chain, "44444444-4444-4444-8444-444444444444",
                   datetime.combine(chain["end"] - timedelta(days=5), time(12, 0)), {PLAIN: "no"}, {PLAIN: COMMENT})

    out = tmp_path / "visit.pdf"
    result = runner.invoke(args=["report", "visit", str(visit.id), "--out", str(out)])
    assert result.exit_code == 0, result.output

    (page,) = [page for page in pdf_reader(out.read_bytes()).pages if "swept" in page.extract_text()]
    assert any("Emoji" in font for font in fonts_of(page)), f"no emoji font on the page: {fonts_of(page)}"
    text = squash(page.extract_text())
    assert "What went wrong" in text and "Floor not swept" in text and "the staff were friendly though" in text, text[:300]
