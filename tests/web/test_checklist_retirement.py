"""Retiring a checklist: no longer offered for new visits, while everything already done or
scheduled keeps working — through the real pages, API and commands."""
from __future__ import annotations

import io
import json
import re
from datetime import timedelta
from html import unescape

import pytest
from babel.dates import format_date
from sqlalchemy import func, select

from audit.extensions import db
from audit.models import Assignment, AuditLogEntry, Checklist, Visit
from audit.times import local_today
from tests.conftest import CHECKLIST_DIR, csrf_token
from tests.web.test_api import chain, create_token, visit_body  # noqa: F401
from tests.web.test_field_workflow import as_user, best_answers, people, schedule, start  # noqa: F401
from tests.web.test_import import run_import, write_store_visit_csv

RETIRE_BUTTON = "Retire this checklist"
USE_AGAIN = "Use it again"


def retired_at(key: str):
    db.session.expire_all()
    return db.session.scalar(select(Checklist.retired_at).where(Checklist.key == key))


def retire(client, key: str = "store-visit", undo: bool = False):
    """Press the button on the checklist page, as the signed-in user."""
    page = client.get(f"/checklists/{key}").get_data(as_text=True)
    return client.post(f"/checklists/{key}/{'reinstate' if undo else 'retire'}",
                       data={"csrf_token": csrf_token(page)}, follow_redirects=True)


def text_of(response) -> str:
    return unescape(re.sub(r"\s+", " ", response.get_data(as_text=True)))


def test_an_admin_retires_a_checklist_and_is_told_how_many_scheduled_visits_are_open(client, people):  # noqa: F811
    assignment = schedule(client, people)  # open: not started yet
    as_user(client, people["admin"])
    page = client.get("/checklists/store-visit").get_data(as_text=True)
    assert RETIRE_BUTTON in page and "data-confirm=" in page

    response = retire(client)
    assert response.request.path == "/checklists/store-visit"
    html = text_of(response)
    assert ("“In-store visit” retired: it is no longer offered for new visits. 1 visit scheduled before is still "
            "open and can still be made; cancel it if it is no longer wanted.") in html
    assert '<a href="/assignments">Scheduled visits</a>' in response.get_data(as_text=True)
    assert f"Retired on {format_date(local_today(), 'medium', locale='en_GB')}: not offered for new visits." in html
    assert USE_AGAIN in html and RETIRE_BUTTON not in html
    assert retired_at("store-visit") is not None
    entry = db.session.scalar(select(AuditLogEntry).where(AuditLogEntry.action == "checklist.retired"))
    assert entry.user_id == people["admin"].id and entry.details == {"checklist": "store-visit"}

    # The list of checklists marks it and puts it after the ones in use.
    listing = client.get("/checklists").get_data(as_text=True)
    order = re.findall(r'<a href="/checklists/([a-z-]+)"><strong>', listing)
    assert order == ["email-enquiry", "phone-enquiry", "store-visit"]
    assert listing.count(">retired</span>") == 1
    assert listing.index(">retired</span>") > listing.index('href="/checklists/store-visit"')

    # The Scheduled visits page still lists the open visit, marked, for cancelling.
    scheduled = client.get("/assignments").get_data(as_text=True)
    assert f'<tr data-assignment="{assignment.id}">' in scheduled and ">retired</span>" in scheduled

    # Taken back into use: offered again, and the history has both steps.
    again = text_of(retire(client, undo=True))
    assert "“In-store visit” is offered for new visits again. 1 scheduled visit of it is open." in again
    assert RETIRE_BUTTON in again and "Retired on" not in again
    assert retired_at("store-visit") is None
    assert db.session.scalar(select(func.count()).select_from(AuditLogEntry)
                             .where(AuditLogEntry.action == "checklist.reinstated")) == 1


