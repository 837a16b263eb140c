"""The JSON API over real HTTP: tokens from the real CLI, scores, idempotency, roles, errors."""
from __future__ import annotations

import hashlib
import time
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from audit.extensions import db
from audit.models import Answer, ApiToken, AuditLogEntry, Dispute, Location, Visit, VisitSectionScore, utcnow
from tests.conftest import csrf_token, login

#: The shipped store-visit checklist answered with the best answer everywhere; no complaint
#: in the scenario, so the complaint section is hidden.
BEST = {
    "entrance_clean": "yes", "sales_floor_clean": 5, "signage_clear": "yes", "prices_visible": "yes",
    "queue_managed": "yes",
    "greeted_promptly": "yes", "eye_contact": "yes", "smiled": "yes", "tone_friendly": 5, "staff_respectful": "yes",
    "let_speak": "yes", "needs_questions": "three_plus", "checked_understanding": "yes",
    "recommendation_personal": "yes",
    "knowledge_level": 5, "info_accurate": "yes", "pros_cons": "yes", "advice_quality": "best_fit",
    "related_offer": "yes", "offer_no_pressure": "yes",
    "wait_minutes": 1, "wait_acknowledged": "yes", "reaction_speed": 5, "till_wait_minutes": "2",
    "payment_methods": "yes", "payment_smooth": "yes", "price_matches": "yes", "receipt_issued": "yes",
    "complaint_scenario": "no",
    "thanked": "yes", "invited_back": "yes", "warranty_explained": "yes", "feedback_invited": "yes",
    "further_help": "yes",
}


def visit_body(answers: dict | None = None, comments: dict | None = None, **fields) -> dict:
    comments = comments or {}
    body = {
        "client_uuid": str(uuid.uuid4()), "location": "RIX-01", "checklist": "store-visit",
        "visited_at": "2026-03-02T14:30:00+02:00", "scenario": "Buying a kettle",
        "answers": [{"item": k, "value": v, "comment": comments.get(k, "")} for k, v in (answers or BEST).items()],
    }
    body.update(fields)
    return body


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def stored_rows() -> dict[str, int]:
    db.session.commit()  # end the test's read transaction so the counts are fresh
    counted = {"visits": Visit, "answers": Answer, "section_scores": VisitSectionScore}
    rows = {name: db.session.scalar(select(func.count()).select_from(model)) for name, model in counted.items()}
    rows["visit_log"] = db.session.scalar(
        select(func.count()).select_from(AuditLogEntry).where(AuditLogEntry.object_type == "visit"))
    return rows


NO_ROWS = {"visits": 0, "answers": 0, "section_scores": 0, "visit_log": 0}


@pytest.fixture
def create_token(runner):
    """``audit create-token EMAIL`` through the real CLI; returns the last line of its output."""

    def create(email: str) -> str:
        result = runner.invoke(args=["create-token", email, "--label", "tests"])
        assert result.exit_code == 0, result.output
        return result.output.strip().splitlines()[-1]

    return create


@pytest.fixture
def chain(checklists, make_location, make_user, create_token):
    """Two open branches and a closed one, a user of every role, and a token for each."""
    make_location("RIX-01", "Rīga Alfa", region="Rīga", city="Rīga", address="Brīvības 1", format="mall")
    make_location("VLN-01", "Vilnius Akropolis", region="Vilnius")
    make_location("KAU-09", "Kaunas (closed)", region="Kaunas", active=False)
    users = {  # the API never sees a password; only the auditor has one, to sign in to the UI
        "auditor": make_user("auditor", name="Ina Auditor"), "other_auditor": make_user("auditor", password=None),
        "reviewer": make_user("reviewer", password=None), "admin": make_user("admin", password=None),
        "manager": make_user("manager", locations=["RIX-01"], password=None),
    }
    tokens = {role: bearer(create_token(user.email)) for role, user in users.items()}
    return users, tokens


# --- tokens and authentication ---------------------------------------------------------------

