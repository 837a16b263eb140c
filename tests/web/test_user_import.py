"""People from the admin's spreadsheet: /admin/users imports a CSV file of users all or nothing
(new e-mails are created and get a set-password link each, shown once with a CSV of them;
known e-mails are updated; passwords never touched), and `audit import-users` does the same
on the command line."""
from __future__ import annotations

import base64
import csv
import io
import re
from html import unescape

import pytest
from sqlalchemy import func, select

from audit.extensions import db
from audit.models import AuditLogEntry, PasswordLink, User
from tests.conftest import PASSWORD, csrf_token, login

NEW_PASSWORD = "a much better passphrase"


@pytest.fixture
def admin(app, make_user):
    client = app.test_client()
    login(client, make_user("admin", email="ada@example.com").email)
    return client


@pytest.fixture
def branches(make_location):
    for code in ("RIX-01", "RIX-02", "VNO-01"):
        make_location(code, f"Branch {code}")


def upload(client, content: str | bytes, filename: str = "people.csv"):
    page = client.get("/admin/users").get_data(as_text=True)
    data = content.encode("utf-8") if isinstance(content, str) else content
    return client.post("/admin/users/import", data={
        "csv-csrf_token": csrf_token(page), "csv-file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data")


def text_of(response) -> str:
    return unescape(response.get_data(as_text=True))


def counts() -> tuple[int, int, int]:
    """Users, set-password links, audit-log entries."""
    return tuple(db.session.scalar(select(func.count()).select_from(model))
                 for model in (User, PasswordLink, AuditLogEntry))


def user(email: str) -> User:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == email))


def links_csv(response) -> list[dict]:
    """The rows of the page's "Download the links (CSV)" file (a data: URL made with the page)."""
    href = re.search(r'href="data:text/csv;charset=utf-8;base64,([^"]+)"', response.get_data(as_text=True)).group(1)
    text = base64.b64decode(href).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def test_import_creates_updates_and_a_second_import_changes_nothing(app, admin, make_user, branches):
    make_user("auditor", email="old.auditor@example.com", name="Old Name")
    make_user("manager", email="mara@example.com", name="Mara Manager", locations=["RIX-01"])
    sheet = ("email,name,role,locations,language\r\n"
             "Old.Auditor@Example.com,Ona Auditorė,auditor,,lt\r\n"  # known, whatever the case: renamed
             "mara@example.com,Mara Manager,manager,RIX-01,\r\n"  # already so
             "liga@example.com,Līga Bērziņa,manager,RIX-01 | rix-02,lv\r\n"  # codes: | or spaces, any case
             "oleg@example.com,Олег Иванов,reviewer,,ru\r\n"
             "ieva@example.com,Ieva Kalniņa,Auditor,,\r\n")
    response = upload(admin, sheet)
    assert response.status_code == 200, text_of(response)
    page = text_of(response).replace("<wbr>", "")  # the page lets long links wrap
    assert "3 users created, 1 updated, 1 unchanged" in page
    rows = links_csv(response)
    assert [row["email"] for row in rows] == ["liga@example.com", "oleg@example.com", "ieva@example.com"]
    assert rows[1]["name"] == "Олег Иванов" and rows[0]["expires"]
    for row in rows:
        assert row["link"] in page and row["link"].startswith("http://localhost/set-password/")

    liga = user("liga@example.com")
    assert liga.role == "manager" and sorted(loc.code for loc in liga.locations) == ["RIX-01", "RIX-02"]
    assert liga.locale == "lv" and liga.password_hash is None
    assert user("oleg@example.com").locale == "ru" and user("ieva@example.com").role == "auditor"
    assert user("old.auditor@example.com").name == "Ona Auditorė"
    assert user("old.auditor@example.com").locale == "lt"
    assert "password_link.created" in {a for a in db.session.scalars(select(AuditLogEntry.action))}

    browser = app.test_client()  # a new user's link works
    path = rows[2]["link"].removeprefix("http://localhost")
    form = browser.get(path)
    browser.post(path, data={"new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD,
                             "csrf_token": csrf_token(form.get_data(as_text=True))})
    assert login(browser, "ieva@example.com", NEW_PASSWORD).request.path == "/"

    before = counts()
    again = upload(admin, sheet)
    assert again.status_code == 200
    assert "Nothing changed: the 5 users in the file are already as the file says." in text_of(again)
    assert "data:text/csv" not in again.get_data(as_text=True)
    assert counts() == before  # no new users, no new links, nothing logged
    for email, password in (("old.auditor@example.com", PASSWORD), ("mara@example.com", PASSWORD),
                            ("ieva@example.com", NEW_PASSWORD)):
        assert login(app.test_client(), email, password).request.path == "/"  # passwords untouched


