"""Two imports at the same moment that both create the same region, branch, auditor, user or
visit: the one that comes second stops cleanly (nothing of it is written; the message names
the row and says to import again), and importing again then uses the row the other one created.

The other import is a second database connection that commits its row just before this
import writes its first row, after this import has checked the file against the database:
the moment two real imports cross (for the same file imported twice, the other import is the
real command in a process of its own). Both places where the second one notices are covered:
the database's unique constraint (the row appears between the service's own look-up and its
INSERT) and the service's "already exists" look-up (the row appeared before it)."""
from __future__ import annotations

import io
import os
import subprocess
import sys
from contextlib import contextmanager, nullcontext
from html import unescape

import pytest
from sqlalchemy import event, func, insert, select

from audit.extensions import db
from audit.models import AuditLogEntry, Location, Region, User, Visit
from tests.conftest import csrf_token, login
from tests.web.test_import import HEADER, mini, visit_rows, write  # noqa: F401

AGAIN = "at the same time; nothing was imported — run the import again"
WRITES = ("INSERT", "UPDATE", "DELETE")


@contextmanager
def another_import_creates(table, **values):
    """Just before the app's first write (its check of the file is done by then), another
    connection inserts ``values`` into ``table`` and commits. On SQLite the app holds no write
    lock before its first write, so the other connection is not kept waiting."""
    engine = db.engine
    done: list[str] = []

    def first_write(conn, cursor, statement, parameters, context, executemany):
        if done or not statement.lstrip().upper().startswith(WRITES):
            return
        done.append(statement)
        with engine.begin() as other:  # a connection of its own, committed at once
            other.execute(insert(table).values(**values))

    event.listen(engine, "before_cursor_execute", first_write)
    try:
        yield done
    finally:
        event.remove(engine, "before_cursor_execute", first_write)
    assert done, "the import wrote nothing"


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def region_id(name: str) -> int:
    return db.session.scalar(select(Region.id).where(Region.name == name))


# --- the visit import (command line) -------------------------------------------------------------


KAUNAS = "Akropolis Kaunas"


def branch_row(code: str = "KNS-14", region: str = "Kaunas") -> dict:
    return {"code": code, "name": KAUNAS, "region_id": region_id(region)}


@pytest.mark.parametrize("case", [
    "region at its INSERT", "branch at its INSERT", "auditor at its INSERT",
    "branch before its look-up", "branch in another case", "auditor before its look-up",
])
def test_a_visit_import_meeting_another_stops_cleanly_and_the_next_run_imports(
        runner, mini, tmp_path, make_location, make_user, case):  # noqa: F811
    make_location("KNS-01", "Mega Kaunas", region="Kaunas")
    if case == "region at its INSERT":  # the file's region, branch and auditor are all new
        region, code, auditor = "Dzūkija", "ALY-01", "rasa@example.lt"
        table, row, kind, name = Region, {"name": "Dzūkija"}, "region", "Dzūkija"
    elif case == "branch at its INSERT":  # the branch is the import's first INSERT
        make_user("auditor", email="rasa@example.lt")
        region, code, auditor = "Kaunas", "KNS-14", "rasa@example.lt"
        table, row, kind, name = Location, branch_row(), "branch", "KNS-14"
    elif case == "auditor at its INSERT":
        region, code, auditor = "Kaunas", "KNS-01", "rasa@example.lt"
        table, row, kind, name = User, {"email": "rasa@example.lt", "name": "Rasa", "role": "auditor"}, \
            "auditor", "rasa@example.lt"
    elif case == "branch before its look-up":  # the other import was first at the new region
        region, code, auditor = "Dzūkija", "KNS-14", "rasa@example.lt"
        table, row, kind, name = Location, branch_row(), "branch", "KNS-14"
    elif case == "branch in another case":  # which no unique constraint sees
        region, code, auditor = "Dzūkija", "KNS-14", "rasa@example.lt"
        table, row, kind, name = Location, branch_row("kns-14"), "branch", "KNS-14"
    else:
        region, code, auditor = "Dzūkija", "ALY-01", "rasa@example.lt"
        table, row, kind, name = User, {"email": "rasa@example.lt", "name": "Rasa", "role": "auditor"}, \
            "auditor", "rasa@example.lt"
    location_name = "Mega Kaunas" if code == "KNS-01" else KAUNAS
    path = write(tmp_path, HEADER + "\n" + visit_rows("K-1", code=code, name=location_name, region=region,
                                                      auditor=auditor))
    before = (count(Region), count(Location), count(User))

    with another_import_creates(table, **row):
        result = runner.invoke(args=["import-visits", str(path)])

    assert result.exit_code == 1, result.output
    assert result.output == f"{path}: another import created {kind} {name} {AGAIN}\n"
    assert result.exception is None or isinstance(result.exception, SystemExit)  # no traceback
    db.session.expire_all()
    added = {Region: (1, 0, 0), Location: (0, 1, 0), User: (0, 0, 1)}[table]
    assert (count(Region), count(Location), count(User)) == tuple(b + a for b, a in zip(before, added))
    assert count(Visit) == 0 and count(AuditLogEntry, AuditLogEntry.action == "visits.imported") == 0

    again = runner.invoke(args=["import-visits", str(path)])
    if table is Location and region == "Dzūkija":  # the other import put its KNS-14 (kns-14) in Kaunas
        assert again.exit_code == 1 and "in region 'Kaunas' in the database, not 'Dzūkija'" in again.output
        return
    assert again.exit_code == 0, again.output
    assert name not in again.output  # used, not created twice
    assert count(Visit) == 1


