"""The sign-in page's "Forgot your password?": a person types their address and their account is
mailed a set-password link, in their language, that works once. The page answers the same
whatever was typed (unknown, deactivated, never let in, asked too often), so nobody learns who
has an account; without a mail server the sign-in page says to ask an administrator instead."""
from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import func, select

from audit.extensions import db
from audit.models import AuditLogEntry, OutgoingMail, PasswordLink
from audit.services.password_links import make_link
from tests.conftest import PASSWORD, csrf_token, login
from tests.web.test_login_rate_limit import sign_out
from tests.web.test_mail import settled_outbox
from tests.web.test_password_links import set_password, signed_in

ANSWER = ("If an account with this address exists and can sign in, we have e-mailed it a link to choose a new "
          "password. The link works once, for 7 days.")
MAILED_LINK = re.compile(r"https://audits\.chain\.example(/set-password/[A-Za-z0-9_-]{40,})")
NEW_PASSWORD = "a fresh start passphrase"
NOT_IN_BACKGROUND = pytest.mark.app_config(MAIL_SEND_IN_BACKGROUND=False)


def ask(client, email: str):
    """Type ``email`` on the forgot-password page and send it."""
    page = client.get("/forgot-password")
    assert page.status_code == 200, page.status_code
    return client.post("/forgot-password", data={"email": email, "csrf_token": csrf_token(page.get_data(as_text=True))})


def card(response) -> str:
    """The page's own content (the top bar carries a CSRF token that differs on every page)."""
    return unescape(re.search(r'<section class="card narrow">.*?</section>', response.get_data(as_text=True),
                              re.DOTALL).group(0))


def mails() -> list[OutgoingMail]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutgoingMail).order_by(OutgoingMail.id)))


def requests_logged() -> list[dict]:
    db.session.expire_all()
    return [row.details for row in db.session.scalars(
        select(AuditLogEntry).where(AuditLogEntry.action == "password_link.requested").order_by(AuditLogEntry.id))]


def test_a_known_address_is_mailed_a_link_in_its_language_that_works_once(app, make_user, smtp_server):
    person = make_user("manager", email="liga@example.lv", name="Līga Bērziņa")
    person.locale = "lv"
    db.session.commit()
    browser = app.test_client()
    login_page = browser.get("/login").get_data(as_text=True)
    assert 'href="/forgot-password"' in login_page and "Forgot your password?" in login_page

    answer = ask(browser, "  LIGA@example.lv ")  # as people type it
    assert answer.status_code == 200 and ANSWER in card(answer)
    assert 'name="email"' not in card(answer)  # the answer, not the form again

    (recipients, mail), = smtp_server.wait_for(1)
    assert recipients == ["liga@example.lv"]
    body = mail.get_content()
    assert "Labdien, Līga Bērziņa!" in body and "liga@example.lv" in body
    assert "Izvēlieties paroli šeit; saite darbojas vienu reizi, līdz" in body
    path = MAILED_LINK.search(body).group(1)

    assert set_password(browser, path, NEW_PASSWORD).status_code == 302
    assert app.test_client().get(path).status_code == 410  # once only
    assert "Wrong e-mail or password." in unescape(login(app.test_client(), person.email, PASSWORD)
                                                   .get_data(as_text=True))
    login(browser, person.email, NEW_PASSWORD)
    assert signed_in(browser)

    stored, = settled_outbox()
    assert stored.kind == "password_link" and stored.status == "sent"
    assert path not in stored.body and "/set-password/…" in stored.body  # the outbox keeps no token
    token = path.rsplit("/", 1)[1]
    log = db.session.execute(select(AuditLogEntry.action, AuditLogEntry.object_id, AuditLogEntry.details)
                             .where(AuditLogEntry.action.like("password_link.%")).order_by(AuditLogEntry.id)).all()
    assert [row.action for row in log] == ["password_link.requested", "password_link.created", "password_link.used"]
    assert log[0].object_id == str(person.id) and log[0].details == {"mailed": True}
    assert all(token not in str(row.details) for row in log)


@NOT_IN_BACKGROUND
def test_the_mail_says_it_was_asked_for_on_the_sign_in_page(app, make_user, smtp_server):
    make_user("auditor", email="jonas@example.com", name="Jonas")
    ask(app.test_client(), "jonas@example.com")
    mail, = mails()
    assert mail.to_address == "jonas@example.com" and mail.subject == "Choose a new password for Service audits"
    assert ("You, or someone who typed your e-mail address (jonas@example.com), asked on the sign-in page of "
            "Service audits for a link to choose a new password.") in mail.body
    assert "If you did not ask for it, ignore this e-mail: nothing changes unless the link is used." in mail.body
    assert "has made you a link" not in mail.body


