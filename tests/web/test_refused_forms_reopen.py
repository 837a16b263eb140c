"""A form sent to an address that only takes forms (``/visits/7/return``, ``/admin/users/import``)
and refused comes back on its page, which names the address that opens that page again: the
browser's address bar moves there (page.js), and the language buttons go there. The bar stayed at
the form's address, and a reload or a reopened tab showed "This page cannot be opened directly"
(405). Every such route that answers a refusal with a page is here."""
from __future__ import annotations

import html as html_lib
import io
import re

import pytest

from audit.extensions import db
from audit.models import CorrectiveAction, Dispute
from audit.times import local_today
from tests.conftest import csrf_token, login

ANSWERS = {"greeted_promptly": "no", "staff_respectful": "yes", "tone_friendly": "4"}


def posted_address(response) -> str | None:
    """The address the page says it is opened at again (base.html), checked to open with GET."""
    html = response.get_data(as_text=True)
    found = re.search(r'<body[^>]*\sdata-posted-address="([^"]*)"', html)
    return html_lib.unescape(found.group(1)) if found else None


def language_next(response) -> str:
    html = response.get_data(as_text=True)
    form = re.search(r'<form class="languages".*?</form>', html, re.S).group(0)
    return html_lib.unescape(re.search(r'name="next" value="([^"]*)"', form).group(1))


def assert_reopens(client, response, address: str, status: int = 200) -> None:
    assert response.status_code == status
    assert posted_address(response) == address
    assert language_next(response) == address
    assert client.get(address).status_code == 200


@pytest.fixture
def visit_and_people(make_location, make_user, make_visit):
    visit = make_visit(make_location("VLN-01"), make_user("auditor"), ANSWERS)
    return visit, make_user("manager", locations=["VLN-01"]), make_user("reviewer")


def test_a_refused_return_reopens_at_the_visit(client, make_location, make_user, make_visit):
    visit = make_visit(make_location("VLN-01"), make_user("auditor"), ANSWERS, status="submitted")
    login(client, make_user("reviewer").email)
    page = client.get(f"/visits/{visit.id}").get_data(as_text=True)
    refused = client.post(f"/visits/{visit.id}/return", data={"csrf_token": csrf_token(page), "note": ""})
    assert "Say what the auditor should fix" in refused.get_data(as_text=True)
    assert_reopens(client, refused, f"/visits/{visit.id}")


def test_a_refused_dispute_and_decision_reopen_at_the_visit(app, client, visit_and_people):
    visit, manager, reviewer = visit_and_people
    login(client, manager.email)
    page = client.get(f"/visits/{visit.id}").get_data(as_text=True)
    refused = client.post(f"/visits/{visit.id}/disputes", data={
        "csrf_token": csrf_token(page), "item_id": "greeted_promptly", "reason": "Ž" * 5001})
    assert "At most 5000 characters." in refused.get_data(as_text=True)
    assert_reopens(client, refused, f"/visits/{visit.id}")

    db.session.add(Dispute(visit_id=visit.id, item_id="tone_friendly", raised_by_id=manager.id,
                           reason="Friendly, not 4.", old_value="4"))
    db.session.commit()
    dispute_id = db.session.scalar(db.select(Dispute.id))
    client = app.test_client()
    login(client, reviewer.email)
    page = client.get(f"/visits/{visit.id}").get_data(as_text=True)
    # /disputes/<id>/decide: the page above it does not exist either; the language went home.
    refused = client.post(f"/disputes/{dispute_id}/decide", data={
        "csrf_token": csrf_token(page), "decision": "overturn", "new_value": "", "note": "Listened twice."})
    assert "Choose the corrected answer." in refused.get_data(as_text=True)
    assert_reopens(client, refused, f"/visits/{visit.id}")


