"""The wrong file chosen for a CSV import — the Excel workbook itself, a photo, a table saved
as UTF-16 — is refused with what to do, on each of the three import forms; nothing is imported.
The workbook used to be refused as "not UTF-8 text", which tells nobody what to do."""
from __future__ import annotations

import io
from html import unescape

import pytest
from openpyxl import Workbook
from PIL import Image
from sqlalchemy import func, select

from audit.extensions import db
from audit.models import Assignment, Location, User
from tests.conftest import csrf_token, login

WORKBOOK = ("This is a spreadsheet workbook, not a CSV file. In Excel choose File › Save As › “CSV UTF-8”, "
            "then choose the file it saves.")
PICTURE = "This is not a CSV file but a picture or another kind of document. Choose the table saved as “CSV UTF-8”."
NOT_UTF8 = "The file is not UTF-8 text. Save it as “CSV UTF-8”."

FORMS = {  # the page with the form, where it posts
    "branches": ("/admin/locations", "/admin/locations/import"),
    "users": ("/admin/users", "/admin/users/import"),
    "visits": ("/assignments", "/assignments/import"),
}


def workbook() -> bytes:
    book = Workbook()
    book.active.append(["code", "name", "region"])
    book.active.append(["RIX-09", "Rīga Domina", "Rīga"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 32), (10, 120, 200)).save(out, "JPEG")
    return out.getvalue()


def counts() -> tuple[int, int, int]:
    return tuple(db.session.scalar(select(func.count()).select_from(m)) for m in (Location, User, Assignment))


@pytest.mark.parametrize("form", list(FORMS))
@pytest.mark.parametrize("content, message", [
    (workbook, WORKBOOK), (photo, PICTURE),
    (lambda: "code,name,region\r\nRIX-09,Rīga,Rīga\r\n".encode("utf-16"), NOT_UTF8),
])
def test_the_wrong_file_is_refused_with_what_to_do(client, make_user, make_location, checklists, form, content,
                                                    message):
    make_location("VLN-01")
    login(client, make_user("admin").email)
    before = counts()
    page_url, post_url = FORMS[form]
    page = client.get(page_url).get_data(as_text=True)
    response = client.post(post_url, data={"csv-csrf_token": csrf_token(page),
                                           "csv-file": (io.BytesIO(content()), "plan.xlsx")},
                           content_type="multipart/form-data", follow_redirects=True)
    assert response.status_code == 400
    assert message in unescape(response.get_data(as_text=True))
    assert counts() == before
