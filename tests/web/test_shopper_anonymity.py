"""Mystery shoppers stay anonymous to the branches they visit: a branch manager reads the
findings of a visit, never who made it (home page, visit page and its history, visit PDF,
location page and PDF, API); head office still sees the auditor everywhere."""
from __future__ import annotations

from datetime import datetime

from audit.extensions import db
from audit.services.tokens import create_token
from tests.conftest import csrf_token, login
from tests.pdf.helpers import pdf_text

SHOPPER = "Zane Slepenā"


def test_the_branch_manager_never_learns_who_the_mystery_shopper_was(app, make_location, make_user, make_visit):
    location = make_location("VLN-01")
    shopper = make_user("auditor", name=SHOPPER)
    manager = make_user("manager", locations=["VLN-01"])
    visit = make_visit(location, shopper, {"greeted_promptly": "no", "staff_respectful": "yes"},
                       visited_at=datetime.now().replace(hour=10))
    client = app.test_client()
    login(client, manager.email)
    pages = {
        "home": client.get("/").get_data(as_text=True),
        "visit": client.get(f"/visits/{visit.id}").get_data(as_text=True),
        "location": client.get("/office/locations/VLN-01?checklist=store-visit").get_data(as_text=True),
        "visit PDF": pdf_text(client.get(f"/visits/{visit.id}/report.pdf").data),
        "location PDF": pdf_text(client.get("/locations/VLN-01/report.pdf?checklist=store-visit").data),
    }
    assert f"/visits/{visit.id}" in pages["home"] and "VLN-01" in pages["location PDF"]  # the pages are the real ones
    for name, text in pages.items():
        assert SHOPPER not in text, name
    token = create_token(manager, "manager's script")
    db.session.commit()
    api = client.get(f"/api/v1/visits/{visit.id}", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 200 and api.json["auditor"] is None

    office = app.test_client()
    login(office, make_user("reviewer").email)
    assert SHOPPER in office.get(f"/visits/{visit.id}").get_data(as_text=True)
    assert SHOPPER in pdf_text(office.get(f"/visits/{visit.id}/report.pdf").data)
    assert SHOPPER in office.get("/office/locations/VLN-01?checklist=store-visit").get_data(as_text=True)


def test_the_manager_s_history_holds_the_approval_and_disputes_not_the_shopper_s_steps(app, make_location, make_user,
                                                                                        make_visit):
    """The History showed a manager "the auditor · started the visit 05:56", each photo added or
    removed, "submitted 05:57" and head office's returns: times to match against the branch's
    cameras, and head office's own review."""
    from audit.services import audit_log

    location = make_location("VLN-01")
    shopper = make_user("auditor", name=SHOPPER)
    reviewer = make_user("reviewer", name="Rita Reviewer")
    manager = make_user("manager", locations=["VLN-01"])
    visit = make_visit(location, shopper, {"greeted_promptly": "yes"})
    for action, who in (("visit.started", shopper), ("evidence.uploaded", shopper), ("evidence.deleted", shopper),
                        ("visit.submitted", shopper), ("visit.returned", reviewer), ("visit.resubmitted", shopper),
                        ("visit.approved", reviewer)):
        audit_log.record(action, "visit", visit.id, who)
    audit_log.record("dispute.raised", "visit", visit.id, manager, dispute=1, item="greeted_promptly")
    db.session.commit()
    client = app.test_client()
    page = login(client, manager.email).get_data(as_text=True)
    client.post("/language", data={"lang": "en", "next": "/", "csrf_token": csrf_token(page)})
    html = client.get(f"/visits/{visit.id}").get_data(as_text=True)
    assert "approved the visit" in html
    # The answer disputed is named (the History said only "disputed an answer").
    assert "disputed an answer · Did a staff member greet you within 30 seconds of entering?</li>" in html
    for step in ("started the visit", "added a photo", "removed a photo", "submitted the visit",
                 "returned the visit to the auditor", "resubmitted the visit"):
        assert step not in html, step
    assert SHOPPER not in html

    office = app.test_client()
    login(office, reviewer.email)
    seen = office.get(f"/visits/{visit.id}").get_data(as_text=True)
    assert f"{SHOPPER} · started the visit" in seen and "returned the visit to the auditor" in seen


def test_a_photo_does_not_tell_the_branch_when_it_was_taken(app, make_location, make_user, make_visit):
    """A photo was served with the file's own time (Last-Modified, and inside the ETag)."""
    import io
    import os

    from PIL import Image

    from audit.models import Evidence, Visit

    location = make_location("VLN-01")
    shopper = make_user("auditor", name=SHOPPER)
    manager = make_user("manager", locations=["VLN-01"])
    visit = make_visit(location, shopper, {"greeted_promptly": "no"}, visited_at=datetime(2026, 11, 3, 10, 0))
    client = app.test_client()
    login(client, shopper.email)
    visit_row = db.session.get(Visit, visit.id)
    visit_row.status = "draft"
    db.session.commit()
    image = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(image, "JPEG")
    page = client.get("/").get_data(as_text=True)
    uploaded = client.post(f"/visits/{visit.uuid}/photos", data={"csrf_token": csrf_token(page), "item_id": "greeted_promptly",
                                                                 "photo": (io.BytesIO(image.getvalue()), "p.jpg")},
                           content_type="multipart/form-data")
    assert uploaded.status_code in (200, 201), uploaded.get_data(as_text=True)
    visit_row = db.session.get(Visit, visit.id)
    visit_row.status = "approved"
    db.session.commit()
    evidence = db.session.scalar(db.select(Evidence).where(Evidence.visit_id == visit.id))
    stored = app.config["UPLOAD_DIR"]
    for root, _, files in os.walk(stored):  # the file's time: a moment ago
        for name in files:
            os.utime(os.path.join(root, name), (1_780_000_000, 1_780_000_000))
    branch = app.test_client()
    login(branch, manager.email)
    for url in (f"/evidence/{evidence.id}", f"/evidence/{evidence.id}/thumb"):
        response = branch.get(url)
        assert response.status_code == 200
        assert response.headers["Last-Modified"] == "Tue, 03 Nov 2026 10:00:00 GMT"  # the visit's own time
        assert "1780000000" not in response.headers["ETag"]
