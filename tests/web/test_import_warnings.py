"""What an import does that a person should look at, though nothing is wrong with the file:

- the visit import creates the auditors it does not know, and names each new one that looks
  like a typo of a user already there (the same auditor twice splits their leniency);
- the branch import deactivates branches, and names each one that still has scheduled visits
  open (as the Scheduled visits page counts them), on the admin page and on the command line.
"""
from __future__ import annotations

import io
from datetime import timedelta
from html import unescape

import pytest
from sqlalchemy import func, select

from audit.extensions import db
from audit.models import Assignment, Checklist, User
from audit.times import local_today
from tests.conftest import csrf_token, login
from tests.web.test_import import GOOD_ANSWERS, HEADER, mini, write  # noqa: F401

# --- new auditors like existing users ------------------------------------------------------------


def rows(external_id: str, auditor: str, auditor_name: str = "") -> str:
    """One complete visit at VLN-01, with the optional auditor_name column."""
    return "".join(f"{external_id},VLN-01,Volta Akropolis,Vilnius,{auditor},2025-03-14T10:30,import-mini,{item},"
                   f"{answer},,{auditor_name}\n" for item, answer in GOOD_ANSWERS.items())


@pytest.fixture
def jonas(mini, make_location, make_user):  # noqa: F811
    """VLN-01, and the auditor Jonas Petraitis, whose name another system stored with a trailing space."""
    make_location("VLN-01", "Volta Akropolis", region="Vilnius")
    make_user("reviewer", email="rasa@example.lt", name="Rasa Jonaitė")
    user = make_user("auditor", email="jonas@example.lt")
    user.name = "Jonas Petraitis "
    db.session.commit()


def test_new_auditors_like_existing_users_are_named_in_the_dry_run_and_the_summary(runner, tmp_path, jonas):
    path = write(tmp_path, HEADER + ",auditor_name\n"
                 + rows("V-1", "jonas@exmaple.lt")  # a swapped letter in the domain
                 + rows("V-2", "j.petraitis@example.lt", "Jonas Petraitis")  # the same name
                 + rows("V-3", "jp@example.lt", "Jonas Petraitys")  # a letter off
                 + rows("V-4", "rasa@exampel.lt")  # like a reviewer's address
                 + rows("V-5", "ruta.kazlauskiene@example.lt", "Rūta Kazlauskienė")  # someone new
                 + rows("V-6", "jonas@example.lt", "Jonas Petraitis"))  # the existing auditor himself
    similar = [
        "  new auditor 'jonas@exmaple.lt' — similar to existing 'jonas@example.lt'",
        "  new auditor 'j.petraitis@example.lt' (Jonas Petraitis) — similar to existing 'jonas@example.lt' "
        "(Jonas Petraitis)",
        "  new auditor 'jp@example.lt' (Jonas Petraitys) — similar to existing 'jonas@example.lt' (Jonas Petraitis)",
        "  new auditor 'rasa@exampel.lt' — similar to existing 'rasa@example.lt'",
    ]
    dry = runner.invoke(args=["import-visits", "--dry-run", str(path)])
    assert dry.exit_code == 0, dry.output
    assert dry.output.splitlines()[2:] == [
        "  would create 5 auditors: jonas@exmaple.lt, j.petraitis@example.lt, jp@example.lt, rasa@exampel.lt, "
        "ruta.kazlauskiene@example.lt", *similar]

    real = runner.invoke(args=["import-visits", str(path)])
    assert real.exit_code == 0, real.output
    assert real.output.splitlines()[1] == "  6 visits imported (approved and scored), 0 unchanged"
    assert real.output.splitlines()[3:] == similar  # listed, and still created, as the import must
    assert db.session.scalar(select(func.count()).select_from(User).where(User.role == "auditor")) == 6


