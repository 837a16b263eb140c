"""Chain statistics are kept between requests only while nothing they read has changed: every
change a head-office user could make shows at once, a question asked twice is answered from
the cache, and edits to visits still in progress leave the cache alone."""
from __future__ import annotations

import os
import re
import socket
from datetime import datetime

import pytest
from sqlalchemy import event, select

from audit import create_app
from audit.extensions import db
from audit.models import Dispute, Visit
from audit.models.stats_generation import StatsGeneration
from audit.services.chain_stats import StatsFilter, chain_statistics
from audit.services.locations import rename_region, update_location
from audit.services.review import decide_dispute
from audit.services.stats_cache import store_for
from audit.services.users import update_user
from audit.services.visits import VisitContent, save_draft, start_visit
from tests.conftest import csrf_token, login

ALL_YES = {"greeted_promptly": "yes", "staff_respectful": "yes", "tone_friendly": "5"}
SPEC = StatsFilter("store-visit")


def statements(work) -> tuple[object, int]:
    seen = []
    listener = lambda *args: seen.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        return work(), len(seen)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)


def generation() -> int:
    db.session.expire_all()
    return db.session.scalar(select(StatsGeneration.value))


@pytest.fixture
def chain(app, make_location, make_user, make_visit):
    north, south = make_location("VLN-01", region="North"), make_location("KNS-01", region="South")
    auditor = make_user("auditor", name="Rūta Auditor")
    reviewer = make_user("reviewer")
    for day in (1, 2):
        make_visit(north, auditor, ALL_YES, visited_at=datetime(2026, 10, day, 12))
        make_visit(south, auditor, {**ALL_YES, "greeted_promptly": "no"}, visited_at=datetime(2026, 10, day, 12))
    return north, south, auditor, reviewer


def test_the_same_question_twice_is_answered_from_the_cache(chain):
    first, computing = statements(lambda: chain_statistics(SPEC, "en"))
    again, reading = statements(lambda: chain_statistics(SPEC, "en"))
    assert again == first and first["visits"] == 4
    assert computing > 5 and reading == 1  # only the generation is read
    again["locations"].clear()  # a caller changing its copy changes nobody else's
    assert len(chain_statistics(SPEC, "en")["locations"]) == 2
    other_language, computing_again = statements(lambda: chain_statistics(SPEC, "lt"))
    assert computing_again == computing and other_language["visits"] == 4


def test_an_approved_visit_shows_on_the_dashboard_at_once(chain, client, make_visit):
    north, _, auditor, reviewer = chain
    login(client, reviewer.email)
    assert "4 approved visits" in client.get("/office?checklist=store-visit").get_data(as_text=True)
    waiting = make_visit(north, auditor, {**ALL_YES, "staff_respectful": "no"}, status="submitted",
                         visited_at=datetime(2026, 10, 3, 12))
    assert "4 approved visits" in client.get("/office?checklist=store-visit").get_data(as_text=True)
    page = client.get(f"/visits/{waiting.id}").get_data(as_text=True)
    client.post(f"/visits/{waiting.id}/approve", data={"csrf_token": csrf_token(page)})
    assert "5 approved visits" in client.get("/office?checklist=store-visit").get_data(as_text=True)


def test_changes_the_statistics_read_are_seen_by_the_next_request(chain, make_user):
    north, south, auditor, reviewer = chain
    before = chain_statistics(SPEC, "en")
    assert {r["code"]: r["region"] for r in before["locations"]} == {"VLN-01": "North", "KNS-01": "South"}

    update_location(north, code="VLN-01", name="Gedimino pr. 1", region_id=south.region_id)
    db.session.commit()
    moved = chain_statistics(SPEC, "en")
    assert {r["code"]: (r["name"], r["region"]) for r in moved["locations"]} == {
        "VLN-01": ("Gedimino pr. 1", "South"), "KNS-01": ("Branch KNS-01", "South")}

    rename_region(south.region, "Pietūs")
    db.session.commit()
    assert {r["region"] for r in chain_statistics(SPEC, "en")["locations"]} == {"Pietūs"}

    update_user(auditor, email=auditor.email, name="Rūta Petraitė", role="auditor", active=True)
    db.session.commit()
    assert [a["name"] for a in chain_statistics(SPEC, "en")["consistency"]["auditors"]] == ["Rūta Petraitė"]


def test_an_overturned_dispute_changes_the_item_figures_at_once(chain, make_user):
    north, south, auditor, reviewer = chain
    greeted = lambda: next(i for i in chain_statistics(SPEC, "en")["items"] if i["id"] == "greeted_promptly")  # noqa: E731
    assert greeted()["pass_rate"] == pytest.approx(0.5)
    visit = db.session.scalars(select(Visit).where(Visit.location_id == south.id)).first()
    manager = make_user("manager", locations=["KNS-01"])
    dispute = Dispute(visit_id=visit.id, item_id="greeted_promptly", raised_by_id=manager.id,
                      reason="They greeted us at the door.", old_value="no")
    db.session.add(dispute)
    db.session.commit()
    assert greeted()["pass_rate"] == pytest.approx(0.5)
    decide_dispute(dispute, reviewer, True, "yes", "Seen on the camera.")
    db.session.commit()
    assert greeted()["pass_rate"] == pytest.approx(0.75)


