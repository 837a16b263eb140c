"""The location report PDF: its figures are those of ``chain_statistics`` for the branch and
for the chain over the same period, read back from the PDF with pypdf."""
from __future__ import annotations

from html import unescape

import re
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, localcontext

import pytest
from babel.numbers import format_decimal
from sqlalchemy import select

from audit.extensions import db
from audit.models import Location
from audit.reports.location_report import default_period, location_report_context
from audit.services.chain_stats import StatsFilter, chain_statistics
from audit.times import local_today
from tests.conftest import login
from tests.pdf.helpers import build_demo, pdf_reader, pdf_text, squash


def en(value: float, digits: int = 1) -> str:
    """Rounded half up, as the report rounds (80.25 is 80.3; Babel's own half-even said 80.2)."""
    with localcontext() as context:
        context.rounding = ROUND_HALF_UP
        return format_decimal(value, "0." + "0" * digits if digits else "0", locale="en_GB")


@pytest.fixture
def period(app, runner, checklists):
    """A demo chain, the last three months of it, and the branch with the most repeat failures."""
    end = local_today() - timedelta(days=3)
    build_demo(runner, locations=12, months=4, end=end)
    since = end - timedelta(days=91)
    repeats = chain_statistics(StatsFilter("store-visit", since, end))["repeat_failures"]
    assert repeats, "the demo chain should have repeat failures"
    codes = [r["location"] for r in repeats]
    code = max(sorted(set(codes)), key=codes.count)
    return {"code": code, "since": since, "until": end}


def cli_pdf(runner, tmp_path, period, lang="en", *extra) -> bytes:
    out = tmp_path / f"location-{lang}.pdf"
    result = runner.invoke(args=["report", "location", period["code"], "--since", period["since"].isoformat(),
                                 "--until", period["until"].isoformat(), "--out", str(out), "--lang", lang, *extra])
    assert result.exit_code == 0, result.output
    return out.read_bytes()


def test_figures_are_those_of_the_chain_statistics(app, runner, tmp_path, period):
    spec = StatsFilter("store-visit", period["since"], period["until"], location_code=period["code"])
    own = chain_statistics(spec)
    chain = chain_statistics(StatsFilter("store-visit", period["since"], period["until"]))
    record = own["locations"][0]
    body = pdf_text(cli_pdf(runner, tmp_path, period))

    location = db.session.scalar(select(Location).where(Location.code == period["code"]))
    assert location.name in body
    mean = re.escape(en(record["mean"]))
    assert re.search(rf"mean score\s*{mean}\s*{record['visits']} visits", body, re.I), body[:500]
    assert re.search(rf"chain mean\s*{re.escape(en(chain['chain']['mean']))}\s*{chain['visits']} visits", body, re.I)
    rank = [r["code"] for r in chain["locations"]].index(period["code"]) + 1
    assert re.search(rf"rank in the chain\s*{rank} / {len(chain['locations'])}", body, re.I)

    sections = body[body.index("Sections against the chain"):]
    chain_sections = {s["id"]: s for s in chain["sections"]}
    for s in own["sections"]:
        figures = (squash(s["text"]), en(s["mean"]), en(chain_sections[s["id"]]["mean"]))
        row = r"\s*".join(re.escape(f) for f in figures)
        assert re.search(row, sections), s

    repeat_part = body[body.index("Repeat failures"):body.index("Weakest items")]
    texts = {i["id"]: i["text"] for i in own["items"]}
    assert own["repeat_failures"]
    for r in own["repeat_failures"]:
        assert re.search(rf"{re.escape(squash(texts[r['item']]))}\s*{r['failures']} of {r['of']}", repeat_part), r

    visits_part = body[body.index("Visits in the period"):]
    context = location_report_context(period["code"], period["since"], period["until"], "store-visit", "en")
    assert len(context["visits"]) == own["visits"]
    for visit in context["visits"]:
        assert en(visit["score"]) in visits_part


def test_strongest_and_weakest_items_compare_the_branch_with_the_chain(app, period):
    context = location_report_context(period["code"], period["since"], period["until"], "store-visit", "en")
    weakest, strongest = context["weakest"], context["strongest"]
    assert 0 < len(weakest) <= 5 and 0 < len(strongest) <= 5
    assert not {i["id"] for i in weakest} & {i["id"] for i in strongest}
    assert max(i["difference"] for i in weakest) <= min(i["difference"] for i in strongest)
    for i in weakest + strongest:
        assert i["difference"] == pytest.approx(i["mean"] - i["chain_mean"]) and i["answers"] >= 3


