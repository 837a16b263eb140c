"""A scheduled visit made outside its window is shown as such to head office and the auditor
(the branch manager sees neither the schedule nor the mark). Days are counted in the display
zone: 23:30 UTC on the window's last day is already the next day in Vilnius."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from audit.extensions import db
from audit.models import Assignment
from tests.conftest import login

ANSWERS = {"greeted_promptly": "yes", "staff_respectful": "yes"}
OUTSIDE = "Visited outside the scheduled window"


@pytest.fixture
def scheduled(app, checklists, make_location, make_user, make_visit):
    location = make_location("VLN-01")
    auditor, reviewer = make_user("auditor"), make_user("reviewer")
    manager = make_user("manager", locations=["VLN-01"])

    def visit_at(visited_at: datetime):
        visit = make_visit(location, auditor, ANSWERS, visited_at=visited_at)
        visit.assignment = Assignment(location=location, checklist=checklists["store-visit"].checklist,
                                      auditor=auditor, due_from=date(2026, 11, 25), due_until=date(2026, 11, 29),
                                      created_by=reviewer)
        db.session.commit()
        return visit

    return visit_at, {"auditor": auditor, "reviewer": reviewer, "manager": manager}


@pytest.mark.parametrize("visited_at, outside", [
    (datetime(2026, 11, 25, 8, 0), False),
    (datetime(2026, 11, 29, 21, 30), False),  # 23:30 in Vilnius, still the 29th
    (datetime(2026, 11, 29, 22, 30), True),  # 00:30 on the 30th in Vilnius
    (datetime(2026, 11, 24, 21, 59), True),  # 23:59 on the 24th in Vilnius, the day before
])
def test_the_visit_page_marks_a_visit_made_outside_its_window(app, scheduled, visited_at, outside):
    visit_at, people = scheduled
    visit = visit_at(visited_at)
    for role in ("reviewer", "auditor"):
        client = app.test_client()
        login(client, people[role].email)
        page = client.get(f"/visits/{visit.id}").get_data(as_text=True)
        assert "Scheduled" in page and "25/11/2026 – 29/11/2026" in page  # in numbers, as the visit's day
        assert (OUTSIDE in page) == outside, role
    client = app.test_client()
    login(client, people["manager"].email)
    page = client.get(f"/visits/{visit.id}").get_data(as_text=True)
    assert "Scheduled" not in page and OUTSIDE not in page
