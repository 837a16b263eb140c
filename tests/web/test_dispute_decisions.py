"""A reviewer overturning a dispute chooses the corrected answer: nothing is chosen for them
(a pre-selected first option once turned a disputed 4/5 into 1/5), and "corrected" to the
answer the visit already has is refused."""
from __future__ import annotations

import re
from html import unescape

import pytest

from audit.extensions import db
from audit.models import Answer, Dispute, Visit
from tests.conftest import csrf_token, login

ANSWERS = {"greeted_promptly": "yes", "staff_respectful": "yes", "tone_friendly": "4"}


@pytest.fixture
def disputed(app, make_location, make_user, make_visit):
    location = make_location("VLN-01")
    auditor, reviewer = make_user("auditor"), make_user("reviewer")
    manager = make_user("manager", locations=["VLN-01"])
    visit = make_visit(location, auditor, ANSWERS)
    db.session.add(Dispute(visit_id=visit.id, item_id="tone_friendly", raised_by_id=manager.id,
                           reason="The tone was friendly; the auditor misheard.", old_value="4"))
    db.session.commit()
    client = app.test_client()
    login(client, reviewer.email)
    return client, visit


def decide(client, visit, **form):
    page = client.get(f"/visits/{visit.id}").get_data(as_text=True)
    dispute = db.session.scalar(db.select(Dispute.id).where(Dispute.visit_id == visit.id))
    return client.post(f"/disputes/{dispute}/decide", data={"csrf_token": csrf_token(page), **form},
                       follow_redirects=True).get_data(as_text=True)


def stored(visit) -> tuple[str, float, str]:
    db.session.expire_all()
    fresh = db.session.get(Visit, visit.id)
    answer = next(a for a in fresh.answers if a.item_id == "tone_friendly")
    return answer.value, fresh.score, fresh.disputes[0].status


def test_the_corrected_answer_list_starts_empty_and_marks_the_current_answer(disputed):
    client, visit = disputed
    html = client.get(f"/visits/{visit.id}").get_data(as_text=True)
    select = re.search(r'<select name="new_value".*?</select>', html, re.S).group(0)
    options = re.findall(r"<option([^>]*)>([^<]*)</option>", select)
    assert options[0] == (' value="" selected', "Corrected answer…")
    assert ' value="4" disabled' in dict((label, attrs) for attrs, label in options)["4 (current)"]
    assert sum("selected" in attrs for attrs, _ in options) == 1


def test_overturning_without_choosing_changes_nothing_and_says_why(disputed):
    client, visit = disputed
    before = stored(visit)
    html = decide(client, visit, decision="overturn", new_value="", note="")
    assert "Choose the corrected answer." in html
    assert stored(visit) == before and before[2] == "open"


def test_overturning_to_the_current_answer_is_refused(disputed):
    client, visit = disputed
    before = stored(visit)
    html = decide(client, visit, decision="overturn", new_value="4", note="")
    assert "The corrected answer is the current one; choose “Keep the answer” instead." in html
    assert stored(visit) == before


def test_overturning_to_a_chosen_answer_rescores_the_visit(disputed):
    client, visit = disputed
    _, score_before, _ = stored(visit)
    decide(client, visit, decision="overturn", new_value="5", note="Heard the call again.")
    value, score, status = stored(visit)
    assert (value, status) == ("5", "overturned") and score > score_before
    assert db.session.scalar(db.select(Answer.value).where(Answer.visit_id == visit.id,
                                                           Answer.item_id == "tone_friendly")) == "5"


def test_a_decided_answer_cannot_be_disputed_again(app, disputed, make_user):
    """The manager was offered "Dispute this answer" again after the reviewer's decision, and a
    second dispute of the same answer was accepted."""
    client, visit = disputed
    decide(client, visit, decision="uphold", note="The recording confirms the 4.")
    manager = db.session.scalar(db.select(Dispute.raised_by_id))
    from audit.models import User

    browser = app.test_client()
    page = login(browser, db.session.get(User, manager).email).get_data(as_text=True)
    html = browser.get(f"/visits/{visit.id}").get_data(as_text=True)
    form = re.search(r'name="item_id" value="tone_friendly"', html)
    assert form is None  # no dispute form for the decided answer (others keep theirs)
    assert 'name="item_id" value="greeted_promptly"' in html
    again = browser.post(f"/visits/{visit.id}/disputes", data={
        "csrf_token": csrf_token(html), "item_id": "tone_friendly", "reason": "Still friendly."},
        follow_redirects=True).get_data(as_text=True)
    assert "This answer was disputed and decided already." in again
    assert db.session.scalar(db.select(db.func.count(Dispute.id))) == 1
    assert page  # signed in


