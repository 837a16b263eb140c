"""Device marks (OWASP's "device cookies"): a browser that signed in to an address keeps a mark
of it, a keyed digest of the address and the account's current password hash (not the address).

Per-address limits stop someone elsewhere from hammering an account, but would also stop its
owner. So the pages with such a limit (``/login``, ``/forgot-password``) count a browser holding
the mark for the address typed on a counter of its own, as strict, instead of the address's
shared one: a stranger cannot lock the owner out of the tablet or computer they use, and a copied
cookie gets no further than the owner's own counter. A new password voids every mark.
"""
from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

from flask import current_app, g, request

from ..models import User
from ..services.users import find_user_by_email

DEVICE_COOKIE = "audit_devices"
DEVICE_MARKS_KEPT = 5  # a shared tablet: the last few people who signed in on it
DEVICE_COOKIE_DAYS = 365


def _device_mark(email: str, password_hash: str) -> str:
    key = current_app.secret_key.encode() if isinstance(current_app.secret_key, str) else current_app.secret_key
    message = b"sign-in device:" + email.strip().lower().encode() + b"\0" + password_hash.encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]


def _device_marks() -> list[str]:
    return [mark for mark in request.cookies.get(DEVICE_COOKIE, "").split(".") if len(mark) == 32][:DEVICE_MARKS_KEPT]


def _matching_mark(email: str) -> str:
    marks = _device_marks()
    if not marks:
        return ""
    user = find_user_by_email(email)
    if user is None or not user.password_hash:
        return ""
    mark = _device_mark(user.email, user.password_hash)
    return mark if mark in marks else ""


def known_device(email: str) -> str:
    """This browser's mark for the account of ``email``, if it signed in to it with its current
    password; else "". Asked by more than one limit: looked up once a request per address."""
    known = g.setdefault("known_devices", {})
    if email not in known:
        known[email] = _matching_mark(email)
    return known[email]


def remember_device(response, user: User):
    """``response`` with this browser's marks, ``user``'s first (it has just signed in)."""
    mark = _device_mark(user.email, user.password_hash)
    marks = [mark] + [m for m in _device_marks() if m != mark]
    response.set_cookie(DEVICE_COOKIE, ".".join(marks[:DEVICE_MARKS_KEPT]), max_age=timedelta(days=DEVICE_COOKIE_DAYS),
                        httponly=True, samesite="Lax", secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response
