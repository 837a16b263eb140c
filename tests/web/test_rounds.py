"""Planning a round of visits: one visit to every chosen branch, shared out among the chosen
auditors so that no branch gets its last auditor again while another is free, in-person visits
go to auditors who know the region, the load stays even — shown first, scheduled on confirming."""
from __future__ import annotations

import random
import re
from datetime import datetime, timedelta
from html import unescape

import pytest
from sqlalchemy import func, select

from audit.extensions import db
from audit.models import Assignment, Checklist
from audit.services.rounds import plan_round
from audit.times import local_today
from tests.conftest import csrf_token, login

ANSWERS = {"greeted_promptly": "yes"}


@pytest.fixture
def chain(make_location, make_user, make_visit):
    """Six branches, three in Vilnius and three in Rīga; Ona and Jonas work in Vilnius, Ilze in
    Rīga. Ona made the last visit to VLN-01 and VLN-02, Jonas to VLN-03, Ilze to all of Rīga's."""
    branches = {code: make_location(code, f"Branch {code}", region=region)
                for code, region in (("VLN-01", "Vilnius"), ("VLN-02", "Vilnius"), ("VLN-03", "Vilnius"),
                                     ("RIX-01", "Rīga"), ("RIX-02", "Rīga"), ("RIX-03", "Rīga"))}
    people = {name: make_user("auditor", name=name, email=f"{name.lower()}@example.com")
              for name in ("Ona", "Jonas", "Ilze")}
    last = {"VLN-01": "Ona", "VLN-02": "Ona", "VLN-03": "Jonas", "RIX-01": "Ilze", "RIX-02": "Ilze", "RIX-03": "Ilze"}
    for day, (code, name) in enumerate(last.items()):
        make_visit(branches[code], people[name], ANSWERS, visited_at=datetime(2026, 10, day + 1, 12))
    return branches, people


def store_visit() -> Checklist:
    return db.session.scalar(select(Checklist).where(Checklist.key == "store-visit"))


def text_of(response) -> str:
    return text_of_html(response.get_data(as_text=True))


def text_of_html(html: str) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def test_the_plan_is_the_cheapest_of_every_possible_one_and_says_where_it_compromises(chain):
    """Checked against all 3⁶ ways to share the six branches out, costed by hand: a visit the
    auditor already has in the round costs 2 for each (0, 2, 4 … : evenly spread), the branch's
    last auditor 3, a region the auditor never worked in 2."""
    import itertools

    branches, people = chain
    today = local_today()
    plan = plan_round(store_visit(), list(branches.values()), list(people.values()), today, today + timedelta(days=20))
    given = {v.location.code: v.auditor.name for v in plan.visits}
    assert set(given) == set(branches)
    last = {"VLN-01": "Ona", "VLN-02": "Ona", "VLN-03": "Jonas", "RIX-01": "Ilze", "RIX-02": "Ilze", "RIX-03": "Ilze"}
    home = {"Ona": "VLN", "Jonas": "VLN", "Ilze": "RIX"}

    def cost(assignment: dict[str, str]) -> int:
        total = sum(3 * (last[code] == name) + 2 * (home[name] != code[:3]) for code, name in assignment.items())
        return total + sum(n * (n - 1) for n in (list(assignment.values()).count(name) for name in home))
    best = min(cost(dict(zip(last, names))) for names in itertools.product(home, repeat=len(last)))
    assert cost(given) == best
    # Vilnius has two auditors: neither of its branches goes to its last auditor, nor to Ilze of Rīga.
    assert given["VLN-01"] == given["VLN-02"] == "Jonas" and given["VLN-03"] == "Ona"
    counts = [n for _, n in plan.per_auditor]
    assert max(counts) - min(counts) <= 1
    for v in plan.visits:  # every compromise is named on the plan
        assert bool(v.repeat) == (last[v.location.code] == v.auditor.name)
        assert v.new_region == (home[v.auditor.name] != v.location.code[:3])


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_load_stays_even_and_repeats_are_rare_on_a_random_chain(make_location, make_user, make_visit, seed):
    rng = random.Random(seed)
    branches = [make_location(f"B-{n:02d}", region=rng.choice(["Vilnius", "Kaunas"])) for n in range(24)]
    auditors = [make_user("auditor", name=f"Auditor {n}") for n in range(5)]
    for branch in branches:
        for day in range(2):
            make_visit(branch, rng.choice(auditors), ANSWERS, visited_at=datetime(2026, 9, day + 1, 12))
    today = local_today()
    plan = plan_round(store_visit(), branches, auditors, today, today + timedelta(days=20))
    counts = [n for _, n in plan.per_auditor]
    assert sum(counts) == 24 and max(counts) - min(counts) <= 2
    assert sum(v.repeat for v in plan.visits) <= 2


