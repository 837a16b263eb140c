"""The open actions' page (/actions) on a portrait tablet: with its branch and region columns,
the last column (the visit, a link) sat behind a sideways scroll in every language (28 px in
English, 105 px in Latvian): the due day was written long ("2026. gada 25. okt.") and the action
and who-columns kept widths meant for a landscape screen."""
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
@pytest.mark.parametrize("lang", ["lv", "ru", "en"])
def test_the_actions_page_fits_a_portrait_tablet(page, lang, live_server, make_user, make_location, make_visit):
    location = make_location("KUR-05", "Volta Liepāja Lielā iela", region="Kurzeme", city="Liepāja")
    manager = make_user("manager", name="Aleksandrs Kuzņecovs", locations=["KUR-05"])
    visit = make_visit(location, make_user("auditor"), {"entrance_clean": "no"})
    plan_action(visit, manager, "entrance_clean", "Atkārtoti apmācīt attiecīgās maiņas darbiniekus; filiāles vadība to pārbauda nākamās trīs dienas.",
                "Aleksandrs Kuzņecovs", local_today() - timedelta(days=3), local_today() - timedelta(days=20))
    db.session.commit()
    sign_in(page, live_server, make_user("admin").email)
    page.click(f"button.lang[value={lang}]")
    page.goto(f"{live_server}/actions")
    page.wait_for_selector("table.action-table")
    wrap = page.locator("table.action-table").locator("xpath=..")
    overflow = wrap.evaluate("el => el.scrollWidth - el.clientWidth")
    assert overflow <= 1, f"the actions' table is {overflow} px wider than the card"
    due = page.locator("table.action-table tbody td").first.inner_text()
    assert re.search(r"\d{1,4}[./-]\d{1,2}[./-]\d{2,4}", due), due