@NOT_IN_BACKGROUND
def test_unknown_deactivated_and_never_let_in_addresses_get_the_same_answer_and_no_mail(app, make_user, smtp_server):
    from audit.services.users import deactivate_user

    make_user("reviewer", email="known@example.com")
    deactivate_user(make_user("auditor", email="left@example.com"))
    make_user("auditor", email="imported@example.com", password=None)  # as importing past visits makes them
    db.session.commit()

    known = ask(app.test_client(), "known@example.com")
    assert len(mails()) == 1
    for address in ("nobody@example.com", "left@example.com", "imported@example.com"):
        other = ask(app.test_client(), address)
        assert (other.status_code, card(other)) == (known.status_code, card(known)), address
    assert [m.to_address for m in mails()] == ["known@example.com"]
    assert db.session.scalar(select(func.count()).select_from(PasswordLink)) == 1
    # Known accounts' requests are in the log, with why nothing was sent; unknown addresses are not.
    assert requests_logged() == [{"mailed": True}, {"mailed": False, "refused": "deactivated"},
                                 {"mailed": False, "refused": "never let in"}]


@NOT_IN_BACKGROUND
def test_someone_an_admin_gave_a_link_to_may_ask_for_a_new_one(app, make_user, smtp_server):
    """A new user whose first link ran out before they used it need not wait for the admin."""
    admin = make_user("admin")
    newcomer = make_user("auditor", email="new@example.com", password=None)
    make_link(newcomer, admin)
    db.session.commit()
    ask(app.test_client(), "new@example.com")
    assert [m.to_address for m in mails()] == ["new@example.com"]


@NOT_IN_BACKGROUND
def test_the_sixth_request_for_one_address_within_an_hour_mails_nothing_and_answers_the_same(app, make_user,
                                                                                           smtp_server):
    make_user("auditor", email="ona@example.com")
    make_user("auditor", email="petras@example.com")
    browser = app.test_client()
    answers = [ask(browser, address) for address in
               ("ona@example.com", "ONA@example.com", "ona@example.com", " ona@EXAMPLE.com", "ona@example.com")]
    assert len(mails()) == 5
    sixth = ask(browser, "ona@example.com")
    assert (sixth.status_code, card(sixth)) == (200, card(answers[0])) and ANSWER in card(sixth)
    assert len(mails()) == 5
    # Only that address is held back; the last of its links still works.
    ask(browser, "petras@example.com")
    assert [m.to_address for m in mails()][-1] == "petras@example.com"
    assert db.session.scalar(select(func.count()).select_from(PasswordLink)) == 2


@NOT_IN_BACKGROUND
@pytest.mark.app_config(FORGOT_PASSWORD_LIMIT_PER_IP="3 per hour")
def test_one_client_cannot_mail_link_after_link_to_many_addresses(app, make_user, smtp_server):
    people = [make_user("auditor").email for _ in range(4)]
    browser = app.test_client()
    answers = [ask(browser, address) for address in people]
    assert [a.status_code for a in answers] == [200] * 4 and ANSWER in card(answers[-1])
    assert [m.to_address for m in mails()] == people[:3]


def test_without_a_mail_server_the_sign_in_page_says_to_ask_an_administrator(app, make_user):
    make_user("auditor", email="ona@example.com")
    browser = app.test_client()
    login_page = unescape(browser.get("/login").get_data(as_text=True))
    assert "/forgot-password" not in login_page
    assert "Forgot your password? Ask your administrator for a link to choose a new one." in login_page
    page = browser.get("/forgot-password")  # a bookmark, an old mail
    assert page.status_code == 200
    assert "This app cannot send e-mail, so it cannot send you a link." in card(page)
    assert 'name="email"' not in card(page)
    sent = browser.post("/forgot-password", data={"email": "ona@example.com",
                                                  "csrf_token": csrf_token(page.get_data(as_text=True))})
    assert sent.status_code == 200 and "Ask your administrator" in card(sent)
    assert db.session.scalar(select(func.count()).select_from(PasswordLink)) == 0


@NOT_IN_BACKGROUND
def test_a_request_without_its_csrf_token_is_refused(app, make_user, smtp_server):
    make_user("auditor", email="ona@example.com")
    refused = app.test_client().post("/forgot-password", data={"email": "ona@example.com"})
    assert refused.status_code == 400
    assert mails() == [] and db.session.scalar(select(func.count()).select_from(PasswordLink)) == 0


@NOT_IN_BACKGROUND
def test_a_malformed_address_gets_the_form_again_with_a_message(app, smtp_server):
    answer = ask(app.test_client(), "not an address")
    assert answer.status_code == 200 and "Invalid email address." in card(answer) and ANSWER not in card(answer)


@NOT_IN_BACKGROUND
def test_a_signed_in_user_is_sent_home(app, make_user, smtp_server):
    user = make_user("reviewer", email="rex@example.com")
    browser = app.test_client()
    home = login(browser, user.email).get_data(as_text=True)
    page = browser.get("/forgot-password")
    assert page.status_code == 302 and page.headers["Location"] == "/"
    posted = browser.post("/forgot-password", data={"email": user.email, "csrf_token": csrf_token(home)})
    assert posted.status_code == 302 and posted.headers["Location"] == "/"
    assert mails() == []


