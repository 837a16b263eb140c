"""Slips in a CSV file an admin imports, on the three import forms (branches, users, scheduled
visits): a double quote left open, a header in the chain's own language, a tab-separated file.

'TST-21,"Unclosed quote' took the next row into TST-21's name: the page said "1 branch
created" and the branch on the next row was never made. A header "kods,nosaukums" was "no column
names", and in Latvian the word "header" stayed English."""
from __future__ import annotations

import io
from html import unescape

import pytest
from sqlalchemy import func, select

from audit.extensions import db
from audit.models import Assignment, Location, User
from tests.conftest import csrf_token, login

FORMS = {  # the page with the form, where it posts, a header, two good rows (the second one's first cell)
    "branches": ("/admin/locations", "/admin/locations/import", "code,name",
                 ["TST-21,Volta Ogre", "TST-22,Volta Sigulda"]),
    "users": ("/admin/users", "/admin/users/import", "email,name,role",
              ["ona@example.lt,Ona Jonaitė,auditor", "ieva@example.lv,Ieva Kalniņa,auditor"]),
    "visits": ("/assignments", "/assignments/import", "location_code,checklist,auditor,scenario,due_from,due_until",
               ["VLN-01,store-visit,agne@example.lt,,2027-01-05,2027-01-20",
                "VLN-01,store-visit,agne@example.lt,Return an item,2027-02-05,2027-02-20"]),
}
OPEN_QUOTE = 'the value goes on to line 3: close the double quote (") it starts with, or remove it'


@pytest.fixture
def admin(client, make_user, make_location, checklists):
    make_location("VLN-01")
    make_user("auditor", email="agne@example.lt")
    login(client, make_user("admin", email="ada@example.com").email)
    return client


def upload(client, form: str, content: str):
    page_url, post_url = FORMS[form][:2]
    page = client.get(page_url).get_data(as_text=True)
    response = client.post(post_url, data={"csv-csrf_token": csrf_token(page),
                                           "csv-file": (io.BytesIO(content.encode("utf-8")), "file.csv")},
                           content_type="multipart/form-data", follow_redirects=True)
    return response.status_code, unescape(response.get_data(as_text=True))


def counts() -> tuple[int, int, int]:
    return tuple(db.session.scalar(select(func.count()).select_from(m)) for m in (Location, User, Assignment))


def quoted_open(row: str) -> str:
    """``row`` with a double quote opened before its second value and never closed."""
    first, rest = row.split(",", 1)
    return f'{first},"{rest}'


@pytest.mark.parametrize("form", list(FORMS))
def test_a_double_quote_left_open_is_refused_by_line_and_nothing_is_imported(admin, form):
    _, _, header, (first, second) = FORMS[form]
    before = counts()
    status, page = upload(admin, form, f"{header}\r\n{quoted_open(first)}\r\n{second}\r\n")
    column = header.split(",")[1]
    assert f"line 2: {column}: {OPEN_QUOTE}" in page, page[page.find("line "):][:300]
    assert status in (200, 400) and counts() == before
    status, page = upload(admin, form, f"{header}\r\n{first}\r\n{second}\r\n")  # mended, both rows go in
    assert OPEN_QUOTE not in page and counts() != before


def test_a_quoted_value_closed_on_its_line_is_no_slip(admin):
    status, page = upload(admin, "branches", 'code,name\r\nTST-21,"Volta, Ogre"\r\nTST-22,"Volta ""Sigulda"""\r\n')
    assert "2 branches created (TST-21, TST-22)" in page
    names = set(db.session.scalars(select(Location.name).where(Location.code.like("TST-%"))))
    assert names == {"Volta, Ogre", 'Volta "Sigulda"'}


@pytest.mark.parametrize("form", ["branches", "users"])
def test_a_header_in_another_language_names_what_it_found(admin, form):
    header = {"branches": "kods,nosaukums,regions", "users": "e-pasts,vārds,loma"}[form]
    _, page = upload(admin, form, f"{header}\r\n{FORMS[form][3][0]},x\r\n")
    found = header.replace(",", ", ")
    assert f"line 1: header: no column on the first line has a known name ({found}); the first line must name " \
           "the columns " in page
    assert "no column names" not in page
    admin.post("/language", data={"lang": "lv", "csrf_token": csrf_token(admin.get("/").get_data(as_text=True))})
    _, page = upload(admin, form, f"{header}\r\n{FORMS[form][3][0]},x\r\n")
    assert "1. rinda: galvene: " in page and f"({found})" in page and "header" not in page.split("1. rinda:")[1][:40]


@pytest.mark.parametrize("form", list(FORMS))
def test_a_tab_separated_file_is_read_in_columns(admin, form):
    """A spreadsheet's "Text (tab-separated)" file: one column named "code\\tname" before."""
    _, _, header, rows = FORMS[form]
    before = counts()
    upload(admin, form, "\r\n".join(line.replace(",", "\t") for line in (header, *rows)) + "\r\n")
    after = counts()
    assert sum(after) - sum(before) == 2, (before, after)


@pytest.mark.parametrize("lang, expected", [
    ("en", "line 3: the same visit as line 2"),
    ("lv", "3. rinda: tas pats apmeklējums jau norādīts: 2. rinda"),  # was "…, kas 2. rinda": no case fits
    ("ru", "строка 3: тот же визит уже указан: строка 2"),
    ("lt", "eilutė 3: tas pats apsilankymas jau nurodytas: eilutė 2"),
])
def test_a_visit_twice_in_one_file_names_its_first_line_in_the_page_language(admin, lang, expected):
    admin.post("/language", data={"lang": lang, "csrf_token": csrf_token(admin.get("/").get_data(as_text=True))})
    _, _, header, (row, _second) = FORMS["visits"]
    before = counts()
    _, page = upload(admin, "visits", f"{header}\r\n{row}\r\n{row}\r\n")
    assert expected in page and counts() == before
