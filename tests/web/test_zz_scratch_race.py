"""Scratch: a stale in-memory status lets a change to an approved visit skip the generation."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from audit.extensions import db
from audit.models import User, Visit
from audit.models.stats_generation import StatsGeneration
from audit.services.chain_stats import StatsFilter, _chain_statistics, chain_statistics
from audit.services.review import approve_visit, return_visit

ALL_YES = {"greeted_promptly": "yes", "staff_respectful": "yes", "tone_friendly": "5"}
SPEC = StatsFilter("store-visit")


def gen():
    with db.engine.connect() as c:
        return c.scalar(select(StatsGeneration.value))


def test_approve_then_stale_return(app, make_location, make_user, make_visit):
    north = make_location("VLN-01", region="North")
    auditor = make_user("auditor")
    r1, r2 = make_user("reviewer"), make_user("reviewer")
    make_visit(north, auditor, ALL_YES, visited_at=datetime(2026, 10, 1, 12))
    waiting = make_visit(north, auditor, {**ALL_YES, "greeted_promptly": "no"}, status="submitted",
                         visited_at=datetime(2026, 10, 2, 12))
    vid, r1id, r2id = waiting.id, r1.id, r2.id

    # Reviewer B opens the visit (request B has loaded it: "submitted")
    ctx_b = app.app_context()
    ctx_b.push()
    visit_b = db.session.get(Visit, vid)
    reviewer_b = db.session.get(User, r2id)
    assert visit_b.status == "submitted"

    # Meanwhile reviewer A approves and commits; the dashboard is viewed and cached
    ctx_a = app.app_context()
    ctx_a.push()
    approve_visit(db.session.get(Visit, vid), db.session.get(User, r1id))
    db.session.commit()
    assert chain_statistics(SPEC, "en")["visits"] == 2
    ctx_a.pop()

    # Request B goes on: returns the visit it read as "submitted", commits
    before = gen()
    return_visit(visit_b, reviewer_b, note="please fix")
    db.session.commit()
    after = gen()
    ctx_b.pop()


    db.session.expire_all()
    assert db.session.get(Visit, vid).status == "returned"
    print("generation before/after the return:", before, after)
    fresh = _chain_statistics(SPEC, "en")["visits"]
    cached = chain_statistics(SPEC, "en")["visits"]
    assert (fresh, cached) == (1, 1), f"fresh={fresh} cached={cached}"


def test_return_route_crossing_an_approval(app, client, make_location, make_user, make_visit):
    """Through the web route: reviewer B posts "return" while reviewer A's approval commits in
    between B's read of the visit and B's write."""
    from sqlalchemy import event

    from tests.conftest import csrf_token, login

    north = make_location("VLN-01", region="North")
    auditor = make_user("auditor")
    r1, r2 = make_user("reviewer"), make_user("reviewer")
    make_visit(north, auditor, ALL_YES, visited_at=datetime(2026, 10, 1, 12))
    waiting = make_visit(north, auditor, {**ALL_YES, "greeted_promptly": "no"}, status="submitted",
                         visited_at=datetime(2026, 10, 2, 12))
    vid, r1id = waiting.id, r1.id
    login(client, r2.email)
    token = csrf_token(client.get(f"/visits/{vid}").get_data(as_text=True))
    done = []

    def crossing(conn, cursor, statement, parameters, context, executemany):
        if done or not statement.lstrip().upper().startswith("UPDATE VISIT"):
            return
        done.append(statement)
        with app.app_context():  # reviewer A's request
            approve_visit(db.session.get(Visit, vid), db.session.get(User, r1id))
            db.session.commit()
            done.append(chain_statistics(SPEC, "en")["visits"])  # head office looks at the dashboard

    event.listen(db.engine, "before_cursor_execute", crossing)
    try:
        response = client.post(f"/visits/{vid}/return", data={"csrf_token": token, "note": "please fix"})
    finally:
        event.remove(db.engine, "before_cursor_execute", crossing)
    assert response.status_code == 302 and done[1] == 2
    db.session.expire_all()
    assert db.session.get(Visit, vid).status == "returned"
    fresh = _chain_statistics(SPEC, "en")["visits"]
    cached = chain_statistics(SPEC, "en")["visits"]
    assert (fresh, cached) == (1, 1), f"fresh={fresh} cached={cached}"


def test_photo_stored_while_the_visit_was_approved(app, make_location, make_user, make_visit):
    import io

    from PIL import Image

    from audit.services.evidence import store_photo
    from audit.services.question_stats import _question_statistics, question_statistics

    north = make_location("VLN-01", region="North")
    auditor = make_user("auditor")
    r1 = make_user("reviewer")
    make_visit(north, auditor, ALL_YES, visited_at=datetime(2026, 10, 1, 12))
    draft = make_visit(north, auditor, {**ALL_YES, "greeted_promptly": "no"}, status="draft",
                       visited_at=datetime(2026, 10, 2, 12))
    vid, r1id, aid = draft.id, r1.id, auditor.id

    ctx_b = app.app_context()  # the tablet's upload request: visit read as "draft", check passed
    ctx_b.push()
    visit_b = db.session.get(Visit, vid)
    uploader = db.session.get(User, aid)
    assert visit_b.status == "draft"

    ctx_a = app.app_context()  # the tablet's submit, then the reviewer's approval
    ctx_a.push()
    v = db.session.get(Visit, vid)
    v.status = "submitted"
    db.session.commit()
    approve_visit(v, db.session.get(User, r1id))
    db.session.commit()
    q = question_statistics(SPEC, "greeted_promptly")
    assert q["failures"]["latest"][0]["photos"] == []
    ctx_a.pop()

    data = io.BytesIO()
    Image.new("RGB", (64, 64), (200, 10, 10)).save(data, "JPEG")
    data.seek(0)
    store_photo(visit_b, "greeted_promptly", data, uploader, app.config["UPLOAD_DIR"])
    db.session.commit()
    ctx_b.pop()

    fresh = _question_statistics(SPEC, "greeted_promptly")["failures"]["latest"][0]["photos"]
    cached = question_statistics(SPEC, "greeted_promptly")["failures"]["latest"][0]["photos"]
    assert fresh == cached, f"fresh={fresh} cached={cached}"
