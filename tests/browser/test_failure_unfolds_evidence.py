"""A failure unfolds its "Comment or photo" by itself: the auditor, a phone or tablet in one hand,
taps "No" and then "Add a photo" – one tap, not two. A pass leaves it folded, and a failure
changed back to a pass folds it again unless something was written or attached there. A number
does not unfold it (see the second test).

Before, only questions whose comment is required on a failure unfolded; on the others the photo
control stayed behind the "Comment or photo" summary.
"""
from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot, small_targets
from tests.browser.test_field_visit import field_day, open_section, tap  # noqa: F401
from tests.browser.test_fill_refusals import start_visit

pytestmark = pytest.mark.browser

OPTIONAL, WAIT = "signage_clear", "wait_minutes"  # a yes/no question whose comment is optional; minutes in bands


def unfolded(question) -> bool:
    return question.locator("details.comment").evaluate("box => box.open")


def test_a_failing_tap_unfolds_comment_and_photo_and_a_pass_folds_them_again(
        page, browser, live_server, field_day):  # noqa: F811
    people, store = field_day
    context, auditor = start_visit(browser, page, live_server, people)
    item = store.item(OPTIONAL)
    assert not item.comment_required_on_fail
    open_section(auditor, store.section_of(OPTIONAL).id)
    question = auditor.locator(f"#q-{OPTIONAL}")

    tap(auditor, item, "yes")
    assert not unfolded(question)
    tap(auditor, item, "no")
    assert unfolded(question)
    assert question.locator("label.add-photo").is_visible()
    assert question.locator("textarea").input_value() == ""
    assert small_targets(auditor) == []
    screenshot(auditor, "fill-failure-unfolds-photo")

    tap(auditor, item, "yes")  # a slip of the thumb, corrected: nothing was added, so it folds again
    assert not unfolded(question)

    # Something written under the failure stays in sight when the answer changes.
    tap(auditor, item, "no")
    question.locator("textarea").fill("The sign over the till is missing.")
    tap(auditor, item, "yes")
    assert unfolded(question)
    assert question.locator("textarea").input_value() == "The sign over the till is missing."

    auditor.wait_for_selector("#save-state[data-state='saved']")
    context.close()


def test_a_number_in_a_failing_band_does_not_unfold_under_the_next_tap(page, browser, live_server, field_day):  # noqa: F811
    """A number is complete when its box loses focus, that is, when the auditor taps the next
    question: unfolded then, "Comment or photo" pushed that question down under the finger and the
    tap landed on whatever took its place. The box stays folded, and the tap counts."""
    people, store = field_day
    context, auditor = start_visit(browser, page, live_server, people)
    open_section(auditor, store.section_of(WAIT).id)
    question = auditor.locator(f"#q-{WAIT}")
    after = next(i for i in store.section_of(WAIT).items
                 if i.type in ("yes_no", "yes_no_na") and not i.show_if and i.id != WAIT)
    question.locator("input[type=text]").fill("12")  # beyond 5 minutes: scores 0, a failure
    tap(auditor, after, "yes")  # straight from the number to the next answer
    assert auditor.is_checked(f"#q-{after.id} input[value=yes]")
    assert not unfolded(question)
    auditor.wait_for_selector("#save-state[data-state='saved']")
    context.close()
