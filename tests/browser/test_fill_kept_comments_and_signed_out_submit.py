"""Two things the fill page hid from the auditor: comments typed offline came back after an
offline reload inside closed Comment boxes, with nothing showing they held text (the required
comment of a failed critical item too); and "Submit visit" on a page that already knew its
session had ended posted the form and landed on the generic "page has expired" (400) page."""
from __future__ import annotations

import pytest

from tests.browser.test_field_visit import drafts_kept, field_day, open_section, tap  # noqa: F401
from tests.browser.test_fill_nothing_lost import stored, uuid_of
from tests.browser.test_fill_refusals import sign_in_and_reopen, start_visit

pytestmark = pytest.mark.browser

SIGNED_OUT = "Signed out – sign in again, then reload this page. Your answers are kept on this tablet."


def test_comments_typed_offline_are_open_after_an_offline_reload(page, browser, live_server, field_day):  # noqa: F811
    people, store = field_day
    context, auditor = start_visit(browser, page, live_server, people)
    auditor.wait_for_selector("body[data-offline-ready='1']")  # the page can be reloaded offline
    critical = next(i for i in store.items if i.critical and i.comment_required_on_fail
                    and i.type == "yes_no" and not i.show_if)
    section = store.section_of(critical.id)
    other = next(i for i in section.items if i.id != critical.id and i.type == "yes_no" and not i.show_if)
    open_section(auditor, section.id)
    context.set_offline(True)
    tap(auditor, critical, "no")  # its Comment box opens: a comment is required
    auditor.fill(f"textarea[name='comment-{critical.id}']", "Told me the phone had 512 GB")
    tap(auditor, other, "yes")
    auditor.click(f"#q-{other.id} details.comment summary")  # an optional comment, opened by hand
    auditor.fill(f"textarea[name='comment-{other.id}']", "Greeted by the door")
    auditor.wait_for_selector("#save-state[data-state='offline']")
    auditor.reload()  # still offline: the page kept when it was opened, with the values laid over it
    auditor.wait_for_selector(f"#s-{section.id}.active")
    for item, text in ((critical, "Told me the phone had 512 GB"), (other, "Greeted by the door")):
        comment = auditor.locator(f"textarea[name='comment-{item.id}']")
        assert auditor.locator(f"#q-{item.id} details.comment").evaluate("d => d.open"), item.id
        assert comment.is_visible() and comment.input_value() == text
    assert auditor.is_checked(f"#q-{critical.id} input[value=no]")
    context.close()


def test_submit_after_the_session_ended_says_signed_out_and_keeps_the_answers(page, browser, live_server, field_day):  # noqa: F811
    people, store = field_day
    context, auditor = start_visit(browser, page, live_server, people)
    uuid = uuid_of(auditor)
    first, second = [i for i in store.items if i.type == "yes_no" and not i.show_if][:2]
    context.clear_cookies()  # the session ended (signed out on another device, or it ran out)
    for item in (first, second):
        open_section(auditor, store.section_of(item.id).id)
        tap(auditor, item, "yes")
    auditor.wait_for_selector("#save-state[data-state='signed-out']")
    assert auditor.locator("#save-state").inner_text() == SIGNED_OUT
    auditor.click("button[name=action][value=submit]")
    note = auditor.locator("#signed-out-note")
    note.wait_for(state="visible", timeout=5000)  # by the button, where the auditor is looking
    assert note.inner_text() == SIGNED_OUT and note.evaluate(
        "n => { const r = n.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; }")
    auditor.wait_for_timeout(500)  # nothing was posted: still the fill page, no "Error 400"
    assert auditor.url.split("#")[0].endswith(f"/visits/{uuid}/fill")
    assert "expired" not in auditor.inner_text("body") and "400" not in auditor.title()
    assert auditor.is_checked(f"#q-{first.id} input[value=yes]")
    assert drafts_kept(auditor, uuid, settle_ms=0) > 0
    # Signed in again, the page opened again sends what waited on the tablet.
    sign_in_and_reopen(auditor, live_server, people["auditor"], uuid)
    answers = stored(uuid)
    assert answers[first.id][0] == "yes" and answers[second.id][0] == "yes"
    context.close()
