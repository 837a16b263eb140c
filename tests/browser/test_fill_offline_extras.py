"""Two ways an auditor with a poor connection lost sight of what they typed: a language button
pressed offline opened the browser's "No internet" page in place of the form; and changes a
second tab could not send before the visit was submitted were wiped by the submitting tab (or
kept, but shown nowhere once the page was reloaded)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from audit.extensions import db
from audit.models import Visit
from audit.times import local_today
from tests.browser.conftest import screenshot, watch_csp
from tests.browser.test_field_visit import drafts_kept, field_day, open_section, tap  # noqa: F401
from tests.browser.test_fill_hard_kill import sign_in
from tests.browser.test_fill_nothing_lost import answer_all, stored, uuid_of
from tests.browser.test_fill_refusals import start_visit
from tests.web.test_field_workflow import best_answers

pytestmark = pytest.mark.browser

OFFLINE_LANGUAGE = "You are offline: the language can be changed when the connection is back."


def test_a_language_button_pressed_offline_keeps_the_form_and_says_why(page, browser, live_server, field_day):  # noqa: F811
    people, store = field_day
    context, auditor = start_visit(browser, page, live_server, people)
    entrance = store.item("entrance_clean")
    section = store.section_of(entrance.id).id
    open_section(auditor, section)
    context.set_offline(True)
    tap(auditor, entrance, "no")
    auditor.fill(f"textarea[name='comment-{entrance.id}']", "Dirty mat at the door")
    auditor.wait_for_selector("#save-state[data-state='offline']")
    address = auditor.url
    auditor.click("button.lang[value=lt]")
    notice = auditor.locator("#language-offline[role=status]")
    notice.wait_for(timeout=5000)
    assert auditor.url == address and auditor.get_attribute("html", "lang") == "en"
    auditor.wait_for_function("text => document.getElementById('language-offline').textContent === text",
                              arg=OFFLINE_LANGUAGE)
    assert auditor.locator(f"#s-{section}").is_visible()
    assert auditor.is_checked(f"#q-{entrance.id} input[value=no]")
    assert auditor.input_value(f"textarea[name='comment-{entrance.id}']") == "Dirty mat at the door"
    screenshot(auditor, "fill-language-offline")
    # Back online, the notice goes, the change is sent and the button works, on the same section.
    context.set_offline(False)
    auditor.evaluate("window.dispatchEvent(new Event('online'))")
    auditor.wait_for_selector("#save-state[data-state='saved']")
    assert not notice.is_visible()
    with auditor.expect_navigation(wait_until="load"):
        auditor.click("button.lang[value=lt]")
    assert auditor.get_attribute("html", "lang") == "lt"
    assert auditor.url == address and auditor.locator(f"#s-{section}").is_visible()
    assert auditor.is_checked(f"#q-{entrance.id} input[value=no]")
    assert stored(uuid_of(auditor))[entrance.id] == ("no", "Dirty mat at the door")
    context.close()


def submitted_while_a_second_tab_waits(browser, page, live_server, people, store):
    """Two tabs of one visit with a bad connection (their drafts are not sent): the second answers
    a critical question "no" with a comment, and types three values as the visit will have them
    (the scenario with spaces around it, a number written "1,0"); the first answers a follow-up,
    hides it again by its opening question, sets the time of the visit, answers every question
    and submits. Returns the context, both tabs, the visit's uuid and the questions."""
    # page.route does not see the requests that pass the service worker: none here.
    context = browser.new_context(viewport=page.viewport_size, locale="en-GB", service_workers="block")
    first, second = watch_csp(context.new_page()), watch_csp(context.new_page())
    first.size_name = second.size_name = page.size_name
    sign_in(first, live_server, people["auditor"])
    first.click("button:has-text('Start')")
    first.wait_for_url("**/fill")
    second.goto(first.url)
    for tab in (first, second):
        tab.route("**/draft", lambda route: route.abort())
    best = best_answers(store)
    asked = {
        "info": next(i for i in store.items if i.critical and i.type in ("yes_no", "yes_no_na")),
        "minutes": next(i for i in store.items if i.type == "number" and not i.show_if),
        "follow_up": next(i for i in store.items if i.show_if and i.show_if.item != "complaint_scenario"
                          and best[f"answer-{i.show_if.item}"] not in i.show_if.values),
    }
    asked["same"] = next(i for i in store.items if i.type == "yes_no" and i.id != asked["info"].id and not i.show_if)
    follow_up = asked["follow_up"]
    opener = store.item(follow_up.show_if.item)
    open_section(first, store.section_of(opener.id).id)
    tap(first, opener, follow_up.show_if.values[0])
    if follow_up.type == "text":
        first.fill(f"textarea[name='answer-{follow_up.id}']", "Sent me to another shop")
    else:
        tap(first, follow_up, "no")
    answer_all(first, store)  # the opening question answered otherwise: the follow-up is hidden again
    open_section(first, "details")
    first.fill("input[name=visited_at]", f"{local_today() - timedelta(days=1)}T10:30")  # as the page writes it back
    first.wait_for_selector("#save-state[data-state='offline']")
    open_section(second, "details")
    second.fill("input[name=scenario]", " Buy a gift  ")  # the scenario the visit has, with spaces
    info = asked["info"]
    open_section(second, store.section_of(info.id).id)
    tap(second, info, "no")
    second.fill(f"textarea[name='comment-{info.id}']", "Told me the phone had 512 GB")
    open_section(second, store.section_of(asked["same"].id).id)
    tap(second, asked["same"], "yes")  # as the first tab sends it
    open_section(second, store.section_of(asked["minutes"].id).id)
    tap(second, asked["minutes"], " 1,0")  # the server writes "1"
    second.wait_for_selector("#save-state[data-state='offline']")
    first.click("button[name=action][value=submit]")
    first.wait_for_url("**/visits/*")
    uuid = uuid_of(second)
    answers = stored(uuid)
    assert answers[info.id] == ("yes", "") and answers[asked["same"].id][0] == "yes"
    assert answers[asked["minutes"].id][0] == "1" and follow_up.id not in answers
    db.session.expire_all()
    assert db.session.scalar(select(Visit.scenario).where(Visit.uuid == uuid)) == "Buy a gift"
    return context, first, second, uuid, asked


