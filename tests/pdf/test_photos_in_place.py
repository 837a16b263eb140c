"""Each failed question's photos are printed right under its comment, large enough to see on A4.

The photos of a failure were 32 mm high at most, at the foot of its block under the corrective
actions; a branch manager could not make out on paper what they showed. Checked in the PDF
itself (pypdf): where each photo is drawn, on which page, and how large.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta

from audit.extensions import db
from audit.services.review import approve_visit
from audit.services.evidence import store_photo
from audit.services.visits import VisitContent, start_visit, submit_visit
from tests.pdf.helpers import pdf_reader, placed
from tests.pdf.test_photos_whole import PASSED, photo
from tests.pdf.test_visit_pdf import CRITICAL, PLAIN, chain  # noqa: F401 – the demo chain fixture

MM = 72 / 25.4  # PDF points in a millimetre
COMMENTS = {PLAIN: "Boxes left in the aisle by the door.", CRITICAL: "Told me the warranty was five years."}
#: Photo size in pixels → its question. Each stored shape is told apart in the PDF by its size
#: (the report prints them at most 640 pixels on the longest side).
PHOTOS = {(1000, 600): PLAIN, (600, 1000): PLAIN, (1200, 900): PLAIN, (900, 900): PLAIN, (800, 1200): CRITICAL,
          (750, 1000): PASSED}


def printed_pixels(width: int, height: int) -> tuple[int, int]:
    scale = min(1, 640 / max(width, height))
    return round(width * scale), round(height * scale)


def test_each_failures_photos_are_under_its_comment_on_its_page_and_large(app, runner, tmp_path, chain):  # noqa: F811
    visit = start_visit(chain["auditor"], "44444444-4444-4444-8444-444444444444", location=chain["location"],
                        checklist_key="store-visit")
    for n, ((width, height), item) in enumerate(PHOTOS.items()):
        store_photo(visit, item, photo(width, height, (40 * n, 120, 200 - 30 * n)), chain["auditor"],
                    app.config["UPLOAD_DIR"])
    day = chain["end"] - timedelta(days=4)
    submit_visit(visit, chain["auditor"], VisitContent(answers={**chain["answers"], PLAIN: "no", CRITICAL: "no"},
                                                       comments=COMMENTS, visited_at=datetime.combine(day, time(11, 0))))
    approve_visit(visit, chain["reviewer"])
    db.session.commit()
    out = tmp_path / "visit.pdf"
    result = runner.invoke(args=["report", "visit", str(visit.id), "--out", str(out)])
    assert result.exit_code == 0, result.output

    definition = visit.checklist_version.parsed
    questions = {item_id: definition.item(item_id).text.en for item_id in (PLAIN, CRITICAL, PASSED)}
    found = {}
    for number, page in enumerate(pdf_reader(out.read_bytes()).pages, 1):
        texts, images = placed(page)
        for image in images:
            found[image["pixels"]] = {**image, "page": number, "texts": texts}
    assert set(found) == {printed_pixels(*size) for size in PHOTOS}

    for (width, height), item in PHOTOS.items():
        image = found[printed_pixels(width, height)]
        drawn = f"the {width}×{height} photo of {item!r} on page {image['page']}"
        # Its whole shape, at a size that shows what it shows: 55 mm wide, or 75 mm high when upright.
        assert abs(image["width"] / image["height"] - width / height) < 0.02, drawn
        assert abs(max(image["width"], image["height"] * 55 / 75) - 55 * MM) < 1 * MM, \
            f"{drawn} is {image['width'] / MM:.0f} × {image['height'] / MM:.0f} mm"
        if item == PASSED:
            continue  # a question that passed: its photo is under "Photos" at the end
        # On the page of its question and its comment, below both and above the next question; or
        # on a page the question goes on to, which names it at its top (tests/pdf/test_photos_continued.py).
        lines = dict(image["texts"])
        if f"{questions[item]} (continued)" in lines:
            assert not [y for y in lines.values() if y > image["y"] + 1 and y != max(lines.values())], drawn
            continue
        question, comment = lines.get(questions[item]), lines.get(f"“{COMMENTS[item]}”")
        assert question is not None and comment is not None, f"{drawn} is not on its question's page"
        assert question > comment > image["y"], f"{drawn} is not under its question's comment"
        others = [y for text, y in image["texts"] if text in questions.values() and text != questions[item]]
        assert all(y > image["y"] or y < image["y"] - image["height"] for y in others), drawn
        assert all(not comment > y > image["y"] for y in others), f"another question between {drawn} and its own"

    # Three photos of a failure side by side on A4.
    rows = sorted({(found[printed_pixels(*size)]["page"], round(found[printed_pixels(*size)]["y"]))
                   for size, item in PHOTOS.items() if item == PLAIN})
    assert len(rows) == 2, rows
