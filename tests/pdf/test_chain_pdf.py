"""The chain comparison PDF (``audit report chain``), read back with pypdf: title, executive
summary, the worst branches, the language, the page budget for a large chain – and the URL
fetcher that keeps reports from reading local files or the network."""
from __future__ import annotations

import re

import logging
import time
import xml.etree.ElementTree as ET
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from flask_babel import force_locale
from sqlalchemy import text

from audit.extensions import db
from audit.reports.chain_report import chain_report_context
from audit.reports.chain_view import BAND_SYMBOLS
from audit.reports.common import ReportError
from audit.reports.pdf import ForbiddenResource, _static_file, html_to_pdf
from audit.reports.summary import executive_summary
from audit.services.chain_stats import StatsFilter, chain_statistics
from tests.pdf.helpers import build_demo, pdf_reader, pdf_text, squash


def chain_pdf(runner, tmp_path: Path, *args: str) -> bytes:
    out = tmp_path / "chain.pdf"
    result = runner.invoke(args=["report", "chain", "--checklist", "store-visit", "--out", str(out), *args])
    assert result.exit_code == 0, result.output
    return out.read_bytes()


def summary_sentences(app, lang: str, spec: StatsFilter | None = None) -> list[str]:
    stats = chain_statistics(spec or StatsFilter("store-visit"), lang)
    with app.test_request_context(), force_locale({"en": "en_GB"}.get(lang, lang)):
        return executive_summary(stats)



