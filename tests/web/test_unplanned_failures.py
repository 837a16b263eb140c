"""A branch manager's home page listed the open corrective actions of their branches, not the
failed questions with no action planned yet: what was still waiting for the manager to act on
could be found only by opening each visit. The home page now lists them ("Failures without an
action"): critical first, then the newest visit first, each leading to the form that plans its
action; a question leaves the list once an action is planned. Only the manager's own branches.

The list is a to-do list: a question leaves it once an action is planned for it or for its visit as
a whole, or a dispute overturned it to a passing answer; one whose dispute awaits a reviewer is
marked so and comes last; a rejected dispute puts it back as it was."""
from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

from sqlalchemy import select

from audit.extensions import db
from audit.models import Dispute, utcnow
from audit.times import local_today
from tests.conftest import csrf_token, login

FAILED = {"greeted_promptly": "no", "eye_contact": "no", "smiled": "yes"}
GREETED = "Did a staff member greet you within 30 seconds of entering?"
EYE_CONTACT = "Did the staff member make eye contact with you?"
RESPECTFUL = "Were all staff respectful towards you throughout the visit?"  # critical


def _section(client) -> str:
    html = unescape(client.get("/").get_data(as_text=True))
    start = html.index('id="failures-without-action"')
    return html[start:html.index("</section>", start)]


def _days_ago(days: int):
    return (utcnow() - timedelta(days=days)).replace(hour=10, minute=0, second=0, microsecond=0)


def test_a_failure_without_an_action_is_listed_until_an_action_is_planned(
        app, client, make_location, make_user, make_visit):
    branch = make_location("VLN-01", "Gedimino pr.")
    manager = make_user("manager", locations=["VLN-01"])
    long_comment = "Nobody looked up from the till; " + "the two assistants went on talking among themselves " * 6
    visit = make_visit(branch, make_user("auditor"), FAILED, visited_at=_days_ago(3),
                       comments={"eye_contact": long_comment})
    login(client, manager.email)
    box = _section(client)
    assert "Failures without an action" in box
    assert GREETED in box and EYE_CONTACT in box
    assert "smiled" not in box and "Did the staff member smile" not in box  # passed
    assert "VLN-01" in box and "Gedimino pr." in box
    assert f'href="/visits/{visit.id}#plan-greeted_promptly"' in box
    assert f'href="/visits/{visit.id}#plan-eye_contact"' in box
    assert "Nobody looked up from the till" in box and long_comment.strip() not in box  # shortened
    assert re.search(r'<span class="count">2</span>failures without an action', box)
    # The anchor is the plan form of that question on the visit page.
    page = client.get(f"/visits/{visit.id}").get_data(as_text=True)
    assert 'id="plan-eye_contact"' in page and 'id="plan-greeted_promptly"' in page

    token = csrf_token(page)
    planned = client.post(f"/visits/{visit.id}/actions", data={
        "csrf_token": token, "item_id": "eye_contact", "text": "Eye contact at the till: brief the team",
        "due_on": (local_today() + timedelta(days=7)).isoformat()})
    assert planned.status_code == 302
    box = _section(client)
    assert EYE_CONTACT not in box and "#plan-eye_contact" not in box
    assert GREETED in box and re.search(r'<span class="count">1</span>failure without an action', box)

    client.post(f"/visits/{visit.id}/actions", data={
        "csrf_token": token, "item_id": "greeted_promptly", "text": "Greet within 30 seconds",
        "due_on": (local_today() + timedelta(days=7)).isoformat()})
    box = _section(client)
    assert GREETED not in box and "<table" not in box
    assert "None: every question failed in the approved visits of the last 90 days has an action planned." in box


