"""Two people acting on the same visit at the same moment, each having read it before the other
wrote: the one who comes second is refused with the visit's real state, nothing of theirs is
written, and the statistics kept for head office stay those of the data (a kept result is never
older than what was committed). On PostgreSQL, an API approval and a branch change that used to
deadlock both go through.

The other person is a second app context (its own database session, as another request has),
run either before this one acts on the visit it holds (a stale object, as a request that read the
visit a moment earlier) or from a ``before_cursor_execute`` hook, just before this request's
first write to the visit, after it has read and checked it."""
from __future__ import annotations

import io
import json
import re
import threading
import time
import uuid
from contextlib import contextmanager
from datetime import datetime
from html import unescape
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import event, func, select, text

from audit.extensions import db
from audit.models import AuditLogEntry, Dispute, Evidence, Location, ReviewComment, User, Visit
from audit.services.chain_stats import _chain_statistics, chain_statistics
from audit.services.evidence import VisitLocked, delete_photo, store_photo
from audit.services.locations import update_location
from audit.services.question_stats import _question_statistics, question_statistics
from audit.services.review import approve_visit, decide_dispute, raise_dispute, return_visit
from audit.services.visits import VisitContent, VisitError, record_visit, save_draft, start_visit, submit_visit
from tests.conftest import csrf_token, login
from tests.web.test_api import BEST
from tests.web.test_stats_cache import ALL_YES, SPEC, generation, statements

WAIT = 20  # seconds: the longest any thread or event is waited for
LOCKED = "This visit was submitted; its photos can no longer be changed."
NOT_GREETED = {**BEST, "greeted_promptly": "no"}  # a complete visit that fails the question asked


@pytest.fixture
def office(app, make_location, make_user, make_visit):
    """Four approved visits at two branches, one more waiting for review, and two reviewers."""
    north, south = make_location("VLN-01", region="North"), make_location("KNS-01", region="South")
    auditor = make_user("auditor", name="Rūta Auditor")
    first, second = make_user("reviewer", name="Reviewer A"), make_user("reviewer", name="Reviewer B")
    for day in (1, 2):
        make_visit(north, auditor, ALL_YES, visited_at=datetime(2026, 10, day, 12))
        make_visit(south, auditor, {**ALL_YES, "greeted_promptly": "no"}, visited_at=datetime(2026, 10, day, 12))
    waiting = make_visit(north, auditor, {**ALL_YES, "staff_respectful": "no"}, status="submitted",
                         visited_at=datetime(2026, 10, 3, 12))
    return {"north": north, "south": south, "auditor": auditor, "first": first, "second": second,
            "waiting": waiting}


@contextmanager
def another_request(app):
    """A second app context: a database session of its own, as another person's request has."""
    with app.app_context():
        try:
            yield
        finally:
            db.session.remove()


@contextmanager
def just_before_first_write_to(table: str, work):
    """Run ``work`` once, just before the first INSERT, UPDATE or DELETE of ``table`` is sent:
    the request has read and checked the visit by then, and not yet changed it."""
    with just_before(rf'^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?{table}"?[\s(]', work):
        yield


@contextmanager
def just_before(sql: str, work):
    """Run ``work`` once, just before the first statement matching the regular expression
    ``sql`` is sent."""
    pattern = re.compile(sql, re.IGNORECASE)
    ran: list[str] = []
    failed: list[BaseException] = []

    def hook(conn, cursor, statement, parameters, context, executemany):
        if ran or not pattern.match(statement):
            return
        ran.append(statement)
        try:
            work()
        except BaseException as exc:  # noqa: BLE001 - reported after the request, not inside its statement
            failed.append(exc)

    event.listen(db.engine, "before_cursor_execute", hook)
    try:
        yield
    finally:
        event.remove(db.engine, "before_cursor_execute", hook)
    assert ran, f"no statement matched {sql!r}"
    if failed:
        raise failed[0]


def post_from_the_visit_page(app, user, visit_id: int, url: str, data: dict, meanwhile, offered: str = "",
                             **options):
    """``user`` opens the visit page and sends one of its forms (``data`` and the page's token) to
    ``url``; ``meanwhile`` (someone else's request) runs just before the first write to the visit.
    ``offered``: what the page must have shown for the form to be there."""
    client = app.test_client()
    login(client, user.email)
    form = client.get(f"/visits/{visit_id}").get_data(as_text=True)
    assert offered in form
    with just_before_first_write_to("visit", meanwhile):
        return client.post(url, data={"csrf_token": csrf_token(form), **data}, **options)


