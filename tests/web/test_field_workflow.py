"""Scheduling, filling, submitting, reviewing and disputing a visit through real HTTP requests."""
from __future__ import annotations

from html import escape as html_escape

import io
import re
import uuid
from html import unescape
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from audit.extensions import db
from audit.models import Answer, Assignment, AuditLogEntry, Visit
from audit.times import local_today
from tests.conftest import csrf_token, login


def best_answers(definition, complaint: bool = False) -> dict[str, str]:
    """Form fields answering every shown question of the in-store checklist as well as possible."""
    fields = {}
    for item in definition.items:
        if item.id == "complaint_scenario":
            fields[f"answer-{item.id}"] = "yes" if complaint else "no"
        elif item.show_if and item.show_if.item == "complaint_scenario" and not complaint:
            continue
        elif item.type in ("yes_no", "yes_no_na"):
            fields[f"answer-{item.id}"] = "yes"
        elif item.type == "scale":
            fields[f"answer-{item.id}"] = str(item.max)
        elif item.type == "choice":
            fields[f"answer-{item.id}"] = max(item.options, key=lambda o: o.score).id
        elif item.type == "number":
            fields[f"answer-{item.id}"] = "1"
    return fields


@pytest.fixture
def people(make_user, make_location, checklists):
    location = make_location("VLN-01", "Vilnius Akropolis")
    make_location("RIX-01", "Rīga Alfa", region="Rīga")
    return {
        "admin": make_user("admin"), "reviewer": make_user("reviewer"),
        "auditor": make_user("auditor", name="Ona Auditorė"), "other": make_user("auditor"),
        "manager": make_user("manager", locations=["VLN-01"]), "location": location,
        "store": checklists["store-visit"].parsed,
    }


def as_user(client, user):
    """Sign in as ``user`` in a fresh session (like handing the tablet to someone else)."""
    client.delete_cookie("session")
    return login(client, user.email).get_data(as_text=True)


def schedule(client, people, **overrides) -> Assignment:
    html = as_user(client, people["reviewer"])
    page = client.get("/assignments").get_data(as_text=True)
    data = {"one-location": "VLN-01", "one-checklist": "store-visit", "one-auditor": people["auditor"].email,
            "one-scenario": "Buy a gift", "one-due_from": local_today().isoformat(),
            "one-due_until": (local_today() + timedelta(days=3)).isoformat(), "one-notes": "",
            "one-csrf_token": csrf_token(page), **overrides}
    response = client.post("/assignments", data=data, follow_redirects=True)
    assert "Visit scheduled." in response.get_data(as_text=True), html
    return db.session.scalars(select(Assignment).order_by(Assignment.id.desc())).first()


def start(client, people, assignment) -> tuple[str, str]:
    home = as_user(client, people["auditor"])
    assert "Vilnius Akropolis" in home and "Buy a gift" in home
    client_uuid = str(uuid.uuid4())
    response = client.post(f"/assignments/{assignment.id}/start",
                           data={"client_uuid": client_uuid, "csrf_token": csrf_token(home)})
    assert response.status_code == 302 and response.headers["Location"] == f"/visits/{client_uuid}/fill"
    page = client.get(f"/visits/{client_uuid}/fill").get_data(as_text=True)
    return client_uuid, page


def test_checklists_are_named_by_their_title_in_the_user_s_language(client, people):
    assignment = schedule(client, people)
    client.post("/language", data={"lang": "lt", "csrf_token": csrf_token(client.get("/").get_data(as_text=True))})
    title = people["store"].title.lt
    page = client.get("/assignments").get_data(as_text=True)
    assert f'<option value="store-visit">{title}</option>' in page
    assert f"<td>{title}</td>" in page and "<td>store-visit</td>" not in page
    home = as_user(client, people["auditor"])
    client.post("/language", data={"lang": "lt", "csrf_token": csrf_token(home)})
    home = client.get("/").get_data(as_text=True)
    assert f"{assignment.scenario} · {title} ·" in home