def test_create_token_prints_the_token_last_and_stores_only_its_hash(runner, make_user):
    user = make_user("auditor", email="ina@example.com")
    result = runner.invoke(args=["create-token", "INA@example.com", "--label", "tablet 7"])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    assert len(token) >= 40 and " " not in token
    row = db.session.scalar(select(ApiToken))
    assert row.user_id == user.id and row.label == "tablet 7"
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest() != token
    log = db.session.scalar(select(AuditLogEntry).where(AuditLogEntry.action == "api_token.created"))
    assert log.object_id == str(row.id) and log.details["for_user"] == user.id

    unknown = runner.invoke(args=["create-token", "nobody@example.com"])
    assert unknown.exit_code == 1 and "no user with the e-mail nobody@example.com" in unknown.output
    assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 1


def test_requests_without_a_valid_token_get_401(client, chain, make_user, create_token):
    from audit.services.tokens import revoke_token

    _, tokens = chain
    for headers in ({}, {"Authorization": "Basic dXNlcjpwdw=="}, {"Authorization": "Bearer"},
                    bearer("not-a-token"), {"Authorization": tokens["auditor"]["Authorization"] + "x"}):
        response = client.get("/api/v1/locations", headers=headers)
        assert response.status_code == 401, headers
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert response.json["error"] == "authentication required" and "token" in response.json["details"]
    assert client.get("/api/v1/locations", headers=tokens["auditor"]).status_code == 200

    leaving = make_user("auditor")
    leaving_token = create_token(leaving.email)
    assert client.get("/api/v1/locations", headers=bearer(leaving_token)).status_code == 200
    leaving.active = False
    db.session.commit()
    assert client.get("/api/v1/locations", headers=bearer(leaving_token)).status_code == 401

    token = tokens["auditor"]["Authorization"].removeprefix("Bearer ")
    assert revoke_token(token) is True and revoke_token(token) is False
    db.session.commit()
    revoked = client.get("/api/v1/locations", headers=tokens["auditor"])
    assert revoked.status_code == 401 and 'error="invalid_token"' in revoked.headers["WWW-Authenticate"]
    assert client.post("/api/v1/visits", json=visit_body(), headers=tokens["auditor"]).status_code == 401
    assert stored_rows() == NO_ROWS


def test_a_browser_session_cookie_does_not_authenticate_the_api(client, chain):
    users, _ = chain
    home = login(client, users["auditor"].email)
    assert home.status_code == 200 and client.get("/").status_code == 200  # signed in to the UI
    assert client.get("/api/v1/locations").status_code == 401
    response = client.post("/api/v1/visits", json=visit_body())
    assert response.status_code == 401 and response.is_json  # refused as unauthenticated, not for CSRF
    assert stored_rows() == NO_ROWS


def test_last_used_at_is_written_at_most_once_a_minute(app, make_user):
    from audit.services.tokens import create_token, user_for_token

    user = make_user("auditor")
    token = create_token(user)
    db.session.commit()
    assert user_for_token(token).id == user.id
    row = db.session.scalar(select(ApiToken))
    first = row.last_used_at
    assert first is not None
    assert user_for_token(token).id == user.id and row.last_used_at == first  # no second write
    row.last_used_at = first - timedelta(minutes=2)
    assert user_for_token(token) is not None and row.last_used_at > first - timedelta(minutes=2)
    assert user_for_token("") is None and user_for_token(token[:-1]) is None


# --- recording visits: scores and idempotency --------------------------------------------------

def test_best_answers_score_100(client, chain):
    _, tokens = chain
    response = client.post("/api/v1/visits", json=visit_body(), headers=tokens["auditor"])
    assert response.status_code == 201, response.json
    visit = response.json
    assert response.headers["Location"] == f"/api/v1/visits/{visit['id']}"
    assert visit["score"] == 100.0 and visit["critical_failed"] is False and visit["critical_items"] == []
    assert visit["status"] == "submitted"
    assert visit["visited_at"] == "2026-03-02T12:30:00Z"  # +02:00 stored as UTC
    assert visit["location"] == {"code": "RIX-01", "name": "Rīga Alfa"}
    assert visit["checklist"] == {"id": "store-visit", "version": 1}
    assert visit["auditor"]["name"] == "Ina Auditor"
    sections = {s["id"]: s for s in visit["sections"]}
    assert sections["greeting"] == {"id": "greeting", "title": "Greeting and attitude", "score": 100.0}
    assert sections["complaint"]["score"] is None  # every complaint item hidden
    items = {i["id"]: i for i in visit["items"]}
    assert len(items) == 42
    # Numbers come back as JSON numbers, as they may be sent (they were the text "2").
    assert items["till_wait_minutes"] == {"id": "till_wait_minutes", "section": "speed", "value": 2,
                                          "comment": "", "score": 1.0, "state": "scored"}
    assert items["complaint_handled"]["state"] == "hidden"
    assert items["storefront_photo"]["state"] == items["complaint_scenario"]["state"] == "unscored"
    assert "staff_description" not in items  # a detail of the visit, not a question (it was asked twice)
    assert visit["staff_description"] == ""
    assert client.get(f"/api/v1/visits/{visit['id']}", headers=tokens["auditor"]).json == visit
    # Location codes are unique whatever their case, as in the CSV imports: "rix-01" is RIX-01.
    lower = client.post("/api/v1/visits", json=visit_body(location="rix-01"), headers=tokens["auditor"])
    assert lower.status_code == 201 and lower.json["location"]["code"] == "RIX-01"


