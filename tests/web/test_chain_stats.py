"""`audit stats`: figures from SQL aggregates agree with independent computations, and the
number of SQL statements does not grow with the chain."""
from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from sqlalchemy import event, func, select

from audit import stats
from audit.extensions import db
from audit.models import Answer, Checklist, ChecklistVersion, Location, Region, User, Visit, VisitSectionScore
from audit.services.chain_stats import StatsFilter, chain_statistics


def build_demo(runner, locations: int, months: int = 2):
    result = runner.invoke(args=["demo", "--locations", str(locations), "--months", str(months),
                                 "--seed", "3", "--end", "2026-10-31"])
    assert result.exit_code == 0, result.output


def approved_store_visits():
    return db.session.execute(
        select(Location.code, Visit.score, Visit.auditor_id, Region.name)
        .join(Visit, Visit.location_id == Location.id).join(Region, Location.region_id == Region.id)
        .join(ChecklistVersion).join(Checklist)
        .where(Visit.status == "approved", Checklist.key == "store-visit")
    ).all()


def test_location_figures_match_sql_and_the_pure_statistics(runner, checklists):
    build_demo(runner, 8)
    result = chain_statistics(StatsFilter("store-visit"))
    rows = approved_store_visits()
    assert result["visits"] == len(rows)
    by_code: dict[str, list[float]] = {}
    for code, score, _auditor, _region in rows:
        by_code.setdefault(code, []).append(score)
    for record in result["locations"]:
        scores = by_code[record["code"]]
        assert record["visits"] == len(scores)
        assert record["mean"] == pytest.approx(np.mean(scores))
        assert record["sd_within"] == pytest.approx(np.std(scores, ddof=1))
        assert record["ci_low"] < record["mean"] < record["ci_high"]
    ranking = [r["mean"] for r in result["locations"]]
    assert ranking == sorted(ranking, reverse=True)
    codes = sorted(by_code)
    values = np.array([s for c in codes for s in by_code[c]])
    groups = np.repeat(np.arange(len(codes)), [len(by_code[c]) for c in codes])
    assert result["consistency"]["icc_location"] == pytest.approx(stats.location_icc(values, groups).value)
    assert result["chain"]["mean"] == pytest.approx(values.mean())
    item = result["items"][0]
    assert 0 <= item["pass_rate"] <= 1 and 0 <= item["mean"] <= 100
    assert {s["id"] for s in result["sections"]} <= {s.id for s in checklists["store-visit"].parsed.sections}


def test_item_and_section_figures_match_a_count_of_the_stored_answers(runner, checklists):
    """Pass rate = share of scored answers with at least half marks (items 0–1, sections 0–100)."""
    build_demo(runner, 6)
    result = chain_statistics(StatsFilter("store-visit"))
    approved = select(Visit.id).join(ChecklistVersion).join(Checklist).where(
        Visit.status == "approved", Visit.score.is_not(None), Checklist.key == "store-visit")
    answers = db.session.execute(select(Answer.item_id, Answer.score).where(
        Answer.visit_id.in_(approved), Answer.score.is_not(None))).all()
    by_item: dict[str, list[float]] = {}
    for item_id, score in answers:
        by_item.setdefault(item_id, []).append(score)
    assert {i["id"] for i in result["items"]} == set(by_item)
    for item in result["items"]:
        scores = np.array(by_item[item["id"]])
        assert item["answers"] == len(scores)
        assert item["mean"] == pytest.approx(100 * scores.mean())
        assert item["pass_rate"] == pytest.approx(np.mean(scores >= 0.5))
    assert 0.3 < np.mean([i["pass_rate"] for i in result["items"]]) < 1  # the demo chain passes most questions
    sections = db.session.execute(select(VisitSectionScore.section_id, VisitSectionScore.score).where(
        VisitSectionScore.visit_id.in_(approved), VisitSectionScore.score.is_not(None))).all()
    for section in result["sections"]:
        scores = np.array([score for sid, score in sections if sid == section["id"]])
        assert section["mean"] == pytest.approx(scores.mean())
        assert section["pass_rate"] == pytest.approx(np.mean(scores >= 50))


