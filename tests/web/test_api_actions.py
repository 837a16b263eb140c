"""``GET /api/v1/actions``: the corrective actions as data for a nightly pull — head office
all of them, a manager their branches', an auditor none (403); filters that cannot be used are
named (400), and the pages join up without gaps or repeats."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from audit.extensions import db
from audit.models import CorrectiveAction, Location, Region, User, utcnow
from audit.times import local_today
from tests.web.test_api import bearer
from tests.web.test_chain_stats import build_demo


@pytest.fixture
def tokens(runner, checklists, make_user):
    """The demo chain (its managers have planned actions) and a token for each role."""
    build_demo(runner, 12)
    assert db.session.scalar(select(func.count(CorrectiveAction.id))) >= 5
    vln = db.session.scalar(select(User).where(User.email == "manager.vln-01@demo.example"))
    made = {"manager": vln}
    for role in ("reviewer", "auditor"):
        made[role] = make_user(role, password=None)
    result = {}
    for role, user in made.items():
        output = runner.invoke(args=["create-token", user.email])
        assert output.exit_code == 0, output.output
        result[role] = bearer(output.output.strip().splitlines()[-1])
    return result


def _all(client, headers, **query) -> list[dict]:
    response = client.get("/api/v1/actions", query_string=query, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["actions"]


def test_head_office_reads_every_action_with_what_a_ticket_needs(client, tokens):
    actions = _all(client, tokens["reviewer"], limit=500)
    stored = db.session.scalars(select(CorrectiveAction).order_by(CorrectiveAction.id)).all()
    assert [a["id"] for a in actions] == [a.id for a in stored]
    first, row = stored[0], actions[0]
    assert row["location"]["code"] == first.location.code and row["location"]["region"] == first.location.region.name
    assert row["visit_id"] == first.visit_id and row["checklist"] == "store-visit"
    assert row["item"]["id"] == first.item_id and row["item"]["text"].endswith("?")
    assert row["text"] == first.text and row["responsible"] == first.responsible
    assert row["due_on"] == first.due_on.isoformat() and row["created_at"].endswith("Z")
    done = [a for a in actions if a["status"] == "done"]
    assert done and all(a["done_at"] and a["done_by"] and a["done_note"] and not a["overdue"] for a in done)
    assert {a["status"] for a in _all(client, tokens["reviewer"], status="open")} == {"open"}
    today = local_today()  # overdue: open and due before the chain's today
    assert [a["overdue"] for a in actions] == [a.status == "open" and a.due_on < today for a in stored]


def test_a_manager_reads_only_their_branch_s_actions_and_an_auditor_none(client, tokens):
    mine = _all(client, tokens["manager"])
    assert mine and {a["location"]["code"] for a in mine} == {"VLN-01"}
    other = db.session.scalar(select(Location.code).where(Location.code != "VLN-01").order_by(Location.code))
    refused = client.get("/api/v1/actions", query_string={"location": other}, headers=tokens["manager"])
    assert refused.status_code == 400 and "unknown location code" in refused.get_json()["details"]["location"]
    # Nor does another region's name answer differently from a name that does not exist.
    own_region = db.session.scalar(select(Region.name).join(Location).where(Location.code == "VLN-01"))
    other_region = db.session.scalar(select(Region.name).where(Region.name != own_region).order_by(Region.name))
    for name in (other_region, "Atlantis"):
        answer = client.get("/api/v1/actions", query_string={"region": name}, headers=tokens["manager"])
        assert answer.status_code == 400 and answer.get_json()["details"]["region"] == f"unknown region '{name}'"
    assert client.get("/api/v1/actions", query_string={"region": own_region}, headers=tokens["manager"]).status_code == 200
    response = client.get("/api/v1/actions", headers=tokens["auditor"])
    assert response.status_code == 403 and response.get_json()["error"] == "forbidden"
    assert client.get("/api/v1/actions").status_code == 401


def test_pages_join_up_and_filters_narrow(client, tokens):
    everything = _all(client, tokens["reviewer"], limit=500)
    seen, url = [], "/api/v1/actions?limit=3&status=open"
    while url:
        page = client.get(url, headers=tokens["reviewer"]).get_json()
        seen.extend(a["id"] for a in page["actions"])
        url = page["next"]
    assert seen == [a["id"] for a in everything if a["status"] == "open"]
    region = everything[0]["location"]["region"]
    assert {a["location"]["region"] for a in _all(client, tokens["reviewer"], region=region)} == {region}
    code = everything[0]["location"]["code"].lower()  # codes are unique whatever their case
    assert {a["location"]["code"] for a in _all(client, tokens["reviewer"], location=code)} == {code.upper()}
    # changed since: planned or marked done since then
    assert _all(client, tokens["reviewer"], changed_since=(utcnow() + timedelta(minutes=1)).isoformat()) == []
    assert len(_all(client, tokens["reviewer"], changed_since="2000-01-01T00:00:00Z", limit=500)) == len(everything)


def test_filters_it_cannot_use_are_named(client, tokens):
    response = client.get("/api/v1/actions", headers=tokens["reviewer"], query_string={
        "status": "closed", "region": "Atlantis", "limit": "0", "after": "x", "changed_since": "yesterday", "sort": "due"})
    assert response.status_code == 400
    details = response.get_json()["details"]
    assert details["status"] == "one of open, done" and details["region"] == "unknown region 'Atlantis'"
    assert details["limit"] == "a whole number from 1 to 500" and "next" in details["after"]
    assert "changed_since" in details and details["sort"].startswith("unknown parameter")


def test_a_visit_s_actions_are_read_by_its_id(client, tokens):
    action = db.session.scalars(select(CorrectiveAction).order_by(CorrectiveAction.id)).first()
    expected = db.session.scalars(select(CorrectiveAction.id).where(CorrectiveAction.visit_id == action.visit_id)).all()
    assert [a["id"] for a in _all(client, tokens["reviewer"], visit=action.visit_id)] == sorted(expected)
    other = db.session.scalar(select(CorrectiveAction).join(Location).where(Location.code != "VLN-01"))
    assert _all(client, tokens["manager"], visit=other.visit_id) == []  # another branch's: none for them
    huge = client.get("/api/v1/actions", query_string={"visit": "9" * 20, "after": "9" * 20}, headers=tokens["reviewer"])
    assert huge.status_code == 400 and set(huge.get_json()["details"]) == {"visit", "after"}  # not a 500
    bad = client.get("/api/v1/actions", query_string={"visit": "seven"}, headers=tokens["reviewer"])
    assert bad.status_code == 400 and bad.get_json()["details"]["visit"] == "a visit id, as GET /api/v1/visits gives it"
