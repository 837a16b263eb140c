"""Set-password links e-mailed to the person (new user form, the user's page, the users CSV):
the admin never sees the link, the mail is in the person's language, and the outbox keeps the
token no longer than it takes to send it."""
from __future__ import annotations

import io
import re
from html import unescape

import pytest
from sqlalchemy import func, select

from audit.extensions import db
from audit.models import OutgoingMail, PasswordLink, User
from audit.services.mail_delivery import deliver_due
from tests.conftest import csrf_token, login
from tests.web.test_mail import settled_outbox
from tests.web.test_password_links import set_password, signed_in

MAILED_LINK = re.compile(r"https://audits\.chain\.example(/set-password/[A-Za-z0-9_-]{40,})")
NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture
def admin(app, make_user, smtp_server):
    client = app.test_client()
    login(client, make_user("admin", email="ada@example.com", name="Ada Admin").email)
    return client


def text_of(response) -> str:
    return unescape(response.get_data(as_text=True))


def mailed_path(smtp_server, address: str) -> tuple[object, str]:
    for recipients, mail in smtp_server.wait_for(1):
        if recipients == [address]:
            return mail, MAILED_LINK.search(mail.get_content()).group(1)
    raise AssertionError(f"no mail to {address}")


def test_a_new_user_is_mailed_their_link_in_their_language_and_the_admin_never_sees_it(app, admin, smtp_server):
    page = admin.get("/admin/users/new").get_data(as_text=True)
    assert "E-mail them a link to choose their password" in page
    created = admin.post("/admin/users/new", data={
        "email": "liga@example.com", "name": "Līga Bērziņa", "role": "auditor", "language": "lv",
        "mail_link": "y", "csrf_token": csrf_token(page)}, follow_redirects=True)
    html = text_of(created)
    assert "User Līga Bērziņa created." in html
    assert "A link to choose their password was e-mailed to liga@example.com. It works once, until" in html
    assert "/set-password/" not in html
    mail, path = mailed_path(smtp_server, "liga@example.com")
    assert mail["Subject"] == "Izvēlieties paroli Apkalpošanas auditam"
    body = mail.get_content()
    assert "Labdien, Līga Bērziņa!" in body and "Ada Admin" in body and "liga@example.com" in body
    browser = app.test_client()
    assert set_password(browser, path, NEW_PASSWORD).status_code == 302
    login(browser, "liga@example.com", NEW_PASSWORD)
    assert signed_in(browser)
    stored, = settled_outbox()
    assert stored.status == "sent" and path not in stored.body and "/set-password/…" in stored.body


def test_unticked_the_link_is_shown_to_the_admin_as_before(app, admin, smtp_server):
    page = admin.get("/admin/users/new").get_data(as_text=True)
    created = admin.post("/admin/users/new", data={
        "email": "rasa@example.com", "name": "Rasa", "role": "auditor", "csrf_token": csrf_token(page)})
    assert re.search(r"http://localhost/set-password/[A-Za-z0-9_-]{40,}", created.get_data(as_text=True))
    assert "Copy it now and send it to rasa@example.com yourself: it is not shown again." in text_of(created)
    assert smtp_server.wait_for(1, seconds=1) == [] and db.session.scalar(select(OutgoingMail)) is None


def test_the_user_page_mails_a_new_link_even_to_someone_who_turned_mail_off(app, admin, smtp_server, make_user):
    user = make_user("auditor", email="jonas@example.com")
    user.wants_mail = False
    db.session.commit()
    page = admin.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert "E-mail a link to jonas@example.com" in page
    answer = admin.post(f"/admin/users/{user.id}/password-link", data={"csrf_token": csrf_token(page), "how": "mail"},
                        follow_redirects=True)
    assert "was e-mailed to jonas@example.com" in text_of(answer) and "/set-password/" not in text_of(answer)
    mail, path = mailed_path(smtp_server, "jonas@example.com")
    assert mail["Subject"] == "Choose your password for Service audits"
    assert set_password(app.test_client(), path, NEW_PASSWORD).status_code == 302


def test_the_users_csv_mails_each_new_user_their_link(app, admin, smtp_server, make_location):
    make_location("VLN-01")
    page = admin.get("/admin/users").get_data(as_text=True)
    csv_text = ("email,name,role,locations,language\n"
                "ona@example.com,Ona,auditor,,lt\n"
                "petras@example.com,Petras,manager,VLN-01,\n")
    answer = admin.post("/admin/users/import", data={
        "csv-csrf_token": csrf_token(page), "csv-mail_links": "y",
        "csv-file": (io.BytesIO(csv_text.encode()), "people.csv")}, content_type="multipart/form-data")
    html = text_of(answer)
    assert "2 set-password links e-mailed" in html and "/set-password/" not in html
    received = {recipients[0]: mail for recipients, mail in smtp_server.wait_for(2)}
    assert set(received) == {"ona@example.com", "petras@example.com"}
    assert received["ona@example.com"]["Subject"] == "Pasirinkite slaptažodį Aptarnavimo auditui"
    path = MAILED_LINK.search(received["petras@example.com"].get_content()).group(1)
    assert set_password(app.test_client(), path, NEW_PASSWORD).status_code == 302


@pytest.mark.app_config(MAIL_SEND_IN_BACKGROUND=False)
def test_a_refused_link_mail_is_blanked_and_replaced_by_a_new_link_not_sent_again(app, admin, smtp_server, make_user):
    user = make_user("auditor", email="gone@example.com")
    smtp_server.refuse.add("gone@example.com")
    page = admin.get(f"/admin/users/{user.id}").get_data(as_text=True)
    admin.post(f"/admin/users/{user.id}/password-link", data={"csrf_token": csrf_token(page), "how": "mail"})
    assert deliver_due().failed == 1
    db.session.expire_all()
    failed = db.session.scalar(select(OutgoingMail))
    assert failed.status == "failed" and "/set-password/…" in failed.body
    assert not re.search(r"/set-password/[A-Za-z0-9_-]{40,}", failed.body)
    page = admin.get("/admin/mail?show=failed").get_data(as_text=True)
    assert "Make a new link" in page and "Send again" not in page
    answer = admin.post(f"/admin/mail/{failed.id}/again", data={"csrf_token": csrf_token(page)}, follow_redirects=True)
    assert "A set-password link is not sent twice: make a new link on the person's page." in text_of(answer)
    db.session.expire_all()
    assert db.session.get(OutgoingMail, failed.id).status == "failed"


def test_without_a_mail_server_the_forms_offer_no_mail(app, make_user):
    client = app.test_client()
    login(client, make_user("admin").email)
    assert "E-mail them a link" not in client.get("/admin/users/new").get_data(as_text=True)
    assert "E-mail each new user" not in client.get("/admin/users").get_data(as_text=True)
    user = db.session.scalar(select(User))
    page = client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert "E-mail a link to" not in page
    answer = client.post(f"/admin/users/{user.id}/password-link", data={"csrf_token": csrf_token(page), "how": "mail"},
                         follow_redirects=True)
    assert "No mail server is set up: nothing can be sent." in text_of(answer)
    assert db.session.scalar(select(func.count()).select_from(PasswordLink)) == 0  # nothing was made