def test_an_over_long_note_is_refused_and_shown_again_as_typed(disputed):
    """A note over 5000 characters used to be stored cut to 5000 without a word."""
    client, visit = disputed
    before = stored(visit)
    note = "Heard the call again. " + "x" * 5000
    html = unescape(decide(client, visit, decision="uphold", note=note))
    assert stored(visit) == before and before[2] == "open"
    # A box for a long text, with what was typed in it and the reason beside it.
    box = re.search(r'<textarea name="note"[^>]*>([^<]*)</textarea>\s*<span class="error"[^>]*>([^<]*)</span>', html)
    assert box is not None and box.group(1) == note
    assert box.group(2) == "At most 5000 characters."
    assert decide(client, visit, decision="uphold", note=note[:5000]) and stored(visit)[2] == "upheld"
    assert db.session.get(Dispute, db.session.scalar(db.select(Dispute.id))).decision_note == note[:5000]


def decide_form(html: str) -> str:
    return re.search(r'<form method="post" action="/disputes/\d+/decide" class="decide">.*?</form>', html, re.S).group(0)


def test_the_decision_form_chooses_nothing_in_advance(disputed):
    """"Keep the answer" was chosen in advance: one tap on Decide rejected the dispute."""
    client, visit = disputed
    form = decide_form(client.get(f"/visits/{visit.id}").get_data(as_text=True))
    radios = re.findall(r'<input type="radio" name="decision"[^>]*>', form)
    assert len(radios) == 2 and not any("checked" in radio for radio in radios)
    assert any("required" in radio for radio in radios)  # the browser asks for a choice too


def test_keeping_the_answer_without_a_note_is_refused_and_changes_nothing(disputed):
    """Rejecting a dispute told the manager nothing of why: the reason for keeping the answer is
    asked for, beside the note, and the refused form keeps what the reviewer chose and typed."""
    from audit.models import AuditLogEntry

    client, visit = disputed
    before = stored(visit)
    logged = db.session.scalar(db.select(db.func.count(AuditLogEntry.id)))
    html = unescape(decide(client, visit, decision="uphold", new_value="5", note="   "))
    assert stored(visit) == before and before[2] == "open"
    dispute = db.session.scalar(db.select(Dispute))
    assert (dispute.decided_by_id, dispute.decided_at, dispute.decision_note) == (None, None, "")
    assert db.session.scalar(db.select(db.func.count(AuditLogEntry.id))) == logged
    assert "Dispute rejected" not in html
    form = decide_form(html)
    message = "Write the reason for keeping the answer: the branch manager reads it."
    box = re.search(r'<textarea name="note"[^>]*>([^<]*)</textarea>\s*<span class="error"[^>]*>([^<]*)</span>', form)
    assert box is not None and box.group(2) == message
    assert re.search(r'<textarea name="note"[^>]* autofocus aria-invalid="true"', form) and html.count("autofocus") == 1
    assert re.search(r'value="uphold" checked', form) and not re.search(r'value="overturn" checked', form)
    assert re.search(r'<option value="5" selected>', form)  # the answer chosen stays chosen


def test_keeping_the_answer_with_a_note_rejects_the_dispute(disputed):
    client, visit = disputed
    before = stored(visit)
    html = unescape(decide(client, visit, decision="uphold", note="The recording confirms the 4."))
    assert "Dispute rejected: the answer stays." in html
    value, score, status = stored(visit)
    assert (value, score, status) == (before[0], before[1], "upheld")
    dispute = db.session.scalar(db.select(Dispute))
    assert dispute.decision_note == "The recording confirms the 4." and dispute.decided_by_id is not None
    assert "The recording confirms the 4." in html  # the visit page shows the decision with its reason


def test_changing_the_answer_needs_no_note(disputed):
    client, visit = disputed
    html = unescape(decide(client, visit, decision="overturn", new_value="5", note=""))
    assert "Dispute overturned: the answer and the score were changed." in html
    assert stored(visit)[::2] == ("5", "overturned")


def test_the_service_refuses_to_keep_the_answer_without_a_note(disputed):
    from audit.models import User
    from audit.services.review import decide_dispute
    from audit.services.visits import VisitInvalid

    _client, visit = disputed
    dispute = db.session.scalar(db.select(Dispute))
    reviewer = db.session.scalar(db.select(User).where(User.role == "reviewer"))
    with pytest.raises(VisitInvalid) as refused:
        decide_dispute(dispute, reviewer, overturn=False, note=" \n ")
    assert refused.value.errors == {"note": "write the reason for keeping the answer"}
    db.session.rollback()
    assert stored(visit)[2] == "open"