def test_the_report_speaks_the_chosen_language(app, runner, tmp_path, period, checklists):
    definition = checklists["store-visit"].parsed
    for lang in ("lt", "lv", "ru"):
        body = pdf_text(cli_pdf(runner, tmp_path, period, lang))
        assert definition.title.get(lang) in body
        assert squash(definition.sections[0].title.get(lang)) in body


def test_the_default_period_is_the_last_three_months():
    assert default_period(None, None, today=date(2026, 5, 31)) == (date(2026, 3, 1), date(2026, 5, 31))
    assert default_period(None, date(2026, 10, 15)) == (date(2026, 7, 16), date(2026, 10, 15))
    assert default_period(date(2026, 1, 1), date(2026, 2, 1)) == (date(2026, 1, 1), date(2026, 2, 1))


def test_download_route_follows_the_branch(app, period, make_user):
    code = period["code"]
    other = db.session.scalar(select(Location.code).where(Location.code != code).order_by(Location.code))
    make_user("manager", email="own@example.com", locations=[code])
    make_user("manager", email="other@example.com", locations=[other])
    make_user("auditor", email="auditor@example.com")
    make_user("reviewer", email="reviewer@example.com")
    url = f"/locations/{code}/report.pdf?since={period['since']}&until={period['until']}"
    for email, status in (("own@example.com", 200), ("reviewer@example.com", 200),
                          ("other@example.com", 404), ("auditor@example.com", 404)):
        client = app.test_client()
        login(client, email)
        response = client.get(url)
        assert response.status_code == status, email
        if status == 200:
            assert response.mimetype == "application/pdf" and code in pdf_text(response.data)


@pytest.mark.parametrize("query, message", [
    ("since=2026-12-01&until=2026-01-01", "The period ends before it starts."),
    ("since=2030-01-01", "The period ends before it starts."),  # until: today
    ("since=2026-13-01", "“2026-13-01” is not a date."),
    ("until=9999-12-31", "9999-12-31 is not between"),
])
def test_a_period_that_cannot_be_is_a_400_that_says_why(app, period, make_user, query, message):
    """Not "Not found" (the branch exists) nor a report of another period under the name asked for."""
    client = app.test_client()
    login(client, make_user("manager", locations=[period["code"]]).email)
    response = client.get(f"/locations/{period['code']}/report.pdf?{query}")
    html = unescape(response.get_data(as_text=True))
    assert response.status_code == 400 and response.mimetype == "text/html"
    assert "These filters cannot be used" in html and message in html


def test_unknown_location_or_checklist(app, runner, tmp_path, checklists, make_location):
    out = str(tmp_path / "x.pdf")
    result = runner.invoke(args=["report", "location", "NOPE-1", "--out", out])
    assert result.exit_code == 1 and "no location" in result.output
    make_location("VLN-01")
    result = runner.invoke(args=["report", "location", "VLN-01", "--checklist", "nope", "--out", out])
    assert result.exit_code == 1 and "unknown checklist" in result.output
    result = runner.invoke(args=["report", "location", "VLN-01", "--out", out])  # no visits: still a report
    assert result.exit_code == 0 and "No approved visits in this period." in pdf_text((tmp_path / "x.pdf").read_bytes())


def test_header_labels_stay_with_their_values_and_intervals_do_not_break(app, runner, tmp_path, period):
    """Each line of the first page as pypdf reads it: "Made on:" used to end a line with its date
    on the next, and "95% interval 68–" / "78" broke after the dash."""
    first_page = pdf_reader(cli_pdf(runner, tmp_path, period)).pages[0].extract_text().splitlines()
    assert not [line for line in first_page if line.rstrip().endswith(":") or re.search(r"\d–$", line)], first_page[:12]
    assert any(re.search(r"Made on: \d+ \w+ \d{4}", line) for line in first_page), first_page[:8]  # "1 December 2026"
    assert any(re.search(r"\b\d+–\d+$", line) for line in first_page)  # the interval, whole


def test_a_month_the_period_only_touches_is_left_out_when_the_branch_had_no_visit(app):
    from audit.reports.location_report import _trend

    chain = [{"month": m, "visits": 40, "mean": 70.0} for m in ("2026-08", "2026-09", "2026-10", "2026-11")]
    own = [{"month": "2026-09", "visits": 3, "mean": 71.0}, {"month": "2026-11", "visits": 2, "mean": 65.0}]
    with app.test_request_context():
        months = [t["month"] for t in _trend(own, chain, date(2026, 8, 31), date(2026, 11, 30))]
        assert months == ["2026-09", "2026-10", "2026-11"]  # August: one day, no visit of the branch
        # a whole month without visits stays: that is news
        assert [t["visits"] for t in _trend(own, chain, date(2026, 8, 31), date(2026, 11, 30))] == [3, 0, 2]
        # a partial month with a visit of the branch stays too
        own.append({"month": "2026-08", "visits": 1, "mean": 90.0})
        rows = _trend(own, chain, date(2026, 8, 31), date(2026, 11, 30))
        assert rows[0]["month"] == "2026-08"
        # ... marked as partial, as on the dashboard (its one visit is not August's mean)
        assert [t["partial"] for t in rows] == [True, False, False, False] and rows[0]["label"].endswith("*")
        assert _trend(own, chain, date(2026, 9, 1), date(2026, 11, 15))[-1]["label"].endswith("*")


