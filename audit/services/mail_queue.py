"""E-mails written to the outbox in the recipient's language, within the event's transaction.

A mail is a text template ``templates/mail/<kind>.txt``: its ``subject()`` macro and its body. Links
are built on ``BASE_URL``, never on the address a request came in by (a forged Host header
must not put another site's address into a password link or a report's link).
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app
from flask_babel import force_locale

from ..config import format_locale
from ..extensions import db
from ..models import OutgoingMail, User

#: Mail a person receives even when they turned notifications off: a test, or the link they need
#: to sign in at all.
ALWAYS_SENT = ("test", "password_link")
SUBJECT_LENGTH = 300


def mail_is_on() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


def app_link(endpoint: str, **values) -> str:
    """The full address of a page, on ``BASE_URL`` (with its path, when the app lives under one)."""
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme)
    return adapter.build(endpoint, values, force_external=True)


def recipient_language(user: User) -> str:
    return user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]


def queue_mail(user: User, kind: str, **values) -> OutgoingMail | None:
    """Write a mail to ``user`` (flushed with the caller's transaction); None when mail is off, or
    the user is inactive, has no address or turned notifications off."""
    if not mail_is_on() or not user.active or not user.email:
        return None
    if not user.wants_mail and kind not in ALWAYS_SENT:
        return None
    # Dates and numbers as the pages write them (English: 2 Dec 2026, as en_GB; see web.i18n).
    with force_locale(format_locale(recipient_language(user))):
        template = current_app.jinja_env.get_template(f"mail/{kind}.txt")
        rendered = template.make_module({"recipient": user.name, "account_link": app_link("account.mail"), **values})
        # A branch or checklist name is in the subject: no line break may start a header of its own.
        subject = " ".join(str(rendered.subject()).split())[:SUBJECT_LENGTH]
        body = str(rendered).strip("\n")
    mail = OutgoingMail(kind=kind, user_id=user.id, to_address=user.email, to_name=" ".join(user.name.split()),
                        subject=subject, body=body.strip("\n") + "\n")
    db.session.add(mail)
    db.session.info["mail_queued"] = True  # the commit wakes the sender (audit.services.mail_delivery)
    return mail