def test_an_import_without_lookalikes_says_nothing_more(runner, tmp_path, jonas):
    path = write(tmp_path, HEADER + ",auditor_name\n" + rows("V-1", "ruta.kazlauskiene@example.lt", "Rūta K.")
                 + rows("V-2", "ona@example.lt"))  # "ona": too short a name to call a typo of anyone
    result = runner.invoke(args=["import-visits", str(path)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[2:] == ["  created 2 auditors: ruta.kazlauskiene@example.lt, ona@example.lt"]


def test_new_auditors_like_each_other_in_one_file_are_named_too(runner, tmp_path, jonas):
    """The first import of a chain's spreadsheet has no users to compare with: two spellings of
    one new auditor in the file were created silently."""
    path = write(tmp_path, HEADER + ",auditor_name\n"
                 + rows("V-1", "ruta.kazlauskiene@example.lt", "Rūta Kazlauskienė")
                 + rows("V-2", "ruta.kazlauskine@example.lt", "Rūta Kazlauskienė")  # a letter missed
                 + rows("V-3", "r.kazlauskiene@example.lt", "Ruta Kazlauskiene")  # the same name, no accents
                 + rows("V-4", "mindaugas.zukauskas@example.lt", "Mindaugas Žukauskas")  # someone else
                 # an agency's numbered accounts differ in their numbers only: not typos
                 + rows("V-5", "shopper07@agency.lt") + rows("V-6", "shopper08@agency.lt")
                 + rows("V-7", "s12@agency.lt", "Shopper 12") + rows("V-8", "s13@agency.lt", "Shopper 13"))
    result = runner.invoke(args=["import-visits", "--dry-run", str(path)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[3:] == [
        "  new auditor 'ruta.kazlauskine@example.lt' — similar to 'ruta.kazlauskiene@example.lt', also new in this file",
        "  new auditor 'r.kazlauskiene@example.lt' (Ruta Kazlauskiene) — similar to 'ruta.kazlauskiene@example.lt' "
        "(Rūta Kazlauskienė), also new in this file",
    ]


# --- branches deactivated with visits still open -------------------------------------------------


@pytest.fixture
def kaunas(checklists, make_location, make_user, make_visit):
    """KNS-14 with three scheduled visits still open (one not started and overdue, a draft, a
    returned visit) and three that are not (handed in, approved, cancelled); KNS-15 with none
    open; KNS-16 with one open, staying active."""
    auditor = make_user("auditor", email="agne@example.lt")
    store = db.session.scalar(select(Checklist).where(Checklist.key == "store-visit"))
    today = local_today()
    branches = {code: make_location(code, f"Branch {code}", region="Kaunas") for code in ("KNS-14", "KNS-15", "KNS-16")}

    def schedule(code: str, status: str | None = None, cancelled: bool = False, days: int = 10) -> None:
        assignment = Assignment(location=branches[code], checklist=store, auditor=auditor, cancelled=cancelled,
                                due_from=today - timedelta(days=30), due_until=today + timedelta(days=days))
        db.session.add(assignment)
        db.session.commit()
        if status is not None:
            visit = make_visit(branches[code], auditor, {}, status=status)
            visit.assignment = assignment
            db.session.commit()

    schedule("KNS-14", days=-3)  # overdue, not started: still on the page
    schedule("KNS-14", "draft")
    schedule("KNS-14", "returned")
    schedule("KNS-14", "submitted")
    schedule("KNS-14", "approved")
    schedule("KNS-14", cancelled=True)
    schedule("KNS-15", "approved")
    schedule("KNS-16")
    return branches


SHEET = "code,name,region,active\nKNS-14,Branch KNS-14,Kaunas,no\nKNS-15,Branch KNS-15,Kaunas,no\n" \
        "KNS-16,Branch KNS-16,Kaunas,yes\n"
STILL_OPEN = "KNS-14 deactivated: 3 scheduled visits are still open"


def test_the_command_names_deactivated_branches_with_open_visits(runner, tmp_path, kaunas):
    path = tmp_path / "branches.csv"
    path.write_text(SHEET, encoding="utf-8")
    dry = runner.invoke(args=["import-locations", "--dry-run", str(path)])
    assert dry.exit_code == 0, dry.output
    warning = f"  {STILL_OPEN} — cancel or move them on the Scheduled visits page"
    assert dry.output.splitlines() == [
        f"{path}: 0 branches created, 2 updated (KNS-14, KNS-15), 1 unchanged (dry run: nothing was changed)", warning]
    real = runner.invoke(args=["import-locations", str(path)])
    assert real.exit_code == 0, real.output
    assert real.output.splitlines()[1:] == [warning]
    again = runner.invoke(args=["import-locations", str(path)])  # deactivated before: not this import's doing
    assert again.output.splitlines() == [f"{path}: nothing changed: the 3 branches in the file are already as the "
                                         "file says"]


@pytest.mark.parametrize("language, warning", [
    ("en", f"{STILL_OPEN}. Cancel or move them on the Scheduled visits page."),
    ("lt", "KNS-14 deaktyvuotas: dar atviri 3 suplanuoti apsilankymai. Atšaukite juos arba perkelkite puslapyje "
           "„Suplanuoti apsilankymai“."),
])
def test_the_admin_page_names_them_as_the_scheduled_visits_page_counts(client, make_user, kaunas, language, warning):
    login(client, make_user("admin", email="ada@example.com").email)
    listed = unescape(client.get("/assignments?q=KNS-14").get_data(as_text=True))
    assert "3 scheduled visits" in listed  # the page's own count of open ones
    page = client.get("/admin/locations").get_data(as_text=True)
    response = client.post("/admin/locations/import", data={
        "csv-csrf_token": csrf_token(page), "csv-file": (io.BytesIO(SHEET.encode()), "branches.csv")},
        content_type="multipart/form-data", follow_redirects=True, headers={"Accept-Language": language})
    text = unescape(response.get_data(as_text=True))
    assert response.status_code == 200
    assert warning in text
    deactivated = warning.split(":")[0]  # "KNS-14 deactivated"
    assert all(deactivated.replace("KNS-14", code) not in text for code in ("KNS-15", "KNS-16"))
