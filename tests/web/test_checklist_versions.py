"""Visits scored against checklist versions that score differently: the statistics say which
versions and how many visits each, head office is warned (dashboard, summary, JSON), and the
checklist page lists what changed."""
from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask_babel import force_locale
from sqlalchemy import func, select, update

from audit.checklist.model import Text
from audit.extensions import db
from audit.models import Checklist, ChecklistVersion, Visit
from audit.reports.summary import executive_summary
from audit.services.chain_stats import StatsFilter, chain_statistics
from audit.services.checklists import current_version, store_checklist
from audit.times import display_zone
from tests.conftest import csrf_token, login

SWITCH = datetime(2026, 10, 15)  # visits from this day on were scored against version 2


def _demo(runner):
    result = runner.invoke(args=["demo", "--locations", "4", "--months", "2", "--seed", "3", "--end", "2026-10-31"])
    assert result.exit_code == 0, result.output


def _second_version(**item_fields) -> ChecklistVersion:
    """Version 2 of the store visit checklist with one question edited; the visits from
    :data:`SWITCH` on move to it."""
    first = current_version("store-visit")
    definition = first.parsed
    sections = tuple(replace(s, items=tuple(replace(i, **item_fields) if i.id == "eye_contact" else i
                                            for i in s.items)) for s in definition.sections)
    assert store_checklist(replace(definition, sections=sections, _items={})).created
    second = current_version("store-visit")
    db.session.execute(update(Visit).where(Visit.checklist_version_id == first.id, Visit.visited_at >= SWITCH)
                       .values(checklist_version_id=second.id))
    db.session.commit()
    return second


def _approved_per_version() -> dict[int, int]:
    rows = db.session.execute(
        select(ChecklistVersion.number, func.count(Visit.id)).join(Visit.checklist_version).join(Checklist)
        .where(Checklist.key == "store-visit", Visit.status == "approved", Visit.score.is_not(None))
        .group_by(ChecklistVersion.number)
    ).all()
    return dict(rows)


def test_a_reweighted_question_warns_that_the_versions_score_differently(app, runner, checklists):
    _demo(runner)
    _second_version(weight=3)
    expected = _approved_per_version()
    assert expected[1] > 0 and expected[2] > 0
    stats = chain_statistics(StatsFilter("store-visit"))
    versions = stats["checklist_versions"]
    assert [(v["number"], v["visits"]) for v in versions] == sorted(expected.items())
    assert versions[0]["scoring_changed"] is False and versions[1]["scoring_changed"] is True
    assert versions[1]["changes"] == {"added": 0, "removed": 0, "changed": 1}
    assert versions[0]["last"] < "2026-10-15" <= versions[1]["first"]
    first_local = db.session.scalar(
        select(func.min(Visit.visited_at)).where(Visit.checklist_version_id == current_version("store-visit").id,
                                                                             Visit.status == "approved"))
    assert versions[1]["first"] == first_local.replace(tzinfo=ZoneInfo("UTC")).astimezone(
        display_zone()).date().isoformat()
    finding = next(f for f in stats["consistency"]["findings"] if f["code"] == "checklist_versions_differ")
    assert finding["params"]["changed_in"] == [2] and finding["severity"] == "warning"

    with app.test_request_context(), force_locale("en"):
        sentences = executive_summary(stats)
    warning = next(s for s in sentences if "versions of the checklist" in s)
    assert f"version 1: {expected[1]} visits; version 2: {expected[2]} visits" in warning
    assert "choose a period from" in warning

    only_new = chain_statistics(StatsFilter("store-visit", since=date(2026, 10, 16)))
    assert [v["number"] for v in only_new["checklist_versions"]] == [2]
    assert "checklist_versions_differ" not in {f["code"] for f in only_new["consistency"]["findings"]}


def test_reworded_questions_list_both_versions_without_a_warning(app, runner, checklists):
    _demo(runner)
    _second_version(text=Text(en="Did the staff look at you?"))
    stats = chain_statistics(StatsFilter("store-visit"))
    assert [v["scoring_changed"] for v in stats["checklist_versions"]] == [False, False]
    assert "checklist_versions_differ" not in {f["code"] for f in stats["consistency"]["findings"]}