def test_numbers_and_scales_come_back_as_json_numbers(client, chain):
    _, tokens = chain
    body = visit_body(answers=BEST | {"till_wait_minutes": "2,5", "reaction_speed": 3})
    response = client.post("/api/v1/visits", json=body, headers=tokens["auditor"])
    assert response.status_code == 201, response.json
    values = {i["id"]: i["value"] for i in response.json["items"]}
    assert values["till_wait_minutes"] == 2.5 and values["reaction_speed"] == 3
    assert values["greeted_promptly"] == "yes" and values["wait_minutes"] == 1


def test_a_failed_critical_item_scores_zero(client, chain):
    _, tokens = chain
    body = visit_body({**BEST, "staff_respectful": "no"}, comments={"staff_respectful": "Rolled her eyes"})
    response = client.post("/api/v1/visits", json=body, headers=tokens["auditor"])
    assert response.status_code == 201, response.json
    visit = response.json
    assert visit["score"] == 0.0 and visit["critical_failed"] is True
    assert visit["critical_items"] == ["staff_respectful"]
    # critical_policy: zero sets the visit to 0 but keeps section scores: 4 of 5 greeting items.
    assert {s["id"]: s["score"] for s in visit["sections"]}["greeting"] == 80.0
    failed = next(i for i in visit["items"] if i["id"] == "staff_respectful")
    assert failed["score"] == 0.0 and failed["comment"] == "Rolled her eyes"


def test_weights_half_scores_and_na(client, chain):
    _, tokens = chain
    body = visit_body({**BEST, "sales_floor_clean": 3, "queue_managed": "NA"})
    visit = client.post("/api/v1/visits", json=body, headers=tokens["auditor"]).json
    # Arrival (weight 1): 3 of 4 items full, the scale at 3 of 1..5 scores 0.5, N/A left out → 87.5.
    # Section weights × scored items: arrival 1×4, greeting 2×5, needs 1.5×4, advice 2×6, speed 1.5×4,
    # payment 1.5×4, farewell 1×5 = 49; everything but half an arrival item was full → 48.5 / 49.
    assert visit["score"] == pytest.approx(100 * 48.5 / 49)
    assert {s["id"]: s["score"] for s in visit["sections"]}["arrival"] == 87.5
    queue = next(i for i in visit["items"] if i["id"] == "queue_managed")
    assert queue["value"] == "na" and queue["state"] == "na" and queue["score"] is None


def test_identical_resubmission_is_200_and_other_content_is_409(client, chain):
    _, tokens = chain
    body = visit_body()
    first = client.post("/api/v1/visits", json=body, headers=tokens["auditor"])
    assert first.status_code == 201
    rows = stored_rows()
    # The same instant written in UTC is the same visit.
    again = client.post("/api/v1/visits", json={**body, "visited_at": "2026-03-02T12:30:00Z"},
                        headers=tokens["auditor"])
    assert again.status_code == 200 and again.json["id"] == first.json["id"]
    assert again.json == first.json
    changed = visit_body({**BEST, "smiled": "no"}, client_uuid=body["client_uuid"])
    conflict = client.post("/api/v1/visits", json=changed, headers=tokens["auditor"])
    assert conflict.status_code == 409 and conflict.json["error"] == "conflict"
    assert "client_uuid" in conflict.json["details"]
    # Another auditor reusing the UUID with identical content is a conflict too.
    other = client.post("/api/v1/visits", json=body, headers=tokens["other_auditor"])
    assert other.status_code == 409
    assert stored_rows() == rows
    assert client.get(f"/api/v1/visits/{first.json['id']}", headers=tokens["auditor"]).json == first.json


