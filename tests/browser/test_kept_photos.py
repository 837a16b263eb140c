"""A photo taken offline and not yet uploaded when the visit was submitted from another tablet
stayed in the tablet's IndexedDB and was shown nowhere: the evidence was as good as lost. The
visit page now shows it with its question and a link that saves it to the tablet; Dismiss on an
approved visit removes it; a returned visit's fill page sends it."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from audit.extensions import db
from audit.models import Evidence, Visit
from tests.browser.conftest import screenshot
from tests.browser.test_field_visit import field_day, jpeg_bytes, open_section, sign_in, tap  # noqa: F401
from tests.browser.test_fill_nothing_lost import answer_all, photos_stored, uuid_of
from tests.browser.test_fill_refusals import start_visit

pytestmark = pytest.mark.browser

PICTURE = jpeg_bytes()


def photos_kept(page, uuid: str, settle_ms: int = 0) -> int:
    """How many photos of the visit the tablet keeps in IndexedDB, read without the app's scripts
    (waits up to ``settle_ms`` for it to reach none: a removal is written a moment later)."""
    kept = 0
    for _ in range(max(1, settle_ms // 100)):
        kept = page.evaluate("""uuid => new Promise((done, fail) => {
            const open = indexedDB.open("audit-photos", 1);
            open.onupgradeneeded = () => open.result.createObjectStore("photos", {keyPath: "key", autoIncrement: true});
            open.onerror = () => fail(open.error);
            open.onsuccess = () => {
                const all = open.result.transaction("photos").objectStore("photos").getAll();
                all.onsuccess = () => { open.result.close(); done(all.result.filter(p => p.uuid === uuid).length); };
            };
        })""", uuid)
        if not kept:
            break
        page.wait_for_timeout(100)
    return kept


def photo_left_behind(browser, page, live_server, people, store, comment: str = ""):
    """The auditor takes a photo offline (and, if given, writes a comment); meanwhile the visit is
    answered and submitted from another tablet. Back online, the server refuses the photo (409):
    it stays on this tablet. Returns the context, the tab (now on the visit page), the visit's
    uuid and the photo's question."""
    context, auditor = start_visit(browser, page, live_server, people)
    uuid = uuid_of(auditor)
    item = next(i for i in store.items if i.type == "photo")
    context.set_offline(True)
    if comment:
        entrance = store.item("entrance_clean")
        open_section(auditor, store.section_of(entrance.id).id)
        tap(auditor, entrance, "no")
        auditor.fill(f"textarea[name='comment-{entrance.id}']", comment)
    open_section(auditor, store.section_of(item.id).id)
    auditor.set_input_files(f"input[data-photo-item='{item.id}']",
                            files=[{"name": "shelf.jpg", "mimeType": "image/jpeg", "buffer": PICTURE}])
    auditor.wait_for_selector(f"[data-photos-for='{item.id}'] img.waiting")
    other_context, other = sign_in(browser, page.viewport_size, live_server, people["auditor"])
    other.goto(f"{live_server}/visits/{uuid}/fill")
    answer_all(other, store)
    other.click("button[name=action][value=submit]")
    other.wait_for_url("**/visits/*")
    other_context.close()
    context.set_offline(False)
    auditor.evaluate("window.dispatchEvent(new Event('online'))")
    auditor.locator("#unsent", has_text="Photo waiting to upload").wait_for()
    assert photos_kept(auditor, uuid) == 1 and photos_stored() == 0
    auditor.reload()  # the fill page of a submitted visit opens the visit
    auditor.wait_for_url("**/visits/*")
    return context, auditor, uuid, item


def kept_photos_of(page):
    part = page.locator("#kept-changes [data-kept=photos]")
    part.wait_for(timeout=5000)
    return part


