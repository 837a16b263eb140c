"""A number answer of more than 15 digits is refused wherever it is typed, with a message that
says so: it was taken, stored rounded (99999999999999999 became 100000000000000000), and from
10**18 on the draft's fill page failed with a 500 on every opening, so the auditor lost the visit.
A draft that already holds such a number still opens. A number question with no upper end (the
shipped ones all have a ``max`` now; a chain's own checklist may leave it out) is stopped only by
the digits; where a ``max`` is set, the digits are still checked first."""
from __future__ import annotations

import re
from dataclasses import replace
from html import unescape

import pytest
from sqlalchemy import select

from audit.checklist import InvalidAnswer, parse_answer
from audit.extensions import db
from audit.models import Answer, Visit
from tests.conftest import csrf_token

ITEM = "wait_minutes"
TOO_LONG = "1000000000000000000"  # 19 digits: what the review typed


@pytest.fixture
def wait(checklists):
    """The store checklist's waiting time as a question with no upper end."""
    item = checklists["store-visit"].parsed.item(ITEM)
    assert item.type == "number"
    return replace(item, min=None, max=None)


@pytest.mark.parametrize("raw, stored", [
    ("999999999999999", "999999999999999"),  # 15 digits, exactly
    ("000000000000000012", "12"),  # leading zeros are no digits of the number
    ("12345678901234,5", "12345678901234.5"),
    (10 ** 15 - 1, "999999999999999"),
])
def test_numbers_of_up_to_15_digits_are_taken_exactly(wait, raw, stored):
    assert parse_answer(wait, raw) == stored


@pytest.mark.parametrize("raw", ["1234567890123456", TOO_LONG, "99999999999999999", "1 000 000 000 000 000",
                                 "1,0000000000000001", 10 ** 15, 1e18])
def test_numbers_of_more_digits_are_refused_saying_so(wait, raw):
    with pytest.raises(InvalidAnswer) as caught:
        parse_answer(wait, raw)
    assert caught.value.item_id == ITEM and caught.value.message == f"at most 15 digits, not {raw!r}"


@pytest.fixture
def draft(checklists, start_draft):
    """An auditor signed in with a store visit in progress: its fill page's uuid."""
    return start_draft("store-visit")


def stored(client_uuid: str) -> dict[str, str]:
    db.session.commit()  # a fresh read
    return dict(db.session.execute(select(Answer.item_id, Answer.value).join(Visit).where(Visit.uuid == client_uuid)).all())


def error_of(html: str) -> str:
    return re.search(rf'data-error-for="{ITEM}"[^>]*>([^<]*)<', html).group(1)


def test_the_autosave_refuses_19_digits_and_keeps_the_other_answers(client, draft):
    page = client.get(f"/visits/{draft}/fill").get_data(as_text=True)
    response = client.post(f"/visits/{draft}/draft", headers={"X-CSRFToken": csrf_token(page)},
                           json={"answers": {ITEM: TOO_LONG, "entrance_clean": "yes"}})
    assert response.status_code == 200 and list(response.json["errors"]) == [ITEM]
    assert response.json["errors"][ITEM] == "Enter a number of at most 15 digits."
    assert stored(draft) == {"entrance_clean": "yes"}
    assert client.get(f"/visits/{draft}/fill").status_code == 200


def test_a_save_of_the_form_is_refused_keeping_what_was_typed_in_the_auditor_s_language(client, draft):
    page = client.get(f"/visits/{draft}/fill").get_data(as_text=True)
    client.post("/language", data={"csrf_token": csrf_token(page), "lang": "ru"})
    page = client.get(f"/visits/{draft}/fill").get_data(as_text=True)
    refused = client.post(f"/visits/{draft}/fill", data={
        "csrf_token": csrf_token(page), "action": "save", f"answer-{ITEM}": "99999999999999999",
        f"comment-{ITEM}": "Очередь до самого выхода"})
    html = unescape(refused.get_data(as_text=True))
    assert refused.status_code == 200
    assert 'value="99999999999999999"' in re.search(rf'<input[^>]*name="answer-{ITEM}"[^>]*>', html).group(0)
    assert error_of(html) == "Введите число не более чем из 15 цифр."
    assert "Очередь до самого выхода" in html
    assert stored(draft).get(ITEM) is None  # the comment is kept, the number not


def test_a_draft_that_already_holds_such_a_number_opens_and_says_what_to_change(client, draft):
    """Stored before this check existed (the autosave took it): the page opened with a 500."""
    visit = db.session.scalar(select(Visit).where(Visit.uuid == draft))
    db.session.add(Answer(visit_id=visit.id, item_id=ITEM, value=TOO_LONG))  # format_number(1e18)
    db.session.commit()
    page = client.get(f"/visits/{draft}/fill")
    assert page.status_code == 200
    html = unescape(page.get_data(as_text=True))
    assert f'value="{TOO_LONG}"' in re.search(rf'<input[^>]*name="answer-{ITEM}"[^>]*>', html).group(0)
    submitted = client.post(f"/visits/{draft}/fill", data={
        "csrf_token": csrf_token(html), "action": "save", f"answer-{ITEM}": TOO_LONG})
    assert submitted.status_code == 200
    assert error_of(unescape(submitted.get_data(as_text=True))) == "Enter a number of at most 15 digits."
