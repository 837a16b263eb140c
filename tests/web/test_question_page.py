"""The question page ``/office/questions/<item id>``: one question across the chain. Its figures
are the dashboard's for the same question, checked here against plain computations over the
answers and scipy's intervals; the failures list the auditors' words; only head office sees it."""
from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timedelta

import numpy as np
import pytest
from scipy import stats as scipy_stats
from sqlalchemy import select

from audit.extensions import db
from audit.models import Answer, Evidence, Location
from audit.services.chain_stats import StatsFilter, chain_statistics
from audit.services.checklists import current_version, store_checklist
from audit.services.question_stats import question_statistics
from tests.conftest import login
from tests.web.test_chain_stats import count_statements
from tests.web.test_office import one_decimal, text_of

#: greeted_promptly (yes/no) per branch, oldest visit first; tone_friendly (scale 1–5) beside it.
GREETED = {"VLN-01": "nnnnyn", "VLN-02": "yyyyyy", "RIX-01": "yynyyy", "RIX-02": "yyyyyy"}
TONE = {"VLN-01": "221312", "VLN-02": "455445", "RIX-01": "334343", "RIX-02": "545454"}
REGION = {"VLN": "Vilnius", "RIX": "Rīga"}
COMPLAINT = "Nobody looked up for four minutes <b>at all</b>"
START = datetime(2026, 9, 1, 10, 0)


@pytest.fixture
def chain(app, make_location, make_user, make_visit):
    """Four branches in two regions, six approved visits each by three auditors who overlap."""
    auditors = [make_user("auditor", name=f"Auditor {n}") for n in range(3)]
    places = {code: make_location(code, region=REGION[code[:3]]) for code in GREETED}
    visits = []
    for n in range(6):
        for k, (code, place) in enumerate(places.items()):
            answer = "yes" if GREETED[code][n] == "y" else "no"
            comments = {"greeted_promptly": COMPLAINT} if (code, n) == ("VLN-01", 5) else None
            visits.append(make_visit(place, auditors[(n + k) % 3],
                                     {"greeted_promptly": answer, "tone_friendly": TONE[code][n]},
                                     visited_at=START + timedelta(days=7 * n, hours=k), comments=comments))
    return {"auditors": auditors, "places": places, "visits": visits,
            "reviewer": make_user("reviewer"), "manager": make_user("manager", locations=["VLN-01"]),
            "auditor": auditors[0]}


def plain_answers(item_id: str) -> dict[str, list[float]]:
    """Each branch's scores of ``item_id`` on 0–100, read answer by answer through the ORM."""
    found: dict[str, list[float]] = {}
    for answer in db.session.scalars(select(Answer).where(Answer.item_id == item_id)):
        if answer.score is not None and answer.visit.status == "approved":
            found.setdefault(answer.visit.location.code, []).append(answer.score * 100)
    return found


def rows_of(html: str) -> dict[str, str]:
    return {code: text_of(row) for code, row in re.findall(r'<tr data-code="([^"]+)">(.*?)</tr>', html, re.DOTALL)}


def test_a_yes_no_question_reads_as_on_the_dashboard_and_as_computed_by_hand(app, client, chain):
    item = "greeted_promptly"
    dashboard = next(i for i in chain_statistics(StatsFilter("store-visit"))["items"] if i["id"] == item)
    q = question_statistics(StatsFilter("store-visit"), item)
    assert q["yes_no"] and q["answers"] == dashboard["answers"] == 24
    assert q["mean"] == pytest.approx(dashboard["mean"]) == pytest.approx(100 * 18 / 24)
    assert q["pass_rate"] == pytest.approx(dashboard["pass_rate"])
    assert q["spread_sd"] == pytest.approx(dashboard["spread_sd"])
    assert {(b["code"], b["funnel"]) for b in q["branches"] if b["funnel"] not in ("inside", "no_data")} \
        == {(o["location"], o["band"]) for o in dashboard["outliers"]} == {("VLN-01", "below_95")}

    by_hand = plain_answers(item)
    for branch in q["branches"]:
        scores = by_hand[branch["code"]]
        passed = sum(s >= 50 for s in scores)
        assert branch["answers"] == len(scores) and branch["mean"] == pytest.approx(np.mean(scores))
        wilson = scipy_stats.binomtest(passed, len(scores)).proportion_ci(0.95, method="wilson")
        assert (branch["ci_low"], branch["ci_high"]) == (pytest.approx(100 * wilson.low, abs=1e-6),
                                                         pytest.approx(100 * wilson.high, abs=1e-6))
        # The exact binomial tails against the chain's rate, as the dashboard classifies.
        low_tail = scipy_stats.binom.cdf(passed, len(scores), 18 / 24)
        assert (branch["funnel"] == "below_95") == (0.001 <= low_tail < 0.025)
    assert [b["code"] for b in q["branches"]][0] == "VLN-01"  # the lowest first

    login(client, chain["reviewer"].email)
    html = client.get(f"/office/questions/{item}?checklist=store-visit").get_data(as_text=True)
    page = text_of(html)
    assert "Did a staff member greet you within 30 seconds of entering?" in page
    assert f"24 answers {one_decimal(dashboard['mean'])} mean (0–100)" in page
    rows = rows_of(html)
    wilson = scipy_stats.binomtest(1, 6).proportion_ci(0.95, method="wilson")
    assert rows["VLN-01"].startswith("VLN-01 · Branch VLN-01 Vilnius 6 16.7 1 of 6")
    assert f"{one_decimal(100 * wilson.low)}–{one_decimal(100 * wilson.high)}" in rows["VLN-01"]
    assert "▼ below the 95% limit" in rows["VLN-01"] and "– within the limits" in rows["VLN-02"]
    # The dashboard's row of the question links here, with its filters.
    dashboard_html = client.get("/office?checklist=store-visit&since=2026-08-01").get_data(as_text=True)
    assert f'href="/office/questions/{item}?checklist=store-visit&amp;since=2026-08-01"' in dashboard_html
    # In one region the question has 12 answers: too few to rank, as in the executive summary.
    region_html = client.get("/office?checklist=store-visit&region=Vilnius").get_data(as_text=True)
    assert "/office/questions/" not in region_html
    assert "2 questions answered fewer than 20 times are not ranked here" in text_of(region_html)