def test_trend_regions_and_auditor_offsets_match_the_single_visits(runner, checklists):
    build_demo(runner, 8, months=3)
    result = chain_statistics(StatsFilter("store-visit"))
    rows = db.session.execute(
        select(Visit.visited_at, Visit.score, Visit.auditor_id, Location.code, Region.name)
        .join(Location, Visit.location_id == Location.id).join(Region, Location.region_id == Region.id)
        .join(ChecklistVersion).join(Checklist)
        .where(Visit.status == "approved", Visit.score.is_not(None), Checklist.key == "store-visit")
    ).all()
    by_month: dict[str, list[float]] = {}
    by_region: dict[str, list[float]] = {}
    for visited_at, score, _auditor, _code, region in rows:
        local = visited_at.replace(tzinfo=UTC).astimezone(ZoneInfo("Europe/Vilnius"))  # stored as naive UTC
        by_month.setdefault(local.strftime("%Y-%m"), []).append(score)
        by_region.setdefault(region, []).append(score)
    assert [t["month"] for t in result["trend"]] == sorted(by_month)
    for point in result["trend"]:
        assert point["visits"] == len(by_month[point["month"]])
        assert point["mean"] == pytest.approx(np.mean(by_month[point["month"]]))
    assert {r["name"]: (r["visits"], pytest.approx(r["mean"])) for r in result["regions"]} == {
        name: (len(scores), np.mean(scores)) for name, scores in by_region.items()}
    codes, loc_index = np.unique([r[3] for r in rows], return_inverse=True)
    auditor_ids, aud_index = np.unique([r[2] for r in rows], return_inverse=True)
    direct = stats.chain_consistency(np.array([r[1] for r in rows]), loc_index, aud_index)
    offsets = {a["email"]: a["offset"] for a in result["consistency"]["auditors"]}
    emails = dict(db.session.execute(select(User.id, User.email).where(User.id.in_(auditor_ids.tolist()))).all())
    for n, auditor_id in enumerate(auditor_ids):
        assert offsets[emails[auditor_id]] == pytest.approx(direct.auditor_offset[n])
    assert result["consistency"]["icc_location_adjusted"] == pytest.approx(direct.adjusted_icc.value)


def test_repeat_failures_are_counted_over_each_branch_s_last_three_visits(runner, checklists):
    """Checked against a plain reading of the stored answers, with and without a period and a region
    (the last visits are picked by the database: an index walk on PostgreSQL, a window on SQLite)."""
    build_demo(runner, 8, months=3)
    for spec in (StatsFilter("store-visit"), StatsFilter("store-visit", until=_d("2026-09-30"), region="Kaunas")):
        result = chain_statistics(spec)
        visits = db.session.execute(
            select(Visit.id, Location.code, Visit.visited_at).join(Location, Visit.location_id == Location.id)
            .where(*spec.conditions())).all()
        last: dict[str, list[int]] = {}
        for visit_id, code, _when in sorted(visits, key=lambda v: (v[2], v[0]), reverse=True):
            if len(last.setdefault(code, [])) < 3:
                last[code].append(visit_id)
        expected = {}
        for code, ids in last.items():
            for item_id, score in db.session.execute(
                    select(Answer.item_id, Answer.score).where(Answer.visit_id.in_(ids), Answer.score.is_not(None))):
                failed, scored = expected.get((code, item_id), (0, 0))
                expected[(code, item_id)] = (failed + (score < 0.5), scored + 1)
        flagged = {key: value for key, value in expected.items() if value[0] >= 2}
        assert flagged, "the demo chain has repeat failures"
        assert {(r["location"], r["item"]): (r["failures"], r["of"]) for r in result["repeat_failures"]} == flagged


def test_periods_and_months_are_the_days_people_see_in_vilnius(app, checklists, make_location, make_user,
                                                                   make_visit):
    """Visits are stored in UTC; 31 October 22:30 UTC is already 1 November, 00:30 in Vilnius."""
    location, auditor = make_location("VLN-01"), make_user()
    answers = {"greeted_promptly": "yes"}
    make_visit(location, auditor, answers, visited_at=datetime(2026, 10, 31, 21, 30))  # 31 Oct 23:30 local
    make_visit(location, auditor, answers, visited_at=datetime(2026, 10, 31, 22, 30))  # 1 Nov 00:30 local
    make_visit(location, auditor, answers, visited_at=datetime(2026, 11, 30, 21, 59))  # 30 Nov 23:59 local
    make_visit(location, auditor, answers, visited_at=datetime(2026, 11, 30, 22, 0))   # 1 Dec 00:00 local
    november = chain_statistics(StatsFilter("store-visit", since=_d("2026-11-01"), until=_d("2026-11-30")))
    assert november["visits"] == 2
    months = chain_statistics(StatsFilter("store-visit"))["trend"]
    assert [(m["month"], m["visits"]) for m in months] == [("2026-10", 1), ("2026-11", 2), ("2026-12", 1)]


