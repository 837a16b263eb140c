"""Where you are signed in (``/account/sign-ins``): each browser signed in to the account, named
by its browser and system, this one marked; a tablet left behind is signed out from another
device, one at a time or all at once, without changing the password."""
from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest

from audit.extensions import db
from audit.models import AuditLogEntry, SignIn, utcnow
from audit.services.sign_ins import device_of
from tests.conftest import csrf_token, login

ANDROID_CHROME = ("Mozilla/5.0 (Linux; Android 13; SM-X200) AppleWebKit/537.36 (KHTML, like Gecko) "
                  "Chrome/120.0.0.0 Safari/537.36")
IPAD_SAFARI = ("Mozilla/5.0 (iPad; CPU OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
               "Version/17.1 Mobile/15E148 Safari/604.1")
WINDOWS_EDGE = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                "Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0")
SAMSUNG = ("Mozilla/5.0 (Linux; Android 13; SAMSUNG SM-X200) AppleWebKit/537.36 (KHTML, like Gecko) "
           "SamsungBrowser/23.0 Chrome/115.0.0.0 Safari/537.36")
LINUX_FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0"


@pytest.mark.parametrize("agent, device", [
    (ANDROID_CHROME, "Chrome · Android"), (IPAD_SAFARI, "Safari · iPad"), (WINDOWS_EDGE, "Edge · Windows"),
    (SAMSUNG, "Samsung Internet · Android"), (LINUX_FIREFOX, "Firefox · Linux"), ("curl/8.0", ""), ("", ""),
])
def test_a_device_is_named_by_its_browser_and_system(agent, device):
    assert device_of(agent) == device


def signed_in(app, email: str, agent: str):
    browser = app.test_client()
    browser.environ_base["HTTP_USER_AGENT"] = agent
    login(browser, email)
    return browser


def is_signed_in(browser) -> bool:
    return browser.get("/").status_code == 200


def devices_on(page: str) -> list[str]:
    """The list as text: one "<device> [This device]" a row."""
    items = re.findall(r"<li[^>]*>(.*?)</li>", re.search(r'<ul class="sign-ins".*?</ul>', page, re.S).group(0), re.S)
    return [" ".join(unescape(re.sub(r"<[^>]+>", " ", re.sub(r'<div class="muted small">.*?</div>', "", item,
                                                              flags=re.S))).split()) for item in items]


def test_a_tablet_left_behind_is_signed_out_from_another_device(app, make_user):
    ona = make_user("auditor", name="Ona")
    tablet = signed_in(app, ona.email, ANDROID_CHROME)
    laptop = signed_in(app, ona.email, WINDOWS_EDGE)

    page = laptop.get("/account/sign-ins").get_data(as_text=True)
    assert devices_on(page) == ["Edge · Windows This device", "Chrome · Android Sign out"]
    tablet_row = db.session.scalar(db.select(SignIn).where(SignIn.device == "Chrome · Android"))
    done = laptop.post(f"/account/sign-ins/{tablet_row.id}/end", data={"csrf_token": csrf_token(page)},
                       follow_redirects=True)
    assert "That device is signed out; it asks for the password again." in unescape(done.get_data(as_text=True))
    assert devices_on(done.get_data(as_text=True)) == ["Edge · Windows This device"]
    assert "You are signed in on this device only." in done.get_data(as_text=True)
    assert not is_signed_in(tablet) and is_signed_in(laptop)
    entry = db.session.scalar(db.select(AuditLogEntry).where(AuditLogEntry.action == "user.signed_out_elsewhere"))
    assert entry.user_id == ona.id and entry.details == {"sessions_ended": 1}


def test_sign_out_everywhere_else_keeps_this_device_and_the_password(app, make_user):
    ona = make_user("auditor", name="Ona")
    others = [signed_in(app, ona.email, agent) for agent in (ANDROID_CHROME, IPAD_SAFARI)]
    here = signed_in(app, ona.email, LINUX_FIREFOX)
    page = here.get("/account/sign-ins").get_data(as_text=True)
    assert len(devices_on(page)) == 3
    done = here.post("/account/sign-ins/end-others", data={"csrf_token": csrf_token(page)}, follow_redirects=True)
    assert "2 other devices are signed out." in done.get_data(as_text=True)
    assert [is_signed_in(b) for b in others] == [False, False] and is_signed_in(here)
    assert is_signed_in(signed_in(app, ona.email, ANDROID_CHROME))  # the same password still works


def test_no_one_ends_another_person_s_sign_in_nor_this_one_by_its_number(app, make_user):
    ona, jonas = make_user("auditor", name="Ona"), make_user("auditor", name="Jonas")
    jonas_tablet = signed_in(app, jonas.email, ANDROID_CHROME)
    ona_laptop = signed_in(app, ona.email, WINDOWS_EDGE)
    token = csrf_token(ona_laptop.get("/account/sign-ins").get_data(as_text=True))
    jonas_row, ona_row = (db.session.scalar(db.select(SignIn).where(SignIn.user_id == who.id)) for who in (jonas, ona))
    assert ona_laptop.post(f"/account/sign-ins/{jonas_row.id}/end", data={"csrf_token": token}).status_code == 404
    assert is_signed_in(jonas_tablet)
    # Her own current sign-in is not ended from the list (that is the Sign out button's work).
    assert ona_laptop.post(f"/account/sign-ins/{ona_row.id}/end", data={"csrf_token": token}).status_code == 302
    assert is_signed_in(ona_laptop)
    # Without the form's token nothing happens.
    assert ona_laptop.post("/account/sign-ins/end-others").status_code == 400


def test_ended_sign_ins_are_not_listed_and_the_page_speaks_russian(app, make_user):
    ona = make_user("auditor", name="Ona")
    old = signed_in(app, ona.email, IPAD_SAFARI)
    here = signed_in(app, ona.email, ANDROID_CHROME)
    db.session.execute(db.update(SignIn).where(SignIn.device == "Safari · iPad").values(
        expires_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    assert not is_signed_in(old)
    token = csrf_token(here.get("/account/sign-ins").get_data(as_text=True))
    here.post("/language", data={"csrf_token": token, "lang": "ru"})
    page = here.get("/account/sign-ins").get_data(as_text=True)
    assert devices_on(page) == ["Chrome · Android Это устройство"]
    assert "Где выполнен вход" in page