def test_a_scale_question_gets_the_pooled_t_interval(app, chain):
    q = question_statistics(StatsFilter("store-visit"), "tone_friendly")
    assert not q["yes_no"]
    by_hand = {code: np.array(scores) for code, scores in plain_answers("tone_friendly").items()}
    # The spread within branches pooled over the chain, as the branch ranking's intervals.
    answers = sum(len(s) for s in by_hand.values())
    ms_within = sum(((s - s.mean()) ** 2).sum() for s in by_hand.values()) / (answers - len(by_hand))
    t = scipy_stats.t.ppf(0.975, answers - len(by_hand))
    for branch in q["branches"]:
        scores = by_hand[branch["code"]]
        half = t * np.sqrt(ms_within / len(scores))
        assert branch["mean"] == pytest.approx(scores.mean())
        assert branch["ci_low"] == pytest.approx(max(scores.mean() - half, 0))
        assert branch["ci_high"] == pytest.approx(min(scores.mean() + half, 100))
        assert branch["ci_high"] > branch["ci_low"]


def test_a_question_every_answer_failed_has_honest_intervals(app, chain, make_location, make_visit):
    """Every "no": a pass rate of 0 with a Wilson interval, not a t-interval of zero width."""
    place = make_location("KNS-01", region="Kaunas")
    for n in range(4):
        make_visit(place, chain["auditors"][n % 3], {"smiled": "no"}, visited_at=START + timedelta(days=n))
    q = question_statistics(StatsFilter("store-visit"), "smiled")
    assert q["yes_no"] and q["mean"] == 0
    (branch,) = q["branches"]
    wilson = scipy_stats.binomtest(0, 4).proportion_ci(0.95, method="wilson")
    assert branch["ci_low"] == pytest.approx(0, abs=1e-9)
    assert branch["ci_high"] == pytest.approx(100 * wilson.high, abs=1e-6) and branch["ci_high"] > 40


def test_the_latest_failures_show_what_the_auditor_wrote_and_photographed(app, client, chain):
    failed = [v for v in chain["visits"] if v.location.code == "VLN-01" and v.visited_at == max(
        w.visited_at for w in chain["visits"] if w.location.code == "VLN-01")]
    photo = Evidence(visit_id=failed[0].id, item_id="greeted_promptly", stored_name="x.jpg", thumb_name="x-t.jpg",
                     width=10, height=10, size_bytes=100, sha256="0" * 64)
    db.session.add(photo)
    db.session.commit()
    login(client, chain["reviewer"].email)
    html = client.get("/office/questions/greeted_promptly?checklist=store-visit").get_data(as_text=True)
    section = html[html.index('id="failures"'):html.index('id="regions"')]
    assert "6 answers failed this question, 1 of them with a comment." in text_of(section)
    listed = [int(v) for v in re.findall(r'data-visit="(\d+)"', section)]
    times = {v.id: v.visited_at for v in chain["visits"]}
    assert len(listed) == 6 and [times[v] for v in listed] == sorted((times[v] for v in listed), reverse=True)
    assert listed[0] == failed[0].id  # the newest failure first, with its comment and photo
    first = section[section.index(f'data-visit="{listed[0]}"'):]
    first = first[:first.index("</li>")]
    assert COMPLAINT in text_of(first) and f'/evidence/{photo.id}/thumb' in first
    assert "&lt;b&gt;at all&lt;/b&gt;" in first  # the auditor's words as text, never as markup
    assert f'href="/visits/{failed[0].id}"' in first and "No" in text_of(first)