def test_the_same_file_imported_twice_at_the_same_moment(app, runner, mini, tmp_path, make_location,  # noqa: F811
                                                         make_user):
    """The other import is the real command in a process of its own, run to the end just before
    this one inserts its visits: the same people importing the same export at once."""
    make_location("KNS-01", "Mega Kaunas", region="Kaunas")
    make_user("auditor", email="rasa@example.lt")
    path = write(tmp_path, HEADER + "\n" + visit_rows("K-1", code="KNS-01", name="Mega Kaunas", region="Kaunas",
                                                      auditor="rasa@example.lt")
                 + visit_rows("K-2", code="KNS-01", name="Mega Kaunas", region="Kaunas", auditor="rasa@example.lt"))
    engine = db.engine
    env = {**os.environ, "AUDIT_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "AUDIT_INSTANCE_PATH": str(tmp_path / "other"), "AUDIT_SECRET_KEY": "tests-only-secret"}
    other: list[subprocess.CompletedProcess] = []

    def first_write(conn, cursor, statement, parameters, context, executemany):
        if not other and statement.lstrip().upper().startswith(WRITES):
            other.append(subprocess.run([sys.executable, "-c", "from audit.cli import main; main()",
                                         "import-visits", str(path)], env=env, capture_output=True, text=True,
                                        timeout=120))

    event.listen(engine, "before_cursor_execute", first_write)
    try:
        result = runner.invoke(args=["import-visits", str(path)])
    finally:
        event.remove(engine, "before_cursor_execute", first_write)

    assert other[0].returncode == 0, other[0].stdout + other[0].stderr
    assert "2 visits imported" in other[0].stdout
    assert result.exit_code == 1, result.output
    assert result.output == f"{path}: another import created visits of this file {AGAIN}\n"
    assert count(Visit) == 2 and count(AuditLogEntry, AuditLogEntry.action == "visits.imported") == 1
    again = runner.invoke(args=["import-visits", str(path)])
    assert again.exit_code == 0 and "nothing changed: every visit is already here" in again.output, again.output


# --- the branch import (admin page and command) --------------------------------------------------


@pytest.fixture
def admin(client, make_user):
    login(client, make_user("admin", email="ada@example.com").email)
    return client


def upload(client, page: str, content: str, other_import=None, language: str = "en"):
    """Post the file from the admin page ``page`` ("locations", "users"), while ``other_import``
    (a context manager) if given; the page that answers."""
    form = client.get(f"/admin/{page}").get_data(as_text=True)
    with other_import if other_import is not None else nullcontext():
        return client.post(f"/admin/{page}/import", data={
            "csv-csrf_token": csrf_token(form), "csv-file": (io.BytesIO(content.encode()), f"{page}.csv")},
            content_type="multipart/form-data", follow_redirects=True, headers={"Accept-Language": language})


@pytest.mark.parametrize("case", ["branch at its INSERT", "branch before its look-up", "region at its INSERT",
                                  "region before its look-up"])
def test_a_branch_import_meeting_another_refuses_the_page_and_changes_nothing(admin, make_location, case):
    make_location("KNS-01", "Mega Kaunas", region="Kaunas")
    if case == "branch at its INSERT":
        sheet = "code,name,region\nKNS-14,Akropolis Kaunas,Kaunas\n"
        table, row, kind, name = Location, branch_row(), "branch", "KNS-14"
    elif case == "branch before its look-up":  # the other import wrote before this one renamed KNS-01
        sheet = "code,name,region\nKNS-01,Mega Kaunas 2,Kaunas\nKNS-13,Savas,Kaunas\nKNS-14,Akropolis Kaunas,Kaunas\n"
        table, row, kind, name = Location, branch_row(), "branch", "KNS-14"
    elif case == "region at its INSERT":
        sheet = "code,name,region\nALY-01,Alytus,Dzūkija\n"
        table, row, kind, name = Region, {"name": "Dzūkija"}, "region", "Dzūkija"
    else:
        sheet = "code,name,region\nKNS-13,Savas,Kaunas\nALY-01,Alytus,Dzūkija\n"
        table, row, kind, name = Region, {"name": "Dzūkija"}, "region", "Dzūkija"
    before = (count(Region), count(Location), count(AuditLogEntry))

    response = upload(admin, "locations", sheet, another_import_creates(table, **row))

    assert response.status_code == 409
    page = unescape(response.get_data(as_text=True))
    assert (f"Another import created the {kind} {name} at the same time, so nothing was imported. "
            "Import the file again.") in page
    db.session.expire_all()
    added = (1, 0) if table is Region else (0, 1)
    assert (count(Region), count(Location), count(AuditLogEntry)) == (before[0] + added[0], before[1] + added[1],
                                                                      before[2])
    assert db.session.scalar(select(Location.name).where(Location.code == "KNS-01")) == "Mega Kaunas"

    again = upload(admin, "locations", sheet)
    assert again.status_code == 200 and "Another import" not in again.get_data(as_text=True)
    assert count(Location, Location.code == name) == (table is Location)


def test_the_page_says_it_in_the_page_language(admin, make_location):
    make_location("KNS-01", "Mega Kaunas", region="Kaunas")
    response = upload(admin, "locations", "code,name,region\nKNS-14,Akropolis Kaunas,Kaunas\n",
                      another_import_creates(Location, **branch_row()), language="ru")
    assert response.status_code == 409
    assert ("Другой импорт в это же время создал филиал KNS-14, поэтому ничего не импортировано. "
            "Импортируйте файл ещё раз.") in unescape(response.get_data(as_text=True))


def test_the_branch_command_says_the_same_and_exits_1(runner, make_location, tmp_path):
    make_location("KNS-01", "Mega Kaunas", region="Kaunas")
    path = tmp_path / "branches.csv"
    path.write_text("code,name,region\nKNS-14,Akropolis Kaunas,Kaunas\n", encoding="utf-8")
    with another_import_creates(Location, **branch_row()):
        result = runner.invoke(args=["import-locations", str(path)])
    assert result.exit_code == 1, result.output
    assert result.output == f"{path}: another import created branch KNS-14 {AGAIN}\n"
    again = runner.invoke(args=["import-locations", str(path)])
    assert again.exit_code == 0 and "nothing changed" in again.output, again.output


# --- the user import (admin page and command) ----------------------------------------------------


@pytest.mark.parametrize("case", ["user at its INSERT", "user before its look-up"])
def test_a_user_import_meeting_another_refuses_the_page_and_changes_nothing(admin, case):
    sheet = "email,name,role\nrasa@example.lt,Rasa Jonaitė,auditor\n"
    if case == "user before its look-up":  # the other import was first at this file's second user
        sheet = "email,name,role\nona@example.lt,Ona,auditor\nrasa@example.lt,Rasa Jonaitė,auditor\n"
    before = (count(User), count(AuditLogEntry))

    response = upload(admin, "users", sheet,
                      another_import_creates(User, email="rasa@example.lt", name="Rasa Jonaitė", role="auditor"))

    assert response.status_code == 409
    assert ("Another import created the user rasa@example.lt at the same time, so nothing was imported. "
            "Import the file again.") in unescape(response.get_data(as_text=True))
    assert (count(User), count(AuditLogEntry)) == (before[0] + 1, before[1])
    again = upload(admin, "users", sheet)
    assert again.status_code == 200 and "Another import" not in again.get_data(as_text=True)
    assert count(User, User.email.in_(["rasa@example.lt", "ona@example.lt"])) == sheet.count("@")


def test_the_user_command_says_the_same_and_exits_1(runner, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text("email,name,role\nrasa@example.lt,Rasa Jonaitė,auditor\n", encoding="utf-8")
    with another_import_creates(User, email="rasa@example.lt", name="Rasa Jonaitė", role="auditor"):
        result = runner.invoke(args=["import-users", str(path)])
    assert result.exit_code == 1, result.output
    assert result.output == f"{path}: another import created user rasa@example.lt {AGAIN}\n"