def test_the_scheduler_sees_the_plan_then_schedules_it(app, client, chain, make_user):
    branches, people = chain
    login(client, make_user("reviewer").email)
    assert "Plan a round of visits" in client.get("/assignments").get_data(as_text=True)
    page = client.get("/assignments/round").get_data(as_text=True)
    today = local_today()
    form = {"csrf_token": csrf_token(page), "checklist": "store-visit", "region": "", "format": "",
            "due_from": today.isoformat(), "due_until": (today + timedelta(days=14)).isoformat(),
            "scenario": "Winter round", "notes": "", "auditors": ["ona@example.com", "jonas@example.com",
                                                                  "ilze@example.com"]}
    preview = client.post("/assignments/round", data=form)
    shown = text_of(preview)
    assert preview.status_code == 200 and "6 visits of “In-store visit”" in shown
    assert "Schedule 6 visits" in shown and "has not worked in this region before" in shown
    assert "its last visit (made or scheduled) is this auditor’s too" in shown
    assert db.session.scalar(select(func.count(Assignment.id))) == 0  # nothing stored yet

    html = preview.get_data(as_text=True)
    confirm = re.search(r'<form method="post" action="/assignments/round/confirm".*?</form>', html, re.S).group(0)
    fields = {name: unescape(value) for name, value in re.findall(r'name="([^"]+)"[^>]*value="([^"]*)"', confirm)}
    done = client.post("/assignments/round/confirm", data=fields, follow_redirects=True)
    assert "6 visits scheduled." in text_of(done)
    rows = db.session.scalars(select(Assignment)).all()
    assert len(rows) == 6 and {r.scenario for r in rows} == {"Winter round"}
    assert {r.location.code for r in rows} == set(branches)

    again = text_of(client.post("/assignments/round", data=form))
    assert "Every chosen branch has a visit of this checklist scheduled in this window already" in again
    # The same confirmation sent twice schedules nothing twice.
    twice = client.post("/assignments/round/confirm", data=fields)
    assert twice.status_code == 409 and "have a visit of this checklist scheduled in this window" in text_of(twice)
    assert db.session.scalar(select(func.count(Assignment.id))) == 6


def test_a_round_narrows_by_region_and_says_what_it_needs(client, chain, make_user):
    login(client, make_user("admin").email)
    page = client.get("/assignments/round").get_data(as_text=True)
    assert page.count('type="checkbox"') == 3 and page.count("checked") >= 3  # every active auditor, ticked
    today = local_today()
    riga = re.search(r'<option value="(\d+)">Rīga</option>', page).group(1)
    base = {"csrf_token": csrf_token(page), "checklist": "store-visit", "region": riga, "format": "",
            "due_from": today.isoformat(), "due_until": (today + timedelta(days=7)).isoformat()}
    none_ticked = client.post("/assignments/round", data=base)
    assert none_ticked.status_code == 400 and "Tick at least one auditor." in text_of(none_ticked)
    past = client.post("/assignments/round", data={**base, "auditors": ["ilze@example.com"],
                                                   "due_from": (today - timedelta(days=9)).isoformat(),
                                                   "due_until": (today - timedelta(days=1)).isoformat()})
    assert past.status_code == 400 and "This day has passed" in text_of(past)
    plan = text_of(client.post("/assignments/round", data={**base, "auditors": ["ilze@example.com"]}))
    assert "3 visits of" in plan and "VLN-01" not in plan.split("The round")[0]


