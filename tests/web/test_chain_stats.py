"""`audit stats`: figures from SQL aggregates agree with independent computations, and the
number of SQL statements does not grow with the chain."""
from __future__ import annotations

import json

import numpy as np
import pytest
from sqlalchemy import event, func, select

from audit import stats
from audit.extensions import db
from audit.models import Checklist, ChecklistVersion, Location, Region, Visit
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
    assert "approved visits at 6 locations" in text.output
    unknown = runner.invoke(args=["stats", "--checklist", "nope", "--json"])
    assert unknown.exit_code == 1 and "unknown checklist 'nope'" in unknown.output
