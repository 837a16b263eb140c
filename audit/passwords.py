"""Password hashing with argon2 (argon2-cffi's recommended parameters)."""
from __future__ import annotations

import hashlib
import hmac

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
MIN_LENGTH = 8


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; users without a hash (imported auditors) never match."""
    if not stored_hash:
        # Spend the same time as a real check so response time does not reveal the account.
        _hasher.hash(password)
        return False
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def session_fingerprint(stored_hash: str | None, secret_key: str | bytes) -> str:
    """A short keyed digest of the stored password hash, kept in the signed session cookie: a new
    password gives a new fingerprint, which ends every session signed in with the old one. The
    cookie is readable by its holder, hence a keyed digest rather than the hash itself."""
    key = secret_key.encode() if isinstance(secret_key, str) else secret_key
    return hmac.new(key, (stored_hash or "").encode(), hashlib.sha256).hexdigest()[:32]
