"""What an auditor's bad day did lose, found by walking through it: a photo whose upload failed
once was never sent again and the visit could be submitted without it; "Save draft" on a page
opened earlier wiped what another tablet had saved since; changes not yet sent when another tab
submitted were thrown away; a refused long comment vanished after a reload."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from audit.extensions import db
from audit.models import Answer, Evidence, Visit
from tests.browser.conftest import ROUTED, small_targets
from tests.browser.test_field_visit import drafts_kept, field_day, jpeg_bytes, open_section, sign_in, tap  # noqa: F401
from tests.browser.test_fill_refusals import start_visit
from tests.web.test_field_workflow import best_answers

pytestmark = pytest.mark.browser


def photos_stored() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Evidence))


def stored(uuid: str) -> dict[str, tuple[str | None, str]]:
    db.session.expire_all()
    return {item: (value, comment) for item, value, comment in db.session.execute(
        select(Answer.item_id, Answer.value, Answer.comment).join(Visit).where(Visit.uuid == uuid)).all()}


def uuid_of(page) -> str:
    return page.url.split("/")[-2]


def answer_all(page, store) -> None:
    """Every question answered in the page's form (not sent: a POST of the form sends them)."""
    page.evaluate("""answers => {
        for (const [name, value] of Object.entries(answers)) {
            const field = document.querySelector(`[name="${name}"][value="${value}"]`)
                || document.querySelector(`[name="${name}"]:not([type=radio])`);
            if (field.type === "radio") field.checked = true; else field.value = value;
            field.dispatchEvent(new Event("change", {bubbles: true}));
        }
    }""", best_answers(store))


