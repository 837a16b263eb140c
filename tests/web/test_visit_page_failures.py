"""The visit page says what went wrong before the 40 answers below it, as the visit PDF does:
failed questions, critical ones first, each leading to its answer, with how often the chain
passed it."""
from __future__ import annotations

import re
from datetime import datetime
from html import unescape

from tests.conftest import login

FAILED = {"greeted_promptly": "no", "eye_contact": "no", "smiled": "yes", "staff_respectful": "no"}


def _went_wrong(html: str) -> str:
    html = unescape(html)
    start = html.index('id="went-wrong"')
    return html[start:html.index("</section>", start)]


def test_a_manager_reads_the_failures_critical_first_with_the_chain_pass_rate(
        app, client, make_location, make_user, make_visit):
    branch = make_location("VLN-01")
    other = make_location("VLN-02")
    auditor = make_user("auditor")
    manager = make_user("manager", locations=["VLN-01"])
    for day in range(1, 8):  # the chain passes "greeted promptly" in 6 of the 8 visits below
        make_visit(other, auditor, {"greeted_promptly": "yes" if day < 7 else "no", "staff_respectful": "yes"},
                   visited_at=datetime(2026, 10, day, 12))
    visit = make_visit(branch, auditor, FAILED, visited_at=datetime(2026, 10, 20, 12))
    login(client, manager.email)
    page = client.get(f"/visits/{visit.id}").get_data(as_text=True)
    box = _went_wrong(page)
    links = re.findall(r'<a href="#item-([a-z_]+)">', box)
    assert links == ["staff_respectful", "greeted_promptly", "eye_contact"]  # critical first, then checklist order
    assert "Critical" in box[:box.index("greeted_promptly")]
    assert "the chain passed it in 75% of visits" in box  # 6 of 8: this visit's "no" counts too
    assert all(f'id="item-{item}"' in page for item in links)  # each leads to its answer below
    assert visit.auditor.name not in box


def test_nothing_failed_and_drafts(app, client, make_location, make_user, make_visit):
    branch = make_location("VLN-01")
    auditor = make_user("auditor")
    reviewer = make_user("reviewer")
    good = make_visit(branch, auditor, {"greeted_promptly": "yes", "staff_respectful": "yes"})
    draft = make_visit(branch, auditor, FAILED, status="draft")
    login(client, reviewer.email)
    assert "Every scored question was passed." in _went_wrong(client.get(f"/visits/{good.id}").get_data(as_text=True))
    assert 'id="went-wrong"' not in client.get(f"/visits/{draft.id}").get_data(as_text=True)
