"""A branch with fewer than 3 visits is not ranked: one visit of 100 is not the chain's best
branch. It is listed after the ranked branches, without a rank, on the dashboard, in the chain
PDF, in `audit stats` and on its own page, and the summary's best branch is the ranking's #1."""
from __future__ import annotations

import json
import re

import pytest
from flask_babel import force_locale

from audit.reports.summary import executive_summary
from audit.services.chain_stats import StatsFilter, chain_statistics
from tests.conftest import login
from tests.web.test_office import build_demo, pdf_text, ranking_rows, text_of


@pytest.fixture
def chain(runner, checklists, make_user, make_location, make_visit):
    build_demo(runner)
    newcomer = make_location("NEW-01", "Newcomer", region="Vilnius")
    auditor = make_user("auditor")
    make_visit(newcomer, auditor, {"greeted_promptly": "yes"})  # one visit, 100
    return {"reviewer": make_user("reviewer")}


def test_the_statistics_rank_only_branches_with_three_visits_or_more(chain):
    locations = chain_statistics(StatsFilter("store-visit"))["locations"]
    newcomer = next(r for r in locations if r["code"] == "NEW-01")
    assert newcomer["mean"] == 100 and newcomer["visits"] == 1
    assert max(r["mean"] for r in locations) == 100  # it would have been first by its mean
    assert newcomer["rank"] is None and locations[-1] is newcomer
    ranked = [r for r in locations if r["rank"] is not None]
    assert [r["rank"] for r in ranked] == list(range(1, len(ranked) + 1))
    assert all(r["visits"] >= 3 for r in ranked) and len(ranked) == len(locations) - 1
    means = [r["mean"] for r in ranked]
    assert means == sorted(means, reverse=True)


def test_the_dashboard_lists_it_after_the_ranked_branches_without_a_rank(app, client, chain):
    login(client, chain["reviewer"].email)
    html = client.get("/office").get_data(as_text=True)
    rows = ranking_rows(html)
    assert list(rows)[-1] == "NEW-01"
    cells = re.findall(r"<td[^>]*>(.*?)</td>", rows["NEW-01"], re.DOTALL)
    assert cells[0].strip() == "–"
    first = list(rows)[0]
    assert re.findall(r"<td[^>]*>(.*?)</td>", rows[first], re.DOTALL)[0].strip() == "1"
    page = text_of(html)
    assert "1 branch has fewer than 3 visits: it is not ranked and comes after the ranked ones." in page
    # The summary's best branch is the ranking's first row, not the single visit of 100.
    stats = chain_statistics(StatsFilter("store-visit"), "en")
    with app.test_request_context(), force_locale("en_GB"):
        ends = [s for s in executive_summary(stats) if "best" in s]
    assert ends and all("NEW-01" not in s for s in ends), ends


def test_the_chain_pdf_and_the_branch_page_say_it_is_not_ranked(client, chain):
    login(client, chain["reviewer"].email)
    text = pdf_text(client.get("/office/report.pdf?checklist=store-visit").data)
    assert "1 branch has fewer than 3 visits: it is not ranked and comes after the ranked ones." in text
    assert re.search(r"– NEW-01 Newcomer Vilnius 1 ⚠ 100[.,]0", text), text[text.find("NEW-01") - 80:][:200]
    assert re.search(r"\b1 [A-Z]{3}-\d\d ", text[text.index("All branches"):])
    own = text_of(client.get("/office/locations/NEW-01?checklist=store-visit").get_data(as_text=True))
    assert "not ranked: fewer than 3 visits" in own
    other = text_of(client.get("/office/locations/VLN-01?checklist=store-visit").get_data(as_text=True))
    assert re.search(r"Rank in the chain \d+ / \d+ 1 = highest mean score, among the branches with at "
                     r"least 3 visits", other), other[other.find("Rank in"):][:200]


def test_audit_stats_json_gives_the_rank_and_null_for_too_few_visits(runner, chain):
    result = runner.invoke(args=["stats", "--checklist", "store-visit", "--json"])
    assert result.exit_code == 0, result.output
    locations = json.loads(result.output)["locations"]
    assert locations[0]["rank"] == 1 and locations[-1]["code"] == "NEW-01" and locations[-1]["rank"] is None
    summary = runner.invoke(args=["stats", "--checklist", "store-visit"]).output
    assert not re.search(r"^\s+NEW-01 ", summary, re.MULTILINE)  # the ranking's ends shown are ranked branches
    assert re.search(r"^\s+VLN-01 ", summary, re.MULTILINE)


def test_with_no_branch_ranked_the_lowest_map_takes_the_lowest_means(client, make_user, make_location, make_visit):
    """22 branches of one or two visits each: none is ranked, and the dashboard's map of the
    lowest branches (drawn when there are more than 20) falls back to the lowest means of all."""
    auditor = make_user("auditor")
    items = ["entrance_clean", "signage_clear", "greeted_promptly", "eye_contact", "let_speak",
             "wait_acknowledged"]
    for n in range(22):
        location = make_location(f"FEW-{n:02d}", f"Few {n}", region="Vilnius")
        passed = n % len(items) + 1  # 1..6 of the 6 questions pass
        for _visit in range(1 + n % 2):
            make_visit(location, auditor, {item: "yes" if i < passed else "no" for i, item in enumerate(items)})
    login(client, make_user("reviewer").email)
    html = client.get("/office?checklist=store-visit").get_data(as_text=True)
    assert "No branch has 3 visits or more: none is ranked, and the list is by mean only." in text_of(html)
    rows = ranking_rows(html)
    assert all(re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL)[0].strip() == "–" for row in rows.values())
    picture = re.search(r'<div class="heat-map" role="img" aria-label="The lowest branches × sections">.*?</svg>',
                        html, re.S).group(0)
    mapped = [label.split()[0] for label in re.findall(r'text-anchor="end">([^<]+)<', picture)]
    # Lowest first: the four branches where 1 question of 6 passed, by code.
    assert mapped[:4] == list(reversed(list(rows)))[:4] and set(mapped[:4]) == {"FEW-00", "FEW-06", "FEW-12", "FEW-18"}
    assert len(mapped) == 22