def test_an_auditor_who_shares_no_branch_with_another_has_no_offset(app, checklists, make_location, make_user,
                                                                      make_visit):
    """Rasa and Ona both visited VLN-01 and VLN-02; Jonas alone visited RIX-01. His offset is 0
    by construction (nothing to compare him with), and it used to be given as 0.0."""
    rasa, ona, jonas = make_user(name="Rasa"), make_user(name="Ona"), make_user(name="Jonas")
    vln1, vln2, rix = make_location("VLN-01"), make_location("VLN-02"), make_location("RIX-01", region="Rīga")
    for day, (where, who, answer) in enumerate([(vln1, rasa, "yes"), (vln1, ona, "no"), (vln2, rasa, "yes"),
                                                (vln2, ona, "no"), (rix, jonas, "yes"), (rix, jonas, "no")]):
        make_visit(where, who, {"greeted_promptly": answer}, visited_at=datetime(2026, 10, day + 1, 12))
    offsets = {a["name"]: a["offset"] for a in chain_statistics(StatsFilter("store-visit"))["consistency"]["auditors"]}
    assert offsets["Jonas"] is None
    assert offsets["Rasa"] > 0 > offsets["Ona"] and offsets["Rasa"] == pytest.approx(-offsets["Ona"])


def test_the_lenient_demo_auditor_gets_the_largest_offset(runner, checklists):
    build_demo(runner, 12, months=3)
    auditors = chain_statistics(StatsFilter("store-visit"))["consistency"]["auditors"]
    assert auditors[0]["email"] == "auditor3@demo.example" and auditors[0]["offset"] > 10


def count_statements(work) -> int:
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        work()
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    return len(statements)


def test_statement_count_does_not_grow_with_the_number_of_locations(runner, checklists):
    build_demo(runner, 4)
    small = count_statements(lambda: chain_statistics(StatsFilter("store-visit", since=_d("2026-10-01"),
                                                                  until=_d("2026-10-31"))))
    _copy_visits_to_new_locations(26)
    locations = db.session.scalar(select(func.count()).select_from(Location))
    assert locations >= 30
    large = count_statements(lambda: chain_statistics(StatsFilter("store-visit", since=_d("2026-10-01"),
                                                                  until=_d("2026-10-31"))))
    assert large == small


def _copy_visits_to_new_locations(n: int) -> None:
    """More branches with the same kind of visits (scores copied), to grow the chain."""
    from audit.models import Answer, VisitSectionScore

    region = db.session.scalars(select(Region)).first()
    template = db.session.scalars(select(Visit).where(Visit.status == "approved")).all()
    for i in range(n):
        location = Location(code=f"NEW-{i:02d}", name=f"New branch {i}", region=region)
        db.session.add(location)
        for j, visit in enumerate(template[:6]):
            db.session.add(Visit(
                uuid=f"{i:08d}-0000-4000-8000-{j:012d}", location=location, auditor_id=visit.auditor_id,
                checklist_version_id=visit.checklist_version_id, channel=visit.channel, status="approved",
                visited_at=visit.visited_at, score=visit.score, critical_failed=visit.critical_failed,
                answers=[Answer(item_id=a.item_id, value=a.value, score=a.score) for a in visit.answers],
                section_scores=[VisitSectionScore(section_id=s.section_id, score=s.score) for s in visit.section_scores],
            ))
    db.session.commit()


def _d(text):
    from datetime import date

    return date.fromisoformat(text)


def test_filters_narrow_the_visits(runner, checklists):
    build_demo(runner, 8)
    rows = approved_store_visits()
    region = rows[0][3]
    result = chain_statistics(StatsFilter("store-visit", region=region))
    assert result["visits"] == sum(1 for r in rows if r[3] == region)
    assert {r["region"] for r in result["locations"]} == {region}
    nothing = chain_statistics(StatsFilter("store-visit", since=_d("2030-01-01")))
    assert nothing["visits"] == 0 and nothing["locations"] == []


