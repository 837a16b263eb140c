"""A branch manager's home page on a portrait tablet, in Latvian: the open actions' table showed
its last column (the visit, a link) cut off behind a sideways scroll — its day was written
"2026. gada 27. nov.", twice the width of 27.11.2026."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from audit.extensions import db
from audit.services.actions import plan_action
from audit.times import local_today
from tests.browser.test_first_screens import sign_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("page", ["portrait"], indirect=True)
def test_the_open_actions_fit_a_portrait_tablet_in_latvian(page, live_server, make_user, make_location, make_visit):
    location = make_location("VLN-01", "Volta Akropolis Vilnius", region="Vilnius", city="Vilnius")
    manager = make_user("manager", name="Rūta Stankevičienė", locations=["VLN-01"])
    visit = make_visit(location, make_user("auditor"), {"entrance_clean": "no"})
    plan_action(visit, manager, "entrance_clean", "Aptarti tai rytiniame susirinkime su visa komanda ir pasipraktikuoti",
                "Rūta Stankevičienė", local_today() + timedelta(days=11), local_today())
    db.session.commit()
    sign_in(page, live_server, manager.email)
    page.click("button.lang[value=lv]")
    page.wait_for_selector("table.action-table")
    assert page.get_attribute("html", "lang") == "lv"
    wrap = page.locator("table.action-table").locator("xpath=..")
    overflow = wrap.evaluate("el => el.scrollWidth - el.clientWidth")
    assert overflow <= 1, f"the actions' table is {overflow} px wider than the card"
    visit_link = page.locator("table.action-table td a[href*='#went-wrong']")
    assert re.fullmatch(r"\d{1,2}\.\d{2}\.\d{4}\.", visit_link.inner_text())
