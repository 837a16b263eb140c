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


def test_the_history_calls_the_shopper_the_auditor_for_the_manager(app, make_location, make_user, make_visit):
    from audit.services import audit_log

    location = make_location("VLN-01")
    shopper = make_user("auditor", name=SHOPPER)
    manager = make_user("manager", locations=["VLN-01"])
    visit = make_visit(location, shopper, {"greeted_promptly": "yes"})
    audit_log.record("visit.submitted", "visit", visit.id, shopper)
    db.session.commit()
    client = app.test_client()
    page = login(client, manager.email).get_data(as_text=True)
    client.post("/language", data={"lang": "en", "next": "/", "csrf_token": csrf_token(page)})
    html = client.get(f"/visits/{visit.id}").get_data(as_text=True)
    assert "the auditor · submitted the visit" in html and SHOPPER not in html