def test_a_retired_checklist_is_not_offered_and_scheduling_it_is_refused_with_its_line(client, people):  # noqa: F811
    as_user(client, people["admin"])
    retire(client)
    as_user(client, people["reviewer"])
    page = client.get("/assignments").get_data(as_text=True)
    assert '<option value="phone-enquiry">' in page and '<option value="store-visit"' not in page

    # A form sent from a page opened before the retirement (it still had the option) says why.
    today = local_today()
    response = client.post("/assignments", data={
        "one-location": "VLN-01", "one-checklist": "store-visit", "one-auditor": people["auditor"].email,
        "one-due_from": today.isoformat(), "one-due_until": (today + timedelta(days=3)).isoformat(),
        "one-csrf_token": csrf_token(page)})
    html = response.get_data(as_text=True)  # beside the checklist field, without the CSV's prefix
    assert "checklist &#39;store-visit&#39; is retired" in html and "assignment 1" not in html

    # In a CSV file the line is named; the other checklists' lines are fine, and nothing is stored.
    csv_text = ("location_code,checklist,auditor,scenario,due_from,due_until,notes\n"
                f"VLN-01,phone-enquiry,{people['auditor'].email},,{today},{today + timedelta(days=3)},\n"
                f"VLN-01,store-visit,{people['auditor'].email},,{today},{today + timedelta(days=3)},\n")
    response = client.post("/assignments/import", data={
        "csv-csrf_token": csrf_token(page), "csv-file": (io.BytesIO(csv_text.encode()), "plan.csv")},
        content_type="multipart/form-data")
    assert response.status_code == 400
    errors = re.findall(r'<li class="error">([^<]*)</li>', response.get_data(as_text=True))
    assert [unescape(e) for e in errors] == ["line 3: checklist: checklist 'store-visit' is retired"]
    assert db.session.scalar(select(func.count()).select_from(Assignment)) == 0


def test_a_visit_scheduled_before_the_retirement_can_still_be_started_and_finished(client, people):  # noqa: F811
    assignment = schedule(client, people)
    as_user(client, people["admin"])
    assert "1 visit scheduled before is still open" in text_of(retire(client))

    client_uuid, page = start(client, people, assignment)
    fields = {"csrf_token": csrf_token(page), "action": "submit", **best_answers(people["store"])}
    response = client.post(f"/visits/{client_uuid}/fill", data=fields, follow_redirects=True)
    assert "Visit submitted. Score: 100.0" in response.get_data(as_text=True)
    visit = db.session.scalar(select(Visit).where(Visit.uuid == client_uuid))
    assert visit.status == "submitted" and visit.assignment_id == assignment.id


def test_the_api_refuses_a_new_visit_of_a_retired_checklist_but_accepts_a_retry_of_an_earlier_one(
        client, chain, runner):  # noqa: F811
    _, tokens = chain
    earlier = visit_body()
    assert client.post("/api/v1/visits", json=earlier, headers=tokens["auditor"]).status_code == 201
    result = runner.invoke(args=["retire-checklist", "store-visit"])
    assert result.exit_code == 0, result.output

    listed = {c["id"]: c["retired"] for c in client.get("/api/v1/checklists", headers=tokens["auditor"]).json}
    assert listed["store-visit"] is True and listed["phone-enquiry"] is False  # a tablet can leave it out
    response = client.post("/api/v1/visits", json=visit_body(), headers=tokens["auditor"])
    assert response.status_code == 400
    assert response.json["details"] == {"checklist": "checklist 'store-visit' is retired: it is not used for new "
                                                     "visits (only visits scheduled before can still be made)"}
    assert client.post("/api/v1/visits", json=visit_body(checklist="phone-enquiry", answers={}),
                       headers=tokens["auditor"]).json["details"].get("checklist") is None
    # A tablet sending again what it sent before the retirement gets the same visit.
    assert client.post("/api/v1/visits", json=earlier, headers=tokens["auditor"]).status_code == 200
    assert db.session.scalar(select(func.count()).select_from(Visit)) == 1


def test_past_visits_of_a_retired_checklist_are_imported_and_keep_counting(client, runner, people, tmp_path):  # noqa: F811
    as_user(client, people["admin"])
    retire(client)
    path = tmp_path / "past.csv"
    write_store_visit_csv(path, visits=6, seed=3)
    imported = run_import(runner, path)
    assert imported.exit_code == 0, imported.output
    assert "6 visits imported" in imported.output

    stats = runner.invoke(args=["stats", "--checklist", "store-visit", "--json"])
    assert stats.exit_code == 0, stats.output
    assert json.loads(stats.output)["visits"] == 6

    dashboard = client.get("/office?checklist=store-visit")
    assert dashboard.status_code == 200
    options = re.findall(r'<option (?:selected )?value="([a-z-]+)"[^>]*>([^<]*)</option>',
                         dashboard.get_data(as_text=True).split('name="checklist"', 1)[1].split("</select>")[0])
    assert options == [("email-enquiry", "E-mail enquiry"), ("phone-enquiry", "Phone enquiry"),
                       ("store-visit", "In-store visit (retired)")]