def test_dashboard_and_checklist_page_show_the_change(app, client, runner, checklists, make_user):
    _demo(runner)
    _second_version(weight=3)
    make_user("admin", email="boss@example.com")
    login(client, "boss@example.com")
    dashboard = client.get("/office?checklist=store-visit").get_data(as_text=True)
    assert "versions of the checklist" in dashboard
    # The trend marks where version 2 came into use (its first visit, from 15 October), in
    # October's half of the axis (a month's point is its middle; the plot ends at October's).
    start = dashboard.index('aria-label="Trend by month"')
    trend = dashboard[start:dashboard.index("</svg>", start)]
    mark = re.search(r'<line x1="([\d.]+)" x2="\1" [^>]*stroke-dasharray="2 3"/><text [^>]*>v2</text>', trend)
    assert mark, trend
    labels = {m.group(2): float(m.group(1)) for m in re.finditer(r'<text x="([\d.]+)" y="[\d.]+" '
                                                                 r'text-anchor="middle" fill="[^"]+">(\w+) 2026</text>', trend)}
    september, october = next(x for name, x in labels.items() if name.startswith("Sep")), labels["Oct"]
    at = (float(mark.group(1)) - september) / (october - september)
    first = chain_statistics(StatsFilter("store-visit"))["checklist_versions"][1]["first"]
    assert first >= "2026-10-15"
    assert abs(at - min(0.5 + (int(first[8:]) - 1) / 31, 1)) < 0.01, (at, first)
    assert "A dotted line marks the day a newer version of the checklist came into use" in dashboard
    one_version = client.get("/office?checklist=store-visit&since=2026-10-16").get_data(as_text=True)
    assert "A dotted line marks" not in one_version and ">v2</text>" not in one_version
    page = client.get("/checklists/store-visit").get_data(as_text=True)
    assert "Changes from version 1" in page and "weight 1 → 3" in page and "These changes move scores" in page
    first = client.get("/checklists/store-visit?version=1").get_data(as_text=True)
    assert "Changes from version" not in first

    client.post("/language", data={"lang": "lt", "next": "/", "csrf_token": csrf_token(page)})
    lithuanian = client.get("/checklists/store-visit").get_data(as_text=True)
    assert "Pakeitimai, palyginti su versija 1" in lithuanian and "svoris 1 → 3" in lithuanian
    assert "Šie pakeitimai keičia balus" in lithuanian


def test_the_workbook_lists_the_versions(app, client, runner, checklists, make_user):
    import io
    import re
    from html import unescape

    from openpyxl import load_workbook

    _demo(runner)
    _second_version(weight=3)
    expected = _approved_per_version()
    make_user("reviewer", email="office@example.com")
    login(client, "office@example.com")
    html = client.get("/office?checklist=store-visit").get_data(as_text=True)
    link = unescape(re.search(r'href="([^"]+)" id="download-xlsx"', html).group(1))
    book = load_workbook(io.BytesIO(client.get(link).data))
    rows = [row for row in book["Summary"].iter_rows(values_only=True)]
    at = next(n for n, row in enumerate(rows) if row[0] == "Checklist version")
    assert [(r[0], r[1], r[4]) for r in rows[at + 1:at + 3]] == [(1, expected[1], None), (2, expected[2], "yes")]


def test_the_branch_page_warns_when_its_own_visits_span_the_versions(app, client, runner, checklists, make_user):
    from audit.reports.location_report import location_report_context

    _demo(runner)
    _second_version(weight=3)
    from audit.models import Location

    code = db.session.scalar(select(Location.code).join(Visit, Visit.location_id == Location.id)
                             .where(Visit.visited_at >= SWITCH, Visit.status == "approved").limit(1))
    context = location_report_context(code, date(2026, 9, 1), date(2026, 10, 31), "store-visit", "en")
    assert "versions of the checklist" in context["versions_note"]
    make_user("reviewer", email="office@example.com")
    login(client, "office@example.com")
    page = client.get(f"/office/locations/{code}?since=2026-09-01&until=2026-10-31").get_data(as_text=True)
    assert 'id="versions-note"' in page
    later = location_report_context(code, date(2026, 10, 16), date(2026, 10, 31), "store-visit", "en")
    assert later["versions_note"] == ""
