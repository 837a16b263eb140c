"""The disputes on the home pages: a manager sees their branches' disputes, open and decided in
the last 30 days, never another branch's; head office sees the open ones, the longest waiting first."""
from __future__ import annotations

import re
from datetime import timedelta

from audit.extensions import db
from audit.models import Dispute, utcnow
from tests.conftest import login

ANSWERS = {"greeted_promptly": "no", "staff_respectful": "yes"}


def _dispute(visit, manager, reason: str, status: str = "open", decided_days_ago: int | None = None,
             raised_days_ago: int = 0) -> Dispute:
    now = utcnow()
    dispute = Dispute(visit_id=visit.id, item_id="greeted_promptly", raised_by_id=manager.id, reason=reason,
                      old_value="no", status=status, created_at=now - timedelta(days=raised_days_ago),
                      decided_at=None if decided_days_ago is None else now - timedelta(days=decided_days_ago),
                      new_value="yes" if status == "overturned" else None,
                      decision_note="Seen on camera." if status != "open" else "")
    db.session.add(dispute)
    db.session.commit()
    return dispute


def test_managers_see_their_branches_disputes_and_head_office_the_open_ones(app, make_location, make_user,
                                                                            make_visit):
    auditor = make_user("auditor")
    ours, theirs = make_location("VLN-01", name="Ours"), make_location("RIX-01", name="Theirs", region="Rīga")
    mine, other = make_user("manager", locations=["VLN-01"]), make_user("manager", locations=["RIX-01"])
    visit, their_visit = make_visit(ours, auditor, ANSWERS), make_visit(theirs, auditor, ANSWERS)
    _dispute(visit, mine, "Still open here", raised_days_ago=1)
    _dispute(visit, mine, "Overturned last week", "overturned", decided_days_ago=7, raised_days_ago=9)
    _dispute(visit, mine, "Upheld long ago", "upheld", decided_days_ago=40, raised_days_ago=45)
    _dispute(their_visit, other, "Another branch's worry", raised_days_ago=3)

    client = app.test_client()
    home = login(client, mine.email).get_data(as_text=True)
    listed = home[home.index('id="branch-disputes"'):]
    listed = listed[:listed.index("</ul>")]
    assert "Still open here" in listed and "Overturned last week" in listed
    assert "waiting for a reviewer" in listed and "Overturned" in listed and "Seen on camera." in listed
    assert "No → Yes" in listed
    # An answer upheld is named too: the manager reads what stands without opening the visit.
    _dispute(visit, mine, "Upheld yesterday", "upheld", decided_days_ago=1, raised_days_ago=2)
    upheld = client.get("/").get_data(as_text=True)
    upheld = next(item for item in re.findall(r"<li data-dispute=.*?</li>", upheld, re.S) if "Upheld yesterday" in item)
    assert "The answer stays: No." in upheld and "Seen on camera." in upheld
    assert ">Rejected<" in upheld  # "Upheld" read as the dispute accepted, the opposite
    assert "Upheld" not in listed and "Theirs" not in listed and "RIX-01" not in listed
    assert listed.index(">Open<") < listed.index(">Overturned<")  # open first

    reviewer = app.test_client()
    home = login(reviewer, make_user("reviewer").email).get_data(as_text=True)
    waiting = home[home.index('id="open-disputes"'):]
    waiting = waiting[:waiting.index("</ul>")]
    assert "Another branch&#39;s worry" in waiting and "Still open here" in waiting
    assert waiting.index("Another branch&#39;s worry") < waiting.index("Still open here")  # the longest waiting first
    assert "Overturned last week" not in waiting and "RIX-01 · Theirs" in waiting