def test_loading_a_changed_file_stores_a_new_version_but_does_not_take_the_checklist_back(runner, tmp_path):
    assert runner.invoke(args=["load-checklists"]).exit_code == 0
    result = runner.invoke(args=["retire-checklist", "store-visit"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].startswith("store-visit retired: not offered for new visits")

    changed = tmp_path / "store-visit.yaml"
    changed.write_text((CHECKLIST_DIR / "store-visit.yaml").read_text(encoding="utf-8")
                       .replace("weight: 2", "weight: 3", 1), encoding="utf-8")
    loaded = runner.invoke(args=["load-checklists", str(changed)])
    assert loaded.exit_code == 0, loaded.output
    assert loaded.output.splitlines() == [
        "store-visit: version 2 (new version) from store-visit.yaml — retired, not offered for new visits "
        "(to use it again: audit retire-checklist store-visit --undo)"]
    assert retired_at("store-visit") is not None
    assert "phone-enquiry: version 1 (unchanged) from phone-enquiry.yaml\n" in runner.invoke(
        args=["load-checklists"]).output  # the others say nothing of retirement


def test_the_command_says_what_it_did_and_an_unknown_key_is_an_error(runner, people):  # noqa: F811
    _schedule_directly(people)
    result = runner.invoke(args=["retire-checklist", "store-visit"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[1] == (
        "1 scheduled visit(s) of it still open (not started, drafts or returned): they can still be made; cancel "
        "those no longer wanted on the Scheduled visits page (/assignments)")
    again = runner.invoke(args=["retire-checklist", "store-visit"])
    assert again.output.startswith("store-visit was already retired on ")
    undo = runner.invoke(args=["retire-checklist", "store-visit", "--undo"])
    assert undo.output.splitlines() == ["store-visit is offered for new visits again", "1 scheduled visit(s) of it open"]
    assert retired_at("store-visit") is None

    unknown = runner.invoke(args=["retire-checklist", "store-vist"])
    assert unknown.exit_code == 1
    assert unknown.output.strip() == "error: no checklist 'store-vist' (loaded: email-enquiry, phone-enquiry, store-visit)"


def _schedule_directly(cast: dict) -> Assignment:
    assignment = Assignment(location=cast["location"], checklist=db.session.scalar(
        select(Checklist).where(Checklist.key == "store-visit")), auditor=cast["auditor"],
        due_from=local_today(), due_until=local_today() + timedelta(days=3))
    db.session.add(assignment)
    db.session.commit()
    return assignment


@pytest.mark.parametrize("role", ["reviewer", "auditor"])
def test_only_admins_see_the_buttons_others_see_the_notice(client, people, role):  # noqa: F811
    as_user(client, people[role])
    page = client.get("/checklists/store-visit").get_data(as_text=True)
    assert RETIRE_BUTTON not in page and "/checklists/store-visit/retire" not in page
    refused = client.post("/checklists/store-visit/retire", data={"csrf_token": csrf_token(page)})
    assert refused.status_code == 404 and retired_at("store-visit") is None

    as_user(client, people["admin"])
    retire(client)
    as_user(client, people[role])
    page = text_of(client.get("/checklists/store-visit"))
    assert "Retired on" in page and ": not offered for new visits." in page
    assert USE_AGAIN not in page
    refused = client.post("/checklists/store-visit/reinstate",
                          data={"csrf_token": csrf_token(client.get("/").get_data(as_text=True))})
    assert refused.status_code == 404 and retired_at("store-visit") is not None


def test_without_the_csrf_token_nothing_is_retired(client, people):  # noqa: F811
    as_user(client, people["admin"])
    response = client.post("/checklists/store-visit/retire", data={})
    assert response.status_code == 400 and retired_at("store-visit") is None


def test_the_page_and_the_message_in_lithuanian(client, people):  # noqa: F811
    home = as_user(client, people["admin"])
    client.post("/language", data={"lang": "lt", "csrf_token": csrf_token(home)})
    page = client.get("/checklists/store-visit").get_data(as_text=True)
    assert "Nebenaudoti šio klausimyno" in page
    html = text_of(retire(client))
    assert "nebesiūlomas naujiems apsilankymams" in html
    assert "Naudoti vėl" in html
    assert "Retire" not in html and "Retired on" not in html and "Use it again" not in html