def unsent(page: str) -> list[tuple[str, str]]:
    """The texts the visit page shows as typed but not sent, as (label, text)."""
    card = re.search(r'<section class="card unsent" id="unsent">(.*?)</section>', page, re.S)
    return re.findall(r'<label class="field"><span>(.*?)</span><textarea readonly[^>]*>(.*?)</textarea>',
                      card.group(1), re.S) if card else []


def as_kept(figures: dict) -> dict:
    """Figures as the cache gives them back (JSON: tuples become lists, keys strings)."""
    return json.loads(json.dumps(figures))


def status_of(visit_id: int) -> str:
    db.session.expire_all()
    return db.session.scalar(select(Visit.status).where(Visit.id == visit_id))


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def assert_dashboard_kept_and_true(kept: dict, visits: int) -> None:
    """The dashboard answers from what was kept before (one statement: the generation), and what
    it shows is what a fresh computation over the committed data gives."""
    shown, reads = statements(lambda: chain_statistics(SPEC, "en"))
    assert reads == 1, "the kept statistics were thrown away"
    assert shown == kept
    assert shown == as_kept(_chain_statistics(SPEC, "en")), "the dashboard shows statistics older than the data"
    assert shown["visits"] == visits


# --- 1, 2: two reviewers, one submitted visit ---------------------------------------------------


@pytest.mark.parametrize("way", ["page", "service"])
def test_a_return_after_another_reviewer_approved_is_refused_and_the_visit_stays_counted(app, office, way):
    waiting, first_id = office["waiting"], office["first"].id
    visit_id = waiting.id
    kept: dict = {}

    def first_reviewer_approves():
        with another_request(app):
            approve_visit(db.session.get(Visit, visit_id), db.session.get(User, first_id))
            db.session.commit()
            kept.update(chain_statistics(SPEC, "en"))  # head office looks at the dashboard meanwhile

    note = "The greeting needs a comment – «приветствие»."
    if way == "page":
        response = post_from_the_visit_page(app, office["second"], visit_id, f"/visits/{visit_id}/return",
                                            {"note": note}, meanwhile=first_reviewer_approves)
        page = unescape(response.get_data(as_text=True))
        assert response.status_code == 200
        # Who did what, and when (it said "Only submitted visits can be returned.").
        assert re.search(r"This visit was approved meanwhile \(Reviewer A, [^)]+\)\. It can no longer be returned\.", page)
        assert "Visit returned to the auditor." not in page
        assert 'id="visit-status">Approved</span>' in page  # the page shows what happened instead
        assert "Reviewer A · approved the visit" in page
        assert unsent(page) == [("Note for the auditor", note)]  # the note is there to be copied
    else:
        stale = db.session.get(Visit, visit_id)
        assert stale.status == "submitted"  # what the second reviewer's page showed
        first_reviewer_approves()
        with pytest.raises(VisitError, match="only submitted visits can be returned"):
            return_visit(stale, office["second"], note)
        db.session.rollback()

    assert kept["visits"] == 5
    assert status_of(visit_id) == "approved"
    assert count(ReviewComment) == 0
    assert_dashboard_kept_and_true(kept, visits=5)


