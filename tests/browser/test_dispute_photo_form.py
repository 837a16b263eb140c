"""The manager's dispute form takes a photo. One over the size limit is refused by the page before
anything is sent (sent, the whole form would come back "413 Too large" and the reason typed would
be lost); a photo within it goes with the dispute and is shown beside it."""
from __future__ import annotations

import io

import pytest
from PIL import Image

from audit.extensions import db
from audit.models import Dispute, DisputePhoto
from audit.services.photo_image import MAX_BYTES
from tests.browser.conftest import screenshot, small_targets
from tests.browser.test_first_screens import sign_in

pytestmark = pytest.mark.browser

FAILED = {"greeted_promptly": "no", "eye_contact": "no", "staff_respectful": "yes", "tone_friendly": "4"}
REASON = "The camera shows the greeting at the door."


def small_jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (40, 90, 160)).save(out, "JPEG")
    return out.getvalue()


def test_a_photo_too_large_is_refused_before_sending_and_a_good_one_goes_with_the_dispute(
        page, live_server, make_location, make_user, make_visit):
    visit = make_visit(make_location("VLN-01", "Vilnius Akropolis"), make_user("auditor"), FAILED)
    sign_in(page, live_server, make_user("manager", locations=["VLN-01"]).email)
    page.goto(f"{live_server}/visits/{visit.id}")
    form_box = page.locator("details.comment", has_text="Dispute this answer").first
    form_box.locator("summary").click()
    form_box.locator("textarea[name=reason]").fill(REASON)
    chooser = form_box.locator("input[type=file][name=photo]")
    chooser.set_input_files({"name": "huge.jpg", "mimeType": "image/jpeg", "buffer": b"\xff" * (MAX_BYTES + 1)})
    form_box.locator("button[type=submit]").click()
    said = form_box.locator(".error")
    said.wait_for()
    assert said.inner_text() == "The photo is larger than 10 MB."
    assert page.url == f"{live_server}/visits/{visit.id}"  # nothing sent: the page stayed
    assert form_box.locator("textarea[name=reason]").input_value() == REASON
    assert db.session.scalar(db.select(db.func.count()).select_from(Dispute)) == 0
    assert small_targets(page) == []
    screenshot(page, "dispute-photo-too-large")

    chooser.set_input_files({"name": "still.jpg", "mimeType": "image/jpeg", "buffer": small_jpeg()})
    assert said.is_hidden() and chooser.get_attribute("aria-invalid") is None  # another photo: the refusal goes
    with page.expect_navigation():
        form_box.locator("button[type=submit]").click()
    photo = db.session.scalar(db.select(DisputePhoto))
    assert photo is not None and photo.dispute.reason == REASON
    thumb = page.locator(f'#dispute-{photo.dispute_id} img[src="/dispute-photos/{photo.id}/thumb"]')
    assert thumb.evaluate("img => img.complete && img.naturalWidth") > 0  # the thumbnail loads
    assert small_targets(page) == []
    screenshot(page, "dispute-photo-sent")
