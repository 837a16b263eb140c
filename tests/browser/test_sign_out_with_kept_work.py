"""Signing out of a shared tablet that still holds the auditor's unsent answers or photos: they
stayed in the browser without a word, and were sent only if the same auditor signed in again and
opened the visit, so an auditor who did not know could leave them there for good. Sign out now
names the visits first and lets the auditor go to one, or sign out anyway, which keeps them. Nothing
kept (or only another auditor's): signed out at once. Offline: the page stays and says why."""
from __future__ import annotations

from datetime import timedelta

import pytest

from audit.extensions import db
from audit.services.assignments import AssignmentRequest, create_assignments
from audit.times import local_today
from tests.browser.conftest import TABLET_SIZES, screenshot, small_targets, watch_csp
from tests.browser.test_field_visit import drafts_kept, field_day, jpeg_bytes, open_section, sign_in, tap  # noqa: F401
from tests.browser.test_fill_nothing_lost import stored, uuid_of
from tests.browser.test_kept_photos import photos_kept
from tests.conftest import PASSWORD, csrf_token, login

pytestmark = pytest.mark.browser

SIGN_OUT = "#logout-form button"
LANDSCAPE = TABLET_SIZES["landscape"]
OFFLINE = ("You are offline, so you cannot sign out now. Sign out when the connection is back: the tablet will then "
           "tell you if any of your answers or photos have not been sent yet.")
WEAK = "The connection is too weak: you were not signed out. Try again when it is better."


def start(page) -> str:
    """The signed-in auditor starts their visit; returns its uuid."""
    page.click(".start-form button")
    page.wait_for_url("**/fill")
    return uuid_of(page)


def leave_offline(context, page, base: str) -> None:
    """The tab leaves the fill page while offline (a closed tab, in effect: Playwright's close()
    lifts the offline state for the closing page, whose fill.js then sends), and opens the start
    page once the connection is back."""
    page.goto("about:blank")
    context.set_offline(False)
    page.goto(f"{base}/")


def answer_offline_and_leave(context, fill, store, base: str):
    """On the fill page the connection drops and a question is answered: the answer waits on the
    tablet. The page is left, the connection comes back. Returns the question; the tab is on the
    start page."""
    item = next(i for i in store.items if i.type == "yes_no")
    open_section(fill, store.section_of(item.id).id)
    context.set_offline(True)
    fill.wait_for_function("!navigator.onLine")  # the page knows before the tap, as a tablet would
    tap(fill, item, "yes")
    fill.wait_for_selector("#save-state[data-state='offline']")
    leave_offline(context, fill, base)
    return item


def kept_records(page, uuid: str) -> int:
    """The unsent answers of the visit this browser keeps in localStorage (any page, signed in or not)."""
    return page.evaluate("uuid => Object.keys(localStorage).filter(k => k.startsWith(`audit-draft:${uuid}`)).length", uuid)


def test_a_kept_answer_is_named_before_signing_out_and_its_visit_is_a_tap_away(page, browser, live_server,
                                                                               field_day):  # noqa: F811
    people, store = field_day
    context, auditor = sign_in(browser, page.viewport_size, live_server, people["auditor"])
    uuid = start(auditor)
    item, home = answer_offline_and_leave(context, auditor, store, live_server), auditor
    home.click(SIGN_OUT)
    dialog = home.locator("#sign-out-check")
    dialog.wait_for(state="visible")
    assert dialog.evaluate("d => d.open && d.matches(':modal')")
    text = dialog.inner_text()
    assert "Not everything has been sent yet" in text
    assert "This tablet still holds answers or photos of 1 visit that have not reached the server:" in text
    assert "Vilnius Akropolis" in text and "VLN-01" in text
    assert "If you sign out, they stay on this tablet." in text
    assert home.get_attribute("#sign-out-check", "aria-labelledby") == "sign-out-check-title"
    assert home.evaluate("document.activeElement.dataset.signOut") == "visit"  # the safe choice has the focus
    assert small_targets(home) == []
    screenshot(home, "sign-out-kept-answer")
    # Still signed in: Escape (or the back gesture) closes the question and nothing else happens.
    assert home.url == f"{live_server}/"
    home.keyboard.press("Escape")
    assert not dialog.is_visible()
    home.reload()
    assert home.locator(SIGN_OUT).is_visible()
    assert stored(uuid).get(item.id) is None  # not sent meanwhile: it waits for its fill page
    # "Go to the visit" opens its fill page, which sends the answer.
    home.click(SIGN_OUT)
    dialog.locator("[data-sign-out=visit]", has_text="Go to the visit").click()
    home.wait_for_url(f"**/visits/{uuid}/fill")
    home.wait_for_selector("#save-state[data-state='saved']")
    assert stored(uuid)[item.id][0] == "yes"
    assert drafts_kept(home, uuid) == 0
    # Nothing left: Sign out signs out at once.
    home.click(SIGN_OUT)
    home.wait_for_url("**/login")
    assert home.locator(".flash", has_text="You are signed out.").is_visible()
    context.close()