def test_stats_command_prints_json_and_refuses_unknown_checklists(runner, checklists):
    build_demo(runner, 6)
    result = runner.invoke(args=["stats", "--checklist", "store-visit", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) >= {"visits", "locations", "items", "sections", "consistency"}
    assert set(data["locations"][0]) >= {"code", "name", "visits", "mean", "ci_low", "ci_high", "shrunk", "z", "funnel"}
    assert set(data["items"][0]) >= {"id", "mean", "pass_rate", "sd_between", "cv", "outliers"}
    assert set(data["consistency"]) >= {"icc_location", "icc_location_adjusted", "auditors", }
    assert isinstance(data["consistency"]["findings"], list)
    text = runner.invoke(args=["stats", "--checklist", "store-visit"])
    assert "approved visits at 6 locations" in text.output and "chain mean" in text.output
    # Intervals as the pages print them: inside 0–100, one decimal rounded half up.
    for low, high in re.findall(r"\[(-?[\d.]+)–(-?[\d.]+)\]", text.output):
        assert 0 <= float(low) <= float(high) <= 100
    region = data["locations"][0]["region"]
    narrowed = runner.invoke(args=["stats", "--checklist", "store-visit", "--region", region]).output
    assert narrowed.startswith(f"filters: region={region}\n") and "mean of the chosen visits" in narrowed
    unknown = runner.invoke(args=["stats", "--checklist", "nope", "--json"])
    assert unknown.exit_code == 1 and "unknown checklist 'nope'" in unknown.output
    far = runner.invoke(args=["stats", "--checklist", "store-visit", "--until", "9999-12-31"])
    assert far.exit_code == 2 and "use a day from 1970-01-01 to 2199-12-31" in far.output


def test_a_mistyped_region_or_format_is_an_error_naming_the_chain_s_own(runner, checklists, tmp_path):
    build_demo(runner, 6)
    region = approved_store_visits()[0][3]
    typo = runner.invoke(args=["stats", "--checklist", "store-visit", "--region", "Atlantis"])
    assert typo.exit_code == 1
    assert "--region 'Atlantis' is not one of the chain's" in typo.output and region in typo.output
    pdf = tmp_path / "chain.pdf"
    wrong_format = runner.invoke(args=["report", "chain", "--checklist", "store-visit", "--format", "kiosk",
                                       "--out", str(pdf)])
    assert wrong_format.exit_code == 1 and "--format 'kiosk'" in wrong_format.output and not pdf.exists()
    right = runner.invoke(args=["stats", "--checklist", "store-visit", "--region", region])
    assert right.exit_code == 0 and "approved visits at" in right.output


def test_stats_json_of_a_single_branch_writes_null_for_what_cannot_be_computed(runner, checklists):
    """A region with one branch has no spread between branches: that was NaN, and the JSON
    writer stopped with a traceback (a nightly per-region job failed)."""
    build_demo(runner, 6)
    code, _, _, region = approved_store_visits()[0]
    result = runner.invoke(args=["stats", "--checklist", "store-visit", "--region", region, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [location["code"] for location in data["locations"]] == [code]  # six branches, six regions
    assert data["chain"]["between_location_variance"] is None and data["chain"]["sd"] is not None
    assert "NaN" not in result.output and "Infinity" not in result.output


def test_findings_name_locations_items_and_sections_by_code_in_the_json(runner, checklists):
    """Their params gave positions in an internal order: read against ``locations[]`` they named
    a branch above the limit as one below it."""
    build_demo(runner, 30)
    data = json.loads(runner.invoke(args=["stats", "--checklist", "store-visit", "--json"]).output)
    by_code = {location["code"]: location for location in data["locations"]}
    items, sections = {item["id"] for item in data["items"]}, {section["id"] for section in data["sections"]}
    named = 0
    for finding in data["consistency"]["findings"]:
        params = finding["params"]
        if "locations" in params:
            assert len(params["location_codes"]) == len(params["locations"]) == params["count"]
            for code in params["location_codes"][:5]:
                assert code in finding["message"]
            if finding["code"] == "locations_below_998":
                assert {by_code[code]["funnel"] for code in params["location_codes"]} == {"below_998"}
            named += 1
        if "item" in params:
            assert params["item_id"] in items and params["item_id"] in finding["message"]
        if "section" in params:
            assert params["section_id"] in sections
        for item_id, code in params.get("pair_ids", []):
            assert item_id in items and code in by_code
    assert named >= 1