def test_only_the_managers_own_branches_and_approved_visits(app, client, make_location, make_user, make_visit):
    own = make_location("VLN-01", "Gedimino pr.")
    other = make_location("RIX-01", "Brīvības iela", region="Riga")
    manager = make_user("manager", locations=["VLN-01"])
    make_user("manager", locations=["RIX-01"])
    auditor = make_user("auditor")
    make_visit(own, auditor, {"greeted_promptly": "no"}, visited_at=_days_ago(2))
    make_visit(other, auditor, {"eye_contact": "no", "staff_respectful": "no"}, visited_at=_days_ago(1))
    make_visit(own, auditor, {"staff_respectful": "no"}, status="submitted", visited_at=_days_ago(1))
    make_visit(own, auditor, {"smiled": "no"}, visited_at=_days_ago(120))  # before the last 90 days
    login(client, manager.email)
    box = _section(client)
    assert GREETED in box
    assert EYE_CONTACT not in box and "RIX-01" not in box and "Brīvības" not in box  # another branch
    assert RESPECTFUL not in box  # the submitted visit is not the branch's yet
    assert "Did the staff member smile" not in box
    assert re.search(r'<span class="count">1</span>failure without an action', box)

    reviewer = make_user("reviewer")
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/").get_data(as_text=True))})
    login(client, reviewer.email)
    assert 'id="failures-without-action"' not in client.get("/").get_data(as_text=True)


def test_critical_first_then_the_newest_visit_first(app, client, make_location, make_user, make_visit):
    branch = make_location("VLN-01", "Gedimino pr.")
    second = make_location("VLN-02", "Ozo g.")
    manager = make_user("manager", locations=["VLN-01", "VLN-02"])
    auditor = make_user("auditor")
    old_critical = make_visit(branch, auditor, {"greeted_promptly": "no", "staff_respectful": "no"},
                              visited_at=_days_ago(40))
    newest = make_visit(second, auditor, {"eye_contact": "no"}, visited_at=_days_ago(1))
    middle = make_visit(branch, auditor, {"greeted_promptly": "no"}, visited_at=_days_ago(10))
    login(client, manager.email)
    box = _section(client)
    links = re.findall(r'href="/visits/(\d+)#plan-(\w+)"', box)
    assert links == [(str(old_critical.id), "staff_respectful"), (str(newest.id), "eye_contact"),
                     (str(middle.id), "greeted_promptly"), (str(old_critical.id), "greeted_promptly")]
    assert box.count('class="badge critical"') == 1
    assert re.search(r'<span class="count">1</span>critical', box)

    client.post("/language", data={"lang": "lt", "csrf_token": csrf_token(client.get("/").get_data(as_text=True))})
    box = _section(client)
    assert "Ar visi darbuotojai viso apsilankymo metu elgėsi su jumis pagarbiai?" in box  # as the visit page
    assert RESPECTFUL not in box


def test_the_first_twenty_then_all_of_them(app, client, make_location, make_user, make_visit):
    branch = make_location("VLN-01", "Gedimino pr.")
    manager = make_user("manager", locations=["VLN-01"])
    auditor = make_user("auditor")
    for day in range(1, 12):  # 22 failures
        make_visit(branch, auditor, FAILED, visited_at=_days_ago(day))
    login(client, manager.email)
    box = _section(client)
    assert box.count("#plan-") == 20
    assert "The first 20 of 22 are shown." in box
    assert 'href="/?failures=all#failures-without-action"' in box and "Show all 22" in box
    everything = unescape(client.get("/?failures=all").get_data(as_text=True))
    start = everything.index('id="failures-without-action"')
    everything = everything[start:everything.index("</section>", start)]
    assert everything.count("#plan-") == 22 and "The first" not in everything
    assert "Show the first 20 only" in everything


def test_three_statements_whatever_the_number_of_failures(app, client, make_location, make_user, make_visit):
    """The list is three statements (versions, counts, rows), not one per failure or visit."""
    from sqlalchemy import event

    branch = make_location("VLN-01", "Gedimino pr.")
    manager = make_user("manager", locations=["VLN-01"])
    auditor = make_user("auditor")
    make_visit(branch, auditor, FAILED, visited_at=_days_ago(1))
    make_visit(branch, auditor, FAILED, visited_at=_days_ago(2), checklist="store-visit")
    from audit.models import CorrectiveAction, Dispute
    from audit.policy import visible_visits
    from audit.services.unplanned_failures import unplanned_failures

    statements: list[str] = []
    listen = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listen)
    try:
        few = unplanned_failures(visible_visits(manager), "en")
        for day in range(3, 9):
            make_visit(branch, auditor, FAILED, visited_at=_days_ago(day))
        disputed = make_visit(branch, auditor, FAILED, visited_at=_days_ago(9))
        dealt_with = make_visit(branch, auditor, FAILED, visited_at=_days_ago(10))
        db.session.add_all([  # a failure under dispute, and an action for a visit as a whole
            Dispute(visit_id=disputed.id, item_id="eye_contact", raised_by_id=manager.id, reason="Not so"),
            CorrectiveAction(visit_id=dealt_with.id, item_id=None, location_id=branch.id, text="Retrain",
                             due_on=local_today(), created_by_id=manager.id)])
        db.session.commit()
        where = visible_visits(manager)  # (the manager's row, reloaded after the commits)
        statements.clear()
        many = unplanned_failures(where, "en")
    finally:
        event.remove(db.engine, "before_cursor_execute", listen)
    assert few["total"] == 4 and many["total"] == 18 and many["disputed"] == 1
    assert len(statements) == 3