def test_a_concurrent_insert_of_the_same_uuid_becomes_a_resubmission(client, chain, monkeypatch):
    """Two tablets retrying at once: the loser's INSERT hits the unique UUID and is retried."""
    from audit.services import visits

    _, tokens = chain
    body = visit_body()
    first = client.post("/api/v1/visits", json=body, headers=tokens["auditor"])
    real_find, blind = visits.find_visit, iter(range(2))
    # record_visit and start_visit each look once; both miss, as they would in the race.
    monkeypatch.setattr(visits, "find_visit", lambda u: None if next(blind, None) is not None else real_find(u))
    again = client.post("/api/v1/visits", json=body, headers=tokens["auditor"])
    assert again.status_code == 200 and again.json["id"] == first.json["id"]
    assert stored_rows()["visits"] == 1


# --- roles -------------------------------------------------------------------------------------

def test_who_may_read_which_visit(client, chain, make_visit):
    from audit.models import Location

    users, tokens = chain
    own = client.post("/api/v1/visits", json=visit_body(), headers=tokens["auditor"]).json["id"]
    rix, vln = (db.session.scalar(select(Location).where(Location.code == c)) for c in ("RIX-01", "VLN-01"))
    approved_rix = make_visit(rix, users["other_auditor"], {"greeted_promptly": "yes"}).id
    submitted_rix = make_visit(rix, users["other_auditor"], {"greeted_promptly": "yes"}, status="submitted").id
    approved_vln = make_visit(vln, users["other_auditor"], {"greeted_promptly": "yes"}).id

    def status(role: str, visit_id: int) -> int:
        return client.get(f"/api/v1/visits/{visit_id}", headers=tokens[role]).status_code

    assert status("auditor", own) == 200
    assert status("auditor", approved_rix) == 404 and status("other_auditor", own) == 404
    assert status("manager", approved_rix) == 200
    # Mystery shoppers stay anonymous to the branches they visit.
    as_manager = client.get(f"/api/v1/visits/{approved_rix}", headers=tokens["manager"]).json["auditor"]
    assert as_manager is None
    assert client.get(f"/api/v1/visits/{approved_rix}", headers=tokens["reviewer"]).json["auditor"]["email"] == \
        users["other_auditor"].email
    assert status("manager", own) == status("manager", submitted_rix) == 404  # not approved yet
    assert status("manager", approved_vln) == 404  # not their branch
    assert all(status(role, v) == 200 for role in ("reviewer", "admin") for v in (own, approved_vln))
    hidden = client.get(f"/api/v1/visits/{approved_rix}", headers=tokens["auditor"])
    missing = client.get("/api/v1/visits/999999", headers=tokens["auditor"])
    assert hidden.json["error"] == missing.json["error"] == "not found"
    assert set(hidden.json["details"]) == set(missing.json["details"]) == {"visit"}


def test_reviewer_records_approved_visits_for_an_auditor(app, client, chain):
    users, tokens = chain
    auditor = users["auditor"]
    body = visit_body(auditor=auditor.email.upper(), status="approved")
    response = client.post("/api/v1/visits", json=body, headers=tokens["reviewer"])
    assert response.status_code == 201, response.json
    assert response.json["status"] == "approved" and response.json["auditor"]["email"] == auditor.email
    assert client.get(f"/api/v1/visits/{response.json['id']}", headers=tokens["auditor"]).status_code == 200
    actions = dict(db.session.execute(
        select(AuditLogEntry.action, AuditLogEntry.user_id).where(AuditLogEntry.object_id == str(response.json["id"]),
                                                                  AuditLogEntry.object_type == "visit")).all())
    assert actions["visit.recorded"] == actions["visit.approved"] == users["reviewer"].id
    # The auditor neither started nor submitted it in the app: the history names who sent it.
    assert actions["visit.started"] == actions["visit.submitted"] == users["reviewer"].id
    browser = app.test_client()
    page = login(browser, auditor.email).get_data(as_text=True)  # the one user here with a password
    browser.post("/language", data={"lang": "lt", "next": "/", "csrf_token": csrf_token(page)})
    history = browser.get(f"/visits/{response.json['id']}").get_data(as_text=True)
    assert "visit.recorded" not in history and "užregistravo apsilankymą per API" in history

    submitted = client.post("/api/v1/visits", json=visit_body(auditor=auditor.email), headers=tokens["admin"])
    assert submitted.status_code == 201 and submitted.json["status"] == "submitted"
    no_auditor = client.post("/api/v1/visits", json=visit_body(), headers=tokens["reviewer"])
    assert no_auditor.status_code == 400 and "auditor" in no_auditor.json["details"]
    manager_named = client.post("/api/v1/visits", json=visit_body(auditor=users["manager"].email),
                                headers=tokens["reviewer"])
    assert manager_named.status_code == 400 and "auditor" in manager_named.json["details"]