def test_a_short_period_says_it_is_why_few_branches_are_ranked(app, runner, tmp_path, period):
    """One day: "1 visit", "rank 1 / 3" come from the period, and the report says so with its dates."""
    day = period["until"] - timedelta(days=1)
    short = {**period, "since": day - timedelta(days=1), "until": day}
    context = location_report_context(period["code"], short["since"], short["until"], "store-visit", "en")
    summary = context["summary"]
    assert summary["chain_locations"] < summary["branches_ever"] == 12
    body = pdf_text(cli_pdf(runner, tmp_path, short))
    since, until = context["period"]["since_text"], context["period"]["until_text"]
    branches = "branch" if summary["chain_locations"] == 1 else "branches"
    assert (f"From {since} to {until} only {summary['chain_locations']} {branches} had approved visits with this "
            "checklist; the chain mean and the rank count only this period.") in body
    whole = location_report_context(period["code"], None, None, "store-visit", "en")["summary"]
    assert whole["chain_locations"] == whole["branches_ever"]
    assert "A longer period compares with more branches" not in pdf_text(cli_pdf(runner, tmp_path, period))


def test_the_report_lists_the_branch_s_corrective_actions(app, runner, tmp_path, period, make_user):
    """The manager takes the period's report to the team meeting: what the branch has promised
    to do, and what it has done lately, belongs with what went wrong."""
    from sqlalchemy import select

    from audit.extensions import db
    from audit.models import CorrectiveAction, Location, Visit
    from audit.services.actions import complete_action, failed_items, plan_action
    from audit.times import local_today

    manager = make_user("manager", locations=[period["code"]])
    visit = next(v for v in db.session.scalars(
        select(Visit).join(Location).where(Location.code == period["code"], Visit.status == "approved")
        .order_by(Visit.visited_at.desc())) if failed_items(v))
    first, second = sorted(failed_items(visit))[:2]
    plan_action(visit, manager, first, "Brief every shift on the greeting", "Shift leads", local_today() + timedelta(days=5),
                local_today())
    done = plan_action(visit, manager, second, "Fix the price labels", "", local_today() + timedelta(days=2),
                       local_today())
    complete_action(done, manager, "All labels checked on Monday")
    db.session.commit()
    branch = db.session.scalar(select(Location).where(Location.code == period["code"]))
    actions = db.session.scalars(select(CorrectiveAction).where(CorrectiveAction.location_id == branch.id)).all()
    body = pdf_text(cli_pdf(runner, tmp_path, period))
    assert "Corrective actions" in body
    assert f"Open actions ({sum(a.status == 'open' for a in actions)})" in body
    assert "Brief every shift on the greeting" in body and "Shift leads" in body
    assert "Done in the last 90 days" in body and "Fix the price labels" in body
    assert "Done: All labels checked on Monday" in body


def test_the_actions_write_their_days_in_numbers_as_the_visits_table_does(app, runner, tmp_path, period, make_user):
    """The table of the branch's visits wrote a visit "28/11/2026, 15:00", the table of its
    corrective actions under it the same visit "28 Nov 2026" and the day due "9 Dec 2026": on one
    page, days in two formats. The actions table writes its days in numbers too."""
    from audit.models import Visit
    from audit.services.actions import failed_items, plan_action
    from audit.times import local_date

    manager = make_user("manager", locations=[period["code"]])
    visit = next(v for v in db.session.scalars(
        select(Visit).join(Location).where(Location.code == period["code"], Visit.status == "approved")
        .order_by(Visit.visited_at.desc())) if failed_items(v))
    due = local_today() + timedelta(days=5)
    plan_action(visit, manager, sorted(failed_items(visit))[0], "Brief every shift on the greeting", "Shift leads",
                due, local_today())
    db.session.commit()
    body = pdf_text(cli_pdf(runner, tmp_path, period))
    visits, actions = body.split("Corrective actions", 1)
    assert re.search(r"\b\d\d/\d\d/\d{4}, \d\d:\d\d\b", visits)  # the visits table
    row = re.escape(f"{due:%d/%m/%Y} Brief every shift on the greeting")
    assert re.search(rf"{row} .*? Shift leads {local_date(visit.visited_at):%d/%m/%Y}", actions), actions[:300]