def test_a_refused_set_password_link_points_to_forgot_your_password_when_mail_works(app, make_user, smtp_server):
    """An expired or used link need not wait for an administrator where the app can send mail."""
    person = make_user("auditor")
    new = make_link(person)
    db.session.commit()
    browser = app.test_client()
    assert browser.get(f"/set-password/{new.token}").status_code == 200  # works: nothing else offered
    link = db.session.scalar(select(PasswordLink).where(PasswordLink.user_id == person.id))
    link.expires_at = link.created_at
    db.session.commit()
    for path in (f"/set-password/{new.token}", "/set-password/not-a-link"):
        refused = browser.get(path)
        assert refused.status_code in (404, 410)
        assert '<a href="/forgot-password">Forgot your password?</a>' in refused.get_data(as_text=True)


def test_without_mail_a_refused_link_only_says_to_ask_an_administrator(app):
    refused = app.test_client().get("/set-password/not-a-link")
    html = unescape(refused.get_data(as_text=True))
    assert refused.status_code == 404 and "Ask your administrator for a new link." in html
    assert "/forgot-password" not in html


def owners_browser(app, person):
    """The browser ``person`` signed in with before (so it keeps a device mark), signed out now."""
    browser = app.test_client()
    browser.environ_base["REMOTE_ADDR"] = "192.0.2.10"
    login(browser, person.email)
    assert browser.get_cookie("audit_devices") is not None
    sign_out(browser)
    return browser


def stranger(app):
    browser = app.test_client()
    browser.environ_base["REMOTE_ADDR"] = "203.0.113.66"
    return browser


@NOT_IN_BACKGROUND
def test_a_stranger_using_up_an_address_s_requests_does_not_hold_back_its_owner_s_mail(app, make_user, smtp_server):
    """The owner's own tablet or computer, where they signed in before, has a counter of its own."""
    ona = make_user("auditor", email="ona@example.com")
    tablet = owners_browser(app, ona)
    prankster = stranger(app)
    answers = [ask(prankster, "ona@example.com") for _ in range(6)]
    assert len(mails()) == 5  # the sixth was held back
    own = ask(tablet, "ONA@example.com ")
    for answer in (answers[-1], own):  # the page tells neither apart
        assert (answer.status_code, card(answer)) == (200, card(answers[0]))
    assert len(mails()) == 6 and mails()[-1].to_address == "ona@example.com"
    ask(app.test_client(), "ona@example.com")  # anyone else is still held back
    assert len(mails()) == 6


@NOT_IN_BACKGROUND
def test_a_mark_for_another_address_or_a_forged_one_does_not_escape_an_address_s_limit(app, make_user, smtp_server):
    ona, petras = make_user("auditor", email="ona@example.com"), make_user("manager", email="petras@example.com")
    onas_tablet = owners_browser(app, ona)
    prankster = stranger(app)
    for _ in range(5):
        ask(prankster, petras.email)
    assert len(mails()) == 5
    held = ask(onas_tablet, petras.email)
    assert held.status_code == 200 and ANSWER in card(held)
    forger = app.test_client()
    forger.set_cookie("audit_devices", "0" * 32)
    ask(forger, petras.email)
    assert len(mails()) == 5
    ask(onas_tablet, ona.email)  # its own address it may still ask for
    assert [m.to_address for m in mails()][5:] == [ona.email]


@NOT_IN_BACKGROUND
def test_a_browser_with_the_mark_is_itself_held_to_five_requests_an_hour(app, make_user, smtp_server):
    """On a counter of its own, so a copy of its cookie (a shared computer's) asks no more often;
    the address's counter, for everyone else, is not used up by it."""
    ona = make_user("auditor", email="ona@example.com")
    tablet = owners_browser(app, ona)
    answers = [ask(tablet, ona.email) for _ in range(5)]
    assert len(mails()) == 5
    copy = stranger(app)
    copy.set_cookie("audit_devices", tablet.get_cookie("audit_devices").value)
    for browser in (tablet, copy):
        held = ask(browser, ona.email)
        assert (held.status_code, card(held)) == (200, card(answers[0]))
    assert len(mails()) == 5
    ask(app.test_client(), ona.email)
    assert len(mails()) == 6


@NOT_IN_BACKGROUND
@pytest.mark.app_config(FORGOT_PASSWORD_LIMIT_PER_IP="3 per hour")
def test_the_per_ip_limit_holds_a_browser_with_the_mark_too(app, make_user, smtp_server):
    ona = make_user("auditor", email="ona@example.com")
    tablet = owners_browser(app, ona)
    answers = [ask(tablet, ona.email) for _ in range(4)]
    assert [a.status_code for a in answers] == [200] * 4 and card(answers[-1]) == card(answers[0])
    assert len(mails()) == 3
