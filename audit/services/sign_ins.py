"""Signed-in browsers, kept on the server so that signing out really ends a session.

The session cookie (and the remember-me cookie) carry ``"<user id>:<key>"``; the key is random
and only its SHA-256 is stored (:class:`~audit.models.SignIn`). A session is valid while its
row exists and has not expired: signing out deletes the row, a new password ends every other
sign-in of the account, deactivation ends them all.
"""
from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, select

from ..extensions import db
from ..models import SignIn, User, utcnow


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _lifetime(remember: bool) -> timedelta:
    value = current_app.config["REMEMBER_COOKIE_DURATION" if remember else "PERMANENT_SESSION_LIFETIME"]
    return value if isinstance(value, timedelta) else timedelta(seconds=int(value))


def start(user: User, remember: bool = False, device: str = "") -> str:
    """A new sign-in of ``user`` from ``device`` (:func:`device_of`); sets ``user.sign_in_key``
    (what ``get_id`` hands to Flask-Login)."""
    now = utcnow()
    db.session.execute(delete(SignIn).where(SignIn.expires_at < now))  # tidy up ended ones
    key = secrets.token_urlsafe(32)
    db.session.add(SignIn(user_id=user.id, key_hash=_digest(key), created_at=now, expires_at=now + _lifetime(remember),
                          device=device[:80]))
    db.session.flush()
    user.sign_in_key = key
    return key


def user_of(identity: str) -> User | None:
    """The user of a session identity ``"<id>:<key>"``, if that sign-in is still open."""
    user_id, _, key = identity.partition(":")
    if not user_id.isdigit() or not key:
        return None
    user = db.session.scalar(
        select(User).join(SignIn, SignIn.user_id == User.id)
        .where(User.id == int(user_id), User.active.is_(True), SignIn.key_hash == _digest(key),
               SignIn.expires_at > utcnow())
    )
    if user is not None:
        user.sign_in_key = key
    return user


def end(user: User) -> None:
    """End this sign-in of ``user`` (signing out)."""
    key = getattr(user, "sign_in_key", None)
    if key:
        db.session.execute(delete(SignIn).where(SignIn.key_hash == _digest(key)))


def end_others(user: User, actor: User | None = None) -> int:
    """End every sign-in of ``user`` except the actor's own current one; returns how many ended."""
    keep = getattr(actor, "sign_in_key", None) if actor is not None and actor.id == user.id else None
    query = delete(SignIn).where(SignIn.user_id == user.id)
    if keep:
        query = query.where(SignIn.key_hash != _digest(keep))
    return db.session.execute(query).rowcount or 0


def open_sign_ins(user: User) -> list[SignIn]:
    """The sign-ins of ``user`` still open, the newest first."""
    return list(db.session.scalars(select(SignIn).where(SignIn.user_id == user.id, SignIn.expires_at > utcnow())
                                   .order_by(SignIn.created_at.desc(), SignIn.id.desc())))


def is_current(user: User, sign_in: SignIn) -> bool:
    """Whether ``sign_in`` is the one ``user`` is using for this request."""
    key = getattr(user, "sign_in_key", None)
    return bool(key) and sign_in.key_hash == _digest(key)


def end_one(user: User, sign_in_id: int) -> bool:
    """End one sign-in of ``user`` (a device they no longer have); False if it is not theirs or
    has ended already."""
    return bool(db.session.execute(delete(SignIn).where(SignIn.id == sign_in_id, SignIn.user_id == user.id))
                .rowcount)


# Browser and system from a User-Agent, the most specific first (Edge and Samsung Internet say
# "Chrome" too, Chrome says "Safari", an iPad may say "Macintosh"). Enough for a person to tell
# their devices apart, no more: the full string is not kept.
_BROWSERS = (("Edge", r"Edg(e|A|iOS)?/"), ("Samsung Internet", r"SamsungBrowser/"), ("Opera", r"OPR/|Opera"),
             ("Firefox", r"Firefox/|FxiOS/"), ("Chrome", r"Chrome/|CriOS/|Chromium/"), ("Safari", r"Safari/"))
_SYSTEMS = (("Android", r"Android"), ("iPad", r"iPad"), ("iPhone", r"iPhone"), ("ChromeOS", r"CrOS"),
            ("Windows", r"Windows"), ("macOS", r"Macintosh|Mac OS X"), ("Linux", r"Linux|X11"))


def device_of(user_agent: str) -> str:
    """"Chrome · Android" from a browser's User-Agent header; "" when neither is recognised."""
    browser = next((name for name, pattern in _BROWSERS if re.search(pattern, user_agent)), "")
    system = next((name for name, pattern in _SYSTEMS if re.search(pattern, user_agent)), "")
    return " · ".join(part for part in (browser, system) if part)
