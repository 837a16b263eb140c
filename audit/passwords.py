"""Password hashing with argon2 (argon2-cffi's recommended parameters)."""
from __future__ import annotations


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
