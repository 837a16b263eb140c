"""Photos on the tablet: a photo taken offline and refused when the connection returns is said
so (it vanished silently, gave its slot to the good photo and left "1 change waiting" for ever),
and a wrong photo can be removed while the visit is a draft."""
from __future__ import annotations

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from sqlalchemy import func, select

from audit.extensions import db
from audit.models import Evidence
from tests.browser.conftest import ROUTED, screenshot
from tests.browser.test_field_visit import field_day, jpeg_bytes, open_section  # noqa: F401
from tests.browser.test_fill_refusals import start_visit

pytestmark = pytest.mark.browser


def photos_stored() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Evidence))


def test_offline_photos_are_sent_one_by_one_and_a_refused_one_is_named(page, browser, live_server, field_day):  # noqa: F811
    people, store = field_day
    context, auditor = start_visit(browser, page, live_server, people)
    item = next(i for i in store.items if i.type == "photo")
    open_section(auditor, store.section_of(item.id).id)
    box = f"[data-photos-for='{item.id}']"
    context.set_offline(True)
    for name, content in (("notes.jpg", b"this is not a picture"), ("front.jpg", jpeg_bytes())):
        auditor.set_input_files(f"input[data-photo-item='{item.id}']",
                                files=[{"name": name, "mimeType": "image/jpeg", "buffer": content}])
    auditor.wait_for_selector(f"{box} .photo:nth-child(2) img.waiting")
    assert auditor.locator("#save-state").inner_text() == "Offline – 2 changes waiting"

    context.set_offline(False)
    auditor.wait_for_selector("#save-state[data-state='saved']", timeout=20000)
    assert auditor.locator(f"{box} .photo").count() == 1  # the good photo, in its own slot
    good = auditor.locator(f"{box} .photo")
    assert good.get_attribute("data-evidence-id") and "waiting" not in good.locator("img").get_attribute("class")
    error = auditor.locator(f"[data-error-for='{item.id}']")
    assert error.inner_text().startswith("A photo taken offline was refused: This file is not a JPEG, PNG or WebP")
    assert photos_stored() == 1
    # The message stays when another answer is saved (it was wiped by the next autosave).
    other = next(i for i in store.items if i.type == "yes_no" and store.section_of(i.id) == store.section_of(item.id))
    auditor.locator(f"#q-{other.id} label.seg:has(input[value='yes'])").click()
    auditor.wait_for_selector("#save-state[data-state='saved']")
    assert error.inner_text().startswith("A photo taken offline was refused")
    screenshot(auditor, "fill-offline-photo-refused")
    context.close()