def test_what_auditors_and_managers_may_not_do(client, chain):
    users, tokens = chain
    rows = stored_rows()
    as_other = client.post("/api/v1/visits", json=visit_body(auditor=users["other_auditor"].email),
                           headers=tokens["auditor"])
    assert as_other.status_code == 403 and "auditor" in as_other.json["details"]
    approving = client.post("/api/v1/visits", json=visit_body(status="approved"), headers=tokens["auditor"])
    assert approving.status_code == 403 and "status" in approving.json["details"]
    manager = client.post("/api/v1/visits", json=visit_body(), headers=tokens["manager"])
    assert manager.status_code == 403 and manager.json["error"] == "forbidden"
    assert client.get("/api/v1/checklists", headers=tokens["manager"]).status_code == 403
    assert stored_rows() == rows
    as_self = client.post("/api/v1/visits", json=visit_body(auditor=users["auditor"].email), headers=tokens["auditor"])
    assert as_self.status_code == 201


# --- validation: 400 naming the field or item, and nothing stored ------------------------------

def _without(item: str) -> list[dict]:
    return [a for a in visit_body()["answers"] if a["item"] != item]


BAD_BODIES = {
    "answers[0]": {"answers": [5]},
    "answers": {"answers": {"greeted_promptly": "yes"}},
    "client_uuid": {"client_uuid": "visit-1"},
    "location": {"location": "NOPE-1"},
    "checklist": {"checklist": "mystery-call"},
    "visited_at": {"visited_at": "2026-03-02"},
    "scenario": {"scenario": 42},
    "status": {"status": "done"},
    "anwsers": {"anwsers": []},
}


@pytest.mark.parametrize("field", sorted(BAD_BODIES))
def test_a_wrong_field_is_named(client, chain, field):
    _, tokens = chain
    response = client.post("/api/v1/visits", json=visit_body() | BAD_BODIES[field], headers=tokens["auditor"])
    assert response.status_code == 400 and response.json["error"] == "invalid request"
    assert field in response.json["details"], response.json
    assert stored_rows() == NO_ROWS


@pytest.mark.parametrize("answers, item, message", [
    ({**BEST, "no_such_item": "yes"}, "no_such_item", "unknown item"),
    ({**BEST, "greeted_promptly": "maybe"}, "greeted_promptly", "answer yes or no, not 'maybe'"),
    ({**BEST, "sales_floor_clean": 9}, "sales_floor_clean", "answer a whole number from 1 to 5, not 9"),
    ({**BEST, "needs_questions": "lots"}, "needs_questions", "unknown option"),
    ({**BEST, "smiled": True}, "smiled", "value must be"),
    ({**BEST, "storefront_photo": "front.jpg"}, "storefront_photo", "photos are uploaded as evidence"),
    ({**BEST, "entrance_clean": "no"}, "entrance_clean", "a comment is required"),
    ({k: v for k, v in BEST.items() if k != "thanked"}, "thanked", "an answer is required"),
])
def test_a_wrong_answer_names_the_item_and_stores_nothing(client, chain, answers, item, message):
    _, tokens = chain
    response = client.post("/api/v1/visits", json=visit_body(answers), headers=tokens["auditor"])
    assert response.status_code == 400 and message in response.json["details"][item], response.json
    assert stored_rows() == NO_ROWS