def test_a_photo_whose_upload_failed_is_sent_again_and_the_visit_waits_for_it(page, browser, live_server, field_day):  # noqa: F811
    people, store = field_day
    context, auditor = start_visit(browser, page, live_server, people, ROUTED)
    uuid = uuid_of(auditor)
    item = next(i for i in store.items if i.type == "photo")
    failures, server_back = [], []

    def fail_until_back(route):  # the server answers 500 until the test says it is back
        if not server_back:
            failures.append(route.request.url)
            route.fulfill(status=500, body="Internal Server Error")
        else:
            route.continue_()
    auditor.route("**/photos", fail_until_back)
    open_section(auditor, store.section_of(item.id).id)
    auditor.set_input_files(f"input[data-photo-item='{item.id}']",
                            files=[{"name": "front.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes()}])
    auditor.locator("#save-state", has_text="Not sent yet").wait_for()
    assert failures and photos_stored() == 0
    answer_all(auditor, store)
    auditor.wait_for_selector("#save-state[data-state='offline']")  # the photo still waits
    auditor.click("button[name=action][value=submit]")  # refused here: the photo would be left behind
    assert auditor.locator("#photos-note").is_visible()
    assert "/fill" in auditor.url and photos_stored() == 0
    server_back.append(True)  # the next try (every 15 s) goes through
    auditor.wait_for_selector("#save-state[data-state='saved']", timeout=20000)  # sent again, now accepted
    assert photos_stored() == 1
    auditor.click("button[name=action][value=submit]")
    auditor.wait_for_url("**/visits/*")
    db.session.expire_all()
    assert db.session.scalar(select(Visit.status).where(Visit.uuid == uuid)) == "submitted"
    context.close()


def test_save_draft_on_a_page_opened_earlier_keeps_what_another_tablet_saved(page, browser, live_server, field_day):  # noqa: F811
    people, store = field_day
    context, first = start_visit(browser, page, live_server, people)
    uuid = uuid_of(first)
    other_context, second = sign_in(browser, page.viewport_size, live_server, people["auditor"])
    second.goto(f"{live_server}/visits/{uuid}/fill")
    entrance = store.item("entrance_clean")
    number = next(i for i in store.items if i.type == "number")
    open_section(second, store.section_of(entrance.id).id)
    tap(second, entrance, "no")
    second.fill(f"textarea[name='comment-{entrance.id}']", "Dirty mat at the door")
    open_section(second, store.section_of(number.id).id)
    second.locator(f"#q-{number.id} input[type=text]").fill("4,5")
    second.wait_for_selector("#save-state[data-state='saved']")
    # The first tablet still shows the page as it was opened; it answers one question and saves.
    greeting = next(i for i in store.items if i.type == "yes_no" and i.id != entrance.id
                    and store.section_of(i.id) != store.section_of(entrance.id))
    open_section(first, store.section_of(greeting.id).id)
    tap(first, greeting, "yes")
    first.click("button[name=action][value=save]")
    first.wait_for_load_state()
    answers = stored(uuid)
    assert answers[entrance.id] == ("no", "Dirty mat at the door")
    assert answers[number.id][0] == "4.5" and answers[greeting.id][0] == "yes"
    # Saved, the page comes back on the section it was on.
    assert first.url.endswith(f"#s-{store.section_of(greeting.id).id}")
    assert first.locator(f"#s-{store.section_of(greeting.id).id}").is_visible()
    context.close()
    other_context.close()


def test_changes_not_sent_when_another_tab_submits_are_kept_and_listed(page, browser, live_server, field_day):  # noqa: F811
    people, store = field_day
    context, first = start_visit(browser, page, live_server, people)
    uuid = uuid_of(first)
    info = next(i for i in store.items if i.critical and i.type in ("yes_no", "yes_no_na"))
    open_section(first, store.section_of(info.id).id)
    context.set_offline(True)
    tap(first, info, "no")
    first.fill(f"textarea[name='comment-{info.id}']", "Told me the phone had 512 GB")
    photo_item = next(i for i in store.items if i.type == "photo")
    open_section(first, store.section_of(photo_item.id).id)
    first.set_input_files(f"input[data-photo-item='{photo_item.id}']",
                          files=[{"name": "box.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes()}])
    first.wait_for_selector(f"[data-photos-for='{photo_item.id}'] img.waiting")
    # Meanwhile the visit is answered and submitted from another tablet.
    other_context, second = sign_in(browser, page.viewport_size, live_server, people["auditor"])
    second.goto(f"{live_server}/visits/{uuid}/fill")
    answer_all(second, store)
    second.click("button[name=action][value=submit]")
    second.wait_for_url("**/visits/*")
    context.set_offline(False)
    first.evaluate("window.dispatchEvent(new Event('online'))")
    first.wait_for_selector("#save-state[data-state='conflict']")
    listed = first.locator("#unsent li").all_inner_texts()
    # As the auditor reads the question, without its "Critical" badge; no colon after a "?".
    label = info.text.en + (" " if info.text.en[-1] in "?!.:" else ": ")
    assert label + "No" in listed and label + "“Told me the phone had 512 GB”" in listed
    assert not any("Critical" in line for line in listed)
    kept = first.evaluate(f"Object.keys(localStorage).filter(k => k.startsWith('audit-draft:{uuid}'))"
                          ".map(k => localStorage.getItem(k)).join()")
    assert "512 GB" in kept  # still on the tablet
    # The photo taken meanwhile is refused by the submitted visit (409): kept on the tablet and listed.
    first.locator("#unsent", has_text="Photo waiting to upload").wait_for()
    assert first.evaluate("""() => new Promise(done => {
        const open = indexedDB.open("audit-photos", 1);
        open.onsuccess = () => { const r = open.result.transaction("photos").objectStore("photos").count();
                                 r.onsuccess = () => done(r.result); };
    })""") == 1
    assert photos_stored() == 0
    assert stored(uuid)[info.id][0] == "yes"  # the submitted visit is as submitted
    context.close()
    other_context.close()


def test_a_refused_comment_survives_a_refused_submit_and_a_reload(page, browser, live_server, field_day):  # noqa: F811
    people, store = field_day
    context, auditor = start_visit(browser, page, live_server, people)
    entrance = store.item("entrance_clean")
    open_section(auditor, store.section_of(entrance.id).id)
    tap(auditor, entrance, "no")
    long_comment = "The mat was dirty. " * 300  # 5,700 characters: over the 5,000 allowed
    auditor.fill(f"textarea[name='comment-{entrance.id}']", long_comment)
    auditor.wait_for_selector("#save-state[data-state='error']")
    auditor.click("button[name=action][value=submit]")
    auditor.wait_for_load_state()
    assert auditor.locator(f"[data-error-for='{entrance.id}']").inner_text() == \
        "The comment may have at most 5000 characters."
    auditor.reload()
    open_section(auditor, store.section_of(entrance.id).id)
    assert auditor.input_value(f"textarea[name='comment-{entrance.id}']") == long_comment
    context.close()


def returned_with_notes(browser, page, live_server, people, store, notes: dict) -> tuple:
    """A visit answered in full, submitted and returned by the reviewer with ``notes`` (question
    id: note); the auditor's fill page open on it. Returns the context and the page."""
    from audit.services.review import return_visit
    from audit.services.visits import VisitContent, submit_visit

    context, auditor = start_visit(browser, page, live_server, people)
    uuid = uuid_of(auditor)
    visit = db.session.scalar(select(Visit).where(Visit.uuid == uuid))
    answers = {key[len("answer-"):]: value for key, value in best_answers(store).items()}
    submit_visit(visit, people["auditor"], VisitContent(answers=answers))
    return_visit(visit, people["reviewer"], "", notes)
    db.session.commit()
    auditor.goto(f"{live_server}/visits/{uuid}/fill")
    return context, auditor


def test_a_reviewer_s_note_leads_to_its_question(page, browser, live_server, field_day):  # noqa: F811
    """The note's link opened the right section at its top, the question below the fold."""
    people, store = field_day
    section = store.sections[-1]
    noted = section.items[-1]
    context, auditor = returned_with_notes(browser, page, live_server, people, store,
                                           {noted.id: "Was there a receipt? Say so."})
    auditor.click(f".review-notes a[href='#q-{noted.id}']")
    # The focused element, also when the window itself is not (":focus" needs both; on a busy machine).
    auditor.wait_for_function("id => document.activeElement && document.activeElement.id === id", arg=f"q-{noted.id}")
    assert auditor.locator(f"#s-{section.id}").is_visible()
    box, bar = auditor.locator(f"#q-{noted.id}").bounding_box(), auditor.locator(".fill-bar").bounding_box()
    assert bar["y"] + bar["height"] <= box["y"] < auditor.viewport_size["height"]
    context.close()


def test_a_reviewer_s_notes_are_a_finger_s_height_to_tap(page, browser, live_server, field_day):  # noqa: F811
    """The links from "Returned by the reviewer" to the noted questions were a line of text high
    (20 px): on a tablet the auditor tapped beside them, or the next note's link."""
    people, store = field_day
    first, last = store.items[1], store.items[-1]
    context, auditor = returned_with_notes(browser, page, live_server, people, store,
                                           {first.id: "Which door?", last.id: "Was there a receipt? Say so."})
    links = auditor.locator(".review-notes a")
    assert links.count() == 2
    assert small_targets(auditor) == []
    context.close()


def test_two_tabs_of_one_visit_offline_both_keep_their_changes(page, browser, live_server, field_day):  # noqa: F811
    """Both tabs wrote one key in turn: after the browser was closed only the last tab's changes
    were there to send."""
    people, store = field_day
    context, first = start_visit(browser, page, live_server, people)
    uuid = uuid_of(first)
    second = context.new_page()
    second.goto(first.url)
    entrance = store.item("entrance_clean")
    greeting = next(i for i in store.items if i.type == "yes_no" and store.section_of(i.id) != store.section_of(entrance.id))
    context.set_offline(True)
    open_section(first, store.section_of(entrance.id).id)
    tap(first, entrance, "no")
    first.fill(f"textarea[name='comment-{entrance.id}']", "Dirty mat at the door")
    first.wait_for_selector("#save-state[data-state='offline']")
    open_section(second, store.section_of(greeting.id).id)
    tap(second, greeting, "yes")
    second.wait_for_selector("#save-state[data-state='offline']")
    first.close()
    second.close()
    context.set_offline(False)
    again = context.new_page()
    again.goto(f"{live_server}/visits/{uuid}/fill")
    again.wait_for_selector("#save-state[data-state='saved']")
    answers = stored(uuid)
    assert answers[entrance.id] == ("no", "Dirty mat at the door") and answers[greeting.id][0] == "yes"
    assert drafts_kept(again, uuid) == 0
    context.close()


def test_fields_left_out_of_a_save_are_usable_again_if_the_form_is_not_sent(page, browser, live_server, field_day):  # noqa: F811
    """Fields not changed are disabled for the moment the form's data is taken: should the
    request not go (stopped, or the page come back from history), they must not stay locked."""
    people, store = field_day
    context, auditor = start_visit(browser, page, live_server, people)
    # A listener after the page's own one stops the sending, as a stopped request would.
    auditor.evaluate("""() => document.getElementById("visit-form").addEventListener("submit", e => e.preventDefault())""")
    auditor.click("button[name=action][value=save]")
    auditor.wait_for_timeout(200)
    assert auditor.locator("#visit-form :disabled").count() == 0
    context.close()


def test_submit_tapped_offline_stays_on_the_page_and_says_everything_is_saved(page, browser, live_server, field_day):  # noqa: F811
    people, store = field_day
    context, auditor = start_visit(browser, page, live_server, people)
    item = next(i for i in store.items if i.type == "yes_no")
    open_section(auditor, store.section_of(item.id).id)
    tap(auditor, item, "yes")
    auditor.wait_for_selector("#save-state[data-state='saved']")
    context.set_offline(True)
    auditor.click("button[name=action][value=submit]")
    assert auditor.locator("#offline-note").is_visible()
    assert auditor.locator("#save-state").inner_text() == "Offline – everything is saved"  # not "Saved" in grey
    assert "/fill" in auditor.url
    context.close()


@pytest.mark.parametrize("choice", ["apply", "discard"])
def test_changes_kept_after_a_conflict_wait_for_the_auditor_when_the_visit_comes_back(
        page, browser, live_server, field_day, choice):  # noqa: F811
    """They were sent by themselves once the reviewer returned the visit, whatever it was returned for."""
    from audit.services.review import return_visit

    people, store = field_day
    context, first = start_visit(browser, page, live_server, people)
    uuid = uuid_of(first)
    info = next(i for i in store.items if i.critical and i.type in ("yes_no", "yes_no_na"))
    open_section(first, store.section_of(info.id).id)
    context.set_offline(True)
    tap(first, info, "no")
    first.fill(f"textarea[name='comment-{info.id}']", "Told me the phone had 512 GB")
    other_context, second = sign_in(browser, page.viewport_size, live_server, people["auditor"])
    second.goto(f"{live_server}/visits/{uuid}/fill")
    answer_all(second, store)
    second.click("button[name=action][value=submit]")
    second.wait_for_url("**/visits/*")
    other_context.close()
    context.set_offline(False)
    first.evaluate("window.dispatchEvent(new Event('online'))")
    first.wait_for_selector("#save-state[data-state='conflict']")

    db.session.expire_all()
    visit = db.session.scalar(select(Visit).where(Visit.uuid == uuid))
    return_visit(visit, people["reviewer"], note="Add the staff description")
    db.session.commit()
    first.goto(f"{live_server}/visits/{uuid}/fill")
    box = first.locator("#held-back")
    box.wait_for()
    assert "Told me the phone had 512 GB" in box.inner_text() and info.text.en in box.inner_text()
    first.wait_for_timeout(1500)  # nothing is sent meanwhile
    assert stored(uuid)[info.id] == ("yes", "")
    first.click(f"#held-back [data-held={choice}]")
    assert not box.is_visible()
    if choice == "apply":
        first.wait_for_selector("#save-state[data-state='saved']")
        assert stored(uuid)[info.id] == ("no", "Told me the phone had 512 GB")
    else:
        first.wait_for_timeout(1000)
        assert stored(uuid)[info.id] == ("yes", "")
    first.reload()
    first.wait_for_selector("#save-state[data-state='saved']")
    assert not first.locator("#held-back").is_visible()  # decided once, not asked again
    assert drafts_kept(first, uuid) == 0
    context.close()
