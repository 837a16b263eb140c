"""A review form the server refuses comes back as typed: a reviewer's notes on a returned
visit, a manager's dispute reason and a reviewer's decision are never lost to a refusal
(they were: every refusal redirected to an empty visit page)."""
from __future__ import annotations

import html as html_lib
import re

from audit.extensions import db
from audit.models import Dispute, ReviewComment, Visit
from tests.conftest import csrf_token, login

ANSWERS = {"greeted_promptly": "yes", "staff_respectful": "no", "tone_friendly": "4"}
TOO_LONG = "Ž" * 5001


def _page(client, visit) -> str:
    return client.get(f"/visits/{visit.id}").get_data(as_text=True)


def _textarea(html: str, name: str) -> str:
    match = re.search(rf'<textarea name="{name}"[^>]*>(.*?)</textarea>', html, re.S)
    assert match, f"no textarea {name}"
    return html_lib.unescape(match.group(1))


def test_a_refused_return_keeps_the_reviewers_notes_and_names_the_question(app, make_location, make_user,
                                                                            make_visit):
    visit = make_visit(make_location("VLN-01"), make_user("auditor"), ANSWERS, status="submitted")
    client = app.test_client()
    login(client, make_user("reviewer").email)
    note = "Please check the greeting – «приветствие» – and the queue."
    response = client.post(f"/visits/{visit.id}/return", data={
        "csrf_token": csrf_token(_page(client, visit)), "note": note,
        "note-greeted_promptly": "Were you greeted within a minute?", "note-staff_respectful": TOO_LONG})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert _textarea(html, "note") == note
    assert _textarea(html, "note-greeted_promptly") == "Were you greeted within a minute?"
    assert _textarea(html, "note-staff_respectful") == TOO_LONG
    # The refused comment's box is open and says what is wrong, beside its question.
    refused_box = re.search(r'<details class="comment" open>.{0,400}name="note-staff_respectful".*?</details>',
                            html, re.S)
    assert refused_box and "At most 5000 characters." in refused_box.group(0)
    db.session.expire_all()
    assert db.session.get(Visit, visit.id).status == "submitted"
    assert db.session.scalar(db.select(db.func.count(ReviewComment.id))) == 0
    # The page shown after the refusal still works: sending it without the long comment returns the visit.
    client.post(f"/visits/{visit.id}/return", data={
        "csrf_token": csrf_token(html), "note": _textarea(html, "note"),
        "note-greeted_promptly": _textarea(html, "note-greeted_promptly")})
    db.session.expire_all()
    assert db.session.get(Visit, visit.id).status == "returned"
    assert sorted(c.text for c in db.session.scalars(db.select(ReviewComment))) == sorted(
        [note, "Were you greeted within a minute?"])


def test_a_visit_note_longer_than_the_limit_is_refused_not_cut(app, make_location, make_user, make_visit):
    visit = make_visit(make_location("VLN-01"), make_user("auditor"), ANSWERS, status="submitted")
    client = app.test_client()
    login(client, make_user("reviewer").email)
    html = client.post(f"/visits/{visit.id}/return", data={
        "csrf_token": csrf_token(_page(client, visit)), "note": TOO_LONG}).get_data(as_text=True)
    assert _textarea(html, "note") == TOO_LONG and "At most 5000 characters." in html
    assert 'id="unsent"' not in html  # the form itself is shown again, not a copy of the text
    db.session.expire_all()
    assert db.session.get(Visit, visit.id).status == "submitted"
    assert db.session.scalar(db.select(db.func.count(ReviewComment.id))) == 0


def test_a_refused_dispute_keeps_the_managers_reason(app, make_location, make_user, make_visit):
    location = make_location("VLN-01")
    visit = make_visit(location, make_user("auditor"), ANSWERS)
    client = app.test_client()
    login(client, make_user("manager", locations=["VLN-01"]).email)
    html = client.post(f"/visits/{visit.id}/disputes", data={
        "csrf_token": csrf_token(_page(client, visit)), "item_id": "staff_respectful",
        "reason": TOO_LONG}).get_data(as_text=True)
    assert "At most 5000 characters." in html
    reasons = re.findall(r'<details class="comment"( open)?><summary>Dispute this answer</summary>.*?'
                         r'name="item_id" value="([^"]+)".*?<textarea name="reason"[^>]*>(.*?)</textarea>', html, re.S)
    typed = {item: (bool(opened), html_lib.unescape(text)) for opened, item, text in reasons}
    assert typed["staff_respectful"] == (True, TOO_LONG)
    assert typed["greeted_promptly"] == (False, "")
    # The reason is named at its field, which has the focus: the form is far down the page.
    form = next(f for f in re.findall(r'<form method="post" action="/visits/\d+/disputes"[^>]*>.*?</form>', html, re.S)
                if 'name="item_id" value="staff_respectful"' in f)
    assert re.search(r'<textarea name="reason"[^>]* autofocus aria-invalid="true"', form)
    assert '<span class="error" id="dispute-error-staff_respectful">At most 5000 characters.</span>' in form
    assert html.count("autofocus") == 1
    assert db.session.scalar(db.select(db.func.count(Dispute.id))) == 0


def test_a_refused_decision_keeps_overturn_and_the_note(app, make_location, make_user, make_visit):
    location = make_location("VLN-01")
    visit = make_visit(location, make_user("auditor"), ANSWERS)
    manager = make_user("manager", locations=["VLN-01"])
    db.session.add(Dispute(visit_id=visit.id, item_id="tone_friendly", raised_by_id=manager.id,
                           reason="Friendly, not 4.", old_value="4"))
    db.session.commit()
    dispute_id = db.session.scalar(db.select(Dispute.id))
    client = app.test_client()
    login(client, make_user("reviewer").email)
    html = client.post(f"/disputes/{dispute_id}/decide", data={
        "csrf_token": csrf_token(_page(client, visit)), "decision": "overturn", "new_value": "",
        "note": "Listened to the recording twice."}).get_data(as_text=True)
    assert "Choose the corrected answer." in html
    assert 'id="unsent"' not in html
    form = re.search(r'<form method="post" action="/disputes/\d+/decide" class="decide">.*?</form>', html, re.S).group(0)
    assert re.search(r'value="overturn" checked', form) and not re.search(r'value="uphold" checked', form)
    assert re.search(r'<textarea name="note"[^>]*>Listened to the recording twice.</textarea>', form)
    assert f'<span class="error" id="decide-error-{dispute_id}">Choose the corrected answer.</span>' in form
    assert re.search(r'name="new_value"[^>]* autofocus aria-invalid="true"', form) and html.count("autofocus") == 1
    # The reviewer now picks an answer: the page after the refusal carries the decision through.
    client.post(f"/disputes/{dispute_id}/decide", data={
        "csrf_token": csrf_token(html), "decision": "overturn", "new_value": "5",
        "note": "Listened to the recording twice."})
    db.session.expire_all()
    assert db.session.get(Dispute, dispute_id).status == "overturned"
