"""The admin's activity page (``/admin/activity``): what people did through the app, in words,
newest first, narrowed by kind, person, account, branch and day — on real actions taken
through the admin screens and the review, not on hand-made log rows (except where a time in
the past is needed)."""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from html import unescape

import pytest

from audit.extensions import db
from audit.models import AuditLogEntry
from tests.conftest import csrf_token
from tests.web.test_chain_stats import count_statements


def rows_of(response) -> list[list[str]]:
    """The activity table as text: one list of cells (when, who, what, concerning, details) a row."""
    html = response.get_data(as_text=True)
    table = re.search(r'<table[^>]*id="activity".*?</table>', html, re.S)
    if table is None:
        return []
    rows = re.findall(r"<tr data-action[^>]*>(.*?)</tr>", table.group(0), re.S)
    return [[unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", cell))).replace("\u200b", "").strip()
             for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)] for row in rows]


def whats(response) -> list[str]:
    return [row[2] for row in rows_of(response)]


def post_form(client, url: str, **fields):
    page = client.get(url).get_data(as_text=True)
    return client.post(url, data={"csrf_token": csrf_token(page), **fields}, follow_redirects=True)


def test_an_admin_reads_who_changed_an_account_and_how(admin_client, admin, make_user, make_location):
    make_location("RIX-01", "Riga Centrs")
    ina = make_user("auditor", email="ina@example.com", name="Ina")
    post_form(admin_client, f"/admin/users/{ina.id}", email="ina@example.com", name="Ina Bērziņa",
              role="manager", active="y", locations=["RIX-01"], password="", password_again="")
    page = admin_client.get(f"/admin/users/{ina.id}").get_data(as_text=True)
    admin_client.post(f"/admin/users/{ina.id}/deactivate", data={"csrf_token": csrf_token(page)})

    rows = rows_of(admin_client.get("/admin/activity"))
    deactivated, changed = rows[0], rows[1]
    assert deactivated[1:4] == ["Head Office", "deactivated the account", "Ina Bērziņa"]
    assert changed[1:4] == ["Head Office", "changed the account", "Ina Bērziņa"]
    assert changed[4] == "Name; Role: Auditor → Branch manager; Branches"
    assert "ina@example.com" not in " ".join(changed)  # addresses stay off the list
    # The user page leads to both sides of the person: what was done to the account, what they did.
    page = admin_client.get(f"/admin/users/{ina.id}").get_data(as_text=True)
    assert f'href="/admin/activity?user={ina.id}"' in page and f'href="/admin/activity?by={ina.id}"' in page
    about = whats(admin_client.get(f"/admin/activity?user={ina.id}"))
    assert about == ["deactivated the account", "changed the account", "created the account"]


def test_review_and_branch_events_are_listed_by_kind_person_and_branch(app, admin_client, admin, make_user,
                                                                       make_location, make_visit):
    from audit.services.review import approve_visit

    reviewer = make_user("reviewer", name="Rūta Reviewer")
    auditor = make_user("auditor", name="Aldona Auditor")
    here, there = make_location("VLN-01", "Vilnius Ozas"), make_location("KNS-01", "Kaunas Akropolis")
    visit_here = make_visit(here, auditor, {"entrance_clean": "yes"}, status="submitted",
                            visited_at=datetime(2026, 11, 20, 10, 0))
    visit_there = make_visit(there, auditor, {"entrance_clean": "no"}, status="submitted")
    approve_visit(visit_here, reviewer)
    approve_visit(visit_there, reviewer)
    db.session.commit()
    post_form(admin_client, f"/admin/locations/{here.id}", code="VLN-01", name="Vilnius Ozas",
              region=str(here.region_id), format="mall", city="", address="", active="y")

    everything = rows_of(admin_client.get("/admin/activity"))
    assert [row[2] for row in everything[:3]] == ["changed the branch", "approved the visit", "approved the visit"]
    assert everything[0][3] == "VLN-01 Vilnius Ozas" and everything[0][4].startswith("Format: High street → Shopping")
    approved_here = everything[2]
    assert approved_here[1] == "Rūta Reviewer" and approved_here[3] == "VLN-01 Vilnius Ozas · 20 Nov 2026"
    assert approved_here[4].startswith("score ")

    review = whats(admin_client.get("/admin/activity?kind=review"))
    assert review == ["approved the visit", "approved the visit"]
    assert "created the account" not in review
    assert whats(admin_client.get(f"/admin/activity?by={reviewer.id}")) == ["approved the visit"] * 2
    branch = rows_of(admin_client.get(f"/admin/activity?location={here.id}"))
    assert [(row[2], row[3]) for row in branch] == [("changed the branch", "VLN-01 Vilnius Ozas"),
                                                   ("approved the visit", "VLN-01 Vilnius Ozas · 20 Nov 2026")]
    # The branch page links there; the chips name what the list is narrowed to.
    assert f'href="/admin/activity?location={here.id}"' in admin_client.get(f"/admin/locations/{here.id}").get_data(
        as_text=True)
    chips = admin_client.get(f"/admin/activity?location={here.id}&by={reviewer.id}").get_data(as_text=True)
    assert "Done by Rūta Reviewer" in unescape(chips) and "About VLN-01 Vilnius Ozas and its visits" in unescape(chips)


