"""A number outside its question's range (the phone checklist takes 0–300 seconds until a person
answers) is named on the tablet as it is typed, in the page's language and without a connection:
the auditor used to learn that a 500 was refused only once the tablet reconnected, maybe hours
later. The value stays in the box and in the draft kept on the tablet until it is corrected; it
is not sent, since the server would refuse it anyway."""
from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import select

from audit.extensions import db
from audit.models import Answer, Visit
from audit.services.visits import start_visit
from tests.browser.conftest import TABLET_SIZES, screenshot, watch_csp
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

ITEM, SECTION = "answer_seconds", "reach"
REFUSED = {"en-GB": "Answer a number from 0 to 300.", "lv-LV": "Ievadiet skaitli no 0 līdz 300.",
           "ru-RU": "Введите число от 0 до 300."}


@pytest.fixture
def phone_visit(make_user, make_location, checklists):
    """An auditor with a phone visit started: (auditor, the visit's uuid)."""
    assert checklists["phone-enquiry"].parsed.item(ITEM).max == 300
    auditor = make_user("auditor")
    client_uuid = str(uuid.uuid4())
    start_visit(auditor, client_uuid, location=make_location("VLN-01"), checklist_key="phone-enquiry")
    db.session.commit()
    return auditor, client_uuid


def open_fill(browser, live_server, auditor, client_uuid, locale, service_workers: str = "allow"):
    """The visit's fill page on the question's section, in a portrait tablet in ``locale``."""
    context = browser.new_context(viewport=TABLET_SIZES["portrait"], locale=locale, service_workers=service_workers)
    page = watch_csp(context.new_page())
    page.size_name = "portrait"
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", auditor.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_load_state()
    page.goto(f"{live_server}/visits/{client_uuid}/fill#s-{SECTION}")
    page.wait_for_selector(f"#s-{SECTION}.active")
    return context, page


def stored_seconds(client_uuid: str) -> str | None:
    db.session.expire_all()
    return db.session.scalar(select(Answer.value).join(Visit).where(Visit.uuid == client_uuid, Answer.item_id == ITEM))


def drafts_sent(page) -> list[dict]:
    """The bodies of the autosaves the page sends from now on (filled in as they go)."""
    sent: list[dict] = []
    page.on("request", lambda request: sent.append(json.loads(request.post_data))
            if request.url.endswith("/draft") else None)
    return sent


def assert_marked(page, message: str) -> None:
    question = page.locator(f"#q-{ITEM}")
    assert question.locator(f"[data-error-for='{ITEM}']").inner_text() == message
    assert ("has-error" in question.get_attribute("class")) == bool(message)
    assert page.locator(f"[data-section-link='{SECTION}'].has-error").count() == int(bool(message))


@pytest.mark.parametrize("locale", ["en-GB", "lv-LV"])
def test_500_offline_is_named_at_once_kept_through_a_reload_and_goes_when_corrected(
        browser, live_server, phone_visit, locale):
    auditor, client_uuid = phone_visit
    context, page = open_fill(browser, live_server, auditor, client_uuid, locale)
    page.wait_for_selector("body[data-offline-ready='1']")  # the page can be reloaded offline
    context.set_offline(True)
    box = page.locator(f"input[name='answer-{ITEM}']")
    box.fill("500")
    assert_marked(page, REFUSED[locale])  # at once: no connection, no wait
    assert box.input_value() == "500"
    screenshot(page, f"fill-number-range-{locale[:2]}")

    # Nothing typed is lost: a reload without a connection brings the 500 back, marked.
    page.reload()
    page.wait_for_selector(f"#s-{SECTION}.active")
    page.wait_for_function("([id, text]) => document.querySelector(`[data-error-for='${id}']`).textContent === text",
                           arg=[ITEM, REFUSED[locale]])
    assert box.input_value() == "500"
    assert_marked(page, REFUSED[locale])

    box.fill("120")
    assert_marked(page, "")
    context.set_offline(False)
    page.wait_for_selector("#save-state[data-state='saved']", timeout=20000)
    assert stored_seconds(client_uuid) == "120"
    context.close()


def test_500_online_is_not_sent_and_the_server_says_the_same(browser, live_server, phone_visit):
    auditor, client_uuid = phone_visit
    context, page = open_fill(browser, live_server, auditor, client_uuid, "ru-RU")
    sent = drafts_sent(page)
    page.fill(f"input[name='answer-{ITEM}']", "500")
    assert_marked(page, REFUSED["ru-RU"])
    assert page.get_attribute("#save-state", "data-state") == "error"  # "not saved", at once
    page.wait_for_timeout(1500)  # longer than the autosave's wait
    assert [body for body in sent if ITEM in body.get("answers", {})] == []
    assert page.get_attribute("#save-state", "data-state") == "error"

    # A save of the whole form sends it: the server refuses it with the same words, keeping it.
    page.click("button[name=action][value=save]")
    page.wait_for_load_state()
    assert page.input_value(f"input[name='answer-{ITEM}']") == "500"
    assert_marked(page, REFUSED["ru-RU"])
    assert stored_seconds(client_uuid) is None

    page.fill(f"input[name='answer-{ITEM}']", "12,5")  # a decimal comma is a number
    assert_marked(page, "")
    page.wait_for_selector("#save-state[data-state='saved']")
    assert stored_seconds(client_uuid) == "12.5"
    page.fill(f"input[name='answer-{ITEM}']", "пять")
    assert_marked(page, "Введите число.")
    context.close()


def test_a_number_of_19_digits_is_named_at_once_and_not_sent(browser, live_server, phone_visit):
    """More than 15 digits (a float rounds them; from 10**18 the draft no longer opened): the tablet
    says so as it is typed, before the range, as the server does (checklist/answers.py)."""
    auditor, client_uuid = phone_visit
    context, page = open_fill(browser, live_server, auditor, client_uuid, "lv-LV")
    sent = drafts_sent(page)
    page.fill(f"input[name='answer-{ITEM}']", "1000000000000000000")
    assert_marked(page, "Ievadiet skaitli, kurā nav vairāk par 15 cipariem.")
    page.wait_for_timeout(1500)  # longer than the autosave's wait
    assert [body for body in sent if ITEM in body.get("answers", {})] == []
    page.fill(f"input[name='answer-{ITEM}']", "0000000000000000045")  # leading zeros are no digits
    assert_marked(page, "")
    page.wait_for_selector("#save-state[data-state='saved']")
    assert stored_seconds(client_uuid) == "45"
    context.close()
