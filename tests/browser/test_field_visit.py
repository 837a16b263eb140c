"""The auditor's day in real chromium at tablet sizes: fill by tapping, lose the connection,
reload, reconnect, submit; then return, fix, approve and dispute."""
from __future__ import annotations

import io
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import select

from audit.extensions import db
from audit.models import Answer, Visit
from audit.services.assignments import AssignmentRequest, create_assignments
from audit.times import local_today
from tests.browser.conftest import screenshot, small_targets, watch_csp
from tests.conftest import PASSWORD
from tests.web.test_field_workflow import best_answers

pytestmark = pytest.mark.browser


@pytest.fixture
def field_day(make_user, make_location, checklists):
    make_location("VLN-01", "Vilnius Akropolis", city="Vilnius", address="Ozo g. 25", format="mall")
    people = {
        "auditor": make_user("auditor", name="Ona Auditorė"), "reviewer": make_user("reviewer", name="Rūta Review"),
        "manager": make_user("manager", locations=["VLN-01"], name="Mantas Manager"),
    }
    create_assignments([AssignmentRequest("VLN-01", "store-visit", people["auditor"].email, local_today(),
                                          local_today() + timedelta(days=2), scenario="Buy a gift")],
                       people["reviewer"])
    db.session.commit()
    return people, checklists["store-visit"].parsed


def sign_in(browser, page_size, base: str, user, service_workers: str = "allow"):
    context = browser.new_context(viewport=page_size, locale="en-GB", service_workers=service_workers)
    page = watch_csp(context.new_page())
    page.size_name = "landscape" if page_size["width"] > page_size["height"] else "portrait"
    page.goto(f"{base}/login")
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].primary")
    return context, page


def tap(page, item, value: str) -> None:
    question = page.locator(f"#q-{item.id}")
    if item.type == "number":
        question.locator("input[type=text]").fill(value)
    else:
        question.locator(f"label.seg:has(input[value='{value}'])").click()


def open_section(page, section_id: str) -> None:
    page.click(f"[data-section-link='{section_id}']")
    page.wait_for_selector(f"#s-{section_id}.active")


def stored_answers(uuid: str) -> dict[str, str]:
    db.session.expire_all()
    return dict(db.session.execute(select(Answer.item_id, Answer.value).join(Visit).where(Visit.uuid == uuid)).all())