@pytest.mark.parametrize("way", ["page", "service"])
def test_an_approval_after_another_reviewer_returned_is_refused_and_the_visit_is_not_counted(app, office, way):
    waiting, first_id = office["waiting"], office["first"].id
    visit_id = waiting.id
    kept: dict = {}

    def first_reviewer_returns():
        with another_request(app):
            return_visit(db.session.get(Visit, visit_id), db.session.get(User, first_id), "Add the till photo.")
            db.session.commit()
            kept.update(chain_statistics(SPEC, "en"))

    if way == "page":
        response = post_from_the_visit_page(app, office["second"], visit_id, f"/visits/{visit_id}/approve", {},
                                            meanwhile=first_reviewer_returns, follow_redirects=True)
        page = unescape(response.get_data(as_text=True))
        assert response.status_code == 200
        assert re.search(r"This visit was returned to the auditor meanwhile \(Reviewer A, [^)]+\)\. "
                         r"It can no longer be approved\.", page)
        assert "Visit approved." not in page
        assert 'id="visit-status">Returned</span>' in page
        assert "Reviewer A · returned the visit" in page
    else:
        stale = db.session.get(Visit, visit_id)
        assert stale.status == "submitted"
        first_reviewer_returns()
        with pytest.raises(VisitError, match="only submitted visits can be approved"):
            approve_visit(stale, office["second"])
        db.session.rollback()

    assert kept["visits"] == 4
    assert status_of(visit_id) == "returned"
    visit = db.session.get(Visit, visit_id)
    assert visit.approved_at is None
    assert [c.text for c in visit.review_comments] == ["Add the till photo."]  # the auditor's task stands
    assert_dashboard_kept_and_true(kept, visits=4)


# --- 3: a photo for a draft that was submitted and approved meanwhile ----------------------------


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(out, "JPEG")
    return out.getvalue()


def stored_files(app) -> list[Path]:
    return sorted(p for p in Path(app.config["UPLOAD_DIR"]).rglob("*") if p.is_file())


@pytest.fixture
def draft(app, office):
    """A complete draft at VLN-01 in which the auditor was not greeted: once approved, it is the
    question page's latest failure."""
    auditor = office["auditor"]
    visit = start_visit(auditor, str(uuid.uuid4()), location=office["north"], checklist_key="store-visit")
    save_draft(visit, auditor, VisitContent(answers=NOT_GREETED, visited_at=datetime(2026, 10, 5, 12)))
    db.session.commit()
    return visit


def submitted_and_approved_elsewhere(app, visit_id: int, auditor_id: int, reviewer_id: int) -> dict:
    """The auditor submits on another tablet and a reviewer approves at once; head office then
    opens the question page. Its figures, as kept."""
    with another_request(app):
        visit = db.session.get(Visit, visit_id)
        submit_visit(visit, db.session.get(User, auditor_id))
        db.session.commit()
        approve_visit(visit, db.session.get(User, reviewer_id))
        db.session.commit()
        return question_statistics(SPEC, "greeted_promptly")


def assert_question_page_kept_and_true(kept: dict, visit_id: int, photos: list[int]) -> None:
    shown, reads = statements(lambda: question_statistics(SPEC, "greeted_promptly"))
    assert reads == 1, "the kept statistics were thrown away"
    assert shown == kept
    assert shown == as_kept(_question_statistics(SPEC, "greeted_promptly")), \
        "the question page shows figures older than the data"
    latest = shown["failures"]["latest"][0]
    assert (latest["visit"], latest["photos"]) == (visit_id, photos)


def test_a_photo_uploaded_to_a_visit_approved_meanwhile_is_refused(app, office, draft):
    auditor = office["auditor"]
    stale = db.session.get(Visit, draft.id)
    assert stale.status == "draft"  # what the auditor's tablet still shows
    kept = submitted_and_approved_elsewhere(app, draft.id, auditor.id, office["first"].id)

    with pytest.raises(VisitLocked) as refused:
        store_photo(stale, "greeted_promptly", io.BytesIO(jpeg()), auditor, app.config["UPLOAD_DIR"])
    with app.test_request_context():  # translated where it is shown, in a request
        assert str(refused.value) == LOCKED
    db.session.rollback()

    assert status_of(draft.id) == "approved"
    assert count(Evidence) == 0 and stored_files(app) == []
    assert_question_page_kept_and_true(kept, draft.id, photos=[])