def test_scheduling_rejects_bad_windows_and_keeps_the_form(client, people):
    as_user(client, people["reviewer"])
    page = client.get("/assignments").get_data(as_text=True)
    response = client.post("/assignments", data={
        "one-location": "VLN-01", "one-checklist": "store-visit", "one-auditor": people["auditor"].email,
        "one-scenario": "Return a kettle", "one-due_from": "2099-12-10", "one-due_until": "2099-12-01",
        "one-csrf_token": csrf_token(page)})
    html = response.get_data(as_text=True)
    assert "The end of the window must not be before its start." in html
    assert 'value="Return a kettle"' in html
    past = client.post("/assignments", data={
        "one-location": "VLN-01", "one-checklist": "store-visit", "one-auditor": people["auditor"].email,
        "one-scenario": "Return a kettle", "one-due_from": "2020-01-01", "one-due_until": "2020-01-05",
        "one-csrf_token": csrf_token(page)}).get_data(as_text=True)
    assert "This day has passed; a visit window must end today or later." in past
    assert db.session.scalar(select(func.count()).select_from(Assignment)) == 0



def post_window(client, people, url: str, due_from: str, due_until: str) -> str:
    """The schedule form (``/assignments``) or the round form sent with this window; the page answering."""
    prefix = "one-" if url == "/assignments" else ""
    page = client.get(url).get_data(as_text=True)
    fields = {"location": "VLN-01", "checklist": "store-visit", "auditor": people["auditor"].email,
              "auditors": [people["auditor"].email], "scenario": "Buy a gift", "due_from": due_from,
              "due_until": due_until, "csrf_token": csrf_token(page)}
    return unescape(client.post(url, data={prefix + key: value for key, value in fields.items()}).get_data(as_text=True))


def box_errors(html: str, name: str) -> tuple[str, list[str]]:
    """The value in the date box ``name`` and the errors beside it."""
    box = re.search(rf'<input id="(?:one-)?{name}"[^>]*value="([^"]*)"[^>]*>(.*?)</label>', html, re.S)
    assert box, f"no box {name}"
    return box.group(1), re.findall(r'<span class="error">([^<]*)</span>', box.group(2))


@pytest.mark.parametrize("url", ["/assignments", "/assignments/round"])
def test_a_day_that_does_not_exist_is_named_and_stays_in_its_box(client, people, url):
    """30 February was "This field is required.", beside a box a browser then showed empty."""
    as_user(client, people["reviewer"])
    later = (local_today() + timedelta(days=3)).isoformat()
    html = post_window(client, people, url, "2026-02-30", later)
    assert box_errors(html, "due_from") == ("2026-02-30", ["“2026-02-30” is not a date."])
    assert "This field is required." not in html
    for empty in ("", " "):
        assert box_errors(post_window(client, people, url, empty, later), "due_from")[1] == ["This field is required."]
    assert db.session.scalar(select(func.count()).select_from(Assignment)) == 0


@pytest.mark.parametrize("url", ["/assignments", "/assignments/round"])
def test_a_window_too_far_ahead_or_too_long_is_said_beside_the_box_as_a_sentence(client, people, url):
    """The schedule form used to show the service's "2030-01-05 is more than two years ahead; check
    the year": an ISO date inside a translated sentence, with no full stop."""
    as_user(client, people["reviewer"])
    far = local_today() + timedelta(days=800)
    html = post_window(client, people, url, (far - timedelta(days=3)).isoformat(), far.isoformat())
    assert box_errors(html, "due_until") == (far.isoformat(), ["More than two years ahead: check the year."])
    long = post_window(client, people, url, local_today().isoformat(), (local_today() + timedelta(days=400)).isoformat())
    assert box_errors(long, "due_until")[1] == ["A visit window can be at most a year long: check the years."]
    assert box_errors(long, "due_from")[1] == []
    assert db.session.scalar(select(func.count()).select_from(Assignment)) == 0

