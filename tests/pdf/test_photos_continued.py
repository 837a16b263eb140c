"""A failure with many photos goes on over the next page between two rows of photos, and that page
names the question at its top: "… (continued)".

Before, a failure was kept in one piece: one with three rows of photos did not fit under the
failure above it, so it moved to the next page whole and left most of a page blank; and photos
that ran over a page stood there without saying which question they showed.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest

from audit.extensions import db
from audit.services.evidence import store_photo
from audit.services.review import approve_visit
from audit.services.visits import VisitContent, start_visit, submit_visit
from tests.pdf.helpers import pdf_reader, placed
from tests.pdf.test_photos_whole import PASSED, photo
from tests.pdf.test_visit_pdf import CRITICAL, PLAIN, chain  # noqa: F401 – the demo chain fixture

CONTINUED = {"en": "{} (continued)", "ru": "{} (продолжение)", "lt": "{} (tęsinys)", "lv": "{} (turpinājums)"}
PHOTOS_HEADING = {"en": "Photos", "ru": "Фото", "lt": "Nuotraukos", "lv": "Fotoattēli"}


@pytest.fixture
def many_photos(app, chain):  # noqa: F811
    """An approved visit: its critical failure with one row of photos, an ordinary failure with
    three rows (nine photos, landscape and upright), and fifteen photos of a photo question."""
    visit = start_visit(chain["auditor"], "55555555-5555-4555-8555-555555555555", location=chain["location"],
                        checklist_key="store-visit")
    upload = app.config["UPLOAD_DIR"]
    for n in range(3):
        store_photo(visit, CRITICAL, photo(900, 600, (200, 30 * n, 60)), chain["auditor"], upload)
    for n in range(9):
        width, height = ((1000, 700), (600, 900))[n % 2]
        store_photo(visit, PLAIN, photo(width, height, (20 * n, 120, 200 - 15 * n)), chain["auditor"], upload)
    for n in range(15):  # five rows: more than a page
        store_photo(visit, PASSED, photo(800, 800, (60, 15 * n, 120)), chain["auditor"], upload)
    day = chain["end"] - timedelta(days=4)
    submit_visit(visit, chain["auditor"], VisitContent(
        answers={**chain["answers"], PLAIN: "no", CRITICAL: "no"},
        comments={PLAIN: "Boxes left by the door.", CRITICAL: "Told me the warranty was five years."},
        visited_at=datetime.combine(day, time(11, 0))))
    approve_visit(visit, chain["reviewer"])
    db.session.commit()
    return visit


def pages_of(runner, tmp_path, visit, lang: str):
    out = tmp_path / f"visit-{lang}.pdf"
    result = runner.invoke(args=["report", "visit", str(visit.id), "--out", str(out), "--lang", lang])
    assert result.exit_code == 0, result.output
    return [placed(page) for page in pdf_reader(out.read_bytes()).pages]


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_photos_over_a_page_go_on_under_the_name_of_their_question(app, runner, tmp_path, many_photos, lang):
    definition = many_photos.checklist_version.parsed
    critical, plain = definition.item(CRITICAL).text.get(lang), definition.item(PLAIN).text.get(lang)
    pages = pages_of(runner, tmp_path, many_photos, lang)

    def page_of(text: str) -> int:
        """The last page that prints the question (its first words: a long one is wrapped); a
        critical one is named on the first page too."""
        start = " ".join(text.split()[:3])
        found = [n for n, (texts, _images) in enumerate(pages)
                 if any(t.startswith(start) and t != CONTINUED[lang].format(text) for t, _y in texts)]
        assert found, text
        return found[-1]

    # The failure with three rows of photos starts right under the critical one, on its page.
    assert page_of(plain) == page_of(critical)

    # Each page a question's photos or the photos section go on to says so at its top, above
    # everything else on the page; no other page does.
    continued = {CONTINUED[lang].format(plain), CONTINUED[lang].format(PHOTOS_HEADING[lang])}
    seen = dict.fromkeys(continued, 0)
    for number, (texts, images) in enumerate(pages):
        heads = [text for text, _y in texts if text in continued]
        if number == page_of(plain):
            assert not heads
            continue
        if heads:
            assert len(heads) == 1, heads
            top = max(y for _text, y in texts)
            assert dict(texts)[heads[0]] == top, f"page {number + 1}: the note is not at its top"
            assert images, f"page {number + 1} says {heads[0]!r} but shows no photo"
            seen[heads[0]] += 1
        else:  # a page that starts afresh: its first photo comes after a question or a heading of its own
            assert not any(image["y"] > max(y for _text, y in texts) for image in images), \
                f"page {number + 1} starts with photos and does not say whose"
    assert seen[CONTINUED[lang].format(plain)] == 1, seen
    assert all(v >= 1 for v in seen.values()), seen
    assert not [t for texts, _ in pages for t, _y in texts if "(continued)" in t and lang != "en"]
