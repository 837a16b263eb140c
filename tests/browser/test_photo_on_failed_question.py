"""A photo on a failed question: the auditor who answers "No" to "Was the entrance clean?" can
attach the picture that proves it, online or offline, and it is shown under that question on the
visit page and in the branch manager's visit PDF.

Before, only the checklist's photo questions had a photo button: a failure could be described
but not shown.
"""
from __future__ import annotations

import pytest
from PIL import Image

from tests.browser.conftest import screenshot, small_targets
from tests.browser.test_field_visit import field_day, open_section, sign_in, tap  # noqa: F401
from tests.browser.test_fill_refusals import start_visit
from tests.pdf.helpers import pdf_reader, placed
from tests.web.test_field_workflow import best_answers

pytestmark = pytest.mark.browser

FAILED, OPTIONAL = "entrance_clean", "signage_clear"  # a comment is required on the first's failure only
COMMENT = "Leaflets all over the floor by the door."


def picture(tmp_path, name: str, size: tuple[int, int], colour: tuple[int, int, int]):
    path = tmp_path / name
    Image.new("RGB", size, colour).save(path, "JPEG")
    return path


def test_a_failed_question_takes_a_photo_shown_under_it_on_the_visit_page_and_in_the_pdf(
        page, browser, live_server, field_day, tmp_path):  # noqa: F811
    people, store = field_day
    context, auditor = start_visit(browser, page, live_server, people)
    failed, optional = store.item(FAILED), store.item(OPTIONAL)
    section = store.section_of(FAILED).id
    open_section(auditor, section)
    question = auditor.locator(f"#q-{FAILED}")
    tap(auditor, failed, "no")
    question.locator("textarea").fill(COMMENT)  # the box opened by itself: a comment is required here
    button = question.locator("label.add-photo")
    assert button.inner_text().strip() == "Add a photo"
    question.locator("input[type=file][data-photo-item]").set_input_files(
        picture(tmp_path, "entrance.jpg", (900, 600), (150, 90, 30)))
    question.locator(".photos .photo[data-evidence-id] img.thumb:not(.waiting)").wait_for()
    assert small_targets(auditor) == []
    screenshot(auditor, "fill-photo-on-failed-question")

    # A failure whose comment is optional: "Comment or photo" unfolds by itself too, and a photo
    # taken offline waits on the tablet, then is sent.
    other = auditor.locator(f"#q-{OPTIONAL}")
    assert not other.locator("label.add-photo").is_visible()
    tap(auditor, optional, "no")
    assert other.locator("label.add-photo").is_visible()
    assert other.locator("details.comment summary").inner_text() == "Comment or photo"
    context.set_offline(True)
    other.locator("input[type=file][data-photo-item]").set_input_files(
        picture(tmp_path, "signs.jpg", (600, 600), (30, 90, 150)))
    other.locator(".photo img.thumb.waiting").wait_for()
    assert auditor.locator("#save-state").get_attribute("data-state") == "offline"
    context.set_offline(False)
    other.locator(".photo[data-evidence-id] img.thumb:not(.waiting)").wait_for(timeout=20000)
    auditor.wait_for_selector("#save-state[data-state='saved']")

    # Reloaded, both are still there, each under its question and removable.
    auditor.reload()
    open_section(auditor, section)
    assert question.locator(".photo[data-evidence-id] .photo-remove").count() == 1
    assert other.locator(".photo[data-evidence-id] .photo-remove").count() == 1
    auditor.once("dialog", lambda dialog: dialog.accept())
    other.locator(".photo-remove").click()
    other.locator(".photo").wait_for(state="detached")
    screenshot(auditor, "fill-photo-on-failed-question-reloaded")

    # The rest answered as well as possible, the visit submitted.
    answers = {name[len("answer-"):]: value for name, value in best_answers(store).items()}
    answers[FAILED] = "no"
    for section_ in store.sections:
        open_section(auditor, section_.id)
        for item in section_.items:
            if item.id in answers and item.id != FAILED:
                tap(auditor, item, answers[item.id])
    auditor.wait_for_selector("#save-state[data-state='saved']")
    auditor.click("#submit-visit")
    auditor.wait_for_url("**/visits/*?submitted=*")
    visit_path = auditor.url.split("?")[0]
    row = auditor.locator(f"tr[data-item='{FAILED}']")
    assert row.get_attribute("class") == "failed"
    assert row.locator(".photos img.thumb").count() == 1
    assert auditor.locator(f"tr[data-item='{OPTIONAL}'] .photos img").count() == 0  # the removed one
    screenshot(auditor, "visit-photo-on-failed-question")

    # Approved, the visit PDF prints the photo under its question and comment, on their page.
    reviewer_context, reviewer = sign_in(browser, page.viewport_size, live_server, people["reviewer"])
    reviewer.goto(visit_path)
    reviewer.click("#approve")
    assert reviewer.inner_text("#visit-status") == "Approved"
    response = reviewer.request.get(f"{visit_path}/report.pdf")
    assert response.ok, response.status
    question_text, comment_text = failed.text.en, f"“{COMMENT}”"
    pages = [placed(p) for p in pdf_reader(response.body()).pages]
    drawn = [(number, image, texts) for number, (texts, images) in enumerate(pages, 1) for image in images
             if image["pixels"] == (640, 427)]  # 900 × 600, printed at most 640 pixels on the longest side
    assert len(drawn) == 1, [image["pixels"] for _texts, images in pages for image in images]
    number, image, texts = drawn[0]
    lines = dict(texts)
    assert question_text in lines and comment_text in lines, f"the photo is not on its question's page ({number})"
    assert lines[question_text] > lines[comment_text] > image["y"], "the photo is not under its question's comment"
    others = [y for text, y in texts if text != question_text and any(text == i.text.en for i in store.items)]
    assert not [y for y in others if lines[question_text] > y > image["y"]], "another question between them"
    for ctx in (context, reviewer_context):
        ctx.close()
