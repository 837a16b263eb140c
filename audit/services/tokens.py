"""API tokens: created for a user, shown once, stored only as a SHA-256 hex digest.

A token is 32 random bytes (``secrets.token_urlsafe``), so a plain SHA-256 is enough: there
is nothing to brute-force and no need for a slow password hash. Looking a token up by its
digest means the secret itself is never compared byte by byte.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import ApiToken, User, utcnow
from . import audit_log

MAX_LABEL = 100
#: ``last_used_at`` is written at most this often, so reading the API is not a write per request.
TOUCH_INTERVAL = timedelta(minutes=1)
_MAX_TOKEN_LENGTH = 200  # ours are 43 characters; anything much longer is not ours


class TokenError(ValueError):
    """A token could not be created; the message says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(user: User, label: str = "", created_by: User | None = None) -> str:
    """A new token for ``user``; returns the token itself, which is not stored anywhere."""
    label = (label or "").strip()
    if len(label) > MAX_LABEL:
        raise TokenError(f"the label is longer than {MAX_LABEL} characters")
    if not user.active:
        raise TokenError(f"{user.email} is deactivated; reactivate the account first")
    token = secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, token_hash=hash_token(token), label=label)
    db.session.add(row)
    db.session.flush()
    audit_log.record("api_token.created", "api_token", row.id, created_by, for_user=user.id, label=label)
    return token


def user_for_token(token: str | None) -> User | None:
    """The active user holding ``token``, or ``None`` for unknown, revoked or deactivated ones."""
    if not token or len(token) > _MAX_TOKEN_LENGTH:
        return None
    digest = hash_token(token)
    row = db.session.scalar(
        select(ApiToken).where(ApiToken.token_hash == digest).options(joinedload(ApiToken.user))
    )
    if row is None or not hmac.compare_digest(row.token_hash, digest):
        return None
    if row.revoked_at is not None or not row.user.active:
        return None
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at >= TOUCH_INTERVAL:
        row.last_used_at = now
        db.session.flush()
    return row.user


def revoke_token(token: ApiToken | str, revoked_by: User | None = None) -> bool:
    """Revoke a token (the row, or the token text); ``False`` when it was unknown or already revoked."""
    row = token if isinstance(token, ApiToken) else db.session.scalar(
        select(ApiToken).where(ApiToken.token_hash == hash_token(token))
    )
    if row is None or row.revoked_at is not None:
        return False
    row.revoked_at = utcnow()
    db.session.flush()
    audit_log.record("api_token.revoked", "api_token", row.id, revoked_by, for_user=row.user_id)
    return True
