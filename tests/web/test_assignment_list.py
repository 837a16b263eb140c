"""The schedulers' list of visits in a large chain: the most urgent first, every one reachable a
page at a time, searchable; and a file imported twice does not schedule every visit twice."""
from __future__ import annotations

import io
import re
import uuid
from datetime import date, timedelta
from html import unescape

import pytest

from sqlalchemy import func, select

from audit.extensions import db
from audit.models import Assignment, Visit
from audit.times import local_today
from tests.conftest import csrf_token
from tests.web.test_field_workflow import as_user, people  # noqa: F401

HEADER = "location_code,checklist,auditor,scenario,due_from,due_until,notes\n"


def upload(client, text: str):
    page = client.get("/assignments").get_data(as_text=True)
    return client.post("/assignments/import", data={
        "csv-csrf_token": csrf_token(page), "csv-file": (io.BytesIO(text.encode()), "plan.csv")},
        content_type="multipart/form-data", follow_redirects=True)


def scheduled_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<tr data-assignment="(\d+)"', html)]


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(Assignment))


def test_the_list_puts_the_most_urgent_first_and_reaches_every_visit(client, people):  # noqa: F811
    as_user(client, people["admin"])
    email = people["auditor"].email
    today = local_today()
    later = "".join(f"VLN-01,store-visit,{email},Later {n},{today + timedelta(days=20)},{today + timedelta(days=30)},\n"
                    for n in range(150))
    soon = "".join(f"RIX-01,store-visit,{email},Soon {n},{today},{today + timedelta(days=2 + n)},\n" for n in range(5))
    assert "155 visits scheduled." in upload(client, HEADER + later + soon).get_data(as_text=True)
    urgent = db.session.scalars(select(Assignment.id).order_by(Assignment.due_until, Assignment.due_from,
                                                               Assignment.id)).all()
    first = client.get("/assignments").get_data(as_text=True)
    assert "155 scheduled visits" in first and "Showing 1–100 of 155" in first
    assert scheduled_ids(first) == urgent[:100] and scheduled_ids(first)[:5] == urgent[:5]
    second = client.get("/assignments?page=2").get_data(as_text=True)
    assert scheduled_ids(second) == urgent[100:]
    found = client.get("/assignments?q=rix-01").get_data(as_text=True)
    assert "5 scheduled visits" in found and len(scheduled_ids(found)) == 5
    # A visit handed in leaves the to-do list; "all" still shows it, the latest window first.
    home = as_user(client, people["auditor"])
    client.post(f"/assignments/{urgent[0]}/start", data={"client_uuid": str(uuid.uuid4()), "csrf_token": csrf_token(home)})
    as_user(client, people["admin"])
    assert urgent[0] in scheduled_ids(client.get("/assignments").get_data(as_text=True))  # a draft: still to do
    visit = db.session.scalar(select(Visit).where(Visit.assignment_id == urgent[0]))
    visit.status = "submitted"
    db.session.commit()
    assert urgent[0] not in scheduled_ids(client.get("/assignments").get_data(as_text=True))
    everything = client.get("/assignments?view=all&q=RIX").get_data(as_text=True)
    assert scheduled_ids(everything)[-1] == urgent[0] and "5 scheduled visits" in everything


def test_a_file_imported_twice_schedules_nothing_the_second_time(client, people):  # noqa: F811
    as_user(client, people["admin"])
    email = people["auditor"].email
    start_day, end_day = local_today(), local_today() + timedelta(days=6)
    plan = HEADER + "".join(f"{code},store-visit,{email},Buy a gift,{start_day},{end_day},\n" for code in ("VLN-01", "RIX-01"))
    assert "2 visits scheduled." in upload(client, plan).get_data(as_text=True)
    again = unescape(upload(client, plan).get_data(as_text=True))
    assert "line 2: this visit is already scheduled (same location, checklist, auditor, dates and scenario)" in again
    assert "line 3: this visit is already scheduled" in again and count() == 2
    twice_in_one = HEADER + 2 * f"VLN-01,store-visit,{email},Return an item,{start_day},{end_day},\n"
    assert "line 3: the same visit as line 2" in unescape(upload(client, twice_in_one).get_data(as_text=True))
    assert count() == 2
    # Another scenario is another visit; a cancelled visit may be scheduled again.
    other = HEADER + f"VLN-01,store-visit,{email},Return an item,{start_day},{end_day},\n"
    assert "1 visit scheduled." in upload(client, other).get_data(as_text=True)
    vilnius = HEADER + f"VLN-01,store-visit,{email},Buy a gift,{start_day},{end_day},\n"
    cancelled = db.session.scalar(select(Assignment).where(Assignment.scenario == "Buy a gift")
                                  .order_by(Assignment.id))
    assert cancelled.location.code == "VLN-01"
    cancelled.cancelled = True
    db.session.commit()
    assert "1 visit scheduled." in upload(client, vilnius).get_data(as_text=True)