def test_a_photo_stored_while_the_tablet_submits_lands_before_the_submission(app, office, draft):
    """The photo's request has checked the visit (a draft) and is about to store the photo when
    the auditor's other tablet submits. On SQLite a SELECT … FOR UPDATE locks nothing: the
    submission went through in between and the photo joined a submitted visit. The visit's row is
    now taken first, so the submission waits for the photo."""
    auditor_id, visit_id = office["auditor"].id, draft.id
    submitted, errors = threading.Event(), []

    def submit_from_the_other_tablet():
        try:
            with another_request(app):
                submit_visit(db.session.get(Visit, visit_id), db.session.get(User, auditor_id))
                db.session.commit()
        except BaseException as exc:  # noqa: BLE001 - the test reports it
            errors.append(exc)
        finally:
            submitted.set()

    other = threading.Thread(target=submit_from_the_other_tablet, name="other tablet")

    def meanwhile():
        other.start()
        submitted.wait(1)  # long enough to finish, unless it has to wait for this request

    with just_before(r'^\s*INSERT\s+INTO\s+"?evidence"?[\s(]', meanwhile):
        photo = store_photo(draft, "greeted_promptly", io.BytesIO(jpeg()), office["auditor"], app.config["UPLOAD_DIR"])
        db.session.commit()
    other.join(WAIT)
    assert not other.is_alive() and errors == []

    assert status_of(visit_id) == "submitted" and count(Evidence) == 1
    steps = db.session.scalars(select(AuditLogEntry.action).where(
        AuditLogEntry.object_id == str(visit_id), AuditLogEntry.action.in_(["evidence.uploaded", "visit.submitted"]))
        .order_by(AuditLogEntry.id)).all()
    assert steps == ["evidence.uploaded", "visit.submitted"], "the photo joined a visit already submitted"
    assert db.session.get(Evidence, photo.id).visit_id == visit_id


def test_a_photo_deleted_from_a_visit_approved_meanwhile_stays(app, office, draft):
    auditor = office["auditor"]
    photo = store_photo(draft, "greeted_promptly", io.BytesIO(jpeg()), auditor, app.config["UPLOAD_DIR"])
    db.session.commit()
    photo_id = photo.id
    stale = db.session.get(Evidence, photo_id)
    assert stale.visit.status == "draft"
    kept = submitted_and_approved_elsewhere(app, draft.id, auditor.id, office["first"].id)

    with pytest.raises(VisitLocked) as refused:
        delete_photo(stale, auditor, app.config["UPLOAD_DIR"])
    with app.test_request_context():
        assert str(refused.value) == LOCKED
    db.session.rollback()

    assert status_of(draft.id) == "approved"
    assert count(Evidence) == 1 and len(stored_files(app)) == 3  # the photo, its thumbnail and print copy
    assert_question_page_kept_and_true(kept, draft.id, photos=[photo_id])


def test_the_delete_button_on_a_photo_of_a_visit_approved_meanwhile_answers_409(app, office, draft):
    """The auditor's page still shows the draft: its delete request passes the page's checks, and
    the visit is submitted and approved on another tablet before the photo is locked for deletion.
    The page is told why (409, which it shows), not given a server error; the photo stays."""
    auditor = office["auditor"]
    photo = store_photo(draft, "greeted_promptly", io.BytesIO(jpeg()), auditor, app.config["UPLOAD_DIR"])
    db.session.commit()
    photo_id, visit_id = photo.id, draft.id
    client = app.test_client()
    token = csrf_token(login(client, auditor.email).get_data(as_text=True))
    kept: dict = {}

    def approved_elsewhere():
        kept.update(submitted_and_approved_elsewhere(app, visit_id, auditor.id, office["first"].id))

    with just_before_first_write_to("visit", approved_elsewhere):
        response = client.post(f"/evidence/{photo_id}/delete", headers={"X-CSRFToken": token})
    assert response.status_code == 409
    assert response.get_json()["error"] == LOCKED
    assert status_of(visit_id) == "approved"
    assert count(Evidence) == 1 and len(stored_files(app)) == 3
    assert_question_page_kept_and_true(kept, visit_id, photos=[photo_id])


# --- 4: PostgreSQL, an approval through the API while the branch's code changes ------------------


