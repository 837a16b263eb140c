"""The sign-in page's "Forgot your password?", as a use case: a person asks for a set-password
link and it is e-mailed to the account's own address. The link is an ordinary one
(:func:`audit.services.password_links.make_link`: once, for its lifetime, replacing any earlier
link, an admin's too) in an ordinary link mail
(:func:`audit.services.notifications.password_link_asked_for`).

Who is mailed: an **active** user who has a password, or who has been given a set-password link
(an admin made one on the New user form, the users CSV or their page, perhaps expired by now).
Not mailed: unknown addresses, deactivated users, and accounts nobody ever let in — the auditors
that importing past visits creates have no password and, as the README promises, cannot sign
in until an admin makes them a link; an address in an old spreadsheet is no reason to open the
app to its mailbox.

The page answers the same whatever happened here (no account enumeration); the audit log
records each request for a known address (``password_link.requested``, never the token), with
whether it was mailed.
"""
from __future__ import annotations

from sqlalchemy import exists, select

from ..extensions import db
from ..models import PasswordLink, User
from . import audit_log, notifications
from .mail_queue import mail_is_on
from .password_links import make_link
from .users import find_user_by_email


def mail_link_on_request(email: str) -> bool:
    """E-mail a new set-password link to the account of ``email`` if it may have one; flushes.
    True when a mail was queued (for tests and logs: the page must not tell)."""
    if not mail_is_on():
        return False
    user = find_user_by_email(email)
    if user is None:
        return False
    refused = _refusal(user)
    audit_log.record("password_link.requested", "user", user.id, None, mailed=refused is None,
                     **({"refused": refused} if refused else {}))
    if refused:
        return False
    return notifications.password_link_asked_for(make_link(user)) is not None


def _refusal(user: User) -> str | None:
    """Why ``user`` gets no link on request, or None."""
    if not user.active:
        return "deactivated"
    if not user.password_hash and not db.session.scalar(select(exists().where(PasswordLink.user_id == user.id))):
        return "never let in"
    return None
