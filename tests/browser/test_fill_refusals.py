"""What the tablet shows when the server refuses part of a draft: the message under the field
at once, a state that says "not saved" (it used to stay on "Saving…" for ever), the refused
value kept as typed, and the messages of a refused submit left in place."""
from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot
from tests.browser.test_field_visit import field_day, open_section, sign_in, stored_answers, tap  # noqa: F401
from tests.conftest import PASSWORD
from tests.web.test_field_workflow import best_answers

pytestmark = pytest.mark.browser

FUTURE = "2099-06-01T10:00"


def sign_in_and_reopen(auditor, live_server, user, uuid: str) -> None:
    """Signed in again, the visit's fill page opened again, until it says it has sent what waited."""
    auditor.goto(f"{live_server}/login")
    auditor.fill("input[name=email]", user.email)
    auditor.fill("input[name=password]", PASSWORD)
    auditor.click("button[type=submit].primary")
    auditor.goto(f"{live_server}/visits/{uuid}/fill")
    auditor.wait_for_selector("#save-state[data-state='saved']")


def start_visit(browser, page, live_server, people, service_workers: str = "allow"):
    context, auditor = sign_in(browser, page.viewport_size, live_server, people["auditor"], service_workers)
    auditor.click("button:has-text('Start')")
    auditor.wait_for_url("**/fill")
    return context, auditor


def test_a_visit_date_in_the_future_is_named_at_once_and_kept_as_typed(page, browser, live_server, field_day):  # noqa: F811
    people, _store = field_day
    context, auditor = start_visit(browser, page, live_server, people)
    auditor.fill("input[name=visited_at]", FUTURE)
    auditor.wait_for_selector("#save-state[data-state='error']")
    assert auditor.locator("#save-state").inner_text() == "Not saved – see the marked answers"
    error = auditor.locator("[data-error-for='visited_at']")
    assert error.inner_text() == "The visit cannot be in the future."
    screenshot(auditor, "fill-future-date")
    # Saving the whole form keeps the refused date in the field, next to its message.
    auditor.click("button[name=action][value=save]")
    auditor.wait_for_load_state()
    assert auditor.input_value("input[name=visited_at]") == FUTURE
    assert auditor.locator("[data-error-for='visited_at']").inner_text() == "The visit cannot be in the future."
    # Corrected, the message goes and the draft is saved.
    auditor.fill("input[name=visited_at]", "2026-11-30T10:00")
    auditor.wait_for_selector("#save-state[data-state='saved']")
    assert auditor.locator("[data-error-for='visited_at']").inner_text() == ""
    context.close()


def test_a_refused_submit_names_every_missing_answer_even_where_a_comment_may_be_needed(
        page, browser, live_server, field_day):  # noqa: F811
    people, store = field_day
    context, auditor = start_visit(browser, page, live_server, people)
    auditor.click("button[name=action][value=submit]")
    auditor.wait_for_load_state()
    entrance = store.item("entrance_clean")  # required, and a failed answer needs a comment
    assert entrance.comment_required_on_fail and entrance.required
    # Every section with a marked answer is marked in the row of section buttons.
    marked = {link.get_attribute("data-section-link")
              for link in auditor.locator("[data-section-link].has-error").all()}
    required_sections = {store.section_of(i.id).id for i in store.items
                         if i.required and i.type != "photo" and not i.show_if}
    assert required_sections <= marked
    open_section(auditor, store.section_of(entrance.id).id)
    question = auditor.locator(f"#q-{entrance.id}")
    assert "has-error" in question.get_attribute("class")
    assert question.locator(f"[data-error-for='{entrance.id}']").inner_text() == "An answer is required."
    context.close()


def test_signed_out_while_filling_says_so_and_keeps_the_answers(page, browser, live_server, field_day):  # noqa: F811
    people, store = field_day
    context, auditor = start_visit(browser, page, live_server, people)
    context.clear_cookies()  # the session ended (signed out on another device, or it ran out)
    item = store.item("entrance_clean")
    open_section(auditor, store.section_of(item.id).id)
    auditor.locator(f"#q-{item.id} label.seg:has(input[value='yes'])").click()
    auditor.wait_for_selector("#save-state[data-state='signed-out']")
    assert auditor.locator("#save-state").inner_text().startswith("Signed out – sign in again")
    # Signed in again, the page opened again sends what waited on the tablet.
    uuid = auditor.url.split("/")[-2].split("#")[0]
    sign_in_and_reopen(auditor, live_server, people["auditor"], uuid)
    assert stored_answers(uuid).get(item.id) == "yes"
    context.close()


def test_a_failure_waiting_for_its_comment_is_not_counted_as_answered(page, browser, live_server, field_day):  # noqa: F811
    """The bar read "13 of 13" while two failures still lacked the comment they need, and the
    submit was then refused."""
    people, store = field_day
    context, auditor = start_visit(browser, page, live_server, people)
    entrance = store.item("entrance_clean")
    open_section(auditor, store.section_of(entrance.id).id)
    progress = auditor.locator("#progress-text")
    before = progress.inner_text()
    answered = int(before.split()[0])
    tap(auditor, entrance, "no")
    assert progress.inner_text() == before, "a failure without its comment is not an answer yet"
    auditor.locator(f"#q-{entrance.id} textarea[name='comment-{entrance.id}']").fill("Dirty mat at the door")
    assert progress.inner_text().startswith(f"{answered + 1} of ")
    context.close()