def test_an_api_approval_and_a_branch_code_change_at_once_both_go_through(app, backend, office):
    """The API records an approved visit at VLN-01 while an admin changes VLN-01's code.

    The visit's INSERT holds the branch row (its foreign key); the code change then waits for
    it. When the statistics' generation was raised at the first flush, the code change held the
    generation while it waited, and the approval then waited for the generation: a deadlock, and
    one of the two was lost. Raised at commit, the approval commits and the code change follows."""
    if backend != "postgresql":
        pytest.skip("SQLite lets one writer in at a time: the two cannot deadlock")
    north, auditor, reviewer = office["north"], office["auditor"], office["first"]
    ids = {"north": north.id, "auditor": auditor.id, "reviewer": reviewer.id, "region": north.region_id}
    client_uuid = str(uuid.uuid4())
    chain_statistics(SPEC, "en")
    before = generation()
    db.session.commit()  # the test's own session holds nothing while the two run

    pids: dict[str, int] = {}
    errors: dict[str, BaseException] = {}
    visit_inserted, code_change_waiting = threading.Event(), threading.Event()
    renamed = threading.Event()
    api_thread: list[int] = []
    insert_of_visit = re.compile(r"^\s*INSERT\s+INTO\s+visit\s", re.IGNORECASE)

    def own_backend(name: str) -> None:
        db.session.execute(text("SET LOCAL lock_timeout = '20s'"))  # never a hang, whatever the code does
        pids[name] = db.session.execute(text("SELECT pg_backend_pid()")).scalar_one()

    def code_change_is_waiting_for(api_pid: int) -> bool:
        with db.engine.connect() as probe:
            return bool(probe.execute(text("SELECT CAST(:api AS integer) = ANY(pg_blocking_pids(:other))"),
                                      {"api": api_pid, "other": pids["rename"]}).scalar())

    def after_insert(conn, cursor, statement, parameters, context, executemany):
        """In the API request, once its visit row is written: wait until the code change is
        held up behind it, then let the API request go on to approve and commit."""
        if visit_inserted.is_set() or threading.get_ident() not in api_thread or not insert_of_visit.match(statement):
            return
        visit_inserted.set()
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline and not renamed.is_set():
            if "rename" in pids and code_change_is_waiting_for(pids["api"]):
                code_change_waiting.set()
                return
            time.sleep(0.02)

    def api_request():
        api_thread.append(threading.get_ident())
        try:
            with another_request(app):
                own_backend("api")
                reviewer_now = db.session.get(User, ids["reviewer"])
                visit, created = record_visit(
                    db.session.get(User, ids["auditor"]), client_uuid, db.session.get(Location, ids["north"]),
                    "store-visit", VisitContent(answers=BEST, visited_at=datetime(2026, 10, 4, 12)),
                    approved_by=reviewer_now, recorded_by=reviewer_now)
                assert created and visit.status == "approved"
                db.session.commit()
        except BaseException as exc:  # noqa: BLE001 - the test reports it
            errors["api"] = exc

    def admin_request():
        try:
            with another_request(app):
                own_backend("rename")
                if not visit_inserted.wait(WAIT):
                    raise AssertionError("the API request never wrote its visit")
                branch = db.session.get(Location, ids["north"])
                update_location(branch, code="VLN-02", name=branch.name, region_id=ids["region"])
                db.session.commit()
        except BaseException as exc:  # noqa: BLE001 - the test reports it
            errors["rename"] = exc
        finally:
            renamed.set()

    event.listen(db.engine, "after_cursor_execute", after_insert)
    threads = [threading.Thread(target=api_request, name="api"), threading.Thread(target=admin_request, name="admin")]
    try:
        for thread in threads:
            thread.start()
    finally:
        for thread in threads:
            if thread.ident is not None:  # started
                thread.join(3 * WAIT)
        event.remove(db.engine, "after_cursor_execute", after_insert)
    assert not any(thread.is_alive() for thread in threads), "a request never finished"

    assert errors == {}, f"lost to the other request: {errors!r}"
    assert code_change_waiting.is_set(), "the two requests did not meet: the code change never waited"
    db.session.expire_all()
    assert generation() != before  # raised: the statistics computed before are not used
    shown = chain_statistics(SPEC, "en")
    assert shown == as_kept(_chain_statistics(SPEC, "en"))
    assert shown["visits"] == 5 and {row["code"] for row in shown["locations"]} == {"VLN-02", "KNS-01"}
    approved = db.session.scalar(select(Visit).where(Visit.uuid == client_uuid))
    assert (approved.status, approved.location.code) == ("approved", "VLN-02")


# --- 5: disputes ---------------------------------------------------------------------------------


