"""Erasing a person's personal data (GDPR art. 17) while keeping the chain's records whole.

A deactivated account can be erased. Its name becomes ``#<id>`` and its e-mail address one that
cannot receive mail (``.example`` never resolves, and imports still read it: a CSV exported
after the erasure imports again). Its password, language, sign-ins, unused set-password links,
outbox mails and branch links go, and API token labels are blanked. Every name and address the
person has had is replaced by the new ones in the history (created, renamed, imported, token
labels), in mails written to others (a set-password link "made by" them), and where a
corrective action names them as responsible.

Kept: the visits the person made, answered, reviewed or disputed (the statistics and the
branches' records need them), now under ``#<id>``. What people wrote into comments, notes and
dispute reasons is the visit's content and stays as written.
"""
from __future__ import annotations

import json

from sqlalchemy import String, cast, delete, or_, select, update

from ..extensions import db
from ..models import (ApiToken, AuditLogEntry, CorrectiveAction, OutgoingMail, PasswordLink, SignIn, User,
                      utcnow)
from . import audit_log
from .users import UserError

ERASED_DOMAIN = "erased.example"  # reserved (RFC 2606): never delivered, yet a valid address to import


def erased_name(user: User) -> str:
    return f"#{user.id}"


def erase_user(user: User, actor: User) -> None:
    """Erase ``user``'s personal data (flushed; the caller commits). Only a deactivated account,
    never one's own, and never twice."""
    if user.erased_at is not None:
        raise UserError("this account's personal data were erased already", "active")
    if user.id == actor.id:
        raise UserError("you cannot erase your own account", "active")
    if user.active:
        raise UserError("deactivate the account before erasing its personal data", "active")
    emails, names = _former_identities(user)
    user.email, user.name = f"erased-{user.id}@{ERASED_DOMAIN}", erased_name(user)
    user.password_hash, user.locale, user.wants_mail, user.erased_at = None, None, False, utcnow()
    user.locations = []
    for stmt in (delete(SignIn).where(SignIn.user_id == user.id),
                 delete(PasswordLink).where(PasswordLink.user_id == user.id),
                 delete(OutgoingMail).where(or_(OutgoingMail.user_id == user.id, OutgoingMail.to_address.in_(emails))),
                 update(ApiToken).where(ApiToken.user_id == user.id).values(label="", revoked_at=utcnow()),
                 update(CorrectiveAction).where(CorrectiveAction.responsible.in_(names)).values(responsible=user.name)):
        db.session.execute(stmt.execution_options(synchronize_session=False))
    _scrub_history(user, emails, names)
    _scrub_mails_to_others(user, emails, names)
    db.session.flush()
    audit_log.record("user.erased", "user", user.id, actor)


def _former_identities(user: User) -> tuple[set[str], set[str]]:
    """Every address (lower case) and name the person has had, from their account and its history."""
    emails, names = {user.email.lower()}, {user.name}
    for details in db.session.scalars(select(AuditLogEntry.details).where(
            AuditLogEntry.object_type == "user", AuditLogEntry.object_id == str(user.id))):
        details = details or {}
        if isinstance(details.get("email"), str):
            emails.add(details["email"].lower())
        changes = details.get("changes") or {}
        for key, found in (("email", emails), ("name", names)):
            for value in changes.get(key) or []:
                if isinstance(value, str) and value:
                    found.add(value.lower() if key == "email" else value)
    return emails, names


def _mentioning(texts: set[str]):
    """Log entries whose details hold one of ``texts``, as stored: SQLite keeps JSON with non-ASCII
    letters escaped (grožio → gro\\u017eio), so both spellings are looked for."""
    spellings = {spelling for text in texts for spelling in (text, json.dumps(text)[1:-1])}
    return or_(*(cast(AuditLogEntry.details, String).contains(spelling) for spelling in spellings))


def _scrub_history(user: User, emails: set[str], names: set[str]) -> None:
    """The history keeps what happened, with the new address and name in place of the old."""
    entries = db.session.scalars(select(AuditLogEntry).where(or_(
        (AuditLogEntry.object_type == "user") & (AuditLogEntry.object_id == str(user.id)),
        AuditLogEntry.action == "api_token.created",
        _mentioning(emails)))).all()
    for entry in entries:
        details = dict(entry.details or {})
        if entry.action == "api_token.created":
            if details.get("for_user") != user.id:
                continue
            details["label"] = ""
        scrubbed = _replace(details, emails, names, user)
        if scrubbed != entry.details:
            entry.details = scrubbed


def _replace(value, emails: set[str], names: set[str], user: User, key: str | None = None):
    """Addresses anywhere, names only where a name is written (``name``, or a rename's values)."""
    if isinstance(value, str):
        if "@" in value and value.lower() in emails:
            return user.email
        return user.name if key == "name" and value in names else value
    if isinstance(value, list):
        return [_replace(v, emails, names, user, key) for v in value]
    if isinstance(value, dict):
        return {k: _replace(v, emails, names, user, k) for k, v in value.items()}
    return value


def _scrub_mails_to_others(user: User, emails: set[str], names: set[str]) -> None:
    """Mails to other people that name this person (a set-password link "made by" an admin)."""
    needles = sorted(emails | names, key=len, reverse=True)
    mails = db.session.scalars(select(OutgoingMail).where(
        or_(*(OutgoingMail.body.contains(needle) for needle in needles)))).all()
    for mail in mails:
        for needle in needles:
            mail.body = mail.body.replace(needle, user.email if "@" in needle else user.name)