def test_csv_scheduling_is_all_or_nothing_with_line_errors(client, people):
    as_user(client, people["admin"])
    page = client.get("/assignments").get_data(as_text=True)
    start, end = local_today() + timedelta(days=1), local_today() + timedelta(days=5)
    good = f"VLN-01,store-visit,{people['auditor'].email},Buy a gift,{start},{end},\n"
    csv_text = ("location_code,checklist,auditor,scenario,due_from,due_until,notes\n" + good
                + f"NOPE-9,store-visit,{people['auditor'].email},x,{start},{end},\n"
                + f"RIX-01,store-visit,{people['manager'].email},x,{start},31/12/2026,\n")
    response = client.post("/assignments/import", data={
        "csv-csrf_token": csrf_token(page), "csv-file": (io.BytesIO(csv_text.encode()), "plan.csv")},
        content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "line 3: location_code: unknown or inactive location &#39;NOPE-9&#39;" in html
    assert "line 4: due_until: &#39;31/12/2026&#39; is not a date like 2026-12-01" in html  # day or month first?
    assert html.index("line 3: location_code") < html.index("line 4: due_until")
    assert db.session.scalar(select(func.count()).select_from(Assignment)) == 0
    # the same file, explained in Lithuanian (column names stay as in the CSV header)
    client.post("/language", data={"lang": "lt", "csrf_token": csrf_token(page)})
    page = client.get("/assignments").get_data(as_text=True)
    response = client.post("/assignments/import", data={
        "csv-csrf_token": csrf_token(page), "csv-file": (io.BytesIO(csv_text.encode()), "plan.csv")},
        content_type="multipart/form-data")
    html = unescape(response.get_data(as_text=True))
    assert "eilutė 3: location_code: nežinomas arba neaktyvus padalinys „NOPE-9“" in html
    assert "eilutė 4: due_until: „31/12/2026“ nėra data, pvz., 2026-12-01" in html
    assert "line 3" not in html
    due_from = re.search(r'<input[^>]*name="one-due_from"[^>]*>', html).group(0)
    assert re.search(r'value="\d{4}-\d{2}-\d{2}"', due_from), due_from  # the single form keeps its defaults
    client.post("/language", data={"lang": "en", "csrf_token": csrf_token(page)})
    dotted = f"{start:%d.%m.%Y},{end:%d.%m.%Y}"  # as Excel writes days in Lithuanian, Latvian, Russian settings
    ok = ("location_code,checklist,auditor,scenario,due_from,due_until,notes\n" + good
          + good.replace("Buy a gift", "Return an item") + good.replace("Buy a gift", "Ask for advice").replace(
              f"{start},{end}", dotted))
    response = client.post("/assignments/import", data={
        "csv-csrf_token": csrf_token(page), "csv-file": (io.BytesIO(("\ufeff" + ok).encode()), "plan.csv")},
        content_type="multipart/form-data", follow_redirects=True)
    assert "3 visits scheduled." in response.get_data(as_text=True)
    advice = db.session.scalar(select(Assignment).where(Assignment.scenario == "Ask for advice"))
    assert (advice.due_from, advice.due_until) == (start, end)
    # Excel in Lithuanian, Latvian or Russian settings writes ";"; a window already over is refused.
    semicolons = (ok.replace(",", ";") + f"VLN-01;store-visit;{people['auditor'].email};x;2020-01-01;2020-01-05;\n")
    response = client.post("/assignments/import", data={
        "csv-csrf_token": csrf_token(page), "csv-file": (io.BytesIO(semicolons.encode()), "plan.csv")},
        content_type="multipart/form-data")
    html = unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert "line 5: due_until: 2020-01-05 has passed; a visit window must end today or later" in html
    assert "unknown column (use" not in html and "missing column" not in html


def test_csv_scheduling_names_every_problem_of_a_row_and_says_so_at_the_top(client, people):
    """A row's problems all at once (only its date was named, the rest after the next upload);
    short and long rows named as such ("'None' is not a date"); codes in any case; windows that
    are typing mistakes refused; the failure announced where the user is looking."""
    as_user(client, people["admin"])
    page = client.get("/assignments").get_data(as_text=True)
    start, end = local_today() + timedelta(days=1), local_today() + timedelta(days=5)
    auditor = people["auditor"].email
    header = "location_code,checklist,auditor,scenario,due_from,due_until,notes\n"

    def upload(body: str):
        response = client.post("/assignments/import", data={
            "csv-csrf_token": csrf_token(page), "csv-file": (io.BytesIO((header + body).encode()), "plan.csv")},
            content_type="multipart/form-data")
        return response, unescape(response.get_data(as_text=True))

    response, html = upload(f"NOPE-9,nope,{people['manager'].email},x,2026-13-01,{end},\n"
                            f"VLN-01,store-visit,{auditor},x\n"
                            f"VLN-01,store-visit,{auditor},x,{start},{end},note,extra\n"
                            f"VLN-01,store-visit,{auditor},x,{start},{local_today() + timedelta(days=800)},\n"
                            f"VLN-01,store-visit,{auditor},x,1900-01-01,{end},\n"
                            f"VLN-01,store-visit,{auditor},x,{start},{end},{'n' * 2001}\n")
    assert response.status_code == 400
    for expected in ("line 2: location_code: unknown or inactive location 'NOPE-9'",
                     "line 2: checklist: unknown checklist 'nope'",
                     f"line 2: auditor: '{people['manager'].email}' is not an active auditor",
                     "line 2: due_from: '2026-13-01' is not a date like 2026-12-01",
                     "line 3: 4 values, but the header has 7 columns",
                     "line 4: 8 values, but the header has 7 columns",
                     "is more than two years ahead; check the year",
                     "line 6: due_from: a visit window can be at most a year long; check the year of 1900-01-01",
                     "line 7: notes: at most 2000 characters"):
        assert expected in html, expected
    assert "None" not in html
    assert "Nothing was scheduled: the file has 9 problems, listed under the file." in html
    assert db.session.scalar(select(func.count()).select_from(Assignment)) == 0
    # A location code in lower case is the same branch (codes are unique whatever their case).
    response = client.post("/assignments/import", data={
        "csv-csrf_token": csrf_token(page),
        "csv-file": (io.BytesIO((header + f"vln-01,store-visit,{auditor},x,{start},{end},\n").encode()), "p.csv")},
        content_type="multipart/form-data", follow_redirects=True)
    assert "1 visit scheduled." in response.get_data(as_text=True)
    no_file = client.post("/assignments/import", data={"csv-csrf_token": csrf_token(page)},
                          content_type="multipart/form-data").get_data(as_text=True)
    assert "Choose a CSV file to import." in no_file


def test_fill_autosave_submit_review_resubmit_approve_dispute(client, people):
    store = people["store"]
    assignment = schedule(client, people)
    client_uuid, page = start(client, people, assignment)
    token = csrf_token(page)
    # A retried start with the same UUID opens the same visit.
    again = client.post(f"/assignments/{assignment.id}/start", data={"client_uuid": client_uuid, "csrf_token": token})
    assert again.headers["Location"] == f"/visits/{client_uuid}/fill"
    assert db.session.scalar(select(func.count()).select_from(Visit)) == 1

    # Autosave: good values are stored, a bad one is named and the rest is kept.
    first_yes_no = next(i for i in store.items if i.type == "yes_no_na")
    number = next(i for i in store.items if i.type == "number")
    response = client.post(f"/visits/{client_uuid}/draft", headers={"X-CSRFToken": token},
                           json={"answers": {first_yes_no.id: "yes", number.id: "ten"},
                                 "comments": {first_yes_no.id: "door open"}, "details": {"scenario": "Buy a gift card"}})
    assert response.status_code == 200
    assert response.json["errors"] == {number.id: "Enter a number."}
    assert response.json["progress"]["answered"] == 1
    visit = db.session.scalar(select(Visit).where(Visit.uuid == client_uuid))
    db.session.refresh(visit)
    assert {a.item_id: a.value for a in visit.answers} == {first_yes_no.id: "yes"}
    assert visit.scenario == "Buy a gift card"
    # Without the CSRF header the autosave is refused.
    assert client.post(f"/visits/{client_uuid}/draft", json={"answers": {}}).status_code == 400

    # Submitting with questions missing keeps every answer and names what is missing.
    response = client.post(f"/visits/{client_uuid}/fill", data={"csrf_token": token, "action": "submit",
                                                               f"answer-{number.id}": "3"})
    html = response.get_data(as_text=True)
    assert "Some answers need attention" in html and "An answer is required." in html
    assert f'name="answer-{number.id}" value="3"' in html
    assert 'value="yes" checked' in html

    # Submit everything: scored, and a second identical POST is harmless.
    fields = {"csrf_token": token, "action": "submit", **best_answers(store)}
    response = client.post(f"/visits/{client_uuid}/fill", data=fields, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Visit submitted. Score: 100.0" in html
    db.session.expire_all()
    visit = db.session.scalar(select(Visit).where(Visit.uuid == client_uuid))
    assert visit.status == "submitted" and visit.score == pytest.approx(100.0)
    repeat = client.post(f"/visits/{client_uuid}/fill", data=fields)
    assert repeat.status_code == 302 and repeat.headers["Location"] == f"/visits/{visit.id}"
    changed = client.post(f"/visits/{client_uuid}/fill", data={**fields, f"answer-{number.id}": "9"})
    assert changed.status_code == 409
    assert "already submitted" in changed.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(Answer.value).join(Visit).where(
        Visit.uuid == client_uuid, Answer.item_id == number.id)) == "1"  # nothing changed
    late = client.post(f"/visits/{client_uuid}/draft", headers={"X-CSRFToken": token}, json={"answers": {}})
    assert late.status_code == 409

    # Another auditor cannot open or change it.
    as_user(client, people["other"])
    assert client.get(f"/visits/{client_uuid}/fill").status_code == 404
    assert client.get(f"/visits/{visit.id}").status_code == 404

    # The reviewer returns it with a comment on one question.
    html = as_user(client, people["reviewer"])
    assert "Vilnius Akropolis" in html  # waiting for review
    page = client.get(f"/visits/{visit.id}").get_data(as_text=True)
    assert 'id="approve"' in page
    client.post(f"/visits/{visit.id}/return", data={"csrf_token": csrf_token(page), "note": "",
                                                   f"note-{number.id}": "Was it really one minute?"})
    db.session.expire_all()
    assert db.session.get(Visit, visit.id).status == "returned"
    # The note stands under its question, which ends in "?" and takes no colon after it.
    asked = number.text.get("en")
    assert asked.endswith("?")
    assert f"<strong>{html_escape(asked)}</strong> Was it really one minute?" in client.get(
        f"/visits/{visit.id}").get_data(as_text=True)

    # The auditor's home says the visit came back; the fill page shows the comment. The auditor
    # fixes the answer (now a comment is required) and resubmits.
    home = as_user(client, people["auditor"])
    assert "Returned by the reviewer: see the notes" in home
    page = client.get(f"/visits/{client_uuid}/fill").get_data(as_text=True)
    assert "Was it really one minute?" in page
    fields = {**fields, "csrf_token": csrf_token(page), f"answer-{number.id}": "12"}
    response = client.post(f"/visits/{client_uuid}/fill", data=fields, follow_redirects=True)
    html = response.get_data(as_text=True)
    if number.comment_required_on_fail:
        assert "a comment is required here" in html
        fields[f"comment-{number.id}"] = "Nobody came for 12 minutes."
        html = client.post(f"/visits/{client_uuid}/fill", data=fields, follow_redirects=True).get_data(as_text=True)
    assert "Visit submitted." in html
    db.session.expire_all()
    visit = db.session.get(Visit, visit.id)
    assert visit.status == "submitted" and visit.score < 100
    assert all(c.resolved_at for c in visit.review_comments)

    # The reviewer approves.
    as_user(client, people["reviewer"])
    page = client.get(f"/visits/{visit.id}").get_data(as_text=True)
    client.post(f"/visits/{visit.id}/approve", data={"csrf_token": csrf_token(page)})
    db.session.expire_all()
    assert db.session.get(Visit, visit.id).status == "approved"
    score_before = db.session.get(Visit, visit.id).score

    # The branch manager disputes the waiting-time answer; the reviewer overturns it.
    as_user(client, people["manager"])
    page = client.get(f"/visits/{visit.id}").get_data(as_text=True)
    assert "Dispute this answer" in page
    # The review between reviewer and auditor is internal: the manager reads the approved result.
    assert "Was it really one minute?" not in page and "Reviewer comments" not in page
    client.post(f"/visits/{visit.id}/disputes", data={"csrf_token": csrf_token(page), "item_id": number.id,
                                                     "reason": "Our queue log shows 2 minutes."})
    manager_home = client.get("/").get_data(as_text=True)
    mine = manager_home[manager_home.index('id="branch-disputes"'):]
    mine = mine[:mine.index("</ul>")]
    assert ">Open<" in mine and number.text.en in mine and "waiting for a reviewer" in mine
    home = as_user(client, people["reviewer"])
    # the reviewer's list of open disputes names the branch, the visit's day and the question, not its id
    disputes = home[home.index('id="open-disputes"'):]
    disputes = disputes[:disputes.index("</ul>")]
    assert f"· {number.text.en}" in disputes and f"· {number.id}" not in disputes
    assert visit.location.code in disputes and "Our queue log shows 2 minutes." in disputes
    page = client.get(f"/visits/{visit.id}").get_data(as_text=True)
    assert "Our queue log shows 2 minutes." in page
    dispute_id = db.session.get(Visit, visit.id).disputes[0].id
    client.post(f"/disputes/{dispute_id}/decide", data={"csrf_token": csrf_token(page), "decision": "overturn",
                                                        "new_value": "2", "note": "Checked the log."})
    db.session.expire_all()
    visit = db.session.get(Visit, visit.id)
    answer = db.session.scalar(select(Answer).where(Answer.visit_id == visit.id, Answer.item_id == number.id))
    assert answer.value == "2" and visit.disputes[0].status == "overturned"
    assert visit.score > score_before
    actions = db.session.scalars(select(AuditLogEntry.action).where(AuditLogEntry.object_id == str(visit.id),
                                                                    AuditLogEntry.object_type == "visit")).all()
    assert actions == ["visit.started", "visit.submitted", "visit.returned", "visit.resubmitted",
                       "visit.approved", "dispute.raised", "dispute.overturned"]
    page = client.get(f"/visits/{visit.id}").get_data(as_text=True)
    assert "overturned a dispute; the score changed" in page
    # The manager's home tells them how it ended: the answer before and after, and the note.
    manager_home = as_user(client, people["manager"])
    mine = manager_home[manager_home.index('id="branch-disputes"'):]
    mine = mine[:mine.index("</ul>")]
    assert "Overturned" in mine and "Checked the log." in mine and "→" in mine


def test_visit_time_typed_in_vilnius_time_is_stored_as_utc(client, people):
    assignment = schedule(client, people)
    client_uuid, page = start(client, people, assignment)
    # 14:30 in Vilnius in January (UTC+2) is 12:30 UTC; in July (UTC+3) it is 11:30 UTC.
    for typed, stored in (("2026-01-15T14:30", "2026-01-15 12:30:00"), ("2026-07-15T14:30", "2026-07-15 11:30:00")):
        client.post(f"/visits/{client_uuid}/fill", data={"csrf_token": csrf_token(page), "action": "save",
                                                        "visited_at": typed})
        db.session.expire_all()
        assert str(db.session.scalar(select(Visit.visited_at).where(Visit.uuid == client_uuid))) == stored
        page = client.get(f"/visits/{client_uuid}/fill").get_data(as_text=True)
        assert f'value="{typed}"' in page  # shown back in local time
    future = client.post(f"/visits/{client_uuid}/fill", data={"csrf_token": csrf_token(page), "action": "save",
                                                             "visited_at": "2099-01-01T10:00"})
    assert "The visit cannot be in the future." in future.get_data(as_text=True)
    client.post("/language", data={"csrf_token": csrf_token(page), "lang": "lt"})
    ancient = client.post(f"/visits/{client_uuid}/fill", data={"csrf_token": csrf_token(page), "action": "save",
                                                              "visited_at": "1026-01-15T14:30"})
    assert "Apsilankymas negali būti anksčiau nei 2000 m. sausio 1 d.: patikrinkite metus." in ancient.get_data(as_text=True)
    db.session.expire_all()
    assert str(db.session.scalar(select(Visit.visited_at).where(Visit.uuid == client_uuid))) == "2026-07-15 11:30:00"
    # A cleared date is named, not silently replaced by the stored one (the tablet said "not
    # saved, see the marked answers" with nothing marked), by the autosave and by the form.
    client.post("/language", data={"csrf_token": csrf_token(page), "lang": "en"})
    page = client.get(f"/visits/{client_uuid}/fill").get_data(as_text=True)
    cleared = client.post(f"/visits/{client_uuid}/draft", headers={"X-CSRFToken": csrf_token(page)},
                          json={"details": {"visited_at": ""}})
    assert cleared.json["errors"] == {"visited_at": "Enter the day and time of the visit."}
    submitted = client.post(f"/visits/{client_uuid}/fill", data={"csrf_token": csrf_token(page), "action": "submit",
                                                                "visited_at": ""}).get_data(as_text=True)
    assert "Enter the day and time of the visit." in submitted
    db.session.expire_all()
    visit = db.session.scalar(select(Visit).where(Visit.uuid == client_uuid))
    assert visit.status == "draft" and str(visit.visited_at) == "2026-07-15 11:30:00"


def test_a_refused_save_gives_back_what_was_typed_not_what_was_stored(client, people):
    """Without the page's script (or when it is bypassed by the Save button) a refused field is
    shown as typed, next to its message: a wrong date or number is corrected, not retyped."""
    client_uuid, page = start(client, people, schedule(client, people))
    number = next(i for i in people["store"].items if i.type == "number")
    response = client.post(f"/visits/{client_uuid}/fill", data={
        "csrf_token": csrf_token(page), "action": "save", "visited_at": "2099-06-01T10:00",
        f"answer-{number.id}": "-5", f"comment-{number.id}": "Queue of twelve people",
    })
    html = response.get_data(as_text=True)
    assert 'value="2099-06-01T10:00"' in html and "The visit cannot be in the future." in html
    assert f'name="answer-{number.id}"' in html and 'value="-5"' in html
    assert "The number cannot be negative." in html and "Queue of twelve people" in html


def test_a_decimal_comes_back_written_the_way_the_auditors_language_writes_it(client, people):
    client_uuid, page = start(client, people, schedule(client, people))
    client.post("/language", data={"lang": "ru", "csrf_token": csrf_token(page)})
    number = next(i for i in people["store"].items if i.type == "number")
    client.post(f"/visits/{client_uuid}/fill", data={"csrf_token": csrf_token(page), "action": "save",
                                                     f"answer-{number.id}": "2,5"})
    assert db.session.scalar(select(Answer.value).join(Visit).where(
        Visit.uuid == client_uuid, Answer.item_id == number.id)) == "2.5"
    html = client.get(f"/visits/{client_uuid}/fill").get_data(as_text=True)
    field = re.search(rf'<input[^>]*name="answer-{number.id}"[^>]*>', html).group(0)
    assert 'value="2,5"' in field


def test_the_schedulers_notes_are_on_the_fill_page(client, people):
    """The briefing was only on the home page's list: in the shop, with the checklist open, the
    auditor could not look up "ask for Laura"."""
    assignment = schedule(client, people, **{"one-notes": "Book online first.\nAsk for Laura <at the till>."})
    _uuid, page = start(client, people, assignment)
    briefing = re.search(r'<div class="briefing" id="briefing">(.*?)</div>', page, re.S)
    assert briefing and "Book online first.\nAsk for Laura &lt;at the till&gt;." in briefing.group(1)
    assert "To visit from" in page
    # The checklist's own instructions ("shown to auditors before they start", the format says).
    assert ('<p id="checklist-description">Mystery shopping visit to a store. Follow the whole customer journey'
            in page)


def test_a_failure_waiting_for_its_comment_is_not_counted_as_answered(client, people):
    """The server's count (first shown, and returned by every autosave) agrees with the page's."""
    _uuid, page = start(client, people, schedule(client, people))
    save = client.post(f"/visits/{_uuid}/draft", headers={"X-CSRFToken": csrf_token(page)},
                       json={"answers": {"entrance_clean": "no", "greeted_promptly": "yes"}})
    assert save.status_code == 200 and save.json["progress"]["answered"] == 1  # entrance_clean wants a comment
    save = client.post(f"/visits/{_uuid}/draft", headers={"X-CSRFToken": csrf_token(page)},
                       json={"comments": {"entrance_clean": "Mud at the door"}})
    assert save.json["progress"]["answered"] == 2


def test_every_comment_box_and_number_field_is_named_by_its_question(client, people):
    """A screen reader heard "Comment" thirty times over, and a number field without its unit."""
    _uuid, page = start(client, people, schedule(client, people))
    for item in people["store"].items:
        text = item.text.en
        if item.type not in ("text", "photo"):
            box = re.search(rf'<textarea name="comment-{item.id}"[^>]*aria-label="([^"]*)"', page)
            assert box and unescape(box.group(1)) == f"Comment: {text}", item.id
        if item.type == "number":
            field = re.search(rf'<input[^>]*name="answer-{item.id}"[^>]*aria-label="([^"]*)"', page)
            unit = item.unit.en if item.unit else None
            assert field and unescape(field.group(1)) == (f"{text} ({unit})" if unit else text)


def test_a_visit_recorded_without_a_schedule_and_returned_is_in_the_auditors_work(client, people):
    """Visits sent through the API have no assignment; one returned by a reviewer is the auditor's
    to fix all the same, and is listed first under In progress (it used to be only in the list of
    submitted visits, with nothing asking for it)."""
    from datetime import datetime

    from audit.services.review import return_visit
    from audit.services.visits import VisitContent, record_visit

    auditor = people["auditor"]
    answers = {key[len("answer-"):]: value for key, value in best_answers(people["store"]).items()}
    visit, _ = record_visit(auditor, str(uuid.uuid4()), people["location"], "store-visit",
                            VisitContent(answers=answers, visited_at=datetime(2026, 10, 2, 9, 30)))
    return_visit(visit, people["reviewer"], "Add the photo of the till.")
    db.session.commit()
    assert visit.assignment_id is None and visit.status == "returned"

    home = unescape(as_user(client, auditor))
    in_progress = re.search(r"<h2>In progress</h2>(.*?)</ul>", home, re.S).group(1)
    assert in_progress.count("<li") == 1
    assert "Vilnius Akropolis" in in_progress and "Returned by the reviewer: see the notes" in in_progress
    assert "visited 02/10/2026, 12:30" in in_progress  # Vilnius time; no scheduled window to show
    assert f'href="/visits/{visit.uuid}/fill"' in in_progress
    assert "Add the photo of the till." in client.get(f"/visits/{visit.uuid}/fill").get_data(as_text=True)


def test_a_draft_in_the_auditors_list_shows_no_score_yet(client, people, make_visit):
    """A draft's score is of what was answered so far; the list showed it as if it were a result."""
    draft = make_visit(people["location"], people["auditor"], {"greeted_promptly": "yes"}, status="draft")
    done = make_visit(people["location"], people["auditor"], {"greeted_promptly": "no"})
    assert draft.score is not None
    home = unescape(as_user(client, people["auditor"]))
    rows = {visit_id: row for visit_id, row in re.findall(r'<tr>\s*<td><a href="/visits/(\d+)">(.*?)</tr>', home, re.S)}
    assert re.search(r'<td class="num">–</td>', rows[str(draft.id)])
    assert re.search(r'<td class="num">[\d.]+', rows[str(done.id)])


def test_scheduling_a_second_open_visit_of_a_branch_in_the_same_days_warns(client, people):
    """Allowed (another scenario is another visit), but said: a second shopper in the same days
    is usually a slip, and the round planner leaves such branches out."""
    first = schedule(client, people)
    today = local_today()
    second = client.post("/assignments", follow_redirects=True, data={
        "one-location": "VLN-01", "one-checklist": "store-visit", "one-auditor": people["other"].email,
        "one-scenario": "Return an item", "one-due_from": (today + timedelta(days=2)).isoformat(),
        "one-due_until": (today + timedelta(days=8)).isoformat(), "one-notes": "",
        "one-csrf_token": csrf_token(client.get("/assignments").get_data(as_text=True))})
    html = unescape(second.get_data(as_text=True))
    assert "Visit scheduled." in html
    assert "VLN-01 already has an open visit of this checklist in these days (Ona Auditorė," in html
    later = client.post("/assignments", follow_redirects=True, data={
        "one-location": "VLN-01", "one-checklist": "store-visit", "one-auditor": people["other"].email,
        "one-scenario": "Buy a gift", "one-due_from": (today + timedelta(days=20)).isoformat(),
        "one-due_until": (today + timedelta(days=25)).isoformat(), "one-notes": "",
        "one-csrf_token": csrf_token(html)})
    assert "already has an open visit" not in unescape(later.get_data(as_text=True))
    assert db.session.scalar(select(func.count()).select_from(Assignment)) == 3 and first.id


@pytest.mark.parametrize("lang", ["lv", "ru"])
def test_the_warning_of_a_second_visit_in_the_same_days_ends_its_sentence_once(client, people, lang):
    """A medium date ends with a full stop in Latvian ("13. dec.") and Russian ("13 дек. 2026 г."):
    the list of visits right before the sentence's own full stop made "dec.. Atceliet"."""
    from babel.dates import format_date

    today = local_today()
    last = date(today.year, 12, 13) if today <= date(today.year, 12, 13) else date(today.year + 1, 12, 13)
    written = format_date(last, "medium", locale=lang)
    assert written.endswith(".")  # what the test is about
    schedule(client, people, **{"one-due_from": (last - timedelta(days=3)).isoformat(),
                                "one-due_until": last.isoformat()})
    client.post("/language", data={"lang": lang, "csrf_token": csrf_token(client.get("/").get_data(as_text=True))})
    second = client.post("/assignments", follow_redirects=True, data={
        "one-location": "VLN-01", "one-checklist": "store-visit", "one-auditor": people["other"].email,
        "one-scenario": "Return an item", "one-due_from": (last - timedelta(days=1)).isoformat(),
        "one-due_until": last.isoformat(), "one-notes": "",
        "one-csrf_token": csrf_token(client.get("/assignments").get_data(as_text=True))})
    warning = re.search(r'<p class="flash warn"[^>]*>(.*?)</p>', unescape(second.get_data(as_text=True)), re.S).group(1)
    assert "Ona Auditorė, " in warning and written in warning
    assert ".." not in warning