def one(value: float) -> str:
    """One decimal, rounded half up as the reports round (84.25 → 84.3)."""
    return str(Decimal(repr(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))

def test_the_chain_pdf_summarises_the_chain_in_sentences(app, runner, tmp_path, checklists):
    build_demo(runner, locations=12, months=3)
    data = chain_pdf(runner, tmp_path)
    text = pdf_text(data)
    assert text.startswith("Chain comparison: In-store visit")
    assert "Period: all approved visits" in text
    sentences = summary_sentences(app, "en")
    assert len(sentences) >= 5
    for sentence in sentences:
        assert squash(sentence) in text
    assert any(s.startswith("Auditor Zane Krūmiņa scores") for s in sentences)  # the lenient demo auditor
    ranking = chain_statistics(StatsFilter("store-visit"))["locations"]
    first_page = squash(pdf_reader(data).pages[0].extract_text())
    assert f"The lowest is {ranking[-1]['name']} ({ranking[-1]['code']})" in first_page or ranking[-1]["low_data"]
    for worst in ranking[-3:]:
        assert f"{worst['code']} {worst['name']}" in text
    # A branch within the funnel limits shows "–", explained in the legend (a blank read as missing).
    assert "– within the limits" in text
    inside = next(r for r in ranking if r["funnel"] == "inside")
    # "… mean interval shrunk –": the interval's own dash is between two numbers
    assert re.search(rf"{re.escape(inside['code'])} {re.escape(inside['name'])} .{{0,40}}?"
                     r"\d+\.\d–\d+\.\d \d+\.\d – ", text), text[:2000]
    pages = len(pdf_reader(data).pages)
    assert 2 <= pages <= 5  # 12 branches: the sections follow one another, each kept whole
    assert f"page {pages} of {pages}" in text
    first = squash(pdf_reader(data).pages[0].extract_text())
    assert "Executive summary" in first and "Ranking of branches" in first


def test_a_three_branch_chain_is_not_spread_over_a_page_per_section(app, runner, tmp_path, checklists):
    """3 branches made 5 pages, most of them a small table and blank paper; sections now
    follow one another, none cut in two, and a large chain still starts each on a new page."""
    build_demo(runner, locations=3, months=3)
    reader = pdf_reader(chain_pdf(runner, tmp_path))
    assert len(reader.pages) <= 3
    texts = [squash(page.extract_text()) for page in reader.pages]
    for heading in ("Ranking of branches", "Sections: where branches differ", "Funnel plot",
                    "The least consistent questions", "Auditor leniency", "Trend by month", "Regions"):
        assert sum(heading in t for t in texts) == 1, heading


def test_a_period_brings_the_declines_and_the_filters_into_the_title(app, runner, tmp_path, checklists):
    build_demo(runner, locations=12, months=4)
    data = chain_pdf(runner, tmp_path, "--since", "2026-10-01", "--until", "2026-10-31")
    text = pdf_text(data)
    assert "Period: 1 Oct 2026 – 31 Oct 2026" in text
    spec = StatsFilter("store-visit", since=_d("2026-10-01"), until=_d("2026-10-31"))
    stats = chain_statistics(spec)
    assert all("change" in r for r in stats["locations"])  # the previous period was compared
    for sentence in summary_sentences(app, "en", spec):
        assert squash(sentence) in text


@pytest.mark.parametrize("lang, letter", [("ru", "ы"), ("lt", "ė"), ("lv", "ā")])
def test_the_pdf_speaks_russian_lithuanian_and_latvian(app, runner, tmp_path, checklists, lang, letter):
    build_demo(runner, locations=8, months=2)
    text = pdf_text(chain_pdf(runner, tmp_path, "--lang", lang))
    definition = checklists["store-visit"].parsed
    assert definition.title.get(lang) in text
    sentences = summary_sentences(app, lang)
    for sentence in sentences:
        assert squash(sentence) in text
    # The summary names the least consistent section and question in the chosen language.
    titles = [s.title.get(lang) for s in definition.sections] + [i.text.get(lang) for i in definition.items]
    quotes = ("“{}”", "«{}»", "„{}“", "\"{}\"")  # each language quotes in its own way
    assert any(q.format(title) in text for title in titles for q in quotes)
    assert letter in "".join(t for t in titles if t in text)


def test_three_hundred_branches_fit_in_twelve_pages(app, runner, tmp_path, checklists):
    build_demo(runner, locations=300, months=1)
    started = time.perf_counter()
    data = chain_pdf(runner, tmp_path)
    elapsed = time.perf_counter() - started
    pages = len(pdf_reader(data).pages)
    print(f"300-branch chain PDF: {pages} pages in {elapsed:.1f} s")
    assert pages <= 12
    text = pdf_text(data)
    ranking = chain_statistics(StatsFilter("store-visit"))["locations"]
    assert len(ranking) == 300
    for record in ranking:  # every branch's line in the list of all branches; fewer than 3 visits: unranked
        symbol = "" if record["funnel"] == "inside" else BAND_SYMBOLS[record["funnel"]]  # no "–" on 300 lines
        entry = [str(record["rank"] or "–"), record["code"], symbol, one(record["mean"]),
                 f"{one(max(record['ci_low'], 0))}–{one(min(record['ci_high'], 100))}" if record["ci_low"] is not None else "–",
                 str(record["visits"]) + (" ⚠" if record["low_data"] else "")]
        assert " ".join(part for part in entry if part) in text
    assert "The 15 lowest branches" in text and "The 25 lowest branches × sections" in text


def test_unknown_checklist_and_no_visits_are_errors_a_person_can_act_on(app, runner, tmp_path, checklists):
    out = str(tmp_path / "x.pdf")
    result = runner.invoke(args=["report", "chain", "--checklist", "nope", "--out", out])
    assert result.exit_code == 1 and "unknown checklist 'nope'" in result.output
    result = runner.invoke(args=["report", "chain", "--checklist", "store-visit", "--out", out])
    assert result.exit_code == 1 and "no approved visits" in result.output
    with pytest.raises(ReportError):
        chain_report_context(StatsFilter("store-visit"), "en")


# --- the URL fetcher ----------------------------------------------------------------------------

def test_static_file_serves_only_our_static_files(app):
    root = Path(app.static_folder)
    assert _static_file("/static/css/app.css", root) == (root / "css" / "app.css").resolve()
    assert _static_file("report:/static/css/app.css", root) == (root / "css" / "app.css").resolve()
    for url in ("/static/../../etc/passwd", "/static/%2e%2e/%2e%2e/etc/passwd", "report:/static/../../etc/passwd",
                "file:///etc/passwd", "http://169.254.169.254/latest/meta-data/", "//169.254.169.254/static/x",
                "/etc/passwd", "/static/", "/static/css/missing.css"):
        with pytest.raises(ForbiddenResource):
            _static_file(url, root)


def test_reports_cannot_read_local_files_or_reach_the_network(app, caplog):
    html = """<html><head>
      <link rel="stylesheet" href="http://169.254.169.254/latest/meta-data/">
      <link rel="stylesheet" href="file:///etc/passwd">
      <link rel="attachment" href="file:///etc/passwd" title="passwd">
      <link rel="stylesheet" href="/static/css/app.css">
      <style>@import url("file:///etc/passwd"); body { background: url("http://169.254.169.254/x.png"); }</style>
    </head><body>
      <p>Marker paragraph</p>
      <img src="file:///etc/passwd"><img src="/static/../../etc/passwd"><img src="http://169.254.169.254/x.png">
      <a rel="attachment" href="file:///etc/passwd">passwd</a>
    </body></html>"""
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        data = html_to_pdf(html)
    reader = pdf_reader(data)
    text = pdf_text(data)
    assert "Marker paragraph" in text
    assert "root:" not in text and b"root:x:0:0" not in data
    assert not reader.attachments
    refused = " ".join(record.getMessage() for record in caplog.records)
    for url in ("file:///etc/passwd", "http://169.254.169.254/latest/meta-data/", "http://169.254.169.254/x.png"):
        assert url in refused


def _d(text):
    from datetime import date

    return date.fromisoformat(text)


def test_the_trend_leaves_a_month_without_visits_empty(app, runner, tmp_path, checklists):
    """July, (no August), September, October: August keeps its space and no line crosses it;
    the months used to be drawn evenly and joined, hiding the gap."""
    build_demo(runner, locations=8, months=4)  # July to October 2026
    db.session.execute(text("UPDATE visit SET status = 'submitted' WHERE visited_at >= :start AND visited_at < :end"),
                       {"start": datetime(2026, 7, 31, 21), "end": datetime(2026, 8, 31, 21)})  # Vilnius, UTC+3
    db.session.commit()
    with app.test_request_context():
        trend = chain_report_context(StatsFilter("store-visit"), "en")["trend"]
    assert [row["month"] for row in trend["rows"]] == ["Jul 2026", "Sept 2026", "Oct 2026"]
    root = ET.fromstring(str(trend["chart"]))
    xs = [float(c.get("cx")) for c in root.iter("{http://www.w3.org/2000/svg}circle")]
    assert xs[1] - xs[0] == pytest.approx(2 * (xs[2] - xs[1]), abs=0.2)  # two months, then one
    [path] = root.iter("{http://www.w3.org/2000/svg}path")
    assert path.get("d").count("M") == 1 and path.get("d").count("L") == 1  # September–October only
    assert "Sept 2026" in pdf_text(chain_pdf(runner, tmp_path))
