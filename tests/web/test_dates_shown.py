"""Times on the pages: in the user's language and in Vilnius time, the year in four digits in
every language (Latvian's short pattern wrote 01.12.26)."""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from html import unescape

import pytest
from flask import render_template_string
from flask_babel import force_locale

from audit.extensions import db
from audit.models import Dispute, utcnow
from tests.conftest import login


def test_short_times_keep_four_digit_years_and_move_to_vilnius_time(app):
    winter, summer = datetime(2026, 12, 1, 12, 14), datetime(2026, 7, 1, 21, 30)  # stored in UTC
    expected = {"en_GB": ("01/12/2026, 14:14", "02/07/2026, 00:30"), "ru": ("01.12.2026, 14:14", "02.07.2026, 00:30"),
                "lt": ("2026-12-01 14:14", "2026-07-02 00:30"), "lv": ("1.12.2026. 14:14", "2.07.2026. 00:30")}
    with app.test_request_context():
        for locale, shown in expected.items():
            with force_locale(locale):
                assert render_template_string("{{ a|datetime }}|{{ b|datetime }}", a=winter, b=summer) == "|".join(shown)


@pytest.mark.parametrize("lang", ["en", "lv"])
def test_the_manager_home_writes_a_visits_day_alike_in_each_list(app, make_location, make_user, make_visit, lang):
    """The disputes on a manager's home page named a visit "VLN-01 · Branch · 2026. gada 3. dec."
    (3 Dec 2026) while the failures without an action above them wrote the same visit's day
    3.12.2026. (03/12/2026), as the actions table does: now the disputes write it so too."""
    branch = make_location("VLN-01", "Gedimino pr.")
    manager = make_user("manager", locations=["VLN-01"])
    manager.locale = lang
    # 22:30 UTC: the next day in Vilnius.
    visited = (utcnow() - timedelta(days=3)).replace(hour=22, minute=30, second=0, microsecond=0)
    visit = make_visit(branch, make_user("auditor"), {"greeted_promptly": "no", "eye_contact": "no"},
                       visited_at=visited)
    db.session.add(Dispute(visit_id=visit.id, item_id="greeted_promptly", raised_by_id=manager.id,
                           reason="The greeting was at the door.", old_value="no"))
    db.session.commit()
    client = app.test_client()
    login(client, manager.email)
    html = unescape(client.get("/").get_data(as_text=True))

    def section(name: str) -> str:
        start = html.index(f'id="{name}"')
        return html[start:html.index("</section>", start)]

    day = re.search(r'<td class="unplanned-visit"><span class="nowrap">([^<]+)</span>',
                    section("failures-without-action"))
    assert day is not None and day.group(1) == numeric[lang](visited.date() + timedelta(days=1))
    assert f"VLN-01 · Gedimino pr. · {day.group(1)}</a>" in section("disputes")


#: A day in numbers as the page writes it (the year in four digits; Latvian without the leading zero of the day).
numeric = {"en": lambda day: day.strftime("%d/%m/%Y"), "lv": lambda day: f"{day.day}.{day:%m.%Y}."}


@pytest.mark.parametrize("lang, visited, window", [
    ("en", "01/10/2026, 15:00", "28/09/2026 – 02/10/2026"), ("lv", "1.10.2026. 15:00", "28.09.2026. – 2.10.2026.")])
def test_the_visit_page_writes_the_visit_and_its_window_alike(app, make_location, make_user, make_visit,
                                                              lang, visited, window):
    """"Visited 01/10/2026, 15:00" stood above "Scheduled 28 Sept 2026 – 2 Oct 2026" (in Latvian
    "2026. gada 28. sept."): the window is written in numbers too."""
    from audit.models import Assignment

    branch, auditor, reviewer = make_location("VLN-01"), make_user("auditor"), make_user("reviewer")
    reviewer.locale = lang
    visit = make_visit(branch, auditor, {"greeted_promptly": "yes"}, visited_at=datetime(2026, 10, 1, 12, 0))
    visit.assignment = Assignment(location=branch, checklist=visit.checklist_version.checklist, auditor=auditor,
                                  due_from=datetime(2026, 9, 28).date(), due_until=datetime(2026, 10, 2).date())
    db.session.commit()
    client = app.test_client()
    login(client, reviewer.email)
    html = unescape(client.get(f"/visits/{visit.id}").get_data(as_text=True))
    assert f"<dd>{visited}</dd>" in html
    assert re.search(r'<dd id="visit-window">([^<]+)', html).group(1).strip() == window


@pytest.mark.parametrize("lang", ["en", "lv"])
def test_the_reviewers_open_disputes_write_the_visits_day_in_numbers(app, make_location, make_user, make_visit, lang):
    """The reviewer's home listed an open dispute as "VLN-01 · Gedimino pr. · 3 Dec 2026" (lv
    "2026. gada 3. dec."), the visit's day in words where every list of visits writes it in numbers."""
    branch = make_location("VLN-01", "Gedimino pr.")
    manager, reviewer = make_user("manager", locations=["VLN-01"]), make_user("reviewer")
    reviewer.locale = lang
    visit = make_visit(branch, make_user("auditor"), {"greeted_promptly": "no"}, visited_at=datetime(2026, 12, 3, 9, 0))
    db.session.add(Dispute(visit_id=visit.id, item_id="greeted_promptly", raised_by_id=manager.id,
                           reason="The greeting was at the door.", old_value="no"))
    db.session.commit()
    client = app.test_client()
    login(client, reviewer.email)
    html = unescape(client.get("/").get_data(as_text=True))
    assert f"VLN-01 · Gedimino pr. · {numeric[lang](datetime(2026, 12, 3).date())}</a>" in html