def test_sign_out_anyway_signs_out_and_the_answer_stays_to_be_sent_later(browser, live_server, field_day):  # noqa: F811
    people, store = field_day
    context, auditor = sign_in(browser, LANDSCAPE, live_server, people["auditor"])
    uuid = start(auditor)
    item, home = answer_offline_and_leave(context, auditor, store, live_server), auditor
    home.click(SIGN_OUT)
    home.locator("#sign-out-check [data-sign-out=anyway]", has_text="Sign out anyway").click()
    home.wait_for_url("**/login")
    assert home.locator(".flash", has_text="You are signed out.").is_visible()
    home.goto(f"{live_server}/")
    assert "/login" in home.url  # the session is over
    assert kept_records(home, uuid) == 1  # and the answer is still on the tablet
    # Signed in again, the same auditor is told again, and the visit sends it.
    home.fill("input[name=email]", people["auditor"].email)
    home.fill("input[name=password]", PASSWORD)
    home.click("button[type=submit].primary")
    home.click(SIGN_OUT)
    home.locator("#sign-out-check [data-sign-out=visit]").click()
    home.wait_for_selector("#save-state[data-state='saved']")
    assert stored(uuid)[item.id][0] == "yes"
    context.close()


def test_with_nothing_kept_sign_out_goes_at_once(browser, live_server, field_day):  # noqa: F811
    people, store = field_day
    context, auditor = sign_in(browser, LANDSCAPE, live_server, people["auditor"])
    start(auditor)
    item = next(i for i in store.items if i.type == "yes_no")
    open_section(auditor, store.section_of(item.id).id)
    tap(auditor, item, "yes")
    auditor.wait_for_selector("#save-state[data-state='saved']")
    asked = []
    auditor.on("request", lambda request: asked.append(request.url) if "/visits/kept" in request.url else None)
    auditor.click(SIGN_OUT)
    auditor.wait_for_url("**/login")
    assert asked == []  # the server is not even asked
    assert auditor.locator(".flash", has_text="You are signed out.").is_visible()
    context.close()


def test_another_auditor_s_kept_work_does_not_stop_this_auditor_signing_out(browser, live_server, field_day,  # noqa: F811
                                                                             make_user, make_location):
    people, store = field_day
    make_location("KNS-01", "Kaunas Akropolis", city="Kaunas")
    petras = make_user("auditor", name="Petras Antras")
    create_assignments([AssignmentRequest("KNS-01", "store-visit", petras.email, local_today(),
                                          local_today() + timedelta(days=2), scenario="Ask for a refund")],
                       people["reviewer"])
    db.session.commit()
    # Petras keeps an answer on the shared tablet and signs out anyway.
    context, tablet = sign_in(browser, LANDSCAPE, live_server, petras)
    his = start(tablet)
    answer_offline_and_leave(context, tablet, store, live_server)
    tablet.click(SIGN_OUT)
    tablet.locator("#sign-out-check").wait_for(state="visible")
    assert "Kaunas Akropolis" in tablet.locator("#sign-out-check").inner_text()
    tablet.locator("#sign-out-check [data-sign-out=anyway]").click()
    tablet.wait_for_url("**/login")
    # Ona signs in on the same tablet: his work is not hers to be told about.
    tablet.fill("input[name=email]", people["auditor"].email)
    tablet.fill("input[name=password]", PASSWORD)
    tablet.click("button[type=submit].primary")
    tablet.wait_for_url(f"{live_server}/")
    with tablet.expect_response("**/visits/kept?*") as answer:
        tablet.click(SIGN_OUT)
    assert answer.value.status == 204
    tablet.wait_for_url("**/login")
    assert not tablet.locator("#sign-out-check").is_visible()
    assert kept_records(tablet, his) == 1  # still kept for Petras
    context.close()