def test_role_and_branches_change_and_a_missing_column_keeps_branches(admin, make_user, branches):
    make_user("manager", email="mara@example.com", name="Mara", locations=["RIX-01", "RIX-02"])
    make_user("manager", email="jonas@example.com", name="Jonas", locations=["VNO-01"])
    response = upload(admin, "role;email;name\r\nmanager;mara@example.com;Mara\r\nauditor;jonas@example.com;Jonas\r\n")
    assert response.status_code == 200, text_of(response)
    assert "0 users created, 1 updated, 1 unchanged" in text_of(response)
    assert sorted(loc.code for loc in user("mara@example.com").locations) == ["RIX-01", "RIX-02"]
    jonas = user("jonas@example.com")
    assert jonas.role == "auditor" and jonas.locations == []


def test_a_semicolon_file_with_a_bom_in_any_column_order(admin, branches):
    sheet = "\ufeffrole;locations;name;email\r\nmanager;VNO-01;Rūta Petraitė;ruta@example.com\r\n"
    response = upload(admin, sheet.encode("utf-8"))
    assert response.status_code == 200 and "1 user created, 0 updated, 0 unchanged" in text_of(response)
    assert [loc.code for loc in user("ruta@example.com").locations] == ["VNO-01"]


def test_branch_codes_may_be_separated_by_commas(admin, branches):
    """As a spreadsheet cell lists them: "RIX-01, vno-01" gave "unknown location code 'RIX-01,'"."""
    sheet = ('email,name,role,locations\r\nruta@example.com,Rūta,manager,"RIX-01, vno-01"\r\n'
             'mara@example.com,Mara,manager,"RIX-02,RIX-01;VNO-01"\r\n')
    response = upload(admin, sheet)
    assert response.status_code == 200 and "2 users created, 0 updated, 0 unchanged" in text_of(response), text_of(response)
    assert sorted(loc.code for loc in user("ruta@example.com").locations) == ["RIX-01", "VNO-01"]
    assert sorted(loc.code for loc in user("mara@example.com").locations) == ["RIX-01", "RIX-02", "VNO-01"]


def test_typos_are_refused_by_line_and_column_and_nothing_is_written(admin, make_user, branches):
    make_user("auditor", email="known@example.com", name="Known")
    before = counts()
    sheet = ("email,name,role,locations,language\r\n"
             "good@example.com,Good Person,auditor,,\r\n"
             "ana@example,Ana,auditor,,\r\n"  # line 3: bad e-mail
             "boss@example.com,Boss,boss,,\r\n"  # line 4: unknown role
             "good@example.com,Good Again,auditor,,\r\n"  # line 5: the same e-mail twice
             "mgr@example.com,Manager,manager,RIX-01 RIX-99,\r\n"  # line 6: unknown branch code
             "lonely@example.com,Lonely,manager,,\r\n"  # line 7: manager without branches
             "aud@example.com,Aud,auditor,RIX-01,\r\n"  # line 8: branches for an auditor
             "lang@example.com,Lang,auditor,,de\r\n"  # line 9: unknown language
             "known@example.com,,auditor,,\r\n")  # line 10: no name
    response = upload(admin, sheet)
    assert response.status_code == 400
    page = text_of(response)
    assert "Nothing was imported: the file has 8 problems" in page
    for expected in ("line 3: email: This is not a valid e-mail address.",
                     "line 4: role: “boss” is not a role; use one of: admin, reviewer, auditor, manager",
                     "line 5: email: good@example.com is also on line 2; a user may have one row",
                     "line 6: locations: There is no location with the code RIX-99.",
                     "line 7: locations: a branch manager needs at least one branch code",
                     "line 8: locations: only branch managers have branches",
                     "line 9: language: “de” is not a language; use one of: en, ru, lt, lv",
                     "line 10: name: must not be empty"):
        assert expected in page, expected
    assert counts() == before
    assert user("good@example.com") is None and user("known@example.com").name == "Known"