def test_what_a_second_tab_could_not_send_is_listed_on_the_visit_until_dismissed(page, browser, live_server, field_day):  # noqa: F811
    """Listed on the visit page the first tab lands on and on the one the second opens when
    reloaded; not what the visit has: neither a value the server has too (written its own way),
    nor a follow-up answered and then hidden by its opening question (the submit drops it)."""
    from audit.services.review import approve_visit

    people, store = field_day
    context, first, second, uuid, asked = submitted_while_a_second_tab_waits(browser, page, live_server, people, store)
    info = asked["info"]
    asked_as = info.text.en + (" " if info.text.en[-1] in "?!.:" else ": ")  # "Were all staff …? No"
    expected = [f"{asked_as}No", f"{asked_as}“Told me the phone had 512 GB”"]
    second.reload()  # the fill page of a submitted visit opens the visit
    second.wait_for_url("**/visits/*")
    for tab in (first, second):
        box = tab.locator("#kept-changes")
        box.wait_for(timeout=5000)
        assert box.locator("li").all_inner_texts() == expected
    assert second.locator("#kept-changes-title").inner_text() == "Not saved on the server – what you typed:"
    assert box.locator("[data-kept=dismiss]").count() == 0  # the visit may come back to be fixed
    if page.size_name == "portrait":
        screenshot(second, "visit-kept-changes")
    # What the visit has was forgotten; the rest stays on the tablet, also in its durable copy.
    kept = second.evaluate("""async uuid => ((await AuditDraftStore.list(`audit-draft:${uuid}`)) || [])
        .map(e => e.text).join()""", uuid)
    assert "512 GB" in kept and "Buy a gift" not in kept and "T10:30" not in kept
    assert f'"{asked["same"].id}"' not in kept and f'"{asked["minutes"].id}"' not in kept

    db.session.expire_all()
    approve_visit(db.session.scalar(select(Visit).where(Visit.uuid == uuid)), people["reviewer"])
    db.session.commit()
    second.reload()
    box.wait_for(timeout=5000)
    assert box.locator("li").all_inner_texts() == expected  # approved: still what the auditor typed
    if page.size_name == "portrait":
        screenshot(second, "visit-kept-changes-approved")
    box.locator("[data-kept=dismiss]").click()
    assert not box.is_visible()
    assert drafts_kept(second, uuid) == 0
    second.reload()
    second.wait_for_timeout(500)
    assert not box.is_visible()
    context.close()


@pytest.mark.parametrize("seen", ["listed", "refused"])
def test_what_was_kept_is_offered_not_sent_when_the_visit_comes_back(page, browser, live_server, field_day, seen):  # noqa: F811
    """The second tab's changes, listed on the visit page (the tab reloaded) or refused by the
    server (the tab sent them once the connection was back), are held back on the fill page of
    the returned visit, and only those the visit does not have."""
    from audit.services.review import return_visit

    people, store = field_day
    context, first, second, uuid, asked = submitted_while_a_second_tab_waits(browser, page, live_server, people, store)
    info = asked["info"]
    first.close()
    second.unroute("**/draft")  # the connection is good again
    if seen == "listed":
        second.reload()
        second.wait_for_url("**/visits/*")
        second.locator("#kept-changes").wait_for(timeout=5000)
    else:
        second.evaluate("window.dispatchEvent(new Event('online'))")
        second.wait_for_selector("#save-state[data-state='conflict']")
    db.session.expire_all()
    return_visit(db.session.scalar(select(Visit).where(Visit.uuid == uuid)), people["reviewer"], note="Add the staff")
    db.session.commit()
    second.goto(f"{live_server}/visits/{uuid}/fill")
    box = second.locator("#held-back")
    box.wait_for(timeout=5000)
    held = box.locator("li").all_inner_texts()  # "Question? No": no "Critical" badge, no colon after "?"
    assert len(held) == 2 and held[0] == info.text.en + (" " if info.text.en[-1] in "?!.:" else ": ") + "No", held
    assert held[1] == info.text.en + (" " if info.text.en[-1] in "?!.:" else ": ") + "“Told me the phone had 512 GB”", held
    second.wait_for_timeout(1000)  # nothing is sent meanwhile
    assert stored(uuid)[info.id] == ("yes", "")
    second.click("#held-back [data-held=apply]")
    second.wait_for_selector("#save-state[data-state='saved']")
    assert stored(uuid)[info.id] == ("no", "Told me the phone had 512 GB")
    assert drafts_kept(second, uuid) == 0
    context.close()