def _dispute(client, visit, item_id: str) -> None:
    page = client.get(f"/visits/{visit.id}").get_data(as_text=True)
    sent = client.post(f"/visits/{visit.id}/disputes", data={
        "csrf_token": csrf_token(page), "item_id": item_id, "reason": "The auditor came in while we were closing."})
    assert sent.status_code == 302


def _decide(app, reviewer, visit, item_id: str, **form) -> None:
    from audit.models import Dispute

    dispute = db.session.scalar(db.select(Dispute.id).where(Dispute.visit_id == visit.id, Dispute.item_id == item_id))
    client = app.test_client()
    login(client, reviewer.email)
    page = client.get(f"/visits/{visit.id}").get_data(as_text=True)
    decided = client.post(f"/disputes/{dispute}/decide", data={"csrf_token": csrf_token(page), **form})
    # Back at the dispute decided, with its outcome, not at the top of a long visit page.
    assert decided.status_code == 302 and decided.headers["Location"] == f"/visits/{visit.id}#dispute-{dispute}"


def test_a_disputed_failure_waits_for_the_reviewer_then_leaves_or_comes_back(
        app, client, make_location, make_user, make_visit):
    """A failure under dispute is the reviewer's to decide, not the branch's to act on: it is
    marked so, leads to its dispute, and comes after the failures waiting for the branch. Overturned
    to a passing answer it is no longer a failure and leaves the list; rejected, it is one again."""
    branch = make_location("VLN-01", "Gedimino pr.")
    manager = make_user("manager", locations=["VLN-01"])
    reviewer = make_user("reviewer")
    auditor = make_user("auditor")
    older = make_visit(branch, auditor, {"eye_contact": "no"}, visited_at=_days_ago(20))
    visit = make_visit(branch, auditor, {"greeted_promptly": "no", "staff_respectful": "no", "tone_friendly": "1"},
                       visited_at=_days_ago(2))
    login(client, manager.email)
    _dispute(client, visit, "staff_respectful")  # critical: would lead the list
    _dispute(client, visit, "greeted_promptly")
    box = _section(client)
    rows = re.findall(r'href="/visits/(\d+)#(plan|item)-(\w+)"', box)
    assert rows == [(str(visit.id), "plan", "tone_friendly"), (str(older.id), "plan", "eye_contact"),
                    (str(visit.id), "item", "staff_respectful"), (str(visit.id), "item", "greeted_promptly")]
    assert box.count("Disputed – awaiting a decision") == 2 and box.count(">Plan an action</a>") == 2
    assert re.search(r'<span class="count">4</span>failures without an action', box)
    assert re.search(r'<span class="count">2</span>disputed, awaiting a decision', box)

    _decide(app, reviewer, visit, "greeted_promptly", decision="overturn", new_value="yes")
    _decide(app, reviewer, visit, "staff_respectful", decision="uphold", note="Two staff spoke rudely; on the recording.")
    box = _section(client)
    assert GREETED not in box  # it passes now
    rows = re.findall(r'href="/visits/(\d+)#(plan|item)-(\w+)"', box)
    assert rows == [(str(visit.id), "plan", "staff_respectful"), (str(visit.id), "plan", "tone_friendly"),
                    (str(older.id), "plan", "eye_contact")]  # rejected: the branch's to act on again, critical first
    assert "Disputed – awaiting a decision" not in box and "disputed, awaiting" not in box
    assert re.search(r'<span class="count">3</span>failures without an action', box)