@pytest.mark.parametrize(("content", "expected"), [
    ("email,name\r\na@example.com,A\r\n", "line 1: role: missing column"),
    ("email,name,role,phone\r\na@example.com,A,auditor,123\r\n", "line 1: phone: unknown column"),
    ("email,name,role\r\n", "line 2: row: the file has no users"),
    ("".encode("utf-8"), "the file is empty"),
    ("email,name,role\r\nä@example.com,Ä,auditor\r\n".encode("latin-1"), "The file is not UTF-8 text."),
])
def test_header_and_file_problems(admin, content, expected):
    before = counts()
    response = upload(admin, content)
    assert response.status_code == 400 and expected in text_of(response)
    assert counts() == before


def test_an_admin_cannot_change_their_own_role_by_import(admin):
    response = upload(admin, "email,name,role\r\nada@example.com,Ada,auditor\r\n")
    assert response.status_code == 400
    assert "line 2: role: You cannot change your own role; ask another administrator." in text_of(response)
    assert user("ada@example.com").role == "admin"


@pytest.mark.parametrize("role", ["reviewer", "auditor", "manager"])
def test_only_admins_import(app, make_user, role):
    client = app.test_client()
    login(client, make_user(role).email)
    before = counts()
    token = csrf_token(client.get("/").get_data(as_text=True))
    response = client.post("/admin/users/import", data={
        "csv-csrf_token": token, "csv-file": (io.BytesIO(b"email,name,role\r\nx@example.com,X,admin\r\n"), "x.csv")},
        content_type="multipart/form-data")
    assert response.status_code == 404
    assert counts() == before


def test_the_page_shows_the_import_form(admin):
    page = text_of(admin.get("/admin/users"))
    assert "Import users (CSV)" in page and 'action="/admin/users/import"' in page


def test_the_command_dry_runs_imports_and_refuses(app, runner, tmp_path, make_user, branches):
    make_user("auditor", email="known@example.com", name="Known")
    good = tmp_path / "people.csv"
    good.write_text("email,name,role,locations\nknown@example.com,Known Better,auditor,\n"
                    "new@example.com,New Manager,manager,RIX-02\n", encoding="utf-8")
    before = counts()
    dry = runner.invoke(args=["import-users", str(good), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "1 created, 1 updated, 0 unchanged (dry run: nothing was changed" in dry.output
    assert "/set-password/" not in dry.output
    assert counts() == before and user("known@example.com").name == "Known"

    done = runner.invoke(args=["import-users", str(good), "--base-url", "https://audit.example.com"])
    assert done.exit_code == 0, done.output
    assert "1 created, 1 updated, 0 unchanged" in done.output
    assert re.search(r"new@example\.com\tNew Manager\thttps://audit\.example\.com/set-password/[\w-]{40,}",
                     done.output)
    assert user("new@example.com").password_hash is None

    again = runner.invoke(args=["import-users", str(good)])
    assert "nothing changed: the 2 users in the file are already as the file says" in again.output

    paths = tmp_path / "more.csv"
    paths.write_text("email,name,role\nmore@example.com,More,auditor\n", encoding="utf-8")
    plain = runner.invoke(args=["import-users", str(paths)])
    assert re.search(r"more@example\.com\tMore\t/set-password/[\w-]{40,}", plain.output), plain.output

    bad = tmp_path / "bad.csv"
    bad.write_text("email,name,role\nx@example.com,X,boss\nmore@example.com,M,auditor\nmore@example.com,M,auditor\n",
                   encoding="utf-8")
    before = counts()
    refused = runner.invoke(args=["import-users", str(bad)])
    assert refused.exit_code == 1
    assert "line 2: role: 'boss' is not a role" in refused.output
    assert "line 4: email: more@example.com is also on line 3" in refused.output
    assert "2 problem(s); nothing was imported" in refused.output
    assert counts() == before