def drafts_kept(page, uuid: str, settle_ms: int = 3000) -> int:
    """How many copies of unsent changes of the visit the tablet still keeps, in localStorage and
    in IndexedDB (written a moment later: waits up to ``settle_ms`` for it to reach none)."""
    kept = 0
    for _ in range(max(1, settle_ms // 100)):
        kept = page.evaluate("""async uuid => Object.keys(localStorage).filter(k => k.startsWith(`audit-draft:${uuid}`)).length
            + (window.AuditDraftStore ? ((await AuditDraftStore.list(`audit-draft:${uuid}`)) || []).length : 0)""", uuid)
        if not kept:
            break
        page.wait_for_timeout(100)
    return kept


def jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (40, 120, 200)).save(buffer, "JPEG")
    return buffer.getvalue()


def test_auditor_fills_through_an_outage_and_the_review_cycle(page, browser, live_server, field_day):
    people, store = field_day
    size = page.viewport_size
    context, auditor = sign_in(browser, size, live_server, people["auditor"])
    assert "Buy a gift" in auditor.inner_text("main")
    auditor.click("button:has-text('Start')")
    auditor.wait_for_url("**/fill")
    uuid = auditor.url.split("/")[-2]
    assert small_targets(auditor) == []
    auditor.wait_for_selector("body[data-offline-ready='1']")
    # the visit details come first; "Next" leads on to the first section, as from every section
    assert auditor.locator("#s-details").is_visible()
    auditor.locator("#s-details a[data-step]:has-text('Next')").click()
    auditor.wait_for_selector(f"#s-{store.sections[0].id}.active")  # shown on hashchange, a moment later under load
    assert auditor.locator(f"#s-{store.sections[0].id}").is_visible() and not auditor.locator("#s-details").is_visible()

    plan = [(store.item(name[len("answer-"):]), value) for name, value in best_answers(store).items()]
    by_section: dict[str, list] = {}
    for item, value in plan:
        by_section.setdefault(store.section_of(item.id).id, []).append((item, value))
    sections = [s.id for s in store.sections]
    first_half, second_half = sections[:4], sections[4:]

    for section_id in first_half:
        open_section(auditor, section_id)
        for item, value in by_section.get(section_id, []):
            tap(auditor, item, value)
    auditor.wait_for_selector("#save-state[data-state='saved']")
    screenshot(auditor, "fill-online")
    assert small_targets(auditor) == []
    saved = stored_answers(uuid)
    assert len(saved) == sum(len(by_section.get(s, [])) for s in first_half)

    # The connection drops: answers keep coming and wait on the tablet.
    context.set_offline(True)
    offline_section = second_half[0]
    open_section(auditor, offline_section)
    offline_items = by_section[offline_section]
    for item, value in offline_items:
        tap(auditor, item, value)
    state = auditor.locator("#save-state")
    assert state.get_attribute("data-state") == "offline"
    assert state.inner_text() == f"Offline – {len(offline_items)} changes waiting"
    screenshot(auditor, "fill-offline")
    assert stored_answers(uuid) == saved  # nothing reached the server

    # A reload without a connection still shows the page and every answer typed: the ones
    # waiting, and the ones saved online after the page was opened (the kept copy of the page
    # predates them; they used to show as unanswered, and a Save then wiped them on the server).
    auditor.reload()
    for section_id in [*first_half, offline_section]:
        open_section(auditor, section_id)
        for item, value in by_section.get(section_id, []):
            if item.type == "number":
                assert auditor.locator(f"#q-{item.id} input[type=text]").input_value() == value, item.id
            else:
                assert auditor.locator(f"#q-{item.id} input[value='{value}']").is_checked(), item.id
    assert "changes waiting" in auditor.locator("#save-state").inner_text()

    # Back online: the waiting answers reach the server by themselves.
    context.set_offline(False)
    auditor.wait_for_selector("#save-state[data-state='saved']", timeout=20000)
    assert {item.id for item, _ in offline_items} <= set(stored_answers(uuid))

    for section_id in second_half[1:]:
        open_section(auditor, section_id)
        for item, value in by_section.get(section_id, []):
            tap(auditor, item, value)
    photo_item = next(i for i in store.items if i.type == "photo")
    open_section(auditor, store.section_of(photo_item.id).id)
    auditor.set_input_files(f"input[data-photo-item='{photo_item.id}']",
                            files=[{"name": "front.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes()}])
    auditor.wait_for_selector(f"[data-photos-for='{photo_item.id}'] img.thumb:not(.waiting)")
    auditor.click("#submit-visit")
    auditor.wait_for_url("**/visits/*?submitted=*")
    assert "#" not in auditor.url, "the visit page's address kept the fill page's section"
    assert auditor.inner_text("#visit-score") == "100.0"
    assert "Visit submitted. Score: 100.0" in auditor.inner_text("main")
    assert drafts_kept(auditor, uuid) == 0  # nor the durable copy (IndexedDB)
    screenshot(auditor, "visit-submitted")

    # The reviewer returns it with a comment on the waiting-time question.
    wait_item = next(i for i in store.items if i.type == "number")
    reviewer_context, reviewer = sign_in(browser, size, live_server, people["reviewer"])
    reviewer.locator("section:has(h2:has-text('Waiting for review')) table a").first.click()
    reviewer.locator(f"tr[data-item='{wait_item.id}'] details.comment summary").click()
    reviewer.fill(f"textarea[name='note-{wait_item.id}']", "The queue was longer – check your timing.")
    reviewer.click("#return")
    assert reviewer.inner_text("#visit-status") == "Returned"

    # The auditor fixes it from the home page and resubmits.
    auditor.goto(f"{live_server}/")
    auditor.click("a:has-text('Continue')")
    assert "The queue was longer" in auditor.inner_text("main")
    open_section(auditor, store.section_of(wait_item.id).id)
    tap(auditor, wait_item, "4")
    auditor.click("#submit-visit")
    auditor.wait_for_url("**/visits/*?submitted=*")
    score_after_fix = auditor.inner_text("#visit-score")
    assert score_after_fix != "100.0"

    # Approved by the reviewer, then disputed by the branch manager.
    reviewer.reload()
    reviewer.click("#approve")
    assert reviewer.inner_text("#visit-status") == "Approved"
    manager_context, manager = sign_in(browser, size, live_server, people["manager"])
    manager.locator("section:has(h2:has-text('Approved visits')) table a").first.click()
    row = manager.locator(f"tr[data-item='{wait_item.id}']")
    row.locator("summary:has-text('Dispute this answer')").click()
    row.locator("textarea[name=reason]").fill("Our queue system shows 2 minutes.")
    row.locator("button:has-text('Send dispute')").click()
    assert "Your dispute was sent to the reviewers." in manager.inner_text("main")
    assert small_targets(manager) == []
    screenshot(manager, "visit-disputed")
    for ctx in (context, reviewer_context, manager_context):
        ctx.close()


def test_a_date_outside_the_scheduled_window_is_marked_and_still_saved(page, browser, live_server, field_day):
    people, _ = field_day
    context, auditor = sign_in(browser, page.viewport_size, live_server, people["auditor"])
    auditor.click("button:has-text('Start')")
    auditor.wait_for_url("**/fill")
    outside = auditor.locator("#window-warning")
    auditor.fill("input[name=visited_at]", f"{local_today().isoformat()}T10:30")
    assert not outside.is_visible()
    auditor.fill("input[name=visited_at]", f"{(local_today() - timedelta(days=3)).isoformat()}T10:30")
    assert outside.is_visible() and outside.inner_text() == "Visited outside the scheduled window"
    auditor.wait_for_selector("#save-state[data-state='saved']")  # marked, not refused: the shop may have been shut
    screenshot(auditor, "fill-outside-window")
    auditor.fill("input[name=visited_at]", f"{(local_today() + timedelta(days=1)).isoformat()}T09:00")
    assert not outside.is_visible()
    context.close()
