"""Branches from the admin's spreadsheet: /admin/locations imports a CSV file of branches (and
their regions) all or nothing, and exports the same columns; `audit import-locations` does the
import on the command line. Typos (Riga for Rīga, RIX-1 for RIX-01) must not make duplicates."""
from __future__ import annotations

import csv
import io
from html import unescape

import pytest
from sqlalchemy import func, select

from audit.extensions import db
from audit.models import AuditLogEntry, Location, Region
from tests.conftest import csrf_token, login

HEADER = "code,name,region,city,address,format,active\r\n"


@pytest.fixture
def admin(client, make_user):
    user = make_user("admin", email="ada@example.com")
    login(client, user.email)
    return client


def upload(client, content: str | bytes, filename: str = "branches.csv"):
    """Post the file with the page's CSRF token, as the browser does; the page that answers."""
    page = client.get("/admin/locations").get_data(as_text=True)
    data = content.encode("utf-8") if isinstance(content, str) else content
    return client.post("/admin/locations/import", data={
        "csv-csrf_token": csrf_token(page), "csv-file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data", follow_redirects=True)


def text_of(response) -> str:
    return unescape(response.get_data(as_text=True))


def counts() -> tuple[int, int, int]:
    """Branches, regions, audit-log entries."""
    return tuple(db.session.scalar(select(func.count()).select_from(model))
                 for model in (Location, Region, AuditLogEntry))


def branch(code: str) -> Location:
    db.session.expire_all()
    return db.session.scalar(select(Location).where(Location.code == code))


def test_import_creates_updates_and_a_second_import_changes_nothing(admin, make_location):
    make_location("RIX-01", "Skaistums Galerija Centrs", region="Rīga", city="Rīga")
    make_location("RIX-02", "Skaistums Origo", region="Rīga", city="Rīga")
    sheet = (HEADER
             + "RIX-01,Skaistums Galerija Centrs,rīga,Rīga,Dzirnavu iela 67,mall,yes\r\n"  # region: case-blind
             + "RIX-02,Skaistums Origo,Rīga,Rīga,,high_street,no\r\n"  # closed
             + "RIX-05,Skaistums Valmiera,Vidzeme,Valmiera,Rīgas iela 4,high_street,yes\r\n"
             + "rix-06,Skaistums Cēsis,vidzeme,Cēsis,,kiosk,\r\n")  # the new region as first written
    response = upload(admin, sheet)
    assert response.status_code == 200
    assert ("2 branches created (RIX-05, rix-06), 2 updated (RIX-01, RIX-02), 0 unchanged; "
            "1 region created: Vidzeme") in text_of(response)
    first = branch("RIX-01")
    assert (first.region.name, first.address, first.format, first.active) == ("Rīga", "Dzirnavu iela 67", "mall", True)
    assert branch("RIX-02").active is False
    cesis = branch("rix-06")
    assert (cesis.region.name, cesis.format, cesis.active) == ("Vidzeme", "kiosk", True)  # empty active: default
    assert sorted(db.session.scalars(select(Region.name))) == ["Rīga", "Vidzeme"]

    before = counts()
    again = upload(admin, sheet)
    assert "Nothing changed: the 4 branches in the file are already as the file says." in text_of(again)
    assert counts() == before  # not even an audit-log entry


def test_a_file_without_some_columns_keeps_those_values(admin, make_location):
    make_location("VLN-01", "Volta Akropolis", region="Vilnius", city="Vilnius", address="Ozo g. 25")
    response = upload(admin, "name;code\r\nVolta Akropolis Vilnius;vln-01\r\n")
    assert "0 branches created, 1 updated (VLN-01), 0 unchanged" in text_of(response)
    location = branch("VLN-01")  # the code keeps its case; what the file leaves out stays
    assert (location.name, location.region.name, location.city, location.address) == (
        "Volta Akropolis Vilnius", "Vilnius", "Vilnius", "Ozo g. 25")


def test_typos_and_bad_rows_are_refused_by_line_and_nothing_is_written(admin, make_location):
    make_location("RIX-01", "Skaistums Galerija Centrs", region="Rīga")
    before = counts()
    sheet = (HEADER
             + "RIX-01,Skaistums Galerija Centrs,Rīga,,,mall,yes\r\n"  # fine alone, but not written
             + "RIX-1,skaistums  galērija centrs,Rīga,,,,\r\n"  # line 3: another branch's name
             + "RIX-07,Skaistums Jūrmala,Riga,,,,\r\n"  # line 4: Rīga without its accent
             + "rix-07,Skaistums Jūrmala 2,Kurzeme,,,,\r\n"  # line 5: the code again
             + "RIX 08,Skaistums Ogre,,,,,\r\n"  # line 6: a space in the code
             + "RIX-09,Skaistums Sigulda,Vidzeme,,,Mall shop,maybe\r\n"  # line 7: format, active
             + "RIX-10,Skaistums Tukums,Vīdzeme,,,,\r\n"  # line 8: the new region written two ways
             + "RIX-11,,,,,,\r\n")  # line 9
    response = upload(admin, sheet)
    assert response.status_code == 400
    page = text_of(response)
    assert "Nothing was imported: the file has 8 problems" in page
    for expected in [
        "line 3: code: RIX-1 is new, but “skaistums  galērija centrs” is the name of RIX-01: use that code or "
        "another name",
        "line 4: region: “Riga” is the region Rīga but for accents: write Rīga",
        "line 5: code: rix-07 is also on line 4; a branch may have one row",
        "line 6: code: Use 1 to 32 Latin letters A–Z",
        "line 7: format: “Mall shop” is not a format; use one of: flagship, mall, high_street, outlet, kiosk",
        "line 7: active: write yes or no, not “maybe”",
        "line 8: region: “Vīdzeme” is “Vidzeme” on line 7 but for accents: write the new region one way",
        "line 9: name: must not be empty",
    ]:
        assert expected in page, expected
    assert page.index("line 3:") < page.index("line 9:")
    assert counts() == before
    assert branch("RIX-01").format == "high_street"


def test_header_and_file_problems(admin):
    page = text_of(upload(admin, "code,branch,region\r\nRIX-01,x,y\r\n"))
    assert "line 1: branch: unknown column; the columns are code,name" in page
    assert "line 1: name: missing column" in page
    refused = upload(admin, HEADER.encode() + "RIX-01,Café,,,,,\r\n".encode("cp1257"))
    assert refused.status_code == 400
    assert "The file is not UTF-8 text. Save it as “CSV UTF-8”." in text_of(refused)
    assert "line 2: row: the file has no branches" in text_of(upload(admin, HEADER))
    short = text_of(upload(admin, HEADER + "RIX-01,Ogre,Vidzeme\r\n"))
    assert "line 2: row: 3 values, but the header has 7 columns" in short
    assert counts()[:2] == (0, 0)


def test_a_semicolon_file_with_a_bom_as_excel_writes_it(admin):
    sheet = "\ufeffcode;name;region;city\r\nVLN-01;Volta Akropolis;Vilnius;Vilnius\r\nKNS-01;\"Volta; Mega\";Kaunas;\r\n"
    response = upload(admin, sheet)
    assert "2 branches created (VLN-01, KNS-01), 0 updated, 0 unchanged; 2 regions created: Vilnius, Kaunas" \
        in text_of(response)
    assert branch("KNS-01").name == "Volta; Mega"


def test_active_may_be_written_in_the_chain_s_own_language(admin):
    """A Lithuanian sheet says "Taip"/"Ne": the visits' import took those words, this one refused them."""
    sheet = ("code;name;region;active\r\nVLN-01;Akropolis;Vilnius;Taip\r\nVLN-02;Ozas;Vilnius;ne\r\n"
             "RIX-01;Alfa;Rīga;JĀ\r\nRIX-02;Domina;Rīga;Nē\r\nTLL-01;Viru;Tallinn;нет\r\n")
    assert "5 branches created" in text_of(upload(admin, sheet))
    assert [branch(code).active for code in ("VLN-01", "VLN-02", "RIX-01", "RIX-02", "TLL-01")] == \
        [True, False, True, False, False]


def test_long_lists_in_the_summary_are_cut(admin):
    sheet = "code,name\n" + "".join(f"LV-{n:02d},Branch {n}\n" for n in range(1, 9))
    assert "8 branches created (LV-01, LV-02, LV-03, LV-04, LV-05 … and 3 more)" in text_of(upload(admin, sheet))


@pytest.mark.parametrize("role", ["reviewer", "auditor", "manager"])
def test_only_admins_import_and_export(client, make_user, make_location, role):
    make_location("VLN-01", "Volta Akropolis")
    user = make_user(role, locations=["VLN-01"] if role == "manager" else [])
    home = login(client, user.email).get_data(as_text=True)
    before = counts()
    response = client.post("/admin/locations/import", data={
        "csv-csrf_token": csrf_token(home), "csv-file": (io.BytesIO(b"code,name\nRIX-01,Ogre\n"), "b.csv")},
        content_type="multipart/form-data")
    assert response.status_code == 404
    assert client.get("/admin/locations/export.csv").status_code == 404
    assert counts() == before


def test_export_then_import_changes_nothing_and_formulas_stay_text(admin, make_location):
    make_location("RIX-01", "=HYPERLINK(\"http://x\",\"Click\")", region="+Rīga", city="@Ogre",
                  address="-1 Brīvības iela", format="outlet", active=False)
    make_location("RIX-02", "Skaistums -2", region="Rīga", city="Rīga", address="-2")
    make_location("VLN-01", "Volta Akropolis", region="Vilnius")
    db.session.get(Location, 3).region = None
    db.session.commit()
    response = admin.get("/admin/locations/export.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    data = response.get_data()
    assert data.startswith("\ufeff".encode()) and b"\r\n" in data
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["code", "name", "region", "city", "address", "format", "active"]
    assert rows[1] == ["RIX-01", "'=HYPERLINK(\"http://x\",\"Click\")", "'+Rīga", "'@Ogre", "'-1 Brīvības iela",
                       "outlet", "no"]
    assert rows[2] == ["RIX-02", "Skaistums -2", "Rīga", "Rīga", "-2", "high_street", "yes"]  # a number stays
    assert rows[3] == ["VLN-01", "Volta Akropolis", "", "", "", "high_street", "yes"]
    before = counts()
    again = upload(admin, data, "locations.csv")
    assert "Nothing changed: the 3 branches in the file are already as the file says." in text_of(again)
    assert counts() == before
    assert branch("RIX-01").name == "=HYPERLINK(\"http://x\",\"Click\")"

    # In Lithuanian (Latvian, Russian) the file is separated by semicolons, as Excel set to that
    # language opens it in columns; it goes back in all the same.
    admin.post("/language", data={"lang": "lt", "csrf_token": csrf_token(admin.get("/admin/locations").get_data(as_text=True))})
    semicolons = admin.get("/admin/locations/export.csv").get_data()
    assert semicolons.decode("utf-8-sig").splitlines()[0] == "code;name;region;city;address;format;active"
    assert list(csv.reader(io.StringIO(semicolons.decode("utf-8-sig")), delimiter=";")) == rows
    upload(admin, semicolons, "locations.csv")
    assert counts() == before


def test_the_page_shows_the_import_form_and_export_link(admin):
    page = text_of(admin.get("/admin/locations"))
    assert "Import branches (CSV)" in page and 'enctype="multipart/form-data"' in page
    assert "Export branches (CSV)" in page and "/admin/locations/export.csv" in page


def test_the_command_imports_refuses_and_dry_runs(app, runner, tmp_path, make_location):
    make_location("RIX-01", "Skaistums Galerija Centrs", region="Rīga")
    bad = tmp_path / "bad.csv"
    bad.write_text("code,name,region\nRIX-02,Skaistums Origo,Riga\nRIX-1,Skaistums Galerija Centrs,Rīga\n")
    before = counts()
    refused = runner.invoke(args=["import-locations", str(bad)])
    assert refused.exit_code == 1
    assert "line 2: region: 'Riga' is the region Rīga but for accents: write Rīga" in refused.stderr
    assert ("line 3: code: RIX-1 is new, but 'Skaistums Galerija Centrs' is the name of RIX-01: use that code or "
            "another name") in refused.stderr
    assert "bad.csv: 2 problem(s); nothing was imported" in refused.stderr
    good = tmp_path / "good.csv"
    good.write_text("code,name,region\nRIX-02,Skaistums Origo,Rīga\nVLM-01,Skaistums Valmiera,Vidzeme\n")
    dry = runner.invoke(args=["import-locations", str(good), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "2 branches created (RIX-02, VLM-01), 0 updated, 0 unchanged; 1 region created: Vidzeme" in dry.output
    assert "dry run: nothing was changed" in dry.output
    assert counts() == before
    done = runner.invoke(args=["import-locations", str(good)])
    assert done.exit_code == 0 and branch("VLM-01").region.name == "Vidzeme"
    again = runner.invoke(args=["import-locations", str(good)])
    assert "nothing changed: the 2 branches in the file are already as the file says" in again.output
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes("code,name\nRIX-03,Caf\xe9\n".encode("latin-1"))
    encoding = runner.invoke(args=["import-locations", str(latin1)])
    assert encoding.exit_code == 1
    assert 'line 2: name: not UTF-8 text (byte 0xE9); save the file as "CSV UTF-8"' in encoding.stderr


def test_the_command_exports_what_it_imports_again_unchanged(app, runner, tmp_path, make_location):
    make_location("RIX-01", "=Rīga Alfa", region="Rīga", city="Rīga")
    make_location("VLN-01", "Vilnius Akropolis", region="Vilnius", city="Vilnius")
    out = tmp_path / "branches.csv"
    written = runner.invoke(args=["export-locations", "--out", str(out)])
    assert written.exit_code == 0 and "(2 branches)" in written.output
    text = out.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0] == "code,name,region,city,address,format,active"
    assert "'=Rīga Alfa" in text  # a formula stays text in a spreadsheet
    again = runner.invoke(args=["import-locations", str(out)])
    assert again.exit_code == 0 and "nothing changed" in again.output, again.output
    shown = runner.invoke(args=["export-locations", "--out", "-"])
    assert shown.output.replace("\r\n", "\n").lstrip("\ufeff") == text.replace("\r\n", "\n")