def test_the_search_is_blind_to_case_in_every_alphabet_and_takes_wildcards_literally(client, people, make_user):  # noqa: F811
    as_user(client, people["admin"])
    ivan = make_user("auditor", name="Иван Петров", email="ivan@example.com")
    today = local_today()
    plan = HEADER + f"VLN-01,store-visit,{ivan.email},Buy a gift,{today},{today + timedelta(days=3)},\n"
    assert "1 visit scheduled." in upload(client, plan).get_data(as_text=True)
    assert "1 scheduled visit" in client.get("/assignments?q=иван").get_data(as_text=True)
    assert "1 scheduled visit" in client.get("/assignments?q=ПЕТРОВ").get_data(as_text=True)
    assert "0 scheduled visits" in client.get("/assignments?q=%").get_data(as_text=True)
    assert "0 scheduled visits" in client.get("/assignments?q=VLN_01").get_data(as_text=True)


def test_unreadable_dates_are_not_called_the_same_visit_and_empty_rows_are_skipped(client, people):  # noqa: F811
    """Rows whose dates could not be read were reported as "the same visit as line 2" besides
    their date errors; a spreadsheet's formatted empty row (",,,,,,") gave five errors."""
    as_user(client, people["admin"])
    email = people["auditor"].email
    start, end = local_today() + timedelta(days=1), local_today() + timedelta(days=5)
    plan = (HEADER + f"VLN-01,store-visit,{email},Buy a gift,2026-13-01,{end},\n"
            + f"VLN-01,store-visit,{email},Buy a gift,12/15/2026,{end},\n"
            + f"VLN-01,store-visit,{email},Buy a gift,,{end},\n" + ",,,,,,\n" + " , ,,,,,\n")
    page = unescape(upload(client, plan).get_data(as_text=True))
    assert "line 2: due_from: '2026-13-01' is not a date" in page and "line 4: due_from: a date like" in page
    assert "the same visit" not in page and "line 5" not in page and "line 6" not in page
    fine = HEADER + f"vln-01,STORE-VISIT,{email.upper()},Buy a gift,{start},{end},\n" + ",,,,,,\n"  # any case
    assert "1 visit scheduled." in upload(client, fine).get_data(as_text=True) and count() == 1


def test_the_one_visit_form_shows_each_problem_beside_its_field(client, people):  # noqa: F811
    """The form showed "assignment 1: due_until: 2029-12-20 is more than two years ahead" under
    Location, in the CSV's words."""
    as_user(client, people["reviewer"])
    email = people["auditor"].email
    start, end = local_today() + timedelta(days=1), local_today() + timedelta(days=5)

    def schedule(**changes) -> str:
        data = {"one-location": "VLN-01", "one-checklist": "store-visit", "one-auditor": email,
                "one-scenario": "Buy a gift", "one-due_from": start.isoformat(), "one-due_until": end.isoformat(),
                "one-csrf_token": csrf_token(client.get("/assignments").get_data(as_text=True)), **changes}
        return unescape(client.post("/assignments", data=data, follow_redirects=True).get_data(as_text=True))

    far = (local_today() + timedelta(days=3 * 365)).isoformat()
    page = schedule(**{"one-due_until": far})
    label = page[page.index('name="one-due_until"') - 600:page.index('name="one-due_until"') + 600]
    assert "More than two years ahead: check the year." in label and f"{far} is" not in label  # as the round form says it
    assert "assignment 1" not in page and 'value="Buy a gift"' in page
    assert "Visit scheduled." in schedule()
    again = schedule()
    assert "This visit is already scheduled (same location, checklist, auditor, dates and scenario)." in again
    assert "assignment 1" not in again and count() == 1


@pytest.mark.parametrize("lang, sentence", [
    ("ru", "Этот визит уже запланирован (тот же филиал, чек-лист, аудитор, даты и сценарий)."),
    ("lt", "Šis apsilankymas jau suplanuotas (tas pats padalinys, klausimynas, auditorius, datos ir scenarijus)."),
    ("lv", "Šis apmeklējums jau ir ieplānots (tā pati filiāle, tas pats kontrolsaraksts, auditors, datumi un "
           "scenārijs).")], ids=["ru", "lt", "lv"])