def test_raising_a_dispute_keeps_the_statistics_and_overturning_it_changes_them(app, office, make_user):
    south = office["south"]

    def greeted(figures: dict) -> dict:
        return next(item for item in figures["items"] if item["id"] == "greeted_promptly")

    kept = chain_statistics(SPEC, "en")
    assert greeted(kept)["pass_rate"] == pytest.approx(0.5)
    before = generation()
    visit = db.session.scalars(select(Visit).where(Visit.location_id == south.id, Visit.status == "approved")).first()
    manager = make_user("manager", locations=["KNS-01"])

    dispute = raise_dispute(visit, manager, "greeted_promptly", "They greeted us at the door: see the camera.")
    db.session.commit()
    assert count(Dispute, Dispute.status == "open") == 1
    assert generation() == before
    shown, reads = statements(lambda: chain_statistics(SPEC, "en"))
    assert reads == 1 and shown == kept == as_kept(_chain_statistics(SPEC, "en"))

    decide_dispute(dispute, office["first"], True, "yes", "Seen on the camera.")
    db.session.commit()
    assert generation() != before
    changed, computing = statements(lambda: chain_statistics(SPEC, "en"))
    assert computing > 1
    assert greeted(changed)["pass_rate"] == pytest.approx(0.75)
    assert changed == as_kept(_chain_statistics(SPEC, "en"))


# --- 6: two people deciding or raising the same dispute -------------------------------------------


def dispute_at_south(office, make_user, item_id: str = "greeted_promptly") -> tuple[Dispute, User]:
    """An open dispute of the question KNS-01 failed, raised by its manager."""
    visit = db.session.scalars(select(Visit).where(Visit.location_id == office["south"].id,
                                                   Visit.status == "approved")).first()
    manager = make_user("manager", locations=["KNS-01"])
    dispute = raise_dispute(visit, manager, item_id, "They greeted us at the door: see the camera.")
    db.session.commit()
    return dispute, manager


def decisions_logged() -> list[str]:
    return list(db.session.scalars(select(AuditLogEntry.action).where(AuditLogEntry.action.like("dispute.%"))
                                   .order_by(AuditLogEntry.id)))


@pytest.mark.parametrize("way", ["page", "service"])
def test_a_second_reviewer_deciding_a_dispute_decided_meanwhile_is_refused(app, office, make_user, way):
    """Reviewer A upholds; reviewer B, whose page still shows the dispute open, overturns it a
    moment later. B used to win: the answer changed after A's decision, the log showing both."""
    dispute, _manager = dispute_at_south(office, make_user)
    dispute_id, visit_id, first_id = dispute.id, dispute.visit_id, office["first"].id
    score_before = db.session.get(Visit, visit_id).score
    kept: dict = {}

    def first_reviewer_upholds():
        with another_request(app):
            decide_dispute(db.session.get(Dispute, dispute_id), db.session.get(User, first_id), False,
                           note="The camera shows nobody at the door.")
            db.session.commit()
            kept.update(chain_statistics(SPEC, "en"))

    if way == "page":
        response = post_from_the_visit_page(
            app, office["second"], visit_id, f"/disputes/{dispute_id}/decide",
            {"decision": "overturn", "new_value": "yes", "note": "Greeted at the door."}, meanwhile=first_reviewer_upholds)
        page = unescape(response.get_data(as_text=True))
        assert response.status_code == 200
        assert "This dispute was already decided." in page
        assert "Dispute overturned" not in page
        assert unsent(page) == [("Note", "Greeted at the door.")]
    else:
        stale = db.session.get(Dispute, dispute_id)
        assert stale.status == "open"
        first_reviewer_upholds()
        with pytest.raises(VisitError, match="this dispute was already decided"):
            decide_dispute(stale, office["second"], True, "yes", "Greeted at the door.")
        db.session.rollback()

    db.session.expire_all()
    decided = db.session.get(Dispute, dispute_id)
    assert (decided.status, decided.decided_by_id, decided.new_value) == ("upheld", first_id, None)
    assert decided.decision_note == "The camera shows nobody at the door."
    visit = db.session.get(Visit, visit_id)
    assert {a.item_id: a.value for a in visit.answers}["greeted_promptly"] == "no"
    assert visit.score == score_before
    assert decisions_logged() == ["dispute.raised", "dispute.upheld"]
    assert_dashboard_kept_and_true(kept, visits=4)


