"""A branch manager may send one photo with a dispute (a camera still, a receipt): it is checked
as the auditor's photos are (by its content, without its metadata), kept apart from the visit's
evidence, shown beside the dispute to whoever may see the visit, and printed in the visit
report. A refused photo refuses the dispute, keeps the reason typed and leaves no file behind."""
from __future__ import annotations

import io
import re
from datetime import timedelta
from html import unescape
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from audit.extensions import db
from audit.models import Dispute, DisputePhoto, Evidence, utcnow
from tests.conftest import csrf_token, login
from tests.pdf.helpers import pdf_reader, pdf_text, squash
from tests.web.test_evidence import jpeg_from_phone

ANSWERS = {"greeted_promptly": "no", "staff_respectful": "yes", "tone_friendly": "4"}
REASON = "Our camera shows the greeting at 10:31, within seconds of the shopper coming in."


@pytest.fixture
def branch(app, make_location, make_user, make_visit):
    location = make_location("VLN-01")
    make_location("KNS-01", region="Kaunas")
    people = {"auditor": make_user("auditor"), "reviewer": make_user("reviewer"),
              "manager": make_user("manager", locations=["VLN-01"]),
              "other_manager": make_user("manager", locations=["KNS-01"])}
    visit = make_visit(location, people["auditor"], ANSWERS)
    visit.approved_at = utcnow() - timedelta(days=1)
    db.session.commit()
    return {**people, "visit": visit}


def signed_in(app, user):
    client = app.test_client()
    login(client, user.email)
    return client


def send(client, visit, photo: bytes | None, name: str = "camera.jpg", item_id: str = "greeted_promptly"):
    page = client.get(f"/visits/{visit.id}").get_data(as_text=True)
    data = {"csrf_token": csrf_token(page), "item_id": item_id, "reason": REASON}
    if photo is not None:
        data["photo"] = (io.BytesIO(photo), name)
    return client.post(f"/visits/{visit.id}/disputes", data=data, content_type="multipart/form-data",
                       follow_redirects=True)


def files_in(app) -> list[Path]:
    return sorted(p for p in Path(app.config["UPLOAD_DIR"]).rglob("*") if p.is_file())


def test_a_dispute_with_a_photo_shows_it_beside_the_dispute_to_those_who_see_the_visit(app, branch):
    manager = signed_in(app, branch["manager"])
    html = unescape(send(manager, branch["visit"], jpeg_from_phone()).get_data(as_text=True))
    assert "Your dispute was sent to the reviewers." in html
    photo = db.session.scalar(select(DisputePhoto))
    assert photo is not None and photo.dispute.reason == REASON
    assert db.session.scalar(select(func.count()).select_from(Evidence)) == 0  # not the auditor's evidence
    assert len(files_in(app)) == 3  # the photo, its thumbnail and its print copy
    story = re.search(r'<div class="dispute open" id="dispute-\d+">.*?</div>\s*</div>', html, re.S).group(0)
    assert f'href="/dispute-photos/{photo.id}"' in story and f'src="/dispute-photos/{photo.id}/thumb"' in story

    for user, status in (("manager", 200), ("reviewer", 200), ("auditor", 200), ("other_manager", 404)):
        response = signed_in(app, branch[user]).get(f"/dispute-photos/{photo.id}")
        assert response.status_code == status, user
        if status == 200:
            assert response.mimetype == "image/jpeg"
            with Image.open(io.BytesIO(response.data)) as stored:  # re-encoded: no place, no camera
                assert stored.format == "JPEG" and not stored.getexif()
                assert stored.size == (photo.width, photo.height)
    assert signed_in(app, branch["other_manager"]).get(f"/dispute-photos/{photo.id}/thumb").status_code == 404


def test_a_file_that_is_no_photo_refuses_the_dispute_and_keeps_the_reason(app, branch):
    manager = signed_in(app, branch["manager"])
    html = unescape(send(manager, branch["visit"], b"%PDF-1.4 not a picture", name="still.jpg").get_data(as_text=True))
    assert "This file is not a JPEG, PNG or WebP photo." in html and "Choose the photo again." in html
    assert f">{REASON}</textarea>" in html  # what was typed is still there
    assert "Your dispute was sent" not in html
    assert db.session.scalar(select(func.count()).select_from(Dispute)) == 0
    assert db.session.scalar(select(func.count()).select_from(DisputePhoto)) == 0
    assert files_in(app) == []


def test_a_dispute_refused_after_the_photo_was_read_leaves_no_file(app, branch):
    """The photo is checked before the dispute is; a second dispute of the same answer is refused
    after it, and its photo's files must not stay behind."""
    manager = signed_in(app, branch["manager"])
    send(manager, branch["visit"], None)
    refused = unescape(send(manager, branch["visit"], jpeg_from_phone()).get_data(as_text=True))
    assert db.session.scalar(select(func.count()).select_from(Dispute)) == 1
    assert db.session.scalar(select(func.count()).select_from(DisputePhoto)) == 0
    assert files_in(app) == [] and "Your dispute was sent" not in refused


def test_the_visit_report_prints_the_disputes_photo(app, branch):
    manager = signed_in(app, branch["manager"])
    before = pdf_reader(manager.get(f"/visits/{branch['visit'].id}/report.pdf").data)
    send(manager, branch["visit"], jpeg_from_phone())
    data = manager.get(f"/visits/{branch['visit'].id}/report.pdf").data
    after = pdf_reader(data)
    assert REASON in squash(pdf_text(data))
    # WeasyPrint lists a document's images in every page's resources: each image once, by its name.
    images = lambda reader: {image.name for page in reader.pages for image in page.images}  # noqa: E731
    added = images(after) - images(before)
    assert len(added) == 1 and len(images(after)) == len(images(before)) + 1
    page = next(page for page in after.pages if "Disputed by" in page.extract_text())
    with Image.open(io.BytesIO(next(i for i in page.images if i.name in added).data)) as printed:
        assert printed.size == (200, 400)  # upright, as the phone meant it (taken sideways, Orientation 6)
