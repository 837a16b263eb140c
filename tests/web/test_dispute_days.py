"""The visit page tells a disputed answer's story with its days, in the words of the visit PDF:
"Disputed by … on 3 Nov 2026: …", "Rejected on 6 Nov 2026: the answer stays.". The page said
only "Disputed by …:" and the status, without the day the dispute was raised or decided.
The days are the branch's (Europe/Vilnius): both moments are late in the UTC evening."""
from __future__ import annotations

import re
from datetime import datetime
from html import unescape

import pytest

from audit.extensions import db
from audit.models import Dispute
from tests.conftest import login
from tests.pdf.helpers import pdf_text

ANSWERS = {"greeted_promptly": "yes", "staff_respectful": "yes", "tone_friendly": "4"}
RAISED, DECIDED = datetime(2026, 11, 2, 22, 30), datetime(2026, 11, 5, 23, 15)  # naive UTC: 3 and 6 Nov in Vilnius
REASON = "The tone was friendly; the auditor misheard."
NOTE = "The recording confirms the 4."
SAID = {
    "en": {"open": f"Disputed by Rasa Petraitienė on 3 Nov 2026: {REASON} Awaiting the reviewer's decision.",
           "upheld": f"Rejected on 6 Nov 2026: the answer stays. The reviewer's note: {NOTE}",
           "overturned": "Overturned on 6 Nov 2026: changed from “4 / 5” to “5 / 5”."},
    "lt": {"open": f"Ginčą pateikė Rasa Petraitienė 2026-11-03: {REASON} Laukiama tikrintojo sprendimo.",
           "upheld": f"Atmestas 2026-11-06: atsakymas nekeičiamas. Tikrintojo pastaba: {NOTE}",
           "overturned": "Patenkintas 2026-11-06: pakeista iš „4 / 5“ į „5 / 5“."},
}


def dispute_text(html: str) -> str:
    """The text of the page's dispute box (up to its own closing tag), white space made single spaces."""
    start = html.index('<div class="dispute ')
    depth, end = 0, start
    for tag in re.finditer(r"<(/?)div\b", html[start:]):
        depth += -1 if tag.group(1) else 1
        if depth == 0:
            end = start + tag.start()
            break
    box = html[start:end]
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", box))).replace(" :", ":").strip()


@pytest.mark.parametrize("lang", ["en", "lt"])
def test_the_visit_page_tells_the_days_of_a_dispute_as_the_pdf_does(app, make_location, make_user, make_visit, lang):
    location = make_location("VLN-01")
    visit = make_visit(location, make_user("auditor"), ANSWERS)
    manager = make_user("manager", locations=["VLN-01"], name="Rasa Petraitienė")
    reviewer = make_user("reviewer")
    manager.locale = lang
    dispute = Dispute(visit_id=visit.id, item_id="tone_friendly", raised_by_id=manager.id, reason=REASON,
                      old_value="4", created_at=RAISED)
    db.session.add(dispute)
    db.session.commit()
    client = app.test_client()
    login(client, manager.email)
    said = SAID[lang]

    def shown() -> tuple[str, str]:
        page = client.get(f"/visits/{visit.id}").get_data(as_text=True)
        return dispute_text(page), pdf_text(client.get(f"/visits/{visit.id}/report.pdf").data)

    page, pdf = shown()
    assert page == said["open"] and said["open"] in pdf

    dispute.status, dispute.decided_at, dispute.decided_by_id, dispute.decision_note = \
        "upheld", DECIDED, reviewer.id, NOTE
    db.session.commit()
    page, pdf = shown()
    assert page.startswith(said["open"].split(REASON)[0] + REASON) and page.endswith(said["upheld"])
    assert said["upheld"] in pdf

    dispute.status, dispute.new_value, dispute.decision_note = "overturned", "5", ""
    db.session.commit()
    page, pdf = shown()
    assert page.endswith(said["overturned"]) and said["overturned"] in pdf
