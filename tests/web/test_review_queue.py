"""The review queue: every submitted visit, the longest waiting first, a page at a time. Home
pages showed the fifty newest, and a reviewer of a large chain never saw the oldest ones."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest

from audit.extensions import db
from tests.conftest import login


@pytest.fixture
def queue(make_location, make_user, make_visit):
    location = make_location("VLN-01", "Vilnius Akropolis")
    auditor = make_user("auditor", name="Ona Auditorė")
    start = datetime(2026, 11, 1, 9, 0)
    visits = []
    for n in range(60):  # made newest first, to show the order is the submission's, not the id's
        visit = make_visit(location, auditor, {"greeted_promptly": "yes"}, status="submitted",
                           visited_at=start + timedelta(hours=n))
        visit.submitted_at = start + timedelta(days=1, hours=60 - n)
        visits.append(visit)
    make_visit(location, auditor, {"greeted_promptly": "yes"})  # approved: not waiting
    db.session.commit()
    return sorted(visits, key=lambda v: v.submitted_at)


def visit_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<a href="/visits/(\d+)">', html)]


def test_the_longest_waiting_come_first_and_every_one_can_be_reached(client, make_user, queue):
    login(client, make_user("reviewer").email)
    home = client.get("/").get_data(as_text=True)
    waiting = home.split('id="waiting"')[1].split("</section>")[0]
    assert "(60)" in waiting and visit_ids(waiting) == [v.id for v in queue[:20]]
    assert 'href="/review"' in waiting and "All 60 waiting visits" in waiting
    first = client.get("/review").get_data(as_text=True)
    assert visit_ids(first) == [v.id for v in queue[:50]]
    assert "Showing 1–50 of 60" in first and 'href="/review?page=2"' in first
    second = client.get("/review?page=2").get_data(as_text=True)
    assert visit_ids(second) == [v.id for v in queue[50:]] and 'href="/review"' in second
    assert visit_ids(client.get("/review?page=99").get_data(as_text=True)) == [v.id for v in queue[50:]]
    assert visit_ids(client.get("/review?page=x").get_data(as_text=True)) == [v.id for v in queue[:50]]


def test_a_visit_page_leads_the_reviewer_to_the_next_one_waiting(client, make_user, queue):
    login(client, make_user("reviewer").email)
    page = client.get(f"/visits/{queue[0].id}").get_data(as_text=True)
    assert re.search(rf'id="next-waiting" href="/visits/{queue[1].id}"', page)
    later = client.get(f"/visits/{queue[5].id}").get_data(as_text=True)
    assert re.search(rf'id="next-waiting" href="/visits/{queue[0].id}"', later)


@pytest.mark.parametrize("role", ["auditor", "manager"])
def test_the_queue_does_not_exist_for_auditors_and_managers(client, make_user, queue, role):
    login(client, make_user(role).email)
    assert client.get("/review").status_code == 404
    assert 'id="next-waiting"' not in client.get("/").get_data(as_text=True)