def test_filters_narrow_the_question_and_an_empty_choice_says_so(app, client, chain, make_visit):
    login(client, chain["reviewer"].email)
    html = client.get("/office/questions/greeted_promptly?checklist=store-visit&region=R%C4%ABga").get_data(as_text=True)
    assert set(rows_of(html)) == {"RIX-01", "RIX-02"}
    assert re.search(r"(?<!\d)12 answers", text_of(html))
    empty = client.get("/office/questions/greeted_promptly?checklist=store-visit&since=2026-01-01&until=2026-02-01")
    assert empty.status_code == 200
    assert "No approved visit answered this question with these filters." in text_of(empty.get_data(as_text=True))
    # A draft is not counted.
    make_visit(chain["places"]["RIX-01"], chain["auditor"], {"greeted_promptly": "no"}, status="draft")
    assert question_statistics(StatsFilter("store-visit"), "greeted_promptly")["answers"] == 24


def test_only_head_office_sees_question_pages(app, chain):
    url = "/office/questions/greeted_promptly?checklist=store-visit"
    for who in ("manager", "auditor"):
        someone = app.test_client()
        login(someone, chain[who].email)
        assert someone.get(url).status_code == 404
    reviewer = app.test_client()
    login(reviewer, chain["reviewer"].email)
    assert reviewer.get(url).status_code == 200
    assert reviewer.get("/office/questions/no_such_question?checklist=store-visit").status_code == 404
    # The checklist is part of the address (ids repeat across checklists). A link without one (made
    # from the API's ids) goes to the checklist that asks the question, the filters kept.
    bare = reviewer.get("/office/questions/greeted_promptly?region=North")
    assert bare.status_code == 302
    assert bare.headers["Location"] == "/office/questions/greeted_promptly?region=North&checklist=store-visit"
    assert reviewer.get("/office/questions/no_such_question").status_code == 404
    manager = app.test_client()
    login(manager, chain["manager"].email)
    assert manager.get("/office/questions/greeted_promptly").status_code == 404  # not even a redirect
    assert reviewer.get("/office/questions/greeted_promptly?checklist=no-such-list").status_code == 404
    # A text question is answered but has no figures.
    assert reviewer.get("/office/questions/advice_problem?checklist=store-visit").status_code == 404


def test_one_auditor_alone_is_not_said_to_differ_within_chance(app, client, make_location, make_user, make_visit):
    auditor, reviewer = make_user("auditor"), make_user("reviewer")
    for code in ("VLN-01", "VLN-02"):
        place = make_location(code)
        for n in range(12):
            make_visit(place, auditor, {"greeted_promptly": "yes" if n % 3 else "no"},
                       visited_at=START + timedelta(days=n))
    login(client, reviewer.email)
    html = client.get("/office/questions/greeted_promptly?checklist=store-visit").get_data(as_text=True)
    section = text_of(html[html.index('id="auditors"'):html.index('id="trend"')])
    assert "within what chance makes" not in section and "24" in section


def test_the_branch_page_links_its_questions_for_head_office_only(app, client, chain):
    url = "/office/locations/VLN-01?checklist=store-visit&since=2026-09-01&until=2026-10-31"
    login(client, chain["reviewer"].email)
    html = client.get(url).get_data(as_text=True)
    assert ('href="/office/questions/greeted_promptly?checklist=store-visit&amp;since=2026-09-01&amp;'
            'until=2026-10-31"') in html
    # From a dashboard narrowed to a region, the region rides along to the question.
    html = client.get(url + "&region=Vilnius").get_data(as_text=True)
    assert ('href="/office/questions/greeted_promptly?checklist=store-visit&amp;since=2026-09-01&amp;'
            'until=2026-10-31&amp;region=Vilnius"') in html
    manager_client = app.test_client()
    login(manager_client, chain["manager"].email)
    html = manager_client.get(url).get_data(as_text=True)
    assert "Did a staff member greet you" in html and "/office/questions/" not in html


def test_a_question_the_newest_version_dropped_is_still_shown(app, client, chain):
    first = current_version("store-visit").parsed
    sections = tuple(replace(s, items=tuple(i for i in s.items if i.id != "greeted_promptly"))
                     for s in first.sections)
    assert store_checklist(replace(first, sections=sections, _items={})).created
    db.session.commit()
    login(client, chain["reviewer"].email)
    page = client.get("/office/questions/greeted_promptly?checklist=store-visit")
    assert page.status_code == 200
    text = text_of(page.get_data(as_text=True))
    assert "no longer has this question" in text and "24 answers" in text


def test_statements_do_not_grow_with_the_number_of_branches(app, chain, make_location, make_visit):
    spec = StatsFilter("store-visit")
    small = count_statements(lambda: question_statistics(spec, "greeted_promptly"))
    for n in range(20):
        place = make_location(f"KNS-{n:02d}", region="Kaunas")
        for k in range(2):
            make_visit(place, chain["auditors"][k], {"greeted_promptly": "no" if n % 3 else "yes"},
                       visited_at=START + timedelta(days=k, hours=n))
    assert db.session.scalar(select(db.func.count()).select_from(Location)) == 24
    large = count_statements(lambda: question_statistics(spec, "greeted_promptly"))
    assert large == small