def test_more_malformed_requests(client, chain):
    _, tokens = chain
    auditor = tokens["auditor"]

    def post(**kwargs):
        response = client.post("/api/v1/visits", headers=auditor, **kwargs)
        assert response.status_code == 400 and response.is_json, response.data
        return response.json["details"]

    assert "body" in post(data="{not json", content_type="application/json")
    assert "body" in post(json=[visit_body()])
    assert "body" in post(data="client_uuid=x", content_type="application/x-www-form-urlencoded")
    missing = post(json={"answers": []})
    assert {"client_uuid", "location", "checklist", "visited_at", "scenario"} <= set(missing)
    assert "client_uuid" in post(json=visit_body(client_uuid=123))
    assert "answers[0]" in post(json=visit_body() | {"answers": [{"value": "yes"}]})
    duplicated = visit_body()
    duplicated["answers"].append({"item": "smiled", "value": "no", "comment": ""})
    assert post(json=duplicated) == {"smiled": "answered more than once; send each item once"}
    assert "greeted_promptly" in post(json=visit_body() | {
        "answers": [{"item": "greeted_promptly", "value": "yes", "score": 1}]})
    assert "location" in post(json=visit_body(location="KAU-09"))  # closed branch
    assert post(json=visit_body(visited_at="2999-01-01T00:00:00Z")) == {
        "visited_at": "the visit cannot be in the future"}
    # A year typed wrong the other way (0026 for 2026) once reached the dashboard and broke its trend.
    for ancient in ("0001-01-01T10:00:00Z", "1900-01-01T10:00:00Z", "1999-12-31T21:59:59Z"):
        assert post(json=visit_body(visited_at=ancient)) == {"visited_at": "the visit cannot be before 2000-01-01"}
    assert "scenario" in post(json=visit_body(scenario="x" * 300))
    assert stored_rows() == NO_ROWS


def test_errors_are_json_for_unknown_paths_and_methods(client, chain):
    _, tokens = chain
    missing = client.get("/api/v1/visits/abc", headers=tokens["auditor"])
    assert missing.status_code == 404 and missing.json == {"error": "not found", "details": {}}
    wrong_method = client.delete("/api/v1/visits", headers=tokens["auditor"])
    assert wrong_method.status_code == 405 and wrong_method.is_json and "POST" in wrong_method.headers["Allow"]
    assert client.get("/no-such-page").status_code == 404 and not client.get("/no-such-page").is_json


# --- lists -------------------------------------------------------------------------------------

def test_locations_each_role_may_see(client, chain):
    _, tokens = chain

    def codes(role: str) -> list[str]:
        response = client.get("/api/v1/locations", headers=tokens[role])
        assert response.status_code == 200
        return [loc["code"] for loc in response.json]

    assert codes("reviewer") == codes("admin") == ["KAU-09", "RIX-01", "VLN-01"]
    assert codes("auditor") == ["RIX-01", "VLN-01"]  # every active branch: they need the codes
    assert codes("manager") == ["RIX-01"]
    rix = client.get("/api/v1/locations", headers=tokens["manager"]).json[0]
    assert rix == {"code": "RIX-01", "name": "Rīga Alfa", "region": "Rīga", "city": "Rīga",
                   "address": "Brīvības 1", "format": "mall", "active": True}


def test_checklists_in_their_current_version(client, chain, checklists):
    _, tokens = chain
    response = client.get("/api/v1/checklists", headers=tokens["auditor"])
    assert response.status_code == 200
    by_id = {c["id"]: c for c in response.json}
    assert sorted(by_id) == ["email-enquiry", "phone-enquiry", "store-visit"]
    assert by_id["store-visit"] == {
        "id": "store-visit", "version": 1, "channel": "in_person", "items": 42, "retired": False,
        "title": {"en": "In-store visit", "ru": "Визит в магазин", "lt": "Apsilankymas parduotuvėje",
                  "lv": "Veikala apmeklējums"},
    }


def test_one_checklist_whole_tells_a_client_every_item(client, chain, checklists):
    """The list gives a count of items; a client building a form needs ids, types and rules."""
    _, tokens = chain
    whole = client.get("/api/v1/checklists/store-visit", headers=tokens["auditor"]).json
    definition = checklists["store-visit"].parsed
    assert whole["id"] == "store-visit" and whole["version"] == 1 and whole["items"] == 42
    items = [item for section in whole["definition"]["sections"] for item in section["items"]]
    assert [item["id"] for item in items] == [item.id for item in definition.items]
    first = items[0]
    assert first["type"] == definition.items[0].type and first["text"]["lv"] == definition.items[0].text.lv
    assert client.get("/api/v1/checklists/store-visit?version=1", headers=tokens["auditor"]).json == whole
    for missing in ("/api/v1/checklists/store-visit?version=7", "/api/v1/checklists/nope"):
        response = client.get(missing, headers=tokens["auditor"])
        assert response.status_code == 404 and response.json["error"] == "not found"
    assert client.get("/api/v1/checklists/store-visit", headers=tokens["manager"]).status_code == 403


