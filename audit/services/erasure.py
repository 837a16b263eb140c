"""Erasing a person's personal data (GDPR art. 17) while keeping the chain's records whole.

A deactivated account can be erased: its name becomes ``#<id>``, its e-mail address an
address that cannot receive mail, its password, language, sign-ins, API token labels, unused
set-password links, outbox mails and branch links go, and the history's copies of the address
(``user.created``, ``user.updated``, ``users.imported``) are replaced by the new one. Kept: the
visits the person made, answered, reviewed or disputed (the statistics and the branches' records
need them), now under ``#<id>``; what they wrote into comments and notes is the visit's content
and stays.
"""
from __future__ import annotations

from sqlalchemy import String, cast, delete, or_, select, update

from ..extensions import db
from ..models import ApiToken, AuditLogEntry, OutgoingMail, PasswordLink, SignIn, User, utcnow
from . import audit_log
from .users import UserError

ERASED_DOMAIN = "erased.invalid"  # .invalid never resolves (RFC 2606): no mail can reach it


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
    old_email, old_name = user.email, user.name
    user.email, user.name = f"erased-{user.id}@{ERASED_DOMAIN}", erased_name(user)
    user.password_hash, user.locale, user.wants_mail, user.erased_at = None, None, False, utcnow()
    user.locations = []
    db.session.execute(delete(SignIn).where(SignIn.user_id == user.id).execution_options(synchronize_session=False))
    db.session.execute(delete(PasswordLink).where(PasswordLink.user_id == user.id)
                       .execution_options(synchronize_session=False))
    db.session.execute(delete(OutgoingMail).where(or_(OutgoingMail.user_id == user.id,
                                                      OutgoingMail.to_address == old_email))
                       .execution_options(synchronize_session=False))
    db.session.execute(update(ApiToken).where(ApiToken.user_id == user.id)
                       .values(label="", revoked_at=utcnow()).execution_options(synchronize_session=False))
    _scrub_history(user, old_email, old_name)
    db.session.flush()
    audit_log.record("user.erased", "user", user.id, actor)


def _scrub_history(user: User, old_email: str, old_name: str) -> None:
    """The history keeps what happened, with the new address and name in place of the old."""
    replacements = {old_email.lower(): user.email, old_name: user.name}
    entries = db.session.scalars(select(AuditLogEntry).where(or_(
        (AuditLogEntry.object_type == "user") & (AuditLogEntry.object_id == str(user.id)),
        cast(AuditLogEntry.details, String).contains(old_email)))).all()
    for entry in entries:
        scrubbed = _replace(entry.details, replacements)
        if scrubbed != entry.details:
            entry.details = scrubbed


def _replace(value, replacements: dict[str, str]):
    if isinstance(value, str):
        return replacements.get(value.lower() if "@" in value else value, value)
    if isinstance(value, list):
        return [_replace(v, replacements) for v in value]
    if isinstance(value, dict):
        return {k: _replace(v, replacements) for k, v in value.items()}
    return value