def test_a_kept_photo_is_named_in_lithuanian(browser, live_server, field_day):  # noqa: F811
    people, store = field_day
    context = browser.new_context(viewport=LANDSCAPE, locale="lt-LT")
    auditor = watch_csp(context.new_page())
    auditor.size_name = "landscape"
    auditor.goto(f"{live_server}/login")
    with auditor.expect_navigation():
        auditor.click("button.lang[value=lt]")
    auditor.fill("input[name=email]", people["auditor"].email)
    auditor.fill("input[name=password]", PASSWORD)
    auditor.click("button[type=submit].primary")
    uuid = start(auditor)
    item = next(i for i in store.items if i.type == "photo")
    open_section(auditor, store.section_of(item.id).id)
    context.set_offline(True)
    auditor.set_input_files(f"input[data-photo-item='{item.id}']",
                            files=[{"name": "shelf.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes()}])
    auditor.wait_for_selector(f"[data-photos-for='{item.id}'] img.waiting")
    leave_offline(context, auditor, live_server)
    home = auditor
    assert home.get_attribute("html", "lang") == "lt"
    home.locator(SIGN_OUT, has_text="Atsijungti").click()
    dialog = home.locator("#sign-out-check")
    dialog.wait_for(state="visible")
    text = dialog.inner_text()
    assert "Dar ne viskas išsiųsta" in text
    assert ("Šiame planšetiniame kompiuteryje dar yra 1 apsilankymo atsakymų ar nuotraukų, nepasiekusių serverio:"
            in text)
    assert "Vilnius Akropolis" in text
    assert dialog.locator("[data-sign-out=visit]").inner_text() == "Eiti į apsilankymą"
    screenshot(home, "sign-out-kept-photo-lt")
    dialog.locator("[data-sign-out=anyway]", has_text="Vis tiek atsijungti").click()
    home.wait_for_url("**/login")
    assert photos_kept(home, uuid) == 1  # the photo stays on the tablet
    context.close()


def test_sign_out_offline_stays_on_the_page_and_says_why(browser, live_server, field_day):  # noqa: F811
    """The browser put its own "No internet" page in place of the fill page (and the pages kept for
    offline use were thrown away), and the auditor was still signed in."""
    people, store = field_day
    context, auditor = sign_in(browser, LANDSCAPE, live_server, people["auditor"])
    uuid = start(auditor)
    auditor.wait_for_selector("body[data-offline-ready='1']")
    item = next(i for i in store.items if i.type == "yes_no")
    open_section(auditor, store.section_of(item.id).id)
    context.set_offline(True)
    tap(auditor, item, "yes")
    auditor.wait_for_selector("#save-state[data-state='offline']")
    address = auditor.url
    auditor.click(SIGN_OUT)
    notice = auditor.locator("#sign-out-offline")
    auditor.wait_for_function("text => document.getElementById('sign-out-offline').textContent === text", arg=OFFLINE)
    assert notice.is_visible() and auditor.url == address
    assert auditor.is_checked(f"#q-{item.id} input[value=yes]")
    assert not auditor.locator("#sign-out-check").is_visible()
    screenshot(auditor, "sign-out-offline")
    # Online in name only (a weak signal): the server cannot be asked whose the answer is.
    auditor.evaluate("Object.defineProperty(Navigator.prototype, 'onLine', {get: () => true})")
    auditor.click(SIGN_OUT)
    auditor.wait_for_function("text => document.getElementById('sign-out-offline').textContent === text", arg=WEAK,
                              timeout=20000)
    assert auditor.url == address
    # Back online, the answer is sent and signing out goes through.
    context.set_offline(False)
    auditor.evaluate("window.dispatchEvent(new Event('online'))")
    auditor.wait_for_selector("#save-state[data-state='saved']")
    assert stored(uuid)[item.id][0] == "yes"
    auditor.click(SIGN_OUT)
    auditor.wait_for_url("**/login")
    context.close()


def test_sign_out_on_a_dead_connection_with_nothing_kept_keeps_the_page_and_its_offline_copy(
        browser, live_server, field_day):  # noqa: F811
    """Nothing kept, so sign-out went straight to the server: on a connection too weak to carry it
    (the tablet believing it is online) the browser put its own error page in place of the fill
    page, and the page's offline copy had already been thrown away. Once the sign-out gets through,
    the copy goes (the tablet's next user must not open the visit offline)."""
    people, store = field_day
    context, auditor = sign_in(browser, LANDSCAPE, live_server, people["auditor"])
    uuid = start(auditor)
    auditor.wait_for_selector("body[data-offline-ready='1']")
    auditor.wait_for_function("navigator.serviceWorker.controller !== null")
    item = next(i for i in store.items if i.type == "yes_no")
    section = store.section_of(item.id).id
    open_section(auditor, section)
    tap(auditor, item, "yes")
    auditor.wait_for_selector("#save-state[data-state='saved']")
    kept_copy = f"() => caches.match('/visits/{uuid}/fill').then(found => !!found)"
    assert auditor.evaluate(kept_copy)
    address = auditor.url
    auditor.evaluate("Object.defineProperty(Navigator.prototype, 'onLine', {get: () => true})")
    context.set_offline(True)
    auditor.click(SIGN_OUT)
    auditor.wait_for_function("text => document.getElementById('sign-out-offline').textContent === text", arg=WEAK,
                              timeout=20000)
    assert auditor.url == address and auditor.locator(f"#s-{section}").is_visible()
    assert auditor.is_checked(f"#q-{item.id} input[value=yes]")
    assert auditor.evaluate(kept_copy)
    auditor.reload()  # still offline: the kept copy opens
    assert auditor.is_checked(f"#q-{item.id} input[value=yes]")
    context.set_offline(False)
    auditor.click(SIGN_OUT)
    auditor.wait_for_url("**/login")
    assert auditor.locator(".flash", has_text="You are signed out.").is_visible()
    assert not auditor.evaluate(kept_copy)
    context.close()


def test_the_server_names_only_the_user_s_own_visits(client, make_user, make_location, make_visit):
    location = make_location("VLN-01", "Vilnius Akropolis")
    ona, petras = make_user("auditor", name="Ona"), make_user("auditor", name="Petras")
    draft = make_visit(location, ona, {}, status="draft")
    submitted = make_visit(location, ona, {"greeted_promptly": "yes"}, status="submitted")
    his = make_visit(make_location("KNS-01", "Kaunas Akropolis"), petras, {}, status="draft")
    login(client, ona.email)
    response = client.get(f"/visits/kept?uuid={his.uuid}")
    assert response.status_code == 204 and response.data == b""
    html = client.get(f"/visits/kept?uuid={his.uuid}&uuid={draft.uuid}&uuid={submitted.uuid}&uuid=x").get_data(as_text=True)
    assert "Kaunas" not in html
    assert "answers or photos of 2 visits that have not reached the server" in html
    assert f'href="/visits/{draft.uuid}/fill"' in html and f'href="/visits/{submitted.id}"' in html
    assert "A visit already submitted no longer takes them" in html
    assert 'data-sign-out="stay"' in html and 'data-sign-out="visit"' not in html  # several: stay, or tap one
    assert csrf_token(client.get("/").get_data(as_text=True))  # still signed in