def test_days_are_the_chain_s_local_days_and_bad_days_are_named(admin_client, admin):
    # 22:30 UTC on 2 December is already 3 December in Vilnius (UTC+2).
    for at, name in ((datetime(2025, 12, 2, 21, 30), "Early"), (datetime(2025, 12, 2, 22, 30), "Late")):
        db.session.add(AuditLogEntry(at=at, user_id=admin.id, action="region.created", object_type="region",
                                     object_id="999", details={"name": name}))
    db.session.commit()
    second = rows_of(admin_client.get("/admin/activity?since=2025-12-02&until=2025-12-02"))
    third = rows_of(admin_client.get("/admin/activity?since=2025-12-03&until=2025-12-03"))
    assert [row[3] for row in second] == ["Early"] and [row[3] for row in third] == ["Late"]
    assert second[0][2] == "added the region"  # a deleted region is named from the log

    refused = admin_client.get("/admin/activity?since=2025-13-01&until=0001-01-01")
    text = unescape(refused.get_data(as_text=True))
    assert refused.status_code == 200
    assert "“2025-13-01” is not a date; this filter is left out." in text
    assert "“0001-01-01” is not a date; this filter is left out." in text
    assert [row[3] for row in rows_of(refused)][-2:] == ["Late", "Early"]  # nothing left out
    unknown = unescape(admin_client.get("/admin/activity?by=999999&location=abc").get_data(as_text=True))
    assert "The person or branch asked for is not here" in unknown and "activity-chosen" not in unknown
    backwards = unescape(admin_client.get("/admin/activity?since=2026-12-03&until=2026-12-02").get_data(as_text=True))
    assert "The end date is before the start date; it is ignored." in backwards


def test_a_long_history_is_paged_and_costs_the_same_few_statements(app, admin_client, admin, make_user,
                                                                    make_location, make_visit):
    from audit.services.assignments import AssignmentRequest, create_assignments
    from audit.times import local_today

    locations = [make_location(f"VLN-{n:02d}") for n in range(1, 4)]
    auditor = make_user("auditor")
    visits = [make_visit(loc, auditor, {"entrance_clean": "yes"}) for loc in locations]
    scheduled = create_assignments([AssignmentRequest(loc.code, "store-visit", auditor.email, local_today(),
                                                      local_today()) for loc in locations], admin)
    db.session.commit()

    def log(count: int) -> None:  # visits, people, branches, regions and scheduling mixed, as a real log is
        for n in range(count):
            kind, target = [("visit", visits[n % 3].id), ("user", auditor.id), ("location", locations[n % 3].id),
                            ("region", locations[0].region_id), ("assignment", scheduled[n % 3].id)][n % 5]
            db.session.add(AuditLogEntry(at=datetime(2026, 11, 1, 8, 0, n % 60), user_id=admin.id,
                                         action={"visit": "visit.approved", "user": "user.updated",
                                                 "location": "location.updated", "region": "region.renamed",
                                                 "assignment": "assignment.cancelled"}[kind],
                                         object_type=kind, object_id=str(target), details={}))
        db.session.commit()

    log(15)  # every kind of entry at every branch
    few = count_statements(lambda: admin_client.get("/admin/activity"))
    few_here = count_statements(lambda: admin_client.get(f"/admin/activity?location={locations[0].id}"))
    log(215)
    many = count_statements(lambda: admin_client.get("/admin/activity"))
    many_here = count_statements(lambda: admin_client.get(f"/admin/activity?location={locations[0].id}"))
    assert many == few and many_here == few_here  # one statement per kind of object on the page, not one per row

    total = db.session.scalar(db.select(db.func.count()).select_from(AuditLogEntry))
    first = admin_client.get("/admin/activity").get_data(as_text=True)
    assert f"Showing 1–100 of {total}" in first and len(rows_of(admin_client.get("/admin/activity"))) == 100
    last = admin_client.get("/admin/activity?page=3")
    assert len(rows_of(last)) == total - 200 and "Showing 201–" in last.get_data(as_text=True)


