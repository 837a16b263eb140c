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
