"""A tablet's browser killed outright (the system reclaiming memory, a crash) a moment after the
auditor typed, offline: what was typed is on the tablet when the browser comes back."""
from __future__ import annotations

import os
import signal
import time

import pytest

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, TABLET_SIZES
from tests.browser.test_field_visit import PASSWORD, drafts_kept, field_day, open_section  # noqa: F401
from tests.browser.test_fill_nothing_lost import stored

pytestmark = pytest.mark.browser


def settle(page, uuid: str, key_part: str = "") -> None:
    """Until the tablet's durable copy (IndexedDB) holds the visit's unsent changes; at once where
    the page has none (the code before it): the kill then comes as soon as a tablet could be
    killed after the change, not after a guessed pause that a busy machine may overrun."""
    for _ in range(50):
        found = page.evaluate("""async ([uuid, part]) => !window.AuditDraftStore
            || ((await AuditDraftStore.list(`audit-draft:${uuid}`)) || []).some(e => e.key.includes(part))""",
                              [uuid, key_part])
        if found:
            return
        page.wait_for_timeout(50)


def kill_chromium_of(profile) -> None:
    """SIGKILL every process of the browser using ``profile``, as the system would."""
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as handle:
                command = handle.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if str(profile) in command:
            try:
                os.kill(int(pid), signal.SIGKILL)
            except ProcessLookupError:
                pass


def open_browser(browser, profile):
    return browser.browser_type.launch_persistent_context(
        str(profile), executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True,
        viewport=TABLET_SIZES["landscape"], locale="en-GB")


def sign_in(page, base, user) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].primary")


@pytest.mark.parametrize("pause_ms", [0, 400])
def test_what_was_typed_offline_survives_the_browser_being_killed(browser, live_server, field_day, tmp_path, pause_ms):  # noqa: F811
    people, store = field_day
    item = next(i for i in store.items if i.type == "yes_no")
    profile = tmp_path / "profile"
    context = open_browser(browser, profile)
    page = context.pages[0] if context.pages else context.new_page()
    sign_in(page, live_server, people["auditor"])
    page.click("button:has-text('Start')")
    page.wait_for_url("**/fill")
    uuid = page.url.split("/")[-2]
    page.wait_for_selector("body[data-offline-ready='1']")
    open_section(page, store.section_of(item.id).id)
    context.set_offline(True)
    page.evaluate("() => window.dispatchEvent(new Event('offline'))")
    question = page.locator(f"#q-{item.id}")
    question.locator("label", has_text="No").click()
    question.locator("details.comment").evaluate("details => { details.open = true; }")
    question.locator("textarea").fill("Durys užrakintos 10:05, niekas neatidarė")
    page.wait_for_selector("#save-state[data-state='offline']")
    settle(page, uuid)
    page.wait_for_timeout(pause_ms)  # localStorage reaches the disk a second or more later
    kill_chromium_of(profile)
    time.sleep(0.5)
    try:
        context.close()
    except Exception:  # noqa: BLE001 - the browser is gone
        pass
    assert stored(uuid).get(item.id, (None, ""))[1] in ("", None)  # nothing reached the server

    context = open_browser(browser, profile)  # the connection is back
    page = context.pages[0] if context.pages else context.new_page()
    sign_in(page, live_server, people["auditor"])
    page.goto(f"{live_server}/visits/{uuid}/fill")
    page.wait_for_selector("#save-state[data-state='saved']", timeout=10000)
    assert drafts_kept(page, uuid) == 0  # sent: no copy is left to be sent again
    context.close()
    assert stored(uuid)[item.id] == ("no", "Durys užrakintos 10:05, niekas neatidarė")


def test_a_page_kept_from_an_older_version_without_the_durable_copy_still_saves(browser, live_server, field_day, tmp_path):  # noqa: F811
    """A fill page the service worker kept before an upgrade has no draft-store.js but gets the
    new fill.js: the page works on localStorage alone."""
    people, store = field_day
    item = next(i for i in store.items if i.type == "yes_no")
    context = open_browser(browser, tmp_path / "profile")
    page = context.pages[0] if context.pages else context.new_page()
    page.route("**/draft-store.js*", lambda route: route.fulfill(status=404, body=""))
    sign_in(page, live_server, people["auditor"])
    page.click("button:has-text('Start')")
    page.wait_for_url("**/fill")
    uuid = page.url.split("/")[-2]
    open_section(page, store.section_of(item.id).id)
    page.locator(f"#q-{item.id} label", has_text="Yes").click()
    page.wait_for_selector("#save-state[data-state='saved']")
    context.close()
    assert stored(uuid)[item.id][0] == "yes"


def test_held_back_changes_applied_just_before_a_kill_are_not_offered_again(browser, live_server, field_day, tmp_path):  # noqa: F811
    """Apply removed them from localStorage too late: after a kill the page asked again for
    changes already applied (IndexedDB, on disk at once, decides)."""
    from sqlalchemy import select

    from audit.extensions import db
    from audit.models import Visit
    from audit.services.review import return_visit
    from tests.browser.test_field_visit import sign_in as sign_in_elsewhere
    from tests.browser.test_fill_nothing_lost import answer_all

    people, store = field_day
    item = next(i for i in store.items if i.type == "yes_no")
    profile = tmp_path / "profile"
    context = open_browser(browser, profile)
    page = context.pages[0] if context.pages else context.new_page()
    sign_in(page, live_server, people["auditor"])
    page.click("button:has-text('Start')")
    page.wait_for_url("**/fill")
    uuid = page.url.split("/")[-2]
    open_section(page, store.section_of(item.id).id)
    context.set_offline(True)
    page.locator(f"#q-{item.id} label", has_text="No").click()
    other, second = sign_in_elsewhere(browser, TABLET_SIZES["landscape"], live_server, people["auditor"])
    second.goto(f"{live_server}/visits/{uuid}/fill")
    answer_all(second, store)
    second.click("button[name=action][value=submit]")
    second.wait_for_url("**/visits/*")
    other.close()
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_selector("#save-state[data-state='conflict']")
    db.session.expire_all()
    return_visit(db.session.scalar(select(Visit).where(Visit.uuid == uuid)), people["reviewer"], note="Again")
    db.session.commit()
    page.goto(f"{live_server}/visits/{uuid}/fill")
    page.locator("#held-back").wait_for()
    page.wait_for_timeout(3000)  # long enough for localStorage to have the held-back copy on disk
    context.set_offline(True)  # applied offline: sent later, from the tablet's copy
    page.click("#held-back [data-held=apply]")
    for _ in range(50):  # until the durable copy no longer holds them back
        if not page.evaluate("""async uuid => ((await AuditDraftStore.list(`audit-draft:${uuid}`)) || [])
                                 .some(e => e.key.endsWith(":held"))""", uuid):
            break
        page.wait_for_timeout(50)
    kill_chromium_of(profile)
    time.sleep(0.5)
    try:
        context.close()
    except Exception:  # noqa: BLE001 - the browser is gone
        pass

    context = open_browser(browser, profile)
    page = context.pages[0] if context.pages else context.new_page()
    sign_in(page, live_server, people["auditor"])
    page.goto(f"{live_server}/visits/{uuid}/fill")
    page.wait_for_selector("#save-state[data-state='saved']", timeout=10000)
    page.wait_for_timeout(500)  # the durable copy has been read
    assert not page.locator("#held-back").is_visible()
    context.close()
    assert stored(uuid)[item.id][0] == "no"  # applied, and sent once the tablet was back