def test_an_answer_to_a_hidden_follow_up_is_not_kept_and_a_retry_is_still_the_same_visit(client, chain):
    """``offer_no_pressure`` is asked only after ``related_offer`` = yes: sent with "no", its
    answer is dropped on submission (it never scored, and the export of such a visit could not
    be imported back); sending the same body again is still a harmless retry."""
    _, tokens = chain
    body = visit_body({**BEST, "related_offer": "no"}, comments={"offer_no_pressure": "was not asked"})
    first = client.post("/api/v1/visits", json=body, headers=tokens["auditor"])
    assert first.status_code == 201, first.json
    shown = {item["id"]: item for item in first.json["items"]}
    assert shown["offer_no_pressure"]["value"] is None and shown["offer_no_pressure"]["comment"] == ""
    assert shown["offer_no_pressure"]["state"] == "hidden"
    stored = db.session.scalars(select(Answer.item_id).join(Visit).where(Visit.uuid == body["client_uuid"])).all()
    assert "related_offer" in stored and "offer_no_pressure" not in stored
    again = client.post("/api/v1/visits", json=body, headers=tokens["auditor"])
    assert again.status_code == 200 and again.json == first.json


def test_one_lost_tablet_s_token_is_revoked_and_the_others_keep_working(runner, client, chain, create_token):
    users, tokens = chain
    spare = bearer(create_token(users["auditor"].email))
    listed = runner.invoke(args=["list-tokens", users["auditor"].email])
    assert listed.exit_code == 0
    lines = listed.output.strip().splitlines()
    assert len(lines) == 2 and all(users["auditor"].email in line and "tests" in line and "active" in line
                                   for line in lines)
    assert client.get("/api/v1/locations", headers=spare).status_code == 200
    assert "last used never" not in runner.invoke(args=["list-tokens", users["auditor"].email]).output.splitlines()[-1]
    lost = int(lines[-1].split()[0])  # the newest: the spare one
    revoked = runner.invoke(args=["revoke-token", str(lost)])
    assert revoked.exit_code == 0 and f"revoked token {lost} of {users['auditor'].email} (tests)" in revoked.output
    assert client.get("/api/v1/locations", headers=spare).status_code == 401
    assert client.get("/api/v1/locations", headers=tokens["auditor"]).status_code == 200
    assert "revoked" in runner.invoke(args=["list-tokens"]).output
    again = runner.invoke(args=["revoke-token", str(lost)])
    assert again.exit_code == 1 and "already revoked" in again.output
    unknown = runner.invoke(args=["revoke-token", "99999"])
    assert unknown.exit_code == 1 and "no API token with id 99999" in unknown.output
    entry = db.session.scalar(select(AuditLogEntry).where(AuditLogEntry.action == "api_token.revoked"))
    assert entry is not None and entry.object_id == str(lost)


# --- listing visits: a nightly pull ------------------------------------------------------------

