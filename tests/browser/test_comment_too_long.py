"""A comment longer than the server takes (5000 characters) is named on the tablet as it is
typed, kept in its box and on the tablet, and not sent, as a number outside its range is. Its
question's answer was saved all along, but the progress line counted the question as missing
while the server's refusal of the comment stood on it."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from audit.extensions import db
from audit.models import Answer, Visit
from tests.browser.test_field_visit import stored_answers
from tests.browser.test_number_range_in_browser import SECTION, drafts_sent, open_fill, phone_visit  # noqa: F401
from tests.browser.test_refused_number_not_waiting import NOT_SAVED, save_line

pytestmark = pytest.mark.browser

ITEM = "menu_clear"  # a required yes/no/N/A question of the phone checklist's first section
TOO_LONG = {"en-GB": "The comment may have at most 5000 characters.",
            "ru-RU": "Комментарий может содержать не более 5000 символов."}


def stored_comment(client_uuid: str) -> str | None:
    db.session.expire_all()
    return db.session.scalar(select(Answer.comment).join(Visit).where(Visit.uuid == client_uuid, Answer.item_id == ITEM))


def answered(page) -> str:
    return page.locator("#progress-text").inner_text()


@pytest.mark.parametrize("locale", ["en-GB", "ru-RU"])
def test_a_comment_too_long_is_named_not_sent_and_its_answer_still_counts(browser, live_server, phone_visit, locale):  # noqa: F811
    auditor, client_uuid = phone_visit
    context, page = open_fill(browser, live_server, auditor, client_uuid, locale)
    sent = drafts_sent(page)
    before = answered(page)
    page.locator(f"#q-{ITEM} label.seg:has(input[value='yes'])").click()
    page.wait_for_selector("#save-state[data-state='saved']")
    counted = answered(page)
    assert counted != before and stored_answers(client_uuid) == {ITEM: "yes"}

    question = page.locator(f"#q-{ITEM}")
    question.locator("details.comment summary").click()
    long_text = "The menu read every option twice. " * 150  # 5100 characters
    question.locator(f"textarea[name='comment-{ITEM}']").fill(long_text)
    assert question.locator(f"[data-error-for='{ITEM}']").inner_text() == TOO_LONG[locale]
    assert "has-error" in question.get_attribute("class")
    assert page.locator(f"[data-section-link='{SECTION}'].has-error").count() == 1
    if locale == "en-GB":
        assert save_line(page) == ("error", NOT_SAVED)
    assert answered(page) == counted  # the answer is given: the comment is what waits
    page.wait_for_timeout(1500)  # past the autosave's delay: nothing goes
    assert all(ITEM not in draft.get("comments", {}) for draft in sent)

    # Kept through a reload, still named, the answer still counted.
    page.reload()
    page.wait_for_selector(f"#s-{SECTION}.active")
    box = question.locator(f"textarea[name='comment-{ITEM}']")
    page.wait_for_function(f"document.querySelector(\"textarea[name='comment-{ITEM}']\").value.length > 5000")
    assert box.input_value() == long_text
    assert question.locator(f"[data-error-for='{ITEM}']").inner_text() == TOO_LONG[locale]
    assert answered(page) == counted

    # Shortened, it goes; the mark leaves.
    box.fill(long_text[:4000])
    page.wait_for_selector("#save-state[data-state='saved']")
    assert question.locator(f"[data-error-for='{ITEM}']").inner_text() == ""
    assert page.locator(f"[data-section-link='{SECTION}'].has-error").count() == 0
    assert stored_comment(client_uuid) == long_text[:4000].strip()
    assert answered(page) == counted
    context.close()