def test_a_refused_action_and_mark_done_reopen_at_the_visit(client, visit_and_people):
    visit, manager, _reviewer = visit_and_people
    login(client, manager.email)
    page = client.get(f"/visits/{visit.id}").get_data(as_text=True)
    refused = client.post(f"/visits/{visit.id}/actions", data={
        "csrf_token": csrf_token(page), "item_id": "greeted_promptly", "text": "  ", "responsible": "Rasa",
        "due_on": local_today().isoformat()})
    assert refused.status_code == 200 and 'class="error"' in refused.get_data(as_text=True)
    assert_reopens(client, refused, f"/visits/{visit.id}")

    planned = client.post(f"/visits/{visit.id}/actions", data={
        "csrf_token": csrf_token(page), "item_id": "greeted_promptly", "text": "Greet at the door",
        "responsible": "", "due_on": local_today().isoformat()})
    assert planned.status_code == 302
    action_id = db.session.scalar(db.select(CorrectiveAction.id))
    refused = client.post(f"/actions/{action_id}/done", data={"csrf_token": csrf_token(page), "note": "x" * 2001})
    assert 'class="error"' in refused.get_data(as_text=True)
    assert_reopens(client, refused, f"/visits/{visit.id}")


@pytest.mark.parametrize("path, page", [("/admin/users/import", "/admin/users"),
                                        ("/admin/locations/import", "/admin/locations"),
                                        ("/assignments/import", "/assignments")])
def test_a_refused_import_reopens_at_its_list(client, make_user, checklists, path, page):
    login(client, make_user("admin").email)
    token = csrf_token(client.get(page).get_data(as_text=True))
    refused = client.post(path, data={"csv-csrf_token": token, "csv-file": (io.BytesIO(b"nonsense\r\n1\r\n"), "x.csv")},
                          content_type="multipart/form-data")
    assert refused.status_code == 400 and 'class="error"' in refused.get_data(as_text=True)
    assert_reopens(client, refused, page, status=400)


def test_the_round_and_the_checklist_file_forms_reopen_at_their_pages(client, make_user, checklists):
    """Their pages take the form at their own address, by a rule of their own: the page was not
    moved to its address either (base.html asked the form's rule whether it answers GET)."""
    login(client, make_user("admin").email)
    token = csrf_token(client.get("/assignments/round").get_data(as_text=True))
    refused = client.post("/assignments/round", data={"csrf_token": token})
    assert_reopens(client, refused, "/assignments/round", status=400)
    day = local_today().isoformat()
    refused = client.post("/assignments/round/confirm", data={
        "csrf_token": token, "checklist": "store-visit", "due_from": day, "due_until": day,
        "plan": "NOPE-1\tnobody@example.com", "scenario": "", "notes": ""})
    assert_reopens(client, refused, "/assignments/round", status=409)

    token = csrf_token(client.get("/checklist-files").get_data(as_text=True))
    refused = client.post("/checklist-files", data={"csrf_token": token})
    assert_reopens(client, refused, "/checklist-files", status=400)
    refused = client.post("/checklist-files/store", data={"csrf_token": token, "filename": "x.yaml",
                                                          "text": "id: [", "compared_with": "0"})
    assert_reopens(client, refused, "/checklist-files", status=400)


def test_a_page_that_takes_its_own_form_keeps_its_address(client, make_user):
    login(client, make_user("admin").email)
    token = csrf_token(client.get("/admin/users/new").get_data(as_text=True))
    refused = client.post("/admin/users/new", data={"csrf_token": token, "name": "", "email": "nope"})
    assert_reopens(client, refused, "/admin/users/new")


def test_an_error_page_of_a_form_address_names_no_address(client, make_user, make_location, make_visit):
    visit = make_visit(make_location("VLN-01"), make_user("auditor"), ANSWERS, status="submitted")
    login(client, make_user("reviewer").email)
    response = client.post(f"/visits/{visit.id}/return", data={"csrf_token": "stale", "note": "x"})
    assert response.status_code == 400
    assert posted_address(response) is None
