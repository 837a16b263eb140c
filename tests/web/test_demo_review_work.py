"""The demo's review work: right after `make run` a reviewer has visits waiting and disputes to
decide, a branch manager sees the dispute they raised, and auditor1 has a visit sent back to
fix — while the approved visits, and so every figure, stay those of the demo without them."""
from __future__ import annotations

import hashlib
import re
from datetime import datetime, timedelta
from html import unescape
from pathlib import Path

import pytest
from sqlalchemy import select

from audit.extensions import db
from audit.models import Dispute, ReviewComment, User, Visit
from audit.services.demo.review_work import REASONS, RETURN_NOTES, UPHELD_NOTES
from tests.conftest import login

SMALL = ["demo", "--locations", "12", "--months", "3", "--end", "2026-10-31"]
#: The approved visits of ``SMALL`` (uuid, score, time), as built before the review work was
#: added to the demo: 110 visits. A change to the demo's draws changes it on purpose; the review
#: work must not.
APPROVED_BEFORE = "c5a253028d8b6dd8c327b19a10127dd11589b0dd71d865e5be4c7feea52a7b28"


@pytest.fixture
def demo(app, runner, checklists) -> str:
    """The small demo chain; the demo users' password."""
    result = runner.invoke(args=SMALL)
    assert result.exit_code == 0, result.output
    assert "6 visits waiting for review, 1 returned to auditor1@demo.example, 4 disputes (3 open)" in result.output
    return re.search(r"password: (\S+)", (Path(app.instance_path) / "demo-logins.txt").read_text()).group(1)


def signed_in(app, email: str, password: str):
    client = app.test_client()
    assert login(client, email, password).status_code == 200
    return client


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return unescape(response.get_data(as_text=True))


def test_the_approved_visits_are_those_of_the_demo_without_review_work(demo):
    rows = db.session.execute(select(Visit.uuid, Visit.score, Visit.visited_at)
                              .where(Visit.status == "approved").order_by(Visit.uuid)).all()
    canon = "\n".join(f"{uuid} {score:.6f} {at.isoformat()}" for uuid, score, at in rows)
    assert (len(rows), hashlib.sha256(canon.encode()).hexdigest()) == (110, APPROVED_BEFORE)


def test_a_reviewer_finds_six_visits_waiting_and_three_disputes_to_decide(app, demo):
    waiting = db.session.scalars(select(Visit).where(Visit.status == "submitted")).all()
    assert len(waiting) == 6 and len({v.location_id for v in waiting}) == 6
    assert all(v.score is not None and v.submitted_at and v.approved_at is None for v in waiting)
    assert all(datetime(2026, 10, 27) <= v.visited_at < datetime(2026, 11, 1) for v in waiting)
    assert {v.checklist_version.checklist.key for v in waiting} == {"store-visit", "phone-enquiry", "email-enquiry"}

    client = signed_in(app, "reviewer1@demo.example", demo)
    queue = page(client, "/review")
    assert "6 visits wait for review; the longest waiting come first." in queue
    assert all(f"/visits/{v.id}" in queue for v in waiting)
    home = page(client, "/")
    disputes = db.session.scalars(select(Dispute).order_by(Dispute.id)).all()
    assert [d.status for d in disputes] == ["open", "open", "open", "upheld"]
    listed = home.split("Open disputes")[1].split("</section>")[0]
    assert re.findall(r'data-dispute="(\d+)"', listed) == [str(d.id) for d in disputes[:3]]  # the longest waiting first
    for dispute in disputes[:3]:
        assert dispute.reason in listed  # with the manager's reason

    # A waiting visit can be approved as it is: a complete visit, scored like any other.
    visit_page = page(client, f"/visits/{waiting[0].id}")
    assert 'id="approve"' in visit_page


def test_disputes_are_in_their_managers_language_after_the_approval_and_in_the_past(app, demo):
    for dispute in db.session.scalars(select(Dispute)):
        visit, manager = db.session.get(Visit, dispute.visit_id), db.session.get(User, dispute.raised_by_id)
        assert manager.role == "manager" and visit.location in manager.locations
        assert dispute.reason in REASONS[manager.locale]
        assert visit.status == "approved" and visit.approved_at <= dispute.created_at <= visit.approved_at + timedelta(days=2)
        answer = next(a for a in visit.answers if a.item_id == dispute.item_id)
        assert dispute.old_value == answer.value and answer.score is not None and answer.score < 1
        if dispute.status == "upheld":
            assert dispute.decision_note == UPHELD_NOTES[manager.locale]
            assert dispute.created_at <= dispute.decided_at and dispute.new_value is None

    manager = db.session.get(User, db.session.scalar(select(Dispute.raised_by_id).where(Dispute.status == "open")))
    home = page(signed_in(app, manager.email, demo), "/")
    raised = db.session.scalar(select(Dispute).where(Dispute.raised_by_id == manager.id))
    assert raised.reason in home


def test_auditor1_has_a_visit_returned_with_notes_in_their_language(app, demo):
    returned = db.session.scalar(select(Visit).where(Visit.status == "returned"))
    auditor = returned.auditor
    assert auditor.email == "auditor1@demo.example" and returned.assignment is not None
    notes = db.session.scalars(select(ReviewComment).where(ReviewComment.visit_id == returned.id)
                               .order_by(ReviewComment.id)).all()
    assert [n.text for n in notes] == list(RETURN_NOTES[auditor.locale])
    assert notes[0].item_id is None and notes[1].item_id is not None

    client = signed_in(app, auditor.email, demo)
    home = page(client, "/")
    assert auditor.locale == "lt"  # the page is in Lithuanian: "In progress", "Returned by the reviewer …"
    in_progress = re.search(r"<h2>Vykdomos</h2>(.*?)</ul>", home, re.S).group(1)  # the auditor's work, first
    assert in_progress.count("<li") == 1
    assert "Grąžino tikrintojas: žr. pastabas" in in_progress and returned.uuid in in_progress
    assert RETURN_NOTES[auditor.locale][0] in page(client, f"/visits/{returned.id}")
