"""What the dashboard and the chain PDF print for the least consistent questions."""
from __future__ import annotations

from audit.reports.chain_view import _inconsistent_items


def test_outlier_branches_beyond_the_named_few_are_kept_for_the_dashboard_to_unfold():
    """"and 32 more" could not be opened on the dashboard (only the workbook had them)."""
    outliers = [{"location": f"KNS-{n}", "band": "below_998", "mean": 20.0 + n, "answers": 5} for n in range(15)]
    item = {"id": "greeted", "text": "Greeted", "mean": 70.0, "spread_sd": 9.0, "location_share": 0.3,
            "sd_between": 10.0, "answers": 300, "locations": 40, "outliers": outliers}
    by_code = {o["location"]: {"name": f"Branch {o['location']}"} for o in outliers}
    [row] = _inconsistent_items([item], by_code, limit=5, shown=10)
    assert [o["code"] for o in row["below"]] == [f"KNS-{n}" for n in range(10)]  # the lowest first
    assert row["below_more"] == 5 and [o["code"] for o in row["below_rest"]] == [f"KNS-{n}" for n in range(10, 15)]
    assert row["above"] == [] and row["above_rest"] == []


def test_months_the_period_covers_in_part_are_marked(tmp_path):
    """December's 3 visits of its first day read as a 10-point fall after November's 164."""
    from datetime import date

    from flask_babel import force_locale

    from audit import create_app
    from audit.reports.chain_view import _trend

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x",
                      "INSTANCE_PATH": str(tmp_path)})
    trend = [{"month": "2026-10", "visits": 150, "mean": 75.0}, {"month": "2026-11", "visits": 164, "mean": 77.0},
             {"month": "2026-12", "visits": 3, "mean": 67.0}]
    with app.test_request_context(), force_locale("en"):
        open_ended = _trend(trend, filters={}, today=date(2026, 12, 1))
        assert [r["month"] for r in open_ended["rows"]] == ["Oct 2026", "Nov 2026", "Dec 2026*"]
        assert open_ended["partial"]
        period = _trend(trend, filters={"since": "2026-10-15", "until": "2026-11-30"}, today=date(2026, 12, 1))
        assert [r["month"] for r in period["rows"]][:2] == ["Oct 2026*", "Nov 2026"]
        whole = _trend(trend[:2], filters={"since": "2026-10-01", "until": "2026-11-30"}, today=date(2026, 12, 1))
        assert not whole["partial"] and "*" not in "".join(r["month"] for r in whole["rows"])


def test_auditor_offsets_within_chance_are_said_to_be(tmp_path):
    """Two auditors, +6.9 and −6.9 from 12 visits each, read as "Līga is 14 points stricter"."""
    from flask_babel import force_locale

    from audit import create_app
    from audit.reports.chain_view import _auditors

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x",
                      "INSTANCE_PATH": str(tmp_path)})
    consistency = {"findings": [], "design_connected": True, "variance": {},
                   "auditors": [{"name": "Jānis", "offset": 6.9, "visits": 12}, {"name": "Līga", "offset": -6.9, "visits": 12}]}
    with app.test_request_context(), force_locale("en"):
        assert _auditors({**consistency, "auditor_p_value": 0.199}, visits=24)["within_chance"]
        assert not _auditors({**consistency, "auditor_p_value": 0.001}, visits=24)["within_chance"]
        assert not _auditors({**consistency, "auditor_p_value": 0.199}, visits=12)["within_chance"]  # too few: no chart


def test_a_short_ranking_is_one_chart_not_two_ends_showing_the_same_branches(tmp_path):
    """40 branches in the last month, 12 of them with 3 visits or more: "the 15 highest" and "the
    15 lowest" were the same 12 ranked branches, drawn twice."""
    from flask_babel import force_locale

    from audit import create_app
    from audit.reports.chain_view import DASHBOARD, _ranking_charts

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x",
                      "INSTANCE_PATH": str(tmp_path)})

    def chain(ranked: int, total: int = 40) -> dict:
        rows = [{"code": f"B-{n:02d}", "name": f"Branch {n}", "mean": 90.0 - n, "ci_low": 80.0 - n,
                 "ci_high": 100.0 - n, "funnel": "inside", "visits": 3 if n < ranked else 1,
                 "rank": n + 1 if n < ranked else None} for n in range(total)]
        return {"locations": rows, "chain": {"mean": 70.0}}

    with app.test_request_context(), force_locale("en"):
        [one] = _ranking_charts(chain(12), DASHBOARD)
        assert one["title"] == "The 12 ranked branches"
        assert "B-11" in one["svg"] and "B-12" not in one["svg"]  # the unranked are in the table only
        highest, lowest = _ranking_charts(chain(35), DASHBOARD)
        assert highest["title"] == "The 15 highest branches" and "B-00" in highest["svg"]
        assert "B-34" in lowest["svg"] and "B-35" not in lowest["svg"]