def test_a_problem_of_the_one_visit_form_shown_on_its_own_is_a_whole_sentence(client, people, lang,  # noqa: F811
                                                                              sentence):
    """The message for a visit scheduled twice, a fragment in the CSV's list ("line 2: this visit
    is …"), was shown above the form as "Этот визит уже запланирован (… сценарий)" with no full stop."""
    as_user(client, people["reviewer"])
    client.post("/language", data={"lang": lang, "next": "/",
                                   "csrf_token": csrf_token(client.get("/").get_data(as_text=True))})
    start, end = local_today() + timedelta(days=1), local_today() + timedelta(days=5)
    data = {"one-location": "VLN-01", "one-checklist": "store-visit", "one-auditor": people["auditor"].email,
            "one-due_from": start.isoformat(), "one-due_until": end.isoformat()}
    for _time in range(2):
        token = csrf_token(client.get("/assignments").get_data(as_text=True))
        page = unescape(client.post("/assignments", data={**data, "one-csrf_token": token},
                                    follow_redirects=True).get_data(as_text=True))
    assert sentence in page and count() == 1


def test_cancelling_from_a_searched_list_keeps_the_search(client, people):  # noqa: F811
    as_user(client, people["admin"])
    email = people["auditor"].email
    start, end = local_today() + timedelta(days=1), local_today() + timedelta(days=5)
    plan = HEADER + "".join(f"{code},store-visit,{email},Visit {n},{start},{end},\n"
                            for n, code in enumerate(("VLN-01", "VLN-01", "RIX-01")))
    assert "3 visits scheduled." in upload(client, plan).get_data(as_text=True)
    found = client.get("/assignments?q=vln-01").get_data(as_text=True)
    first = scheduled_ids(found)[0]
    assert 'name="next" value="/assignments?q=vln-01"' in found
    response = client.post(f"/assignments/{first}/cancel", data={"csrf_token": csrf_token(found),
                                                                  "next": "/assignments?q=vln-01"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/assignments?q=vln-01")
    assert "1 scheduled visit" in client.get(response.headers["Location"]).get_data(as_text=True)
    elsewhere = client.post(f"/assignments/{scheduled_ids(found)[1]}/cancel", data={
        "csrf_token": csrf_token(found), "next": "https://example.com/"})
    assert elsewhere.headers["Location"].endswith("/assignments")  # never off the site


def test_the_form_lists_auditors_by_letter_and_branches_by_number(client, people, make_user, make_location):  # noqa: F811
    as_user(client, people["admin"])
    make_user("auditor", name="Jeļena Ivanova")
    make_user("auditor", name="Jānis Bērziņš")
    make_location("VLN-10", "Vilnius Ozas", region="Vilnius")
    make_location("VLN-9", "Vilnius Panorama", region="Vilnius")
    page = client.get("/assignments").get_data(as_text=True)
    assert page.index("Jānis Bērziņš") < page.index("Jeļena Ivanova")
    assert page.index("VLN-9 · Vilnius Panorama") < page.index("VLN-10 · Vilnius Ozas")


def test_an_import_names_the_branches_where_visits_share_their_days(client, people):  # noqa: F811
    """A file planned twice over, or imported on top of visits scheduled by hand: allowed, as one
    visit at a time is, but each such branch is named with the visits involved."""
    as_user(client, people["admin"])
    auditor, other = people["auditor"], people["other"]
    day = local_today() + timedelta(days=10)
    by_hand = HEADER + f"VLN-01,store-visit,{auditor.email},Buy a gift,{day},{day + timedelta(days=6)},\n"
    assert "shares its days" not in unescape(upload(client, by_hand).get_data(as_text=True))  # nothing to share with
    plan = HEADER + "".join(f"{code},{checklist},{email},{scenario},{first},{last},\n" for code, checklist, email,
                            scenario, first, last in (
        ("VLN-01", "store-visit", other.email, "Return an item", day + timedelta(days=3), day + timedelta(days=9)),
        ("VLN-01", "store-visit", other.email, "Compare TVs", day + timedelta(days=20), day + timedelta(days=25)),
        ("RIX-01", "store-visit", auditor.email, "Buy a gift", day, day + timedelta(days=2)),
        ("RIX-01", "store-visit", other.email, "Buy a gift", day + timedelta(days=2), day + timedelta(days=4)),
        ("RIX-01", "phone-enquiry", other.email, "Ask about delivery", day, day + timedelta(days=4))))
    html = unescape(upload(client, plan).get_data(as_text=True))
    assert "5 visits scheduled." in html
    warning = re.search(r'<p class="flash warn"[^>]*>(.*?)</p>', html, re.S).group(1)
    assert warning.startswith("3 imported visits share their days with another open visit of the same checklist")
    assert "Cancel those that were not meant. By branch: " in warning
    vilnius = re.search(r"VLN-01 \(In-store visit\): ([^;]*)", warning).group(1)
    assert vilnius.startswith(f"{auditor.name} ") and f", {other.name} " in vilnius  # in the order of their days
    assert vilnius.count(" – ") == 2  # the visit twenty days on shares no day with either
    assert re.search(r"RIX-01 \(In-store visit\): [^;]* – [^;]*, [^;]* – ", warning)
    assert "Phone" not in warning  # another checklist at the same branch is another visit

    # Cancelled visits are not in anybody's way.
    for assignment_id in scheduled_ids(client.get("/assignments?q=rix-01").get_data(as_text=True)):
        page = client.get("/assignments").get_data(as_text=True)
        client.post(f"/assignments/{assignment_id}/cancel", data={"csrf_token": csrf_token(page)})
    again = HEADER + f"RIX-01,store-visit,{other.email},Return an item,{day + timedelta(days=1)},{day + timedelta(days=3)},\n"
    html = unescape(upload(client, again).get_data(as_text=True))
    assert "1 visit scheduled." in html and "share its days" not in html and "share their days" not in html


def test_visits_past_their_window_and_not_submitted_are_marked_overdue(client, people):  # noqa: F811
    """The list read "Not started" alike for a visit due next week and one whose window closed
    days ago: the reviewer could not see which to chase."""
    as_user(client, people["admin"])
    auditor, today = people["auditor"], local_today()
    from audit.models import Checklist

    branch = people["location"]
    checklist = db.session.scalar(select(Checklist).where(Checklist.key == "store-visit"))

    def scheduled(scenario: str, days_ago: int) -> Assignment:
        # Scheduled while the window was ahead (the form refuses a window already past).
        assignment = Assignment(location_id=branch.id, checklist_id=checklist.id, auditor_id=auditor.id,
                                scenario=scenario, due_from=today - timedelta(days=days_ago + 3),
                                due_until=today - timedelta(days=days_ago), created_by_id=people["admin"].id)
        db.session.add(assignment)
        db.session.commit()
        return assignment

    late, last_day = scheduled("Closed two days ago", 2), scheduled("Closes today", 0)
    html = client.get("/assignments").get_data(as_text=True)
    rows = dict(re.findall(r'<tr data-assignment="(\d+)"([^>]*)>', html))
    assert 'class="overdue"' in rows[str(late.id)] and rows[str(last_day.id)] == ""
    row = html[html.index(f'data-assignment="{late.id}"'):]
    row = unescape(re.sub(r"<[^>]+>", " ", row[:row.index("</tr>")]))
    assert "Overdue" in row and "Not started" in row


@pytest.mark.parametrize("lang", ["lv", "ru"])
def test_the_import_warning_ends_its_sentence_once_after_a_date(client, people, lang):  # noqa: F811
    """The visits named ended with a medium date, which ends with a full stop in Latvian ("13. dec.")
    and Russian ("13 дек. 2026 г."), right before the sentence's own: "dec.. Atceliet"."""
    from babel.dates import format_date

    as_user(client, people["admin"])
    client.post("/language", data={"lang": lang, "csrf_token": csrf_token(client.get("/").get_data(as_text=True))})
    today = local_today()
    last = date(today.year, 12, 13) if today <= date(today.year, 12, 13) else date(today.year + 1, 12, 13)
    written = format_date(last, "medium", locale=lang)
    assert written.endswith(".")  # what the test is about
    email = people["auditor"].email
    twice = HEADER + "".join(f"VLN-01,store-visit,{email},{scenario},{last - timedelta(days=2)},{last},\n"
                             for scenario in ("Buy a gift", "Return an item"))
    warning = re.search(r'<p class="flash warn"[^>]*>(.*?)</p>', unescape(upload(client, twice).get_data(as_text=True)),
                        re.S).group(1)
    assert written in warning and ".." not in warning