def test_a_photo_the_visit_could_no_longer_take_is_shown_on_its_page_to_be_saved(page, browser, live_server, field_day):  # noqa: F811
    people, store = field_day
    context, auditor, uuid, item = photo_left_behind(browser, page, live_server, people, store)
    part = kept_photos_of(auditor)
    assert auditor.locator("#kept-photos-title").inner_text() == "Not sent to the server – the photos you took:"
    assert not auditor.locator("#kept-changes [data-kept=typed]").is_visible()  # nothing typed was left
    assert auditor.get_attribute("#kept-changes", "aria-labelledby") == "kept-photos-title"
    assert part.locator("li").count() == 1
    photo = part.locator("li")
    assert item.text.en in photo.inner_text()
    thumb = photo.locator("img.thumb")
    assert thumb.get_attribute("alt") == "Photo"
    assert thumb.evaluate("img => img.complete && img.naturalWidth") == 640  # the picture itself, shown
    save = photo.locator("a[download]")
    assert save.inner_text() == "Save to this device"
    with auditor.expect_download() as download:
        save.click()
    assert download.value.suggested_filename.startswith("VLN-01-")
    assert download.value.suggested_filename.endswith(f"-{item.id}-1.jpg")
    assert open(download.value.path(), "rb").read() == PICTURE
    assert auditor.locator("#kept-changes [data-kept=dismiss]").count() == 0  # it may come back to be fixed
    if page.size_name == "portrait":
        screenshot(auditor, "visit-kept-photo")
    assert photos_kept(auditor, uuid) == 1  # shown, and still kept
    context.close()


def test_dismiss_on_an_approved_visit_removes_its_kept_photos_with_its_changes(page, browser, live_server, field_day):  # noqa: F811
    from audit.services.review import approve_visit

    people, store = field_day
    context, auditor, uuid, item = photo_left_behind(browser, page, live_server, people, store,
                                                     comment="Shelf empty at 10:15")
    db.session.expire_all()
    approve_visit(db.session.scalar(select(Visit).where(Visit.uuid == uuid)), people["reviewer"])
    db.session.commit()
    auditor.reload()
    part = kept_photos_of(auditor)
    box = auditor.locator("#kept-changes")
    assert "Shelf empty at 10:15" in box.locator("[data-kept=typed]").inner_text()
    assert part.locator("li img.thumb").count() == 1 and item.text.en in part.inner_text()
    assert auditor.get_attribute("#kept-changes", "aria-labelledby") == "kept-changes-title"
    if page.size_name == "portrait":
        screenshot(auditor, "visit-kept-photo-approved")
    box.locator("[data-kept=dismiss]").click()
    assert not box.is_visible()
    assert photos_kept(auditor, uuid, settle_ms=3000) == 0
    auditor.reload()
    auditor.wait_for_timeout(500)
    assert not box.is_visible() and part.locator("li").count() == 0
    context.close()


def test_a_returned_visit_s_fill_page_sends_the_kept_photo(page, browser, live_server, field_day):  # noqa: F811
    """Listed on the visit page while it is submitted; once returned, its fill page sends it and
    the tablet keeps it no longer."""
    from audit.services.review import return_visit

    people, store = field_day
    context, auditor, uuid, item = photo_left_behind(browser, page, live_server, people, store)
    assert kept_photos_of(auditor).locator("li img.thumb").count() == 1
    db.session.expire_all()
    return_visit(db.session.scalar(select(Visit).where(Visit.uuid == uuid)), people["reviewer"], note="Add the photo")
    db.session.commit()
    auditor.goto(f"{live_server}/visits/{uuid}/fill")
    auditor.wait_for_selector(f"[data-photos-for='{item.id}'] .photo[data-evidence-id]", state="attached")
    auditor.wait_for_selector("#save-state[data-state='saved']")
    assert photos_stored() == 1 and photos_kept(auditor, uuid) == 0
    assert db.session.scalar(select(Evidence.item_id).join(Visit).where(Visit.uuid == uuid)) == item.id
    context.close()
