"""The auditor page ``/office/auditors/<id>``: one auditor against the others at the same branches.
Its differences are checked against a least-squares fit with a dummy per branch (numpy), its
leniency against the dashboard's; only head office sees it."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

import numpy as np
import pytest
from sqlalchemy import select

from audit.extensions import db
from audit.models import Answer, Visit
from audit.services.auditor_stats import auditor_statistics
from audit.services.chain_stats import StatsFilter, chain_statistics
from tests.conftest import login
from tests.web.test_chain_stats import count_statements
from tests.web.test_office import text_of

START = datetime(2026, 9, 1, 10, 0)


@pytest.fixture
def chain(app, make_location, make_user, make_visit):
    """Three auditors taking turns at four branches; "Strict" says no to the greeting far more often."""
    strict, fair, kind = (make_user("auditor", name=name) for name in ("Strict", "Fair", "Kind"))
    places = [make_location(code, region=region) for code, region in
              (("VLN-01", "Vilnius"), ("VLN-02", "Vilnius"), ("RIX-01", "Rīga"), ("RIX-02", "Rīga"))]
    for n in range(9):
        for k, place in enumerate(places):
            auditor = (strict, fair, kind)[(n + k) % 3]
            greeted = "no" if auditor is strict and (n + k) % 2 == 0 else ("no" if (n * 7 + k) % 5 == 0 else "yes")
            make_visit(place, auditor, {"greeted_promptly": greeted, "tone_friendly": str(2 + (n + k) % 4)},
                       visited_at=START + timedelta(days=5 * n, hours=k))
    return {"strict": strict, "fair": fair, "kind": kind, "places": places,
            "reviewer": make_user("reviewer"), "manager": make_user("manager", locations=["VLN-01"])}


def fixed_effects_difference(item_id: str | None, auditor_id: int) -> tuple[float, float]:
    """The auditor's coefficient and its standard error in score ~ branch dummies + [auditor],
    fitted by numpy over single answers (or visit scores when ``item_id`` is None)."""
    if item_id is None:
        rows = [(v.location_id, v.auditor_id == auditor_id, v.score)
                for v in db.session.scalars(select(Visit).where(Visit.status == "approved"))]
    else:
        rows = [(a.visit.location_id, a.visit.auditor_id == auditor_id, a.score * 100)
                for a in db.session.scalars(select(Answer).where(Answer.item_id == item_id))
                if a.score is not None and a.visit.status == "approved"]
    mine = {place for place, own, _ in rows if own}
    rows = [r for r in rows if r[0] in mine]
    places = sorted(mine)
    design = np.array([[float(r[0] == p) for p in places] + [float(r[1])] for r in rows])
    y = np.array([r[2] for r in rows])
    coef, residual, rank, _ = np.linalg.lstsq(design, y, rcond=None)
    sigma2 = float(residual[0]) / (len(rows) - rank)
    return coef[-1], float(np.sqrt(sigma2 * np.linalg.inv(design.T @ design)[-1, -1]))


def test_the_differences_are_the_fixed_effects_fit_and_the_leniency_the_dashboards(app, chain):
    strict = chain["strict"]
    a = auditor_statistics(StatsFilter("store-visit"), strict.id)
    assert a["visits"] == 12 and a["branches"] == 4 and a["regions"] == 2
    dashboard = chain_statistics(StatsFilter("store-visit"))["consistency"]["auditors"]
    assert a["offset"] == pytest.approx(next(x["offset"] for x in dashboard if x["email"] == strict.email))
    for item in ("greeted_promptly", "tone_friendly", None):
        record = a["visit_scores"] if item is None else next(i for i in a["items"] if i["id"] == item)
        difference, se = fixed_effects_difference(item, strict.id)
        assert record["difference"] == pytest.approx(difference) and record["standard_error"] == pytest.approx(se)
        assert record["branches"] == 4
    greeted = next(i for i in a["items"] if i["id"] == "greeted_promptly")
    assert greeted["difference"] < -40 and greeted["significant"]
    assert a["items"][0]["id"] == "greeted_promptly"  # the clearest difference first


def test_head_office_reads_it_and_reaches_it_from_the_dashboard(app, client, chain):
    strict = chain["strict"]
    login(client, chain["reviewer"].email)
    dashboard = client.get("/office?checklist=store-visit&since=2026-08-01").get_data(as_text=True)
    url = f"/office/auditors/{strict.id}?checklist=store-visit&amp;since=2026-08-01"
    assert f'href="{url}"' in dashboard
    html = client.get(url.replace("&amp;", "&")).get_data(as_text=True)
    page = text_of(html)
    assert "Strict" in page and "12 approved visits 4 branches 2 regions" in page
    a = auditor_statistics(StatsFilter("store-visit", since=datetime(2026, 8, 1).date()), strict.id)
    scores = a["visit_scores"]
    assert re.search(r"At the branches compared, the visit scores differ from the other auditors’ by "
                     r"−\d+\.\d points \(95% interval −\d+\.\d to [−+]\d+\.\d; visits: "
                     rf"{scores['own_answers']} by this auditor, {scores['other_answers']} by the others\)", page)
    assert "Branches compared: 4 of 4, those other auditors visited too." in page
    row = re.search(r'<tr data-item="greeted_promptly">(.*?)</tr>', html, re.DOTALL)[1]
    assert "●" in row and 'href="/office/questions/greeted_promptly?checklist=store-visit&amp;since=2026-08-01"' in row
    assert "question is scored differently beyond chance" in page or "questions are scored differently" in page
    # Their latest visits, newest first, each a link to the visit.
    listed = [int(v) for v in re.findall(r'<tr data-visit="(\d+)">', html)]
    assert len(listed) == 12
    times = {v.id: v.visited_at for v in db.session.scalars(select(Visit).where(Visit.auditor_id == strict.id))}
    assert [times[v] for v in listed] == sorted(times.values(), reverse=True)


def test_an_auditor_nobody_else_overlaps_cannot_be_compared(app, client, chain, make_location, make_user, make_visit):
    loner = make_user("auditor", name="Loner")
    place = make_location("KNS-01", region="Kaunas")
    for n in range(3):
        make_visit(place, loner, {"greeted_promptly": "no"}, visited_at=START + timedelta(days=n))
    a = auditor_statistics(StatsFilter("store-visit"), loner.id)
    assert a["visits"] == 3 and a["offset"] is None and a["visit_scores"]["difference"] is None
    login(client, chain["reviewer"].email)
    page = text_of(client.get(f"/office/auditors/{loner.id}?checklist=store-visit").get_data(as_text=True))
    assert "No other auditor visited the branches of this one with these filters" in page
    assert "No other auditor shares a branch with this one in these visits" in page
    assert "No question could be compared: no other auditor answered them at these branches." in page
    empty = client.get(f"/office/auditors/{loner.id}?checklist=store-visit&since=2026-01-01&until=2026-01-31")
    assert "This auditor made no approved visit with these filters." in text_of(empty.get_data(as_text=True))


def test_only_head_office_and_only_people_who_made_visits(app, chain):
    url = f"/office/auditors/{chain['strict'].id}?checklist=store-visit"
    for who in ("manager", "fair"):
        someone = app.test_client()
        login(someone, chain[who].email)
        assert someone.get(url).status_code == 404
    reviewer = app.test_client()
    login(reviewer, chain["reviewer"].email)
    assert reviewer.get(url).status_code == 200
    assert reviewer.get(f"/office/auditors/{chain['manager'].id}?checklist=store-visit").status_code == 404
    assert reviewer.get("/office/auditors/999999?checklist=store-visit").status_code == 404
    # Without a checklist (a link made from the API's ids): the one they made their visits with.
    bare = reviewer.get(f"/office/auditors/{chain['strict'].id}")
    assert bare.status_code == 302
    assert bare.headers["Location"] == f"/office/auditors/{chain['strict'].id}?checklist=store-visit"
    assert reviewer.get(f"/office/auditors/{chain['strict'].id}", follow_redirects=True).status_code == 200
    assert reviewer.get(f"/office/auditors/{chain['strict'].id}?checklist=nope").status_code == 404


def test_statements_do_not_grow_with_the_number_of_branches(app, chain, make_location, make_visit):
    spec = StatsFilter("store-visit")
    small = count_statements(lambda: auditor_statistics(spec, chain["strict"].id))
    for n in range(16):
        place = make_location(f"KNS-{n:02d}", region="Kaunas")
        for auditor in (chain["strict"], chain["kind"]):
            make_visit(place, auditor, {"greeted_promptly": "yes"}, visited_at=START + timedelta(days=n))
    large = count_statements(lambda: auditor_statistics(spec, chain["strict"].id))
    assert large == small


def test_leniency_and_the_same_branch_difference_are_each_named_when_their_figures_differ(app, client, chain):
    """The summary card said "+20.5 leniency (points)" and the sentence below it "differ from the other
    auditors' by +24.6 points": two measures (against the average auditor over every visit, this one's
    included; against the others at the same branches), which read as one figure printed twice
    unless the page names each, with its figure."""
    strict = chain["strict"]
    login(client, chain["reviewer"].email)
    a = auditor_statistics(StatsFilter("store-visit"), strict.id)
    offset, difference = a["offset"], a["visit_scores"]["difference"]
    assert offset < 0 and difference < 0 and f"{offset:.1f}" != f"{difference:.1f}"
    page = text_of(client.get(f"/office/auditors/{strict.id}?checklist=store-visit").get_data(as_text=True))
    shown = f"−{abs(offset):.1f}", f"−{abs(difference):.1f}"
    assert f"{shown[0]} leniency (points)" in page and f"by {shown[1]} points" in page
    assert (f"The leniency of {shown[0]} and the difference of {shown[1]} points are two measures: leniency "
            "compares with the average auditor over all the chosen visits, this auditor’s own included; the "
            "difference compares with the other auditors at the same branches only.") in page
