"""The visit page lists the questions the visit asked: a follow-up its question did not call
for is left out, scored or not. "What was wrong with the advice?" (a text question, unscored)
was listed, unanswered, after the best advice, as if the auditor had skipped it."""
from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from audit.extensions import db
from audit.models import Answer, Visit
from tests.conftest import login

FOLLOW_UP = "What was wrong with the advice?"


@pytest.mark.parametrize("advice, listed", [("best_fit", False), ("unsuitable", True)])
def test_the_advice_follow_up_is_listed_only_when_the_advice_called_for_it(client, checklists, make_user,
                                                                           make_location, advice, listed):
    from audit.services.visits import start_visit

    definition = checklists["store-visit"].parsed
    assert definition.item("advice_problem").text.get("en") == FOLLOW_UP
    assert advice in [o.id for o in definition.item("advice_quality").options]
    auditor = make_user("auditor")
    client_uuid = str(uuid.uuid4())
    start_visit(auditor, client_uuid, location=make_location("VLN-01"), checklist_key="store-visit")
    visit = db.session.scalar(select(Visit).where(Visit.uuid == client_uuid))
    db.session.add(Answer(visit_id=visit.id, item_id="advice_quality", value=advice))
    db.session.commit()
    login(client, auditor.email)
    page = client.get(f"/visits/{visit.id}").get_data(as_text=True)
    assert definition.item("advice_quality").text.get("en") in page
    assert (FOLLOW_UP in page) is listed
