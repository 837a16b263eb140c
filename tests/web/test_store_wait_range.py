"""The store checklist's "How many minutes did you wait until a staff member started serving you?"
had no upper end: 9999999 minutes was taken, stored and scored like any long wait. It now takes
0–120 minutes (the till queue 0–60) wherever it is typed, with the range in the message; the
store checklist loaded over an older version without the range becomes its next version and
leaves the visits of the older one as they were."""
from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy import func, select

from audit.extensions import db
from audit.models import Answer, Visit
from tests.conftest import CHECKLIST_DIR, csrf_token, login
from tests.web.test_api import BEST, visit_body

STORE = (CHECKLIST_DIR / "store-visit.yaml").read_text(encoding="utf-8")
#: The store checklist as it was before the range: the same file without its number questions' ``max``.
WITHOUT_RANGE = re.sub(r"\n        max: \d+  #[^\n]*", "", STORE)


@pytest.fixture
def store(checklists):
    definition = checklists["store-visit"].parsed
    assert definition.item("wait_minutes").max == 120 and definition.item("till_wait_minutes").max == 60
    assert WITHOUT_RANGE.count("\n") == STORE.count("\n") - 2
    return definition


def autosave(client, client_uuid: str, answers: dict) -> dict:
    page = client.get(f"/visits/{client_uuid}/fill").get_data(as_text=True)
    response = client.post(f"/visits/{client_uuid}/draft", headers={"X-CSRFToken": csrf_token(page)},
                           json={"answers": answers})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json["errors"]


def stored(client_uuid: str) -> dict[str, str]:
    db.session.commit()  # a fresh read
    return dict(db.session.execute(select(Answer.item_id, Answer.value).join(Visit)
                                   .where(Visit.uuid == client_uuid)).all())


def test_the_tablet_refuses_9999999_minutes_saying_the_range_and_takes_120(client, store, start_draft):
    draft = start_draft("store-visit")
    page = client.get(f"/visits/{draft}/fill").get_data(as_text=True)
    field = re.search(r'<input[^>]*name="answer-wait_minutes"[^>]*>', page).group(0)
    assert 'data-max="120' in field and re.search(r'id="range-wait_minutes">0–120</span>', page)

    errors = autosave(client, draft, {"wait_minutes": "9999999", "till_wait_minutes": "500", "entrance_clean": "yes"})
    assert sorted(errors) == ["till_wait_minutes", "wait_minutes"]
    assert "answer a number from 0 to 120" in errors["wait_minutes"].lower()
    assert "answer a number from 0 to 60" in errors["till_wait_minutes"].lower()
    assert stored(draft) == {"entrance_clean": "yes"}

    assert autosave(client, draft, {"wait_minutes": "120", "till_wait_minutes": "60"}) == {}
    assert stored(draft) == {"entrance_clean": "yes", "wait_minutes": "120", "till_wait_minutes": "60"}

    submitted = client.post(f"/visits/{draft}/fill", data={
        **{f"answer-{key}": str(value) for key, value in BEST.items()}, "csrf_token": csrf_token(page),
        "action": "submit", "visited_at": "2026-03-02T14:30", "answer-wait_minutes": "9999999"})
    assert submitted.status_code == 200 and "answer a number from 0 to 120" in submitted.get_data(as_text=True).lower()
    assert db.session.scalar(select(Visit.status).where(Visit.uuid == draft)) == "draft"


def test_the_api_refuses_9999999_minutes_naming_the_question(client, store, make_user, make_location, runner):
    make_location("RIX-01", "Rīga Alfa", region="Rīga")
    auditor = make_user("auditor")
    token = runner.invoke(args=["create-token", auditor.email]).output.strip().splitlines()[-1]
    headers = {"Authorization": f"Bearer {token}"}
    refused = client.post("/api/v1/visits", json=visit_body({**BEST, "wait_minutes": 9999999}), headers=headers)
    assert refused.status_code == 400, refused.json
    assert refused.json["details"] == {"wait_minutes": "answer a number from 0 to 120, not 9999999"}
    assert db.session.scalar(select(func.count()).select_from(Visit)) == 0
    taken = client.post("/api/v1/visits", json=visit_body({**BEST, "wait_minutes": 120}), headers=headers)
    assert taken.status_code == 201, taken.json


def test_the_range_as_a_new_version_leaves_the_older_visits_as_they_were(
        app, client, runner, tmp_path, make_location, make_user, start_draft):
    from audit.services.checklists import current_version
    from audit.services.scores import store_visit_scores
    from audit.services.visits import start_visit

    folder = tmp_path / "checklists"
    folder.mkdir()
    (folder / "store-visit.yaml").write_text(WITHOUT_RANGE, encoding="utf-8")
    assert runner.invoke(args=["load-checklists", str(folder)]).exit_code == 0
    older = current_version("store-visit")
    assert older.number == 1 and older.parsed.item("wait_minutes").max is None
    draft = start_draft("store-visit")  # an auditor half-way through a visit of version 1
    assert autosave(client, draft, {"wait_minutes": "150"}) == {}
    location = make_location("VLN-02")
    approved = Visit(uuid=str(uuid.uuid4()), location=location, auditor=make_user("auditor"),
                     checklist_version=older, channel="in_person", status="approved", visited_at=older.created_at,
                     answers=[Answer(item_id=k, value=str(v)) for k, v in {**BEST, "wait_minutes": 150}.items()])
    db.session.add(approved)
    store_visit_scores(approved)
    db.session.commit()
    score = approved.score

    (folder / "store-visit.yaml").write_text(STORE, encoding="utf-8")
    loaded = runner.invoke(args=["load-checklists", str(folder)])
    assert loaded.exit_code == 0 and "store-visit: version 2 (new version)" in loaded.output, loaded.output
    assert "rescored 1 visit(s); 0 visit score(s) changed" in runner.invoke(args=["rescore"]).output

    db.session.expire_all()
    kept = db.session.get(Visit, approved.id)
    assert (kept.checklist_version.number, kept.score) == (1, score)
    assert {a.item_id: a.value for a in kept.answers}["wait_minutes"] == "150"
    # The draft goes on with the version it started with: what the auditor typed keeps its meaning.
    assert db.session.scalar(select(Visit).where(Visit.uuid == draft)).checklist_version.number == 1
    assert autosave(client, draft, {"wait_minutes": "151"}) == {} and stored(draft)["wait_minutes"] == "151"
    reviewer = app.test_client()
    login(reviewer, make_user("reviewer").email)
    page = reviewer.get(f"/visits/{approved.id}")
    assert page.status_code == 200 and "150" in page.get_data(as_text=True)

    auditor = make_user("auditor")  # a visit started now has the range
    fresh = start_visit(auditor, str(uuid.uuid4()), location=location, checklist_key="store-visit")
    db.session.commit()
    assert fresh.checklist_version.number == 2
    other = app.test_client()
    login(other, auditor.email)
    assert "answer a number from 0 to 120" in autosave(other, fresh.uuid, {"wait_minutes": "150"})["wait_minutes"].lower()