def test_a_nightly_pull_pages_through_the_visits_each_role_may_see(app, client, chain, make_visit):
    users, tokens = chain
    rix = db.session.scalar(select(Location).where(Location.code == "RIX-01"))
    vln = db.session.scalar(select(Location).where(Location.code == "VLN-01"))
    mine = [make_visit(rix if n % 2 else vln, users["auditor"], STORED) for n in range(7)]
    theirs = make_visit(rix, users["other_auditor"], STORED)
    draft = make_visit(rix, users["auditor"], STORED, status="draft")

    def pull(headers, query=""):
        seen, url = [], f"/api/v1/visits?limit=3{query}"
        while url:
            page = client.get(url, headers=headers)
            assert page.status_code == 200, page.json
            assert len(page.json["visits"]) <= 3
            seen += [visit["id"] for visit in page.json["visits"]]
            url = page.json["next"]
        return seen

    every = pull(tokens["reviewer"])
    assert sorted(every) == sorted(v.id for v in [*mine, theirs, draft]) and len(set(every)) == len(every)
    assert sorted(pull(tokens["auditor"])) == sorted(v.id for v in [*mine, draft])
    # The manager of RIX-01: its approved visits, without the shopper's name.
    managed = client.get("/api/v1/visits", headers=tokens["manager"]).json["visits"]
    assert sorted(v["id"] for v in managed) == sorted(v.id for v in [*mine, theirs] if v.location_id == rix.id)
    assert all(v["auditor"] is None for v in managed)
    assert sorted(pull(tokens["reviewer"], "&status=draft")) == [draft.id]
    assert sorted(pull(tokens["reviewer"], "&location=vln-01")) == sorted(v.id for v in mine if v.location_id == vln.id)

    # Changed since the last pull: only what was approved (or corrected) after it.
    later = utcnow() + timedelta(seconds=2)
    db.session.execute(update(Visit).where(Visit.id == draft.id).values(status="approved", updated_at=later))
    db.session.commit()
    changed = client.get(f"/api/v1/visits?changed_since={later.isoformat()}Z", headers=tokens["reviewer"]).json
    assert [v["id"] for v in changed["visits"]] == [draft.id] and changed["next"] is None
    assert changed["visits"][0]["updated_at"] == later.replace(microsecond=0).isoformat() + "Z"


@pytest.mark.parametrize("query, field", [
    ("limit=0", "limit"), ("limit=many", "limit"), ("status=done", "status"),
    ("changed_since=yesterday", "changed_since"), ("after=xyz", "after"), ("sort=id", "sort"),
    ("limit=²", "limit"), ("checklist=store-vist", "checklist"), ("location=XXX-99", "location"),
])
def test_a_wrong_listing_parameter_is_named(client, chain, query, field):
    _, tokens = chain
    answer = client.get(f"/api/v1/visits?{query}", headers=tokens["reviewer"])
    assert answer.status_code == 400 and field in answer.json["details"]


STORED = {"greeted_promptly": "yes", "staff_respectful": "yes"}


def test_an_overturned_dispute_counts_as_a_change(client, chain, make_visit):
    """Even when the visit's score stays the same (an unscored opening question corrected), so
    no stored score changes with it; and follow-ups it now hides are dropped."""
    from audit.services.review import decide_dispute

    users, tokens = chain
    rix = db.session.scalar(select(Location).where(Location.code == "RIX-01"))
    visit = make_visit(rix, users["auditor"], {**STORED, "complaint_scenario": "no", "related_offer": "yes",
                                               "offer_no_pressure": "yes"})
    score = visit.score
    before = utcnow() + timedelta(seconds=1)
    db.session.execute(update(Visit).where(Visit.id == visit.id).values(updated_at=before - timedelta(days=1)))
    for item, old in (("complaint_scenario", "no"), ("related_offer", "yes")):
        db.session.add(Dispute(visit_id=visit.id, item_id=item, raised_by_id=users["manager"].id, reason="No.",
                               old_value=old))
    db.session.commit()
    assert client.get(f"/api/v1/visits?changed_since={before.isoformat()}Z", headers=tokens["admin"]).json["visits"] == []
    time.sleep(1.1)
    first, second = db.session.scalars(select(Dispute).where(Dispute.visit_id == visit.id).order_by(Dispute.id)).all()
    decide_dispute(first, users["admin"], overturn=True, new_value="yes", note="")
    db.session.commit()
    assert db.session.get(Visit, visit.id).score == score
    changed = client.get(f"/api/v1/visits?changed_since={before.isoformat()}Z", headers=tokens["admin"]).json
    assert [v["id"] for v in changed["visits"]] == [visit.id]

    decide_dispute(second, users["admin"], overturn=True, new_value="no", note="")
    db.session.commit()
    kept = {a.item_id: a.value for a in db.session.get(Visit, visit.id).answers}
    assert kept["related_offer"] == "no" and "offer_no_pressure" not in kept


def test_a_body_nested_thousands_deep_is_unreadable_json_not_a_server_error(app, client, chain):
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: the error as answered
    _, tokens = chain
    deep = "[" * 200_000 + "]" * 200_000
    response = client.post("/api/v1/visits", data=deep, headers={**tokens["auditor"], "Content-Type": "application/json"})
    assert response.status_code == 400 and response.json["details"] == {"body": "not valid JSON"}
