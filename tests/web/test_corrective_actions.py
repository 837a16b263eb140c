"""Corrective actions: a branch manager (or head office) plans what will be done about a failed
question of an approved visit, by a day, and marks it done; the manager's home page, the branch
page and head office's /actions list the open ones, overdue first. Auditors never see them; a
manager never sees another branch's."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from html import unescape

from audit.extensions import db
from audit.models import AuditLogEntry, CorrectiveAction, utcnow
from audit.services.actions import latest_due_day
from audit.times import local_today
from tests.conftest import csrf_token, login

FAILED = {"greeted_promptly": "no", "eye_contact": "no", "smiled": "yes", "staff_respectful": "no"}


def _text(response) -> str:
    return unescape(response.get_data(as_text=True))


def _went_wrong(html: str) -> str:
    start = html.index('id="went-wrong"')
    return html[start:html.index("</section>", start)]


def _open_actions(html: str) -> str:
    start = html.index('id="open-actions"')
    return html[start:html.index("</section>", start)]


def _plan(client, visit_id: int, **fields):
    token = csrf_token(client.get(f"/visits/{visit_id}").get_data(as_text=True))
    data = {"csrf_token": token, "item_id": "greeted_promptly", "text": "Greet every customer within 30 seconds",
            "responsible": "Rasa, shift lead", "due_on": (local_today() + timedelta(days=7)).isoformat(), **fields}
    return client.post(f"/visits/{visit_id}/actions", data=data)


def _action(visit, creator, due_on: date, text: str, item_id: str | None = "greeted_promptly") -> CorrectiveAction:
    action = CorrectiveAction(visit_id=visit.id, location_id=visit.location_id, item_id=item_id, text=text,
                              due_on=due_on, created_by_id=creator.id)
    db.session.add(action)
    db.session.commit()
    return action


def _setup(make_location, make_user, make_visit):
    branch = make_location("VLN-01", "Gedimino pr.", region="Vilnius")
    auditor = make_user("auditor", name="Ina Auditor")
    manager = make_user("manager", name="Mara Manager", locations=["VLN-01"])
    visit = make_visit(branch, auditor, FAILED, visited_at=datetime(2026, 10, 20, 12))
    return branch, auditor, manager, visit


def test_a_manager_plans_an_action_on_a_failure_and_sees_it_on_the_visit_and_home_pages(
        app, client, make_location, make_user, make_visit):
    _branch, _auditor, manager, visit = _setup(make_location, make_user, make_visit)
    login(client, manager.email)
    box = _went_wrong(_text(client.get(f"/visits/{visit.id}")))
    assert box.count("Plan an action</summary>") == 3  # each of the three failures
    assert "Plan an action for the visit as a whole" in box

    response = _plan(client, visit.id)
    action_id = db.session.scalar(db.select(CorrectiveAction.id))
    # The page opens at the new action (the message at its top was out of sight at "What went wrong").
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/visits/{visit.id}#action-{action_id}")
    again = _plan(client, visit.id)  # sent twice (a double tap): still one action, shown
    assert again.status_code == 302 and again.headers["Location"].endswith(f"#action-{action_id}")
    assert db.session.scalar(db.select(db.func.count(CorrectiveAction.id))) == 1
    page = _text(client.get(f"/visits/{visit.id}"))
    assert "Corrective action planned." in page
    box = _went_wrong(page)
    due = local_today() + timedelta(days=7)
    planned = box[box.index('href="#item-greeted_promptly"'):box.index('href="#item-eye_contact"')]
    assert "Greet every customer within 30 seconds" in planned and "Rasa, shift lead" in planned
    assert f"due {due.day} {due.strftime('%b')} {due.year}" in planned and ">Open<" in planned
    assert "planned by Mara Manager" in planned
    assert "planned a corrective action" in page[page.index("History"):]

    home = _open_actions(_text(client.get("/")))
    assert "Greet every customer within 30 seconds" in home
    assert f'href="/visits/{visit.id}#went-wrong"' in home
    assert "VLN-01" in home


def test_an_action_for_the_visit_as_a_whole(app, client, make_location, make_user, make_visit):
    _branch, _auditor, manager, visit = _setup(make_location, make_user, make_visit)
    login(client, manager.email)
    assert _plan(client, visit.id, item_id="", text="Team meeting about this visit").status_code == 302
    action = db.session.scalar(db.select(CorrectiveAction))
    assert action.item_id is None and action.location_id == visit.location_id
    page = _text(client.get(f"/visits/{visit.id}"))
    whole = page[page.index('id="visit-actions"'):]
    assert "Team meeting about this visit" in whole[:whole.index("</div>")]
    assert "The visit as a whole" in _open_actions(_text(client.get("/")))


def test_marking_an_action_done_with_a_note(app, client, make_location, make_user, make_visit):
    _branch, _auditor, manager, visit = _setup(make_location, make_user, make_visit)
    login(client, manager.email)
    _plan(client, visit.id)
    action = db.session.scalar(db.select(CorrectiveAction))
    token = csrf_token(client.get(f"/visits/{visit.id}").get_data(as_text=True))
    done = client.post(f"/actions/{action.id}/done", data={"csrf_token": token, "note": "Talked it through with staff"})
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/visits/{visit.id}#action-{action.id}")
    page = _text(client.get(f"/visits/{visit.id}"))
    assert "Corrective action marked done." in page
    box = _went_wrong(page)
    assert ">Done<" in box and "Talked it through with staff" in box and "(Mara Manager)" in box
    assert "Mark done</summary>" not in box
    history = page[page.index("History"):]
    assert "planned a corrective action" in history and "marked a corrective action done" in history
    db.session.expire_all()
    stored = db.session.get(CorrectiveAction, action.id)
    assert stored.status == "done" and stored.done_by_id == manager.id and stored.done_at is not None
    assert "No open actions." in _open_actions(_text(client.get("/")))

    again = client.post(f"/actions/{action.id}/done", data={"csrf_token": token}, follow_redirects=True)
    assert "This action was already marked done." in _text(again)
    log = db.session.scalars(db.select(AuditLogEntry.action).where(AuditLogEntry.action.like("action.%"))).all()
    assert sorted(log) == ["action.done", "action.planned"]


def test_overdue_first_then_by_due_day_and_a_past_due_day_is_refused_keeping_what_was_typed(
        app, client, make_location, make_user, make_visit):
    _branch, _auditor, manager, visit = _setup(make_location, make_user, make_visit)
    today = local_today()
    _action(visit, manager, today + timedelta(days=20), "Later action")
    _action(visit, manager, today - timedelta(days=3), "Overdue action")
    _action(visit, manager, today + timedelta(days=2), "Soon action")
    _action(visit, manager, today, "Due today action")
    login(client, manager.email)
    home = _open_actions(_text(client.get("/")))
    order = [home.index(t) for t in ("Overdue action", "Due today action", "Soon action", "Later action")]
    assert order == sorted(order)
    assert home.count(">Overdue<") == 1
    assert re.search(r'<span class="count">4</span>open actions', home)
    assert re.search(r'<span class="count">1</span>overdue', home)

    refused = _plan(client, visit.id, due_on=(today - timedelta(days=1)).isoformat(), text="Retrain the new staff")
    assert refused.status_code == 200
    page = _text(refused)
    form = page[page.index('id="plan-greeted_promptly"'):]
    form = form[:form.index("</form>")]
    assert "Retrain the new staff</textarea>" in form and 'value="Rasa, shift lead"' in form
    due_field = form[form.index('name="due_on"'):]
    assert "The due day cannot be in the past: choose today or a later day." in due_field
    assert "The action was not saved" in page
    assert db.session.scalar(db.select(db.func.count(CorrectiveAction.id))) == 4

    too_late = _text(_plan(client, visit.id, due_on=(today + timedelta(days=400)).isoformat()))
    assert "The due day can be at most a year ahead" in too_late
    # The latest day last, in numbers: the long form gave "… 2027 г.." in Russian and the
    # nominative after "līdz" in Latvian; the year in four digits (the short Latvian form wrote
    # "02.12.27").
    latest = latest_due_day(today)
    assert f"The latest possible: {latest.strftime('%d/%m/%Y')}" in too_late  # en_GB
    for lang, words, day in (("ru", "Самый поздний возможный: ", latest.strftime("%d.%m.%Y")),
                             ("lv", "Vēlākais iespējamais: ", f"{latest.day}.{latest.month:02d}.{latest.year}.")):
        client.post("/language", data={"lang": lang, "csrf_token": csrf_token(client.get("/").get_data(as_text=True))})
        refused_late = _text(_plan(client, visit.id, due_on=(today + timedelta(days=400)).isoformat()))
        assert words + day in refused_late, (lang, refused_late[refused_late.find(words) - 80:][:200])
        assert ".." not in refused_late.replace("...", "")
    client.post("/language", data={"lang": "en", "csrf_token": csrf_token(client.get("/").get_data(as_text=True))})
    missing = _text(_plan(client, visit.id, text="  ", due_on=""))
    assert "Say what will be done." in missing and "Choose the day it is due." in missing
    not_failed = client.post(f"/visits/{visit.id}/actions", follow_redirects=True, data={
        "csrf_token": csrf_token(client.get(f"/visits/{visit.id}").get_data(as_text=True)), "item_id": "smiled",
        "text": "x", "due_on": today.isoformat()})
    assert "An action can be planned only for a question that failed." in _text(not_failed)
    assert db.session.scalar(db.select(db.func.count(CorrectiveAction.id))) == 4


def test_another_branch_manager_sees_nothing_and_cannot_act(app, client, make_location, make_user, make_visit):
    _branch, _auditor, manager, visit = _setup(make_location, make_user, make_visit)
    make_location("RIX-01", "Brīvības iela", region="Riga")
    other = make_user("manager", name="Olga Other", locations=["RIX-01"])
    action = _action(visit, manager, local_today() + timedelta(days=5), "Secret plan of VLN-01")
    login(client, other.email)
    home = _text(client.get("/"))
    token = csrf_token(home)
    assert client.get(f"/visits/{visit.id}").status_code == 404
    assert client.post(f"/visits/{visit.id}/actions", data={
        "csrf_token": token, "item_id": "greeted_promptly", "text": "x",
        "due_on": local_today().isoformat()}).status_code == 404
    assert client.post(f"/actions/{action.id}/done", data={"csrf_token": token}).status_code == 404
    assert "Secret plan of VLN-01" not in home and "No open actions." in _open_actions(home)
    assert client.get("/actions").status_code == 404
    assert client.get("/office/locations/VLN-01").status_code == 404
    db.session.expire_all()
    assert db.session.get(CorrectiveAction, action.id).status == "open"
    assert db.session.scalar(db.select(db.func.count(CorrectiveAction.id))) == 1


def test_the_auditor_never_sees_actions(app, client, make_location, make_user, make_visit):
    _branch, auditor, manager, visit = _setup(make_location, make_user, make_visit)
    login(client, manager.email)
    _plan(client, visit.id)
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/").get_data(as_text=True))})
    action = db.session.scalar(db.select(CorrectiveAction))

    login(client, auditor.email)
    page = _text(client.get(f"/visits/{visit.id}"))  # their own visit: the page, without the actions
    assert 'id="went-wrong"' in page
    assert "Greet every customer" not in page and "Plan an action" not in page
    assert "corrective action" not in page
    token = csrf_token(page)
    assert client.post(f"/visits/{visit.id}/actions", data={
        "csrf_token": token, "item_id": "eye_contact", "text": "x",
        "due_on": local_today().isoformat()}).status_code == 404
    assert client.post(f"/actions/{action.id}/done", data={"csrf_token": token}).status_code == 404
    assert client.get("/actions").status_code == 404


def test_only_approved_visits_get_actions(app, client, make_location, make_user, make_visit):
    branch, auditor, manager, _visit = _setup(make_location, make_user, make_visit)
    reviewer = make_user("reviewer")
    submitted = make_visit(branch, auditor, FAILED, status="submitted")
    draft = make_visit(branch, auditor, FAILED, status="draft")
    login(client, reviewer.email)
    page = _text(client.get(f"/visits/{submitted.id}"))
    assert 'id="went-wrong"' in page and "Plan an action" not in page
    refused = client.post(f"/visits/{submitted.id}/actions", follow_redirects=True, data={
        "csrf_token": csrf_token(page), "item_id": "greeted_promptly", "text": "x",
        "due_on": local_today().isoformat()})
    assert "Corrective actions can be planned only for approved visits." in _text(refused)
    assert client.post(f"/visits/{draft.id}/actions", data={"csrf_token": csrf_token(page), "text": "x",
                                                            "due_on": local_today().isoformat()}).status_code == 302
    client.post("/logout", data={"csrf_token": csrf_token(page)})
    login(client, manager.email)  # a manager does not see visits before they are approved
    token = csrf_token(client.get("/").get_data(as_text=True))
    for visit in (submitted, draft):
        assert client.post(f"/visits/{visit.id}/actions", data={"csrf_token": token, "text": "x",
                                                                "due_on": local_today().isoformat()}).status_code == 404
    assert db.session.scalar(db.select(db.func.count(CorrectiveAction.id))) == 0


def test_the_forms_need_their_csrf_token(app, client, make_location, make_user, make_visit):
    _branch, _auditor, manager, visit = _setup(make_location, make_user, make_visit)
    action = _action(visit, manager, local_today() + timedelta(days=5), "Planned before")
    login(client, manager.email)
    assert client.post(f"/visits/{visit.id}/actions", data={
        "item_id": "greeted_promptly", "text": "x", "due_on": local_today().isoformat()}).status_code == 400
    assert client.post(f"/actions/{action.id}/done", data={"note": "x"}).status_code == 400
    assert db.session.scalar(db.select(db.func.count(CorrectiveAction.id))) == 1


def test_head_office_lists_open_actions_with_counts_region_filter_and_search(
        app, client, make_location, make_user, make_visit):
    vilnius, auditor, manager, visit = _setup(make_location, make_user, make_visit)
    riga = make_location("RIX-01", "Brīvības iela", region="Riga")
    reviewer = make_user("reviewer")
    riga_visit = make_visit(riga, auditor, FAILED)
    today = local_today()
    _action(visit, manager, today + timedelta(days=9), "Vilnius later")
    _action(visit, manager, today - timedelta(days=2), "Vilnius overdue")
    _action(riga_visit, reviewer, today + timedelta(days=1), "Riga soon", item_id=None)
    done = _action(riga_visit, reviewer, today + timedelta(days=1), "Riga finished")
    done.status, done.done_at, done.done_by_id = "done", utcnow(), reviewer.id
    db.session.commit()

    login(client, reviewer.email)
    home = _text(client.get("/"))
    assert 'href="/actions"' in home and "3 · 1 overdue" in home
    page = _text(client.get("/actions"))
    counts = page[page.index('id="action-counts"'):]
    assert re.search(r'<span class="count">3</span>open actions', counts)
    assert re.search(r'<span class="count">1</span>overdue', counts)
    order = [page.index(t) for t in ("Vilnius overdue", "Riga soon", "Vilnius later")]
    assert order == sorted(order) and "Riga finished" not in page
    assert f'href="/visits/{riga_visit.id}#went-wrong"' in page

    by_region = _text(client.get("/actions?region=Riga"))
    assert "Riga soon" in by_region and "Vilnius" not in by_region.split('id="action-counts"')[1]
    assert re.search(r'<span class="count">1</span>open action<', by_region)
    searched = _text(client.get("/actions?q=gedimino"))
    assert "Vilnius overdue" in searched and "Riga soon" not in searched
    assert "No open actions match these filters." in _text(client.get("/actions?q=nowhere"))

    branch = _text(client.get("/office/locations/RIX-01"))
    box = branch[branch.index('id="branch-actions"'):]
    assert "Riga soon" in box and "Riga finished" in box and "Vilnius later" not in box


def test_a_manager_sees_their_branch_page_actions(app, client, make_location, make_user, make_visit):
    _branch, _auditor, manager, visit = _setup(make_location, make_user, make_visit)
    _action(visit, manager, local_today() + timedelta(days=3), "Fix the queue sign")
    login(client, manager.email)
    page = _text(client.get("/office/locations/VLN-01"))
    assert "Fix the queue sign" in page[page.index('id="branch-actions"'):]


def test_the_visit_page_in_lithuanian(app, client, make_location, make_user, make_visit):
    _branch, _auditor, manager, visit = _setup(make_location, make_user, make_visit)
    _action(visit, manager, local_today() - timedelta(days=1), "Pasikalbėti su komanda")
    login(client, manager.email)
    lt = {"Accept-Language": "lt"}
    box = _went_wrong(_text(client.get(f"/visits/{visit.id}", headers=lt)))
    assert "Planuoti veiksmą" in box and "Plan an action" not in box
    assert "Vėluoja" in box and "Kas bus padaryta" in box and "Pažymėti atliktu" in box
    home = _text(client.get("/", headers=lt))
    assert "Atviri veiksmai" in home and "Open actions" not in home