def test_a_failed_change_leaves_the_cache_as_it_was(chain):
    north, *_ = chain
    chain_statistics(SPEC, "en")
    before = generation()
    north.name = "Never saved"
    db.session.flush()
    db.session.rollback()
    assert generation() == before
    assert statements(lambda: chain_statistics(SPEC, "en"))[1] == 1


def test_visits_being_edited_leave_the_cache_alone(chain):
    """Autosaves from the tablets arrive every few seconds all day: they must not throw away
    head office's statistics (nor queue behind each other on the generation's row)."""
    north, _, auditor, _ = chain
    chain_statistics(SPEC, "en")
    before = generation()
    draft = start_visit(auditor, "11111111-2222-4333-8444-555555555555", location=north, checklist_key="store-visit")
    db.session.commit()
    for answers in ({"greeted_promptly": "yes"}, {"greeted_promptly": "no", "staff_respectful": "yes"}, ALL_YES):
        save_draft(draft, auditor, VisitContent(answers=answers, comments={"greeted_promptly": "typed on the tablet"}))
        db.session.commit()
    assert generation() == before
    assert statements(lambda: chain_statistics(SPEC, "en"))[1] == 1


def test_the_cache_can_be_switched_off_and_a_wrong_setting_is_named():
    assert store_for("none") is None
    with pytest.raises(ValueError, match="AUDIT_STATS_CACHE_URL='memcached://x': write memory://"):
        store_for("memcached://x")


def _redis_reachable() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
        return True
    except OSError:
        return False


@pytest.mark.skipif(not _redis_reachable() and os.environ.get("CI") != "true", reason="no Redis on 127.0.0.1:6379")
def test_processes_share_results_through_redis(chain, app, tmp_path):
    """Two app processes on one database (as two gunicorn workers): the second reads what the
    first computed, and a change made through either is seen by both."""
    url = "redis://127.0.0.1:6379/15"
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    north = chain[0]

    def worker(name):
        return create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": uri, "SECRET_KEY": "tests-only-secret",
                           "INSTANCE_PATH": str(tmp_path / name), "STATS_CACHE_URL": url})

    first, second = worker("one"), worker("two")
    with first.app_context():
        computed, computing = statements(lambda: chain_statistics(SPEC, "en"))
        db.session.remove()
    with second.app_context():
        shared, reading = statements(lambda: chain_statistics(SPEC, "en"))
        assert shared == computed and reading == 1 and computing > 5
        db.session.remove()
    update_location(north, code="VLN-01", name="Renamed in another process", region_id=north.region_id)
    db.session.commit()
    with second.app_context():
        names = {r["name"] for r in chain_statistics(SPEC, "en")["locations"]}
        assert "Renamed in another process" in names
        db.session.remove()
    for worker_app in (first, second):
        with worker_app.app_context():
            db.engine.dispose()


def test_the_pdf_downloaded_from_the_dashboard_uses_the_statistics_it_computed(chain, client, make_user):
    """The head-office path the cache is for: look at the dashboard, then download its PDF."""
    from io import BytesIO

    from pypdf import PdfReader

    from audit.services.stats_cache import raise_generation

    admin = make_user("admin")
    login(client, admin.email)
    page = client.get("/office?checklist=store-visit&region=North").get_data(as_text=True)
    link = re.search(r'href="(/office/report\.pdf\?[^"]+)"', page).group(1).replace("&amp;", "&")
    kept, reading = statements(lambda: client.get(link))
    raise_generation(db.session)  # as any approval would
    db.session.commit()
    fresh, computing = statements(lambda: client.get(link))
    assert kept.status_code == fresh.status_code == 200
    assert reading + 5 < computing
    text = lambda response: "".join(p.extract_text() for p in PdfReader(BytesIO(response.data)).pages)  # noqa: E731
    assert text(kept) == text(fresh) and "VLN-01" in text(kept)


def test_the_question_and_auditor_pages_figures_are_kept_and_follow_an_approval(chain, make_visit):
    from audit.services.auditor_stats import auditor_statistics
    from audit.services.question_stats import question_statistics
    from audit.services.review import approve_visit

    north, south, auditor, reviewer = chain
    question = lambda: question_statistics(SPEC, "greeted_promptly")  # noqa: E731
    person = lambda: auditor_statistics(SPEC, auditor.id, "lt")  # noqa: E731
    for ask in (question, person):
        first, computing = statements(ask)
        again, reading = statements(ask)
        assert again == first and reading == 1 < computing
    assert (question()["answers"], question()["pass_rate"], person()["visits"]) == (4, pytest.approx(0.5), 4)
    waiting = make_visit(south, auditor, {**ALL_YES, "greeted_promptly": "no"}, status="submitted",
                         visited_at=datetime(2026, 10, 3, 12))
    assert (question()["answers"], person()["visits"]) == (4, 4)
    approve_visit(waiting, reviewer)
    db.session.commit()
    assert (question()["answers"], question()["pass_rate"], person()["visits"]) == (5, pytest.approx(0.4), 5)