def test_an_answer_overturned_to_another_failing_answer_stays_listed(
        app, client, make_location, make_user, make_visit):
    """An overturn that corrects 1 of 5 to 2 of 5 leaves a failure: it is the branch's to act on."""
    branch = make_location("VLN-01", "Gedimino pr.")
    manager = make_user("manager", locations=["VLN-01"])
    visit = make_visit(branch, make_user("auditor"), {"tone_friendly": "1"}, visited_at=_days_ago(2))
    login(client, manager.email)
    _dispute(client, visit, "tone_friendly")
    _decide(app, make_user("reviewer"), visit, "tone_friendly", decision="overturn", new_value="2")
    box = _section(client)
    assert f'href="/visits/{visit.id}#plan-tone_friendly"' in box and "Disputed" not in box


def test_an_action_for_the_visit_as_a_whole_takes_its_failures_off_the_list(
        app, client, make_location, make_user, make_visit):
    """A manager who planned one action for a whole visit has dealt with it: its failures no longer
    wait for an action, open or done. The other visits' failures stay."""
    branch = make_location("VLN-01", "Gedimino pr.")
    manager = make_user("manager", locations=["VLN-01"])
    auditor = make_user("auditor")
    dealt_with = make_visit(branch, auditor, {**FAILED, "staff_respectful": "no"}, visited_at=_days_ago(3))
    other = make_visit(branch, auditor, {"eye_contact": "no"}, visited_at=_days_ago(5))
    login(client, manager.email)
    assert re.search(r'<span class="count">4</span>failures without an action', _section(client))
    page = client.get(f"/visits/{dealt_with.id}").get_data(as_text=True)
    planned = client.post(f"/visits/{dealt_with.id}/actions", data={
        "csrf_token": csrf_token(page), "item_id": "", "text": "Retrain the whole shift on the greeting standard",
        "due_on": (local_today() + timedelta(days=14)).isoformat()})
    assert planned.status_code == 302
    box = _section(client)
    assert f"/visits/{dealt_with.id}#" not in box and RESPECTFUL not in box
    assert re.findall(r'href="/visits/(\d+)#plan-(\w+)"', box) == [(str(other.id), "eye_contact")]
    assert re.search(r'<span class="count">1</span>failure without an action', box)

    from audit.models import CorrectiveAction
    action = db.session.scalar(db.select(CorrectiveAction).where(CorrectiveAction.visit_id == dealt_with.id))
    page = client.get(f"/visits/{dealt_with.id}").get_data(as_text=True)
    client.post(f"/actions/{action.id}/done", data={"csrf_token": csrf_token(page), "note": "Done on Monday"})
    db.session.expire_all()
    assert db.session.get(CorrectiveAction, action.id).status == "done"
    assert f"/visits/{dealt_with.id}#" not in _section(client)  # done, not back on the list


def _went_wrong(client, visit) -> str:
    html = unescape(client.get(f"/visits/{visit.id}").get_data(as_text=True))
    start = html.index('id="went-wrong"')
    return html[start:html.index("</section>", start)]


def test_the_visit_page_offers_no_action_for_a_failure_awaiting_its_dispute(
        app, client, make_location, make_user, make_visit):
    """The home page's list said a disputed failure waits for the reviewer, while the visit it led
    to offered "Plan an action" for it beside the others. Now the visit page says the same, leads
    to the dispute, and offers the form again once the dispute is rejected."""
    branch = make_location("VLN-01", "Gedimino pr.")
    manager = make_user("manager", locations=["VLN-01"])
    reviewer = make_user("reviewer")
    visit = make_visit(branch, make_user("auditor"), {"greeted_promptly": "no", "tone_friendly": "1"},
                       visited_at=_days_ago(2))
    login(client, manager.email)
    assert 'id="plan-greeted_promptly"' in _went_wrong(client, visit)
    _dispute(client, visit, "greeted_promptly")

    box = _went_wrong(client, visit)
    assert 'id="plan-greeted_promptly"' not in box and 'id="plan-tone_friendly"' in box
    pending = re.findall(r'<a class="more-link dispute-pending" href="#dispute-(\d+)">Disputed – awaiting a decision</a>',
                         box)
    disputed = db.session.scalars(select(Dispute.id).where(Dispute.item_id == "greeted_promptly")).all()
    assert pending == [str(d) for d in disputed] and len(disputed) == 1
    assert 'id="plan-visit"' in box  # the visit as a whole still takes an action

    _decide(app, reviewer, visit, "greeted_promptly", decision="uphold", note="The door camera shows no greeting.")
    box = _went_wrong(client, visit)
    assert 'id="plan-greeted_promptly"' in box and "Disputed – awaiting a decision" not in box
