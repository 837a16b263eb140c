"""The Content-Security-Policy in a real browser: a script injected into a page (what a
cross-site-scripting hole would do) is refused, while the page's own scripts – now files, no
longer inline – still do their work. Every other browser test checks, through the ``page``
fixture, that none of its pages trips the policy."""
from __future__ import annotations

import pytest
from playwright.sync_api import Error as PlaywrightError

from audit.extensions import db
from audit.models import Dispute
from tests.browser.test_first_screens import sign_in

pytestmark = pytest.mark.browser


def test_an_injected_script_is_refused_and_the_pages_own_scripts_work(page, live_server, make_location,
                                                                        make_user, make_visit):
    location = make_location("VLN-01")
    auditor, reviewer = make_user("auditor"), make_user("reviewer")
    manager = make_user("manager", locations=["VLN-01"])
    visit = make_visit(location, auditor, {"greeted_promptly": "yes", "staff_respectful": "yes", "tone_friendly": "4"})
    db.session.add(Dispute(visit_id=visit.id, item_id="tone_friendly", raised_by_id=manager.id,
                           reason="The tone was friendly.", old_value="4"))
    db.session.commit()

    sign_in(page, live_server, reviewer.email)
    page.goto(f"{live_server}/visits/{visit.id}")
    # static/js/page.js: choosing the corrected answer ticks "Overturn".
    assert not page.is_checked("form.decide input[value=overturn]")
    page.select_option("form.decide select[name=new_value]", "5")
    assert page.is_checked("form.decide input[value=overturn]")

    with pytest.raises(PlaywrightError):  # Playwright waits for the script's load, which never comes
        page.add_script_tag(content="window.injected = true;")
    assert page.evaluate("() => window.injected") is None
    page.wait_for_timeout(200)
    assert any("inline script" in text for text in page.csp_violations), page.csp_violations
    page.csp_violations.clear()  # the refusal this test provoked; any other still fails it