def test_a_wrong_photo_can_be_removed_while_the_visit_is_a_draft(page, browser, live_server, field_day):  # noqa: F811
    people, store = field_day
    context, auditor = start_visit(browser, page, live_server, people)
    item = next(i for i in store.items if i.type == "photo")
    open_section(auditor, store.section_of(item.id).id)
    box = f"[data-photos-for='{item.id}']"
    auditor.set_input_files(f"input[data-photo-item='{item.id}']",
                            files=[{"name": "face.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes()}])
    auditor.wait_for_selector(f"{box} .photo[data-evidence-id]")
    assert photos_stored() == 1
    # Saying no keeps it; saying yes removes it from the page and from the server.
    auditor.once("dialog", lambda dialog: dialog.dismiss())
    auditor.click(f"{box} .photo-remove")
    auditor.wait_for_timeout(300)
    assert auditor.locator(f"{box} .photo").count() == 1 and photos_stored() == 1
    auditor.once("dialog", lambda dialog: dialog.accept())
    auditor.click(f"{box} .photo-remove")
    auditor.wait_for_selector(f"{box} .photo", state="detached")
    assert photos_stored() == 0
    # After a reload the stored photos come with their remove button too.
    auditor.set_input_files(f"input[data-photo-item='{item.id}']",
                            files=[{"name": "front.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes()}])
    auditor.wait_for_selector(f"{box} .photo[data-evidence-id]")
    auditor.reload()
    open_section(auditor, store.section_of(item.id).id)
    assert auditor.locator(f"{box} .photo[data-evidence-id] .photo-remove").count() == 1
    screenshot(auditor, "fill-photo-remove")
    context.close()


def test_a_photo_refused_by_a_proxy_in_front_of_the_app_is_named_not_sent_for_ever(page, browser, live_server,
                                                                                   field_day):  # noqa: F811
    """nginx answers a body over its limit with an HTML 413 page: the page could not read it as
    JSON, queued the photo and showed "1 change waiting" for ever, sending it again on reload."""
    people, store = field_day
    context, auditor = start_visit(browser, page, live_server, people, ROUTED)
    item = next(i for i in store.items if i.type == "photo")
    open_section(auditor, store.section_of(item.id).id)
    sent = []

    def proxy_refuses(route):  # what a reverse proxy with a smaller limit sends back
        sent.append(route.request.url)
        route.fulfill(status=413, content_type="text/html",
                      body="<html><head><title>413 Request Entity Too Large</title></head><body>nginx</body></html>")

    auditor.route("**/photos", proxy_refuses)
    auditor.set_input_files(f"input[data-photo-item='{item.id}']",
                            files=[{"name": "huge.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes()}])
    error = auditor.locator(f"[data-error-for='{item.id}']")
    error.wait_for(state="visible")
    auditor.wait_for_function(f"document.querySelector(\"[data-error-for='{item.id}']\").textContent.length > 0")
    assert error.inner_text() == "The photo is too large for the server to accept; take it again at a lower resolution."
    auditor.wait_for_selector("#save-state[data-state='saved']")
    assert auditor.locator(f"[data-photos-for='{item.id}'] .photo").count() == 0
    auditor.reload()
    auditor.wait_for_selector("#save-state[data-state='saved']")
    auditor.wait_for_timeout(500)
    assert len(sent) == 1, "the refused photo is not queued and sent again"
    assert photos_stored() == 0
    context.close()


def test_a_photo_can_be_added_with_the_keyboard_alone(page, browser, live_server, field_day):  # noqa: F811
    """The file input was hidden, out of the tab order: without touch or a mouse no photo could
    be attached."""
    people, store = field_day
    context, auditor = start_visit(browser, page, live_server, people)
    item = next(i for i in store.items if i.type == "photo")
    open_section(auditor, store.section_of(item.id).id)
    photo_input = f"input[data-photo-item='{item.id}']"
    for _ in range(80):
        auditor.keyboard.press("Tab")
        if auditor.evaluate(f"() => document.activeElement.matches(\"{photo_input}\")"):
            break
    else:
        raise AssertionError("Tab never reached the photo input")
    for attempt in range(3):  # on a busy machine Chromium now and then lets a key press go by
        try:
            with auditor.expect_file_chooser(timeout=5000) as chooser:
                auditor.keyboard.press("Space")
            break
        except PlaywrightTimeoutError:
            assert auditor.evaluate(f"() => document.activeElement.matches(\"{photo_input}\")"), "focus moved away"
    else:
        raise AssertionError("Space on the focused photo input never opened the file chooser")
    chooser.value.set_files(files=[{"name": "front.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes()}])
    auditor.wait_for_selector(f"[data-photos-for='{item.id}'] .photo[data-evidence-id]")
    assert photos_stored() == 1
    context.close()


def test_the_same_photo_chosen_twice_shows_once_and_removing_it_leaves_no_ghost(page, browser, live_server,
                                                                               field_day):  # noqa: F811
    """The server keeps one copy of a picture sent twice and answered both with its id: two
    thumbnails showed, and removing one deleted the only stored photo while the other stayed."""
    people, store = field_day
    context, auditor = start_visit(browser, page, live_server, people)
    item = next(i for i in store.items if i.type == "photo")
    open_section(auditor, store.section_of(item.id).id)
    box = f"[data-photos-for='{item.id}']"
    picture = jpeg_bytes()
    for _ in range(2):
        auditor.set_input_files(f"input[data-photo-item='{item.id}']",
                                files=[{"name": "front.jpg", "mimeType": "image/jpeg", "buffer": picture}])
        auditor.wait_for_selector("#save-state[data-state='saved']")
    auditor.wait_for_function(f"() => !document.querySelector(\"{box} .photo[data-queue-key]\")")
    assert auditor.locator(f"{box} .photo").count() == 1 and photos_stored() == 1
    assert auditor.locator(f"[data-error-for='{item.id}']").inner_text() == "This photo is already attached."
    auditor.once("dialog", lambda dialog: dialog.accept())
    auditor.click(f"{box} .photo-remove")
    auditor.wait_for_selector(f"{box} .photo", state="detached")
    assert photos_stored() == 0
    context.close()


def test_the_tablet_s_photo_store_is_opened_once_however_often_it_is_used(page, browser, live_server, field_day):  # noqa: F811
    """Each photo kept, listed and sent opened a new connection to the tablet's photo store and
    never closed it; with a retry every 15 s they piled up over a day's visits."""
    import io

    from PIL import Image

    from tests.browser.test_field_visit import sign_in

    def picture(n: int) -> bytes:  # three different photos: the same one twice is kept once
        buffer = io.BytesIO()
        Image.new("RGB", (640, 480), (40 * n, 120, 200)).save(buffer, "JPEG")
        return buffer.getvalue()

    people, store = field_day
    context, auditor = sign_in(browser, page.viewport_size, live_server, people["auditor"])
    context.add_init_script("""(() => {
        const open = IDBFactory.prototype.open;
        window.photoStoreOpened = 0;
        IDBFactory.prototype.open = function (name) {
            if (name === "audit-photos") window.photoStoreOpened += 1;
            return open.apply(this, arguments);
        };
    })()""")
    auditor.click("button:has-text('Start')")
    auditor.wait_for_url("**/fill")
    item = next(i for i in store.items if i.type == "photo")
    open_section(auditor, store.section_of(item.id).id)
    context.set_offline(True)
    for n in range(3):
        auditor.set_input_files(f"input[data-photo-item='{item.id}']",
                                files=[{"name": f"shelf-{n}.jpg", "mimeType": "image/jpeg", "buffer": picture(n)}])
        auditor.wait_for_selector(f"[data-photos-for='{item.id}'] .photo:nth-child({n + 1}) img.waiting")
    context.set_offline(False)
    auditor.wait_for_selector("#save-state[data-state='saved']", timeout=20000)
    assert photos_stored() == 3
    assert auditor.evaluate("window.photoStoreOpened") == 1
    context.close()


def _camera_original(width: int = 4000, height: int = 3000) -> bytes:
    """A JPEG over the server's 10 MB limit, as a 50 MP camera writes: noise compresses badly,
    and EXIF says the camera was held upright (turned 90°)."""
    import io

    import numpy as np
    from PIL import Image

    pixels = np.random.default_rng(7).integers(0, 256, (height, width, 3), dtype=np.uint8)
    picture = Image.fromarray(pixels)
    exif = picture.getexif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to show
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=97, exif=exif)
    return out.getvalue()


def test_a_photo_over_the_upload_limit_is_made_smaller_on_the_tablet(page, browser, live_server, field_day):  # noqa: F811
    """An 11.5 MB photo from the camera was refused with "The photo is larger than 10 MB." and no
    way out: it is now redrawn on the tablet, upright, at the size the server keeps."""
    from audit.services.photo_image import MAX_BYTES, STORED_SIDE

    original = _camera_original()
    assert len(original) > MAX_BYTES
    people, store = field_day
    context, auditor = start_visit(browser, page, live_server, people)
    item = next(i for i in store.items if i.type == "photo")
    open_section(auditor, store.section_of(item.id).id)
    auditor.set_input_files(f"input[data-photo-item='{item.id}']",
                            files=[{"name": "IMG_0042.JPG", "mimeType": "image/jpeg", "buffer": original}])
    box = f"[data-photos-for='{item.id}']"
    auditor.wait_for_selector(f"{box} .photo[data-evidence-id]", timeout=30000)
    assert auditor.locator(f"[data-error-for='{item.id}']").inner_text() == ""
    db.session.expire_all()
    [photo] = db.session.scalars(select(Evidence)).all()
    assert max(photo.width, photo.height) == STORED_SIDE
    assert photo.height > photo.width  # upright, as the camera was held
    context.close()