def test_an_auditor_deactivated_since_the_plan_stops_the_whole_round(client, chain, make_user):
    branches, people = chain
    login(client, make_user("admin").email)
    page = client.get("/assignments/round").get_data(as_text=True)
    today = local_today()
    preview = client.post("/assignments/round", data={
        "csrf_token": csrf_token(page), "checklist": "store-visit", "region": "", "format": "",
        "due_from": today.isoformat(), "due_until": (today + timedelta(days=7)).isoformat(),
        "auditors": ["ona@example.com", "jonas@example.com"]}).get_data(as_text=True)
    confirm = re.search(r'<form method="post" action="/assignments/round/confirm".*?</form>', preview, re.S).group(0)
    fields = {name: unescape(value) for name, value in re.findall(r'name="([^"]+)"[^>]*value="([^"]*)"', confirm)}
    people["Jonas"].active = False
    db.session.commit()
    refused = client.post("/assignments/round/confirm", data=fields)
    assert refused.status_code == 409 and "'jonas@example.com' is not an active auditor" in text_of(refused)
    assert db.session.scalar(select(func.count(Assignment.id))) == 0


def test_a_round_planned_twice_in_two_tabs_is_scheduled_once(client, chain, make_user):
    """Both confirmations said "6 visits scheduled": every branch got two visits in one window
    (the same visit twice is refused only with the same auditor)."""
    login(client, make_user("reviewer").email)
    form = whole_round(client)
    first = confirm_fields(client.post("/assignments/round", data=form))
    second = confirm_fields(client.post("/assignments/round", data={**form, "auditors": ["ona@example.com"]}))
    assert "6 visits scheduled." in text_of(client.post("/assignments/round/confirm", data=first, follow_redirects=True))
    refused = client.post("/assignments/round/confirm", data=second)
    shown = text_of(refused)
    assert refused.status_code == 409
    assert "RIX-01, RIX-02, RIX-03, VLN-01, VLN-02, VLN-03 have a visit of this checklist scheduled" in shown
    assert db.session.scalar(select(func.count(Assignment.id))) == 6
    # The form comes back as it was filled in, to plan again.
    html = refused.get_data(as_text=True)
    assert re.search(r'value="ona@example.com"[^>]*checked|checked[^>]*value="ona@example.com"', html)
    assert not re.search(r'value="ilze@example.com"[^>]*checked|checked[^>]*value="ilze@example.com"', html)


def test_the_next_round_counts_scheduled_visits_as_the_latest_and_evens_the_workload(chain, make_location):
    """A round planned after another gave a branch to the auditor already scheduled there, and
    rounds planned a region at a time each went to the first auditors by name."""
    branches, people = chain
    today = local_today()
    january = plan_round(store_visit(), list(branches.values()), [people["Ona"], people["Jonas"]], today,
                         today + timedelta(days=10))
    for visit in january.visits:
        db.session.add(Assignment(location=visit.location, checklist=store_visit(), auditor=visit.auditor,
                                  due_from=today, due_until=today + timedelta(days=10)))
    db.session.commit()
    given = {v.location.code: v.auditor.name for v in january.visits}
    later = today + timedelta(days=20)
    february = plan_round(store_visit(), list(branches.values()), list(people.values()), later, later + timedelta(days=10))
    assert all(given[v.location.code] != v.auditor.name or v.repeat == 1 for v in february.visits)
    vilnius = [b for code, b in branches.items() if code.startswith("VLN")]
    assert sum(given[b.code] == {v.location.code: v.auditor.name for v in february.visits}[b.code] for b in vilnius) == 0
    # Workload: January's visits count when another round is planned in the same window. Three
    # new branches, nobody's before, a checklist by phone (no regions): the least busy first.
    new = [make_location(f"NEW-0{n}", region="Vilnius") for n in (1, 2, 3)]
    phone = db.session.scalar(select(Checklist).where(Checklist.key == "phone-enquiry"))
    extra = plan_round(phone, new, list(people.values()), today, today + timedelta(days=10))
    loads = {"Ilze": 0, **{a.name: n for a, n in january.per_auditor}}  # Ona 3, Jonas 3
    assert {a.name: n for a, n in extra.per_auditor} == {"Ilze": 3, "Ona": 0, "Jonas": 0}, loads


def test_a_window_the_confirmation_would_refuse_is_refused_on_the_plan(client, chain, make_user):
    login(client, make_user("reviewer").email)
    page = client.get("/assignments/round").get_data(as_text=True)
    today = local_today()
    base = {"csrf_token": csrf_token(page), "checklist": "store-visit", "region": "", "format": "",
            "auditors": ["ona@example.com"]}
    far = client.post("/assignments/round", data={**base, "due_from": (today + timedelta(days=800)).isoformat(),
                                                  "due_until": (today + timedelta(days=810)).isoformat()})
    assert far.status_code == 400 and "More than two years ahead" in text_of(far)
    long = client.post("/assignments/round", data={**base, "due_from": today.isoformat(),
                                                   "due_until": (today + timedelta(days=400)).isoformat()})
    assert long.status_code == 400 and "at most a year long" in text_of(long)


