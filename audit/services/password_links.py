"""Set-password links: an admin makes a one-time link for a user and hands it on by their own
means, or has the app e-mail it (:func:`audit.services.notifications.password_link`; the mail's copy
of the token is blanked out once sent); the user opens it and chooses a password.

A link is ``/set-password/<token>``, the token 32 random bytes (``secrets.token_urlsafe``);
only its SHA-256 is stored (:class:`~audit.models.PasswordLink`), as for API tokens. It works
once, for :data:`LINK_LIFETIME`, and only while the account is active; a user has at most one
link: making a new one deletes the old. The audit log records that a link was made or used,
never the token.
"""
from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import PasswordLink, User, utcnow
from . import audit_log
from .tokens import hash_token
from .users import UserError, set_password_from_link

LINK_LIFETIME = timedelta(days=7)
_MAX_TOKEN_LENGTH = 200  # ours are 43 characters; anything much longer is not ours


@dataclass(frozen=True)
class NewLink:
    """A link just made: the token exists only here (and in what the admin is shown)."""

    user: User
    token: str
    expires_at: datetime  # naive UTC


class LinkRefused(Exception):
    """The link cannot be used; ``reason`` is ``unknown`` (never made, mistyped, replaced by a
    newer one, or the account is deactivated), ``used`` or ``expired``."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"the set-password link is {reason}")
        self.reason = reason


def make_link(user: User, actor: User | None = None) -> NewLink:
    """A new set-password link for ``user``, replacing any earlier one; flushes."""
    if not user.active:
        raise UserError(f"{user.email} is deactivated; reactivate the account first", "active")
    replaced = db.session.execute(delete(PasswordLink).where(PasswordLink.user_id == user.id)).rowcount or 0
    token = secrets.token_urlsafe(32)
    now = utcnow()
    link = PasswordLink(user_id=user.id, token_hash=hash_token(token), created_at=now,
                        expires_at=now + LINK_LIFETIME, created_by_id=actor.id if actor is not None else None)
    db.session.add(link)
    db.session.flush()
    audit_log.record("password_link.created", "user", user.id, actor,
                     expires_at=link.expires_at.isoformat(timespec="seconds"), replaced=replaced)
    return NewLink(user, token, link.expires_at)


def open_link(token: str) -> PasswordLink:
    """The link of ``token`` if it can still be used; raises :class:`LinkRefused`."""
    if not token or len(token) > _MAX_TOKEN_LENGTH:
        raise LinkRefused("unknown")
    digest = hash_token(token)
    link = db.session.scalar(select(PasswordLink).where(PasswordLink.token_hash == digest)
                             .options(joinedload(PasswordLink.user)))
    if link is None or not hmac.compare_digest(link.token_hash, digest) or not link.user.active:
        raise LinkRefused("unknown")
    if link.used_at is not None:
        raise LinkRefused("used")
    if link.expires_at <= utcnow():
        raise LinkRefused("expired")
    return link


def use_link(token: str, new_password: str) -> User:
    """Set the password of the link's user and mark the link used; every sign-in of the user
    ends. Raises :class:`LinkRefused` (also when another request used it a moment before) or
    :class:`~audit.services.users.UserError` for a password the rules refuse."""
    link = open_link(token)
    now = utcnow()
    claimed = db.session.execute(
        update(PasswordLink).where(PasswordLink.id == link.id, PasswordLink.used_at.is_(None))
        .values(used_at=now).execution_options(synchronize_session=False)).rowcount
    if claimed != 1:
        raise LinkRefused("used")
    link.used_at = now
    user = link.user
    ended = set_password_from_link(user, new_password)
    audit_log.record("password_link.used", "user", user.id, user, sessions_ended=ended)
    return user


def link_of(user: User) -> PasswordLink | None:
    """The user's current link (made, maybe used or expired), for the admin's user page."""
    return db.session.scalar(select(PasswordLink).where(PasswordLink.user_id == user.id)
                             .order_by(PasswordLink.id.desc()).limit(1))
