"""A photo is the auditor's evidence: the visit report prints each one whole, at its own shape.

Every photo was squeezed into a 32 × 24 mm landscape box and cropped to fill it: the top and
bottom of a portrait photo (the shelf above, the floor below) were cut off the manager's copy.
Checked in the layout WeasyPrint writes the PDF from: each image box has the shape of its photo.
"""
from __future__ import annotations

import io
from datetime import datetime, time, timedelta

from PIL import Image, ImageDraw
from weasyprint.formatting_structure import boxes
from weasyprint.images import RasterImage

from audit.extensions import db
from audit.services.evidence import store_photo
from audit.services.review import approve_visit
from audit.services.visits import VisitContent, start_visit, submit_visit
from tests.pdf.helpers import pdf_reader
from tests.pdf.layout import off_the_page, text_of
from tests.pdf.test_visit_pdf import PLAIN, chain  # noqa: F401 – the demo chain fixture

MM = 96 / 25.4  # CSS px in a millimetre
PASSED = "storefront_photo"  # a photo question, not a failure: its photo is listed under "Photos"


def photo(width: int, height: int, colour: tuple) -> io.BytesIO:
    img = Image.new("RGB", (width, height), colour)
    ImageDraw.Draw(img).rectangle((width // 4, height // 4, width // 2, height // 2), fill=(250, 250, 250))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=90)
    out.seek(0)
    return out


def images(document) -> list:
    return [box for page in document.pages for box in page._page_box.descendants()
            if isinstance(box, boxes.ReplacedBox) and isinstance(box.replacement, RasterImage)]  # not the charts


def test_each_photo_is_printed_whole_at_its_own_shape(app, runner, tmp_path, chain, layouts):  # noqa: F811
    day = chain["end"] - timedelta(days=5)
    visit = start_visit(chain["auditor"], "33333333-3333-4333-8333-333333333333", location=chain["location"],
                        checklist_key="store-visit")
    shapes = {(600, 1000): (PLAIN, (200, 40, 40)), (1000, 600): (PLAIN, (40, 120, 200)),
              (700, 1050): (PASSED, (40, 160, 80)), (900, 1200): (None, (160, 120, 40))}
    for (width, height), (item, colour) in shapes.items():
        store_photo(visit, item, photo(width, height, colour), chain["auditor"], app.config["UPLOAD_DIR"])
    submit_visit(visit, chain["auditor"], VisitContent(answers={**chain["answers"], PLAIN: "no"},
                                                       comments={PLAIN: "Boxes left in the aisle."},
                                                       visited_at=datetime.combine(day, time(12, 0))))
    approve_visit(visit, chain["reviewer"])
    db.session.commit()

    out = tmp_path / "visit.pdf"
    result = runner.invoke(args=["report", "visit", str(visit.id), "--out", str(out)])
    assert result.exit_code == 0, result.output
    (document,) = layouts

    printed = images(document)
    assert len(printed) == len(shapes)
    for box in printed:
        drawn, own = box.width / box.height, box.replacement.ratio
        assert abs(drawn / own - 1) < 0.02, f"a {own:.2f} photo drawn in a {drawn:.2f} box: cropped or stretched"
        assert max(box.width, box.height) >= 30 * MM, "too small to see what it shows"
    assert sorted(round(box.replacement.ratio, 2) for box in printed) == [0.6, 0.67, 0.75, 1.67]
    assert not off_the_page(document)

    # Each photo not of a failure is captioned by its question (or as the visit's), under the photo and no wider.
    question = visit.checklist_version.parsed.item(PASSED).text.en
    captions = {"".join(text_of(box).split()): box for page in document.pages for box in page._page_box.descendants()
                if isinstance(box, boxes.BlockBox) and box.element_tag == "figcaption"}
    assert set(captions) == {"".join(question.split()), "Thevisitasawhole"}  # on lines of their own
    for caption, shape in ((captions["".join(question.split())], 700 / 1050), (captions["Thevisitasawhole"], 900 / 1200)):
        (above,) = [box for box in printed if abs(box.replacement.ratio - shape) < 0.01]
        assert caption.position_y >= above.position_y + above.height
        assert caption.width <= above.margin_width() + 1
    assert question.split()[0] in " ".join(page.extract_text() for page in pdf_reader(out.read_bytes()).pages)
