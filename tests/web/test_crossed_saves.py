"""An autosave and the submit of the same visit can cross: each request read the visit before
the other one wrote. The second writer must see the first one's answers, not insert them a
second time (a unique-constraint error, a 500 on Submit), and must not change a visit that was
submitted in the meantime. Another database session plays the request that wrote first."""
from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audit.extensions import db
from audit.models import Answer, Visit
from audit.services.visits import VisitContent, VisitNotEditable, save_draft, start_visit


@pytest.fixture
def draft(app, make_user, make_location, checklists):
    auditor = make_user("auditor")
    visit = start_visit(auditor, str(uuid.uuid4()), location=make_location("VLN-01"), checklist_key="store-visit")
    db.session.commit()
    db.session.expire_all()
    # "This request" reads the visit and its (no) answers now, before the other request writes.
    visit = db.session.scalar(select(Visit).where(Visit.id == visit.id))
    assert visit.answers == []
    return visit, auditor


def other_request(visit_id: int, work) -> None:
    with Session(db.engine) as other:
        work(other, other.get(Visit, visit_id))
        other.commit()


def test_a_save_that_crossed_another_keeps_both_and_stores_each_answer_once(draft):
    visit, auditor = draft
    other_request(visit.id, lambda session, v: v.answers.append(Answer(item_id="greeted_promptly", value="yes")))
    save_draft(visit, auditor, VisitContent(answers={"greeted_promptly": "no", "smiled": "yes"}))
    db.session.commit()
    db.session.expire_all()
    stored = dict(db.session.execute(select(Answer.item_id, Answer.value).where(Answer.visit_id == visit.id)).all())
    assert stored == {"greeted_promptly": "no", "smiled": "yes"}  # the later save wins, nothing doubled
    assert db.session.scalar(select(func.count()).select_from(Answer).where(Answer.visit_id == visit.id)) == 2


def test_a_save_that_arrives_after_the_submit_changes_nothing(draft):
    visit, auditor = draft

    def submit(session, v):
        v.answers.append(Answer(item_id="greeted_promptly", value="yes"))
        v.status = "submitted"

    other_request(visit.id, submit)
    with pytest.raises(VisitNotEditable):
        save_draft(visit, auditor, VisitContent(answers={"greeted_promptly": "no"}))
    db.session.rollback()
    stored = dict(db.session.execute(select(Answer.item_id, Answer.value).where(Answer.visit_id == visit.id)).all())
    assert stored == {"greeted_promptly": "yes"}