def test_a_refused_submit_opens_on_the_first_marked_answer_focused_and_clear_of_the_bar(
        page, browser, live_server, field_day):  # noqa: F811
    """The page came back on the right section but at its top: the auditor had to hunt for the
    one red question further down, and a screen reader started at the page's beginning."""
    people, store = field_day
    context, auditor = start_visit(browser, page, live_server, people)
    answers = best_answers(store)
    sections = [section.id for section in store.sections]
    last_section = [i for i in store.items if store.section_of(i.id).id == sections[-1]]
    missing = [i for i in last_section if f"answer-{i.id}" in answers and i.required][-1]
    assert missing is not last_section[0], "the question must lie below its section's top"
    del answers[f"answer-{missing.id}"]
    auditor.evaluate("""answers => {
        for (const [name, value] of Object.entries(answers)) {
            const field = document.querySelector(`[name="${name}"][value="${value}"]`)
                || document.querySelector(`[name="${name}"]:not([type=radio])`);
            if (field.type === "radio") field.checked = true; else field.value = value;
            field.dispatchEvent(new Event("change", {bubbles: true}));  // as a tap or typing does
        }
    }""", answers)
    auditor.click("button[name=action][value=submit]")
    auditor.wait_for_selector(f"#s-{sections[-1]}.active")
    # The focused element, also when the window itself is not (":focus" needs both; on a busy machine).
    auditor.wait_for_function("id => document.activeElement && document.activeElement.id === id",
                              arg=f"q-{missing.id}")
    question = auditor.locator(f"#q-{missing.id}").bounding_box()
    bar = auditor.locator(".fill-bar").bounding_box()
    height = auditor.viewport_size["height"]
    assert bar["y"] + bar["height"] <= question["y"] and question["y"] + 40 < height, (bar, question)
    assert auditor.locator(f"[data-error-for='{missing.id}']").inner_text() == "An answer is required."
    screenshot(auditor, "fill-refused-submit-focus")
    context.close()


def test_a_refused_date_is_focused_when_it_is_the_only_problem(page, browser, live_server, field_day):  # noqa: F811
    people, store = field_day
    context, auditor = start_visit(browser, page, live_server, people)
    auditor.evaluate("""answers => {
        for (const [name, value] of Object.entries(answers)) {
            const field = document.querySelector(`[name="${name}"][value="${value}"]`)
                || document.querySelector(`[name="${name}"]:not([type=radio])`);
            if (field.type === "radio") field.checked = true; else field.value = value;
        }
    }""", best_answers(store))
    auditor.fill("input[name=visited_at]", FUTURE)
    auditor.click("button[name=action][value=submit]")
    auditor.wait_for_selector("#s-details.active")
    auditor.wait_for_function("() => document.activeElement && document.activeElement.name === 'visited_at'")
    assert auditor.input_value("input[name=visited_at]") == FUTURE
    context.close()


def test_after_a_refused_submit_a_failure_without_its_comment_stays_marked_and_its_section_opens(
        page, browser, live_server, field_day):  # noqa: F811
    """The refused failure went back as a draft, which takes it: its red mark (and its section
    button's) went, so an auditor going through the red sections never found it; and the button
    of the section the submit was sent from did nothing (the address still named it)."""
    people, store = field_day
    context, auditor = start_visit(browser, page, live_server, people)
    item = [i for i in store.items if i.comment_required_on_fail and i.type == "yes_no" and not i.show_if][-1]
    section = store.section_of(item.id).id
    assert section != store.sections[0].id
    open_section(auditor, section)
    tap(auditor, item, "no")
    auditor.wait_for_selector("#save-state[data-state='saved']")
    auditor.click("button[name=action][value=submit]")
    auditor.wait_for_load_state()
    first_marked = auditor.locator("[data-section-link].has-error").first.get_attribute("data-section-link")
    assert first_marked != section
    auditor.wait_for_selector("#save-state[data-state='saved']")  # the refused answer sent again as a draft
    auditor.wait_for_timeout(300)
    assert auditor.locator(f"[data-section-link='{section}'].has-error").count() == 1
    open_section(auditor, section)  # the button works at once
    question = auditor.locator(f"#q-{item.id}")
    assert "has-error" in question.get_attribute("class")
    assert "comment is required" in question.locator(f"[data-error-for='{item.id}']").inner_text()
    # written, the comment clears the mark once it is saved
    question.locator(f"textarea[name='comment-{item.id}']").fill("The receipt showed a higher price.")
    auditor.wait_for_selector("#save-state[data-state='saved']")
    auditor.wait_for_function(f"() => !document.querySelector('#q-{item.id}').classList.contains('has-error')")
    # the section button stays marked only while another answer of the section is
    still_marked = auditor.locator(f"#s-{section} .has-error").count() > 0
    assert auditor.locator(f"[data-section-link='{section}'].has-error").count() == int(still_marked)
    context.close()