@pytest.mark.parametrize("way", ["page", "service"])
def test_the_same_answer_disputed_twice_at_once_makes_one_dispute(app, office, make_user, way):
    """Two managers of KNS-01 dispute the same answer at the same moment: one dispute, and the
    second manager is told it is already with the reviewers (there used to be two)."""
    visit = db.session.scalars(select(Visit).where(Visit.location_id == office["south"].id,
                                                   Visit.status == "approved")).first()
    visit_id = visit.id
    first_manager, second_manager = (make_user("manager", locations=["KNS-01"]) for _ in range(2))
    first_id = first_manager.id

    def first_manager_disputes():
        with another_request(app):
            raise_dispute(db.session.get(Visit, visit_id), db.session.get(User, first_id), "greeted_promptly",
                          "Greeted at once.")
            db.session.commit()

    reason = "Приветствие было — see the camera at 12:03."
    if way == "page":
        response = post_from_the_visit_page(app, second_manager, visit_id, f"/visits/{visit_id}/disputes",
                                            {"item_id": "greeted_promptly", "reason": reason},
                                            meanwhile=first_manager_disputes,
                                            offered='name="item_id" value="greeted_promptly"')
        page = unescape(response.get_data(as_text=True))
        assert response.status_code == 200
        assert "This question is already disputed; wait for the reviewer's decision." in page
        assert "Your dispute was sent to the reviewers." not in page
        assert "Greeted at once." in page  # the dispute that was raised is on the page instead
        assert unsent(page) == [("Why is this answer wrong?", reason)]
    else:
        stale = db.session.get(Visit, visit_id)
        assert stale.disputes == []  # loaded before the other manager raised theirs
        first_manager_disputes()
        with pytest.raises(VisitError, match="this item is already disputed"):
            raise_dispute(stale, second_manager, "greeted_promptly", reason)
        db.session.rollback()

    db.session.expire_all()
    raised = db.session.scalars(select(Dispute).where(Dispute.visit_id == visit_id)).all()
    assert [(d.item_id, d.raised_by_id, d.reason) for d in raised] == [("greeted_promptly", first_id,
                                                                        "Greeted at once.")]
    assert decisions_logged() == ["dispute.raised"]


def test_two_answers_of_one_visit_overturned_at_once_both_count_in_its_score(app, office, make_user, make_visit):
    """Two disputes of one visit, decided by two reviewers at the same moment: the visit's score
    is rescored from both corrected answers (the second reviewer's rescoring used the answers it
    had read before the first one's correction, and the visit kept a failure it no longer had)."""
    auditor, south = office["auditor"], office["south"]
    visit = make_visit(south, auditor, {**ALL_YES, "greeted_promptly": "no", "staff_respectful": "no"},
                       visited_at=datetime(2026, 10, 4, 12))
    perfect = make_visit(south, auditor, ALL_YES, visited_at=datetime(2026, 10, 4, 13))
    manager = make_user("manager", locations=["KNS-01"])
    greeting = raise_dispute(visit, manager, "greeted_promptly", "Greeted at once.")
    respect = raise_dispute(visit, manager, "staff_respectful", "Polite throughout.")
    db.session.commit()
    visit_id, respect_id, first_id = visit.id, respect.id, office["first"].id
    assert visit.score < perfect.score

    stale = db.session.get(Visit, visit_id)
    assert {a.item_id: a.value for a in stale.answers}["staff_respectful"] == "no"  # read by reviewer B
    with another_request(app):  # reviewer A overturns the other dispute meanwhile
        decide_dispute(db.session.get(Dispute, respect_id), db.session.get(User, first_id), True, "yes")
        db.session.commit()
    decide_dispute(greeting, office["second"], True, "yes", "Seen on the camera.")
    db.session.commit()

    db.session.expire_all()
    visit = db.session.get(Visit, visit_id)
    assert {a.item_id: a.value for a in visit.answers} == ALL_YES
    assert visit.score == perfect.score
    assert {s.section_id: s.score for s in visit.section_scores} == \
        {s.section_id: s.score for s in db.session.get(Visit, perfect.id).section_scores}
    shown = chain_statistics(SPEC, "en")
    assert shown == as_kept(_chain_statistics(SPEC, "en"))