def whole_round(client) -> dict:
    """The round form for every branch, the next two weeks, all three auditors ticked."""
    page = client.get("/assignments/round").get_data(as_text=True)
    today = local_today()
    return {"csrf_token": csrf_token(page), "checklist": "store-visit", "region": "", "format": "",
            "due_from": today.isoformat(), "due_until": (today + timedelta(days=14)).isoformat(),
            "auditors": ["ona@example.com", "jonas@example.com", "ilze@example.com"]}


def confirm_fields(preview) -> dict:
    html = preview.get_data(as_text=True)
    confirm = re.search(r'<form method="post" action="/assignments/round/confirm".*?</form>', html, re.S).group(0)
    return {name: unescape(value) for name, value in re.findall(r'name="([^"]+)"[^>]*value="([^"]*)"', confirm)}


def test_a_visit_held_by_a_deactivated_auditor_does_not_cover_its_branch(client, chain, make_user):
    """Jonas was deactivated with his round's visits still open: planning the round again said
    "Every chosen branch has a visit … scheduled already", and his branches would not be visited."""
    branches, people = chain
    login(client, make_user("admin").email)
    form = whole_round(client)
    assert "6 visits scheduled." in text_of(client.post(
        "/assignments/round/confirm", data=confirm_fields(client.post("/assignments/round", data=form)),
        follow_redirects=True))
    held = sorted(a.location.code for a in db.session.scalars(select(Assignment)) if a.auditor.name == "Jonas")
    assert held
    people["Jonas"].active = False
    db.session.commit()
    again = client.post("/assignments/round", data={**form, "auditors": ["ona@example.com", "ilze@example.com"]})
    shown = text_of(again)
    assert f"{len(held)} visit{'s' if len(held) > 1 else ''} of “In-store visit”" in shown, shown
    rows = re.findall(r"<tr><td>(\S+) · .*?</tr>", again.get_data(as_text=True), re.S)
    assert sorted(rows) == held
    assert shown.count("its visit in this window is scheduled with Jonas, whose account is deactivated") == len(held)
    left_out = re.search(r"Left out: \d+ branch(?:es)? where .*?: ([A-Z0-9, -]+)", shown).group(1)
    assert not set(held) & {code.strip() for code in left_out.split(",")}


def test_an_auditor_without_a_password_is_not_ticked_and_the_page_says_why(client, chain, make_user):
    """Rasa was just imported by CSV and has not set her password: ticked by default, she got a
    share of the round's visits she could not sign in to see, and nothing on the page said so."""
    make_user("auditor", name="Rasa", email="rasa@example.com", password=None)
    login(client, make_user("admin").email)
    page = client.get("/assignments/round").get_data(as_text=True)
    ticked = re.findall(r'<input[^>]*checked[^>]*value="([^"]+)"|<input[^>]*value="([^"]+)"[^>]*checked', page)
    assert sorted(a or b for a, b in ticked) == ["ilze@example.com", "jonas@example.com", "ona@example.com"]
    rasa = re.search(r'<label class="check">[^\n]*value="rasa@example.com".*?</label>', page).group(0)
    assert "has not set a password yet: cannot sign in" in text_of_html(rasa)

    by_hand = client.post("/assignments/round", data={**whole_round(client), "auditors": ["rasa@example.com"]})
    shown = text_of(by_hand)
    assert "6 visits of “In-store visit”" in shown
    assert shown.count("this auditor has not set a password yet and cannot sign in to see this visit") == 6


def test_the_reason_an_auditor_is_not_ticked_is_translated(client, chain, make_user):
    make_user("auditor", name="Rasa", email="rasa@example.com", password=None)
    login(client, make_user("admin").email)
    client.post("/language", data={"lang": "lv", "next": "/",
                                   "csrf_token": csrf_token(client.get("/").get_data(as_text=True))})
    page = text_of(client.get("/assignments/round"))
    assert "parole vēl nav iestatīta: nevar pieteikties" in page
