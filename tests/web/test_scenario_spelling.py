"""A scenario typed again, by someone else or in another file, takes the spelling the chain
already uses: "buy a GIFT " scheduled, imported or typed on the tablet is stored as "Buy a gift",
and the dashboard's scenario filter offers one "Buy a gift" with all its visits, not one choice per
spelling. The forms that take a scenario offer the chain's scenarios while it is typed.
"""
from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

from sqlalchemy import select

from audit.extensions import db
from audit.models import Assignment, Checklist, Visit
from audit.services.filter_choices import scenarios as filter_scenarios
from audit.services.scenarios import Scenarios
from audit.times import local_today
from tests.conftest import csrf_token
from tests.web.test_assignment_list import HEADER as PLAN_HEADER
from tests.web.test_assignment_list import upload
from tests.web.test_field_workflow import as_user, best_answers, people, schedule, start  # noqa: F401
from tests.web.test_import import HEADER as VISITS_HEADER
from tests.web.test_import import mini, run_import, write  # noqa: F401


def stored_scenarios() -> list[str]:
    db.session.expire_all()
    return sorted(db.session.scalars(select(Assignment.scenario)))


def test_spellings_of_a_scenario_already_used_take_its_spelling(client, people):  # noqa: F811
    schedule(client, people, **{"one-scenario": "Buy a gift"})
    # The one-visit form, another window: typed in capitals, with spaces.
    schedule(client, people, **{"one-scenario": "  buy  a GIFT ",
                                "one-due_until": (local_today() + timedelta(days=4)).isoformat()})
    assert stored_scenarios() == ["Buy a gift", "Buy a gift"]

    # The same visit twice is still refused, whatever the spelling.
    page = client.get("/assignments").get_data(as_text=True)
    twice = client.post("/assignments", data={
        "one-location": "VLN-01", "one-checklist": "store-visit", "one-auditor": people["auditor"].email,
        "one-scenario": "BUY A GIFT", "one-due_from": local_today().isoformat(),
        "one-due_until": (local_today() + timedelta(days=3)).isoformat(), "one-csrf_token": csrf_token(page)},
        follow_redirects=True)
    assert "This visit is already scheduled" in unescape(twice.get_data(as_text=True))

    # A file: its own two spellings of a new scenario become one, the first one's; an old one the chain's.
    start_day, end = local_today() + timedelta(days=10), local_today() + timedelta(days=12)
    email = people["auditor"].email
    plan = (PLAN_HEADER + f"VLN-01,store-visit,{email},Return an item,{start_day},{end},\n"
            + f"RIX-01,store-visit,{email},return an ITEM,{start_day},{end},\n"
            + f"RIX-01,store-visit,{email},buy a gift,{start_day},{end},\n")
    assert "3 visits scheduled." in upload(client, plan).get_data(as_text=True)
    assert stored_scenarios() == ["Buy a gift"] * 3 + ["Return an item"] * 2

    # Both forms offer the chain's scenarios while one is typed, each once.
    for path in ("/assignments", "/assignments/round"):
        html = client.get(path).get_data(as_text=True)
        assert 'list="scenario-suggestions"' in html, path
        offered = re.findall(r'<option value="([^"]*)">', html[html.index('<datalist id="scenario-suggestions">'):])
        assert offered[:2] == ["Buy a gift", "Return an item"], (path, offered)


def test_the_tablet_keeps_the_typing_until_submit_then_takes_the_chains_spelling(client, people):  # noqa: F811
    """A draft stores the scenario as typed (spaces tidied): reading every scenario of the chain
    on each pause in typing would be work on the autosave path. Submitting takes the chain's
    spelling, and the same submission sent again is a harmless retry."""
    assignment = schedule(client, people, **{"one-scenario": "Buy a gift"})
    client_uuid, page = start(client, people, assignment)
    token = csrf_token(page)
    response = client.post(f"/visits/{client_uuid}/draft", headers={"X-CSRFToken": token},
                           json={"answers": {}, "details": {"scenario": "buy a  gift"}})
    assert response.status_code == 200
    visit = db.session.scalar(select(Visit).where(Visit.uuid == client_uuid))
    db.session.refresh(visit)
    assert visit.scenario == "buy a gift"
    # The draft's spelling is no spelling of the chain's yet: a scenario typed elsewhere meanwhile
    # takes the stored one, not the draft's.
    assert Scenarios().canonical("BUY A GIFT") == "Buy a gift"
    fields = {"csrf_token": token, "action": "submit", "scenario": "buy a  gift", **best_answers(people["store"])}
    submitted = client.post(f"/visits/{client_uuid}/fill", data=fields, follow_redirects=True)
    assert "Visit submitted." in submitted.get_data(as_text=True)
    db.session.refresh(visit)
    assert (visit.status, visit.scenario) == ("submitted", "Buy a gift")
    again = client.post(f"/visits/{client_uuid}/fill", data=fields, follow_redirects=True)
    assert "already submitted" not in again.get_data(as_text=True)


def test_imported_visits_take_the_chains_spelling_and_import_again_unchanged(runner, mini, tmp_path, people):  # noqa: F811
    header = VISITS_HEADER + ",scenario"
    answers = {"greeted": "yes", "friendly": "4", "advice": "expert", "wait": "1"}
    rows = [f"P-{n},VLN-01,Vilnius Akropolis,Vilnius,ona@example.lt,2025-03-1{n}T10:30,import-mini,{item},{value},,{text}"
            for n, text in enumerate(["Complaint call", "complaint  CALL", "Complaint Call"], 1)
            for item, value in answers.items()]
    path = write(tmp_path, "\r\n".join([header, *rows, ""]))
    result = run_import(runner, path)
    assert result.exit_code == 0, result.output
    imported = db.session.scalars(select(Visit.scenario).where(Visit.external_id.is_not(None))).all()
    assert imported == ["Complaint call"] * 3
    assert filter_scenarios("import-mini") == ["Complaint call"]
    again = run_import(runner, path)
    assert again.exit_code == 0 and "nothing changed: every visit is already here" in again.output, again.output


def test_two_stored_spellings_settle_on_one_whichever_order_they_are_read(app, people):  # noqa: F811
    """Spellings stored before this rule: a new one takes the same one of them every time."""
    store = db.session.scalar(select(Checklist).where(Checklist.key == "store-visit"))
    for text in ("buy a gift", "Buy a gift"):
        db.session.add(Assignment(location=people["location"], checklist=store, auditor=people["auditor"],
                                  scenario=text, due_from=local_today(), due_until=local_today(),
                                  created_by_id=people["admin"].id))
    db.session.flush()
    assert Scenarios().canonical("BUY A GIFT") == "Buy a gift"