def test_the_page_speaks_the_admin_s_language(admin_client, admin, make_user):
    make_user("auditor", name="Jonas")
    page = admin_client.post("/language", data={"csrf_token": csrf_token(admin_client.get("/admin/activity")
                                                                         .get_data(as_text=True)), "lang": "lt"},
                             follow_redirects=True)
    assert page.status_code == 200
    rows = rows_of(admin_client.get("/admin/activity"))
    assert rows[0][2] == "sukūrė paskyrą" and rows[0][3] == "Jonas"


def test_an_export_from_the_dashboard_names_its_checklist(admin_client, admin, checklists):
    download = admin_client.get("/office/visits.csv?checklist=store-visit")
    assert download.status_code == 200
    download.get_data()  # streamed: read to the end
    (row,) = rows_of(admin_client.get("/admin/activity?kind=data"))
    assert row[1:] == ["Head Office", "exported visits (CSV)", "store-visit", ""]  # it does not count them
    assert 'href="/checklists/store-visit"' in admin_client.get("/admin/activity?kind=data").get_data(as_text=True)


def test_the_list_downloads_as_csv_with_its_filters_in_the_user_s_language(app, admin_client, admin, make_user):
    import csv
    import io

    for n in range(1203):  # more than one batch of a thousand
        db.session.add(AuditLogEntry(at=datetime(2025, 1, 1, 8, 0) + timedelta(minutes=n), user_id=admin.id,
                                     action="region.created", object_type="region", object_id="999",
                                     details={"name": f"=Region {n}"}))
    db.session.commit()
    make_user("auditor", name="Jonas")  # "created the account", not a region: left out by the filter below
    page = admin_client.get("/admin/activity?kind=branches").get_data(as_text=True)
    assert 'href="/admin/activity.csv?kind=branches"' in page

    response = admin_client.get("/admin/activity.csv?kind=branches")
    assert response.mimetype == "text/csv" and "activity" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["When", "Who", "E-mail", "What", "Concerning", "Details", "Event"]
    # The newest first, in Vilnius time: 08:00 UTC + 1202 minutes is 04:02 UTC the next day, 06:02 there.
    assert len(rows) == 1 + 1203 and rows[1][0] == "2025-01-02 06:02:00"
    assert rows[1][1:] == ["Head Office", admin.email, "added the region", "'=Region 1202", "", "region.created"]
    assert rows[-1][4] == "'=Region 0"  # a formula-looking name stays text in a spreadsheet

    admin_client.post("/language", data={"csrf_token": csrf_token(page), "lang": "lv"})
    latvian = admin_client.get("/admin/activity.csv?kind=branches&since=2025-01-01&until=2025-01-01")
    rows = list(csv.reader(io.StringIO(latvian.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    # 1 January in Vilnius ends at 22:00 UTC: the first 840 minutes' entries.
    assert rows[1][3] == "pievienoja reģionu" and len(rows) == 1 + 840


def test_imports_are_counted_a_file_s_name_breaks_nothing_and_tokens_belong_to_their_account(
        admin_client, admin, make_user):
    from audit.services.tokens import create_token
    from audit.services.users_csv import import_users

    import_users("email,name,role\nmara@example.com,Māra,auditor\njanis@example.com,Jānis,auditor\n", admin,
                 source="²")  # the uploaded file's name, whatever it is, is the entry's object
    robot = make_user("auditor", name="Robot")
    create_token(robot, "tablet sync", admin)
    db.session.commit()

    rows = rows_of(admin_client.get("/admin/activity?kind=people"))
    imported = next(row for row in rows if row[2] == "imported users (CSV)")
    assert imported[3:] == ["²", "2 new, 0 changed"]  # counted: the addresses stay in the log
    assert "mara@example.com" not in " ".join(imported)
    history = rows_of(admin_client.get(f"/admin/activity?user={robot.id}"))
    assert [(row[2], row[4]) for row in history] == [("made an API token", "tablet sync"),
                                                      ("created the account", "Auditor · " + robot.email)]


def schedule_round(client, today) -> None:
    """A round of the store visit to every active branch, planned and confirmed as a scheduler does."""
    page = client.get("/assignments/round").get_data(as_text=True)
    preview = client.post("/assignments/round", data={
        "csrf_token": csrf_token(page), "checklist": "store-visit", "region": "", "format": "",
        "due_from": today.isoformat(), "due_until": (today + timedelta(days=6)).isoformat(), "scenario": "Winter round",
        "notes": "", "auditors": ["ona@example.com"]}).get_data(as_text=True)
    confirm = re.search(r'<form method="post" action="/assignments/round/confirm".*?</form>', preview, re.S).group(0)
    fields = {name: unescape(value) for name, value in re.findall(r'name="([^"]+)"[^>]*value="([^"]*)"', confirm)}
    assert "3 visits scheduled." in client.post("/assignments/round/confirm", data=fields,
                                                follow_redirects=True).get_data(as_text=True)


def test_a_branch_s_activity_shows_the_visits_scheduled_there_and_cancelled(admin_client, make_user, make_location,
                                                                            checklists):
    import io

    from audit.models import Assignment
    from audit.times import local_today

    here, next_door = make_location("VLN-01", "Vilnius Ozas"), make_location("VLN-02", "Vilnius Akropolis")
    kaunas = make_location("KNS-01", "Kaunas Akropolis", region="Kaunas")
    make_user("auditor", name="Ona", email="ona@example.com")
    today = local_today()
    schedule_round(admin_client, today)  # one log entry for three branches, naming one of their visits
    page = admin_client.get("/assignments").get_data(as_text=True)
    plan = "location_code,checklist,auditor,scenario,due_from,due_until,notes\n" + "".join(
        f"KNS-01,store-visit,ona@example.com,Gift {n},{today},{today + timedelta(days=3)},\n" for n in (1, 2))
    imported = admin_client.post("/assignments/import", data={
        "csv-csrf_token": csrf_token(page), "csv-file": (io.BytesIO(plan.encode()), "plan.csv")},
        content_type="multipart/form-data", follow_redirects=True)
    assert "2 visits scheduled." in imported.get_data(as_text=True)
    for branch, scenario in ((here, "Winter round"), (kaunas, "Gift 1")):
        assignment = db.session.scalar(db.select(Assignment).where(Assignment.location_id == branch.id,
                                                                   Assignment.scenario == scenario))
        page = admin_client.get("/assignments").get_data(as_text=True)
        admin_client.post(f"/assignments/{assignment.id}/cancel", data={"csrf_token": csrf_token(page)})

    window = admin_client.get("/admin/activity?kind=scheduling")  # the whole chain's scheduling
    assert [row[1:] for row in rows_of(window)][2:] == [
        ["Head Office", "scheduled visits", "KNS-01 Kaunas Akropolis", "2 visits"],
        ["Head Office", "scheduled visits", "3 branches", "3 visits"]]
    cancelled_in_kaunas, cancelled_here = rows_of(window)[:2]
    assert cancelled_in_kaunas[2] == cancelled_here[2] == "cancelled a scheduled visit"
    assert cancelled_in_kaunas[3].startswith("KNS-01 Kaunas Akropolis · ")

    # Narrowed to a branch: what was scheduled and cancelled there, and how much of the round it was.
    branch = rows_of(admin_client.get(f"/admin/activity?location={here.id}"))
    assert [row[2:] for row in branch] == [
        ["cancelled a scheduled visit", cancelled_here[3], ""],
        ["scheduled visits", "VLN-01 Vilnius Ozas", "1 of 3 visits"]]
    # The visit cancelled is named by its branch and its window.
    assert re.fullmatch(r"VLN-01 Vilnius Ozas · \d+ \w+ \d{4} – \d+ \w+ \d{4}", cancelled_here[3])
    assert [row[2:] for row in rows_of(admin_client.get(f"/admin/activity?location={next_door.id}"))] == [
        ["scheduled visits", "VLN-02 Vilnius Akropolis", "1 of 3 visits"]]
    assert [row[2:] for row in rows_of(admin_client.get(f"/admin/activity?location={kaunas.id}&kind=scheduling"))] == [
        ["cancelled a scheduled visit", cancelled_in_kaunas[3], ""],
        ["scheduled visits", "KNS-01 Kaunas Akropolis", "2 visits"],
        ["scheduled visits", "KNS-01 Kaunas Akropolis", "1 of 3 visits"]]
    branch_csv = admin_client.get(f"/admin/activity.csv?location={here.id}").get_data(as_text=True)
    assert "VLN-01 Vilnius Ozas,1 of 3 visits,assignments.created" in branch_csv


@pytest.mark.parametrize("score, locale, shown", [(71.25, "lt", "71,3"), (84.25, "en", "84.3"), (71.0, "ru", "71,0")])
def test_a_score_in_the_log_reads_as_on_the_visit_page(app, score, locale, shown):
    """Rounded half up with one decimal (numbers.decimal_text): the log said "balas 71,2" of a
    visit whose page, home and branch pages said 71,3."""
    from audit.web.admin.activity import _number_in
    from audit.web.numbers import decimal_text

    assert _number_in(score, locale) == shown
    with app.test_request_context(headers={"Accept-Language": locale}):
        assert decimal_text(score) == shown
