"""Creating, changing and deactivating users (CLI and admin screens).

Messages are plain English (the CLI prints them); ``field`` names the form field a page
shows the message next to. Every change is written to the audit log.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import delete, func, select, update

from ..config import LANGUAGES
from ..extensions import db
from ..models import ROLES, ApiToken, Location, PasswordLink, User, utcnow
from ..passwords import MIN_LENGTH, hash_password, verify_password
from . import audit_log, sign_ins

#: ``update_user(locale=KEEP)``: the language stays as it is.
KEEP = object()


def _check_locale(locale) -> None:
    if locale is not KEEP and locale is not None and locale not in LANGUAGES:
        raise UserError(f"unknown language '{locale}'", "language")


def comparable_email(email: str) -> str:
    """An address as stored addresses are compared: whatever its case and surrounding spaces,
    and whether its domain comes as typed (``grožio.lt``) or as browsers send an e-mail field
    (``xn--…``); addresses are stored in the normalised form ``_valid_email`` gives."""
    wanted = email.strip().lower()
    try:
        return validate_email(wanted, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        return wanted  # no such user can exist; compared as typed all the same


def find_user_by_email(email: str) -> User | None:
    """The user with this e-mail address (see :func:`comparable_email`)."""
    return db.session.scalar(select(User).where(func.lower(User.email) == comparable_email(email)))


class UserError(ValueError):
    """A user could not be created or changed; the message says why."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def check_new_user(email: str, role: str, name: str, location_codes: Iterable[str] = (),
                   locale: str | None = None) -> None:
    """Raise the ``UserError`` :func:`create_user` would for everything but the password (so
    ``audit create-user`` says so before the password is typed twice)."""
    create_user_fields(email, role, name, location_codes, locale)


def create_user_fields(email, role, name, location_codes, locale) -> tuple[str, str, list[Location]]:
    email = _valid_email(email)
    name = _valid_name(name)
    _check_role(role)
    _check_locale(locale)
    return email, name, _locations_for(role, location_codes)


def create_user(email: str, role: str, name: str, password: str | None, location_codes: Iterable[str] = (),
                actor: User | None = None, locale: str | None = None) -> User:
    email, name, locations = create_user_fields(email, role, name, location_codes, locale)
    if password is not None:
        _check_password(password)
    user = User(email=email, role=role, name=name, locale=locale,
                password_hash=hash_password(password) if password else None, locations=locations)
    db.session.add(user)
    db.session.flush()
    audit_log.record("user.created", "user", user.id, actor, role=role, email=email,
                     locations=sorted(loc.code for loc in locations), password_set=bool(password))
    return user


def update_user(user: User, *, email: str, name: str, role: str, active: bool,
                location_codes: Iterable[str] = (), password: str | None = None,
                actor: User | None = None, locale: str | None | object = KEEP) -> dict:
    """Change ``user``; an empty ``password`` keeps the old one, ``locale`` left out keeps the
    language (None: as their browser asks). Returns what changed."""
    _check_not_erased(user)
    _check_locale(locale)
    email = _valid_email(email, ignore=user)
    name = _valid_name(name)
    _check_role(role)
    if password:
        _check_password(password)
    locations = _locations_for(role, location_codes)
    if actor is not None and actor.id == user.id:
        if role != user.role:
            raise UserError("you cannot change your own role; ask another administrator", "role")
        if not active:
            raise UserError("you cannot deactivate your own account", "active")

    changes: dict = {}
    attributes = [("email", email), ("name", name), ("role", role), ("active", active)]
    if locale is not KEEP:
        attributes.append(("locale", locale))
    for attribute, new in attributes:
        old = getattr(user, attribute)
        if old != new:
            changes[attribute] = [old, new]
            setattr(user, attribute, new)
    old_codes = sorted(loc.code for loc in user.locations)
    new_codes = sorted(loc.code for loc in locations)
    if old_codes != new_codes:
        changes["locations"] = [old_codes, new_codes]
        user.locations = locations
    if password:
        user.password_hash = hash_password(password)
        changes["password"] = "changed"  # never the password or its hash
    if password or not active:  # a new password signs out every other device; deactivation all
        _end_access(user, actor, tokens=not active)
    if changes:
        db.session.flush()
        audit_log.record("user.updated", "user", user.id, actor, changes=changes)
    return changes


def change_own_password(user: User, current_password: str, new_password: str) -> None:
    """A signed-in user sets a new password, proving they know the current one; every other
    device signed in to the account is signed out."""
    if not verify_password(user.password_hash, current_password):
        raise UserError("the current password is wrong", "current_password")
    _check_password(new_password)
    if verify_password(user.password_hash, new_password):
        raise UserError("the new password is the same as the current one", "new_password")
    user.password_hash = hash_password(new_password)
    _end_access(user, user)
    db.session.flush()
    audit_log.record("user.password_changed", "user", user.id, user)  # never the password or its hash


def set_password_from_link(user: User, new_password: str) -> int:
    """``user`` sets a password with a set-password link (no current password asked: the link
    is the proof); every device signed in to the account is signed out, as after a password
    change. Returns how many sign-ins ended."""
    _check_password(new_password)
    user.password_hash = hash_password(new_password)
    ended = _end_access(user, None)
    db.session.flush()
    return ended["sessions_ended"]


def deactivate_user(user: User, actor: User | None = None) -> None:
    """The user can no longer sign in; their visits and history stay."""
    if actor is not None and actor.id == user.id:
        raise UserError("you cannot deactivate your own account", "active")
    if user.active:
        user.active = False
        ended = _end_access(user, actor, tokens=True)
        db.session.flush()
        audit_log.record("user.deactivated", "user", user.id, actor, **ended)


def _end_access(user: User, actor: User | None, tokens: bool = False) -> dict:
    """Sign ``user`` out of every device but the actor's own; with ``tokens``, revoke their API
    tokens too (a reactivated user gets new ones: the old may have been handed on). A
    set-password link not used yet stops working as well: one sent to the wrong person, or
    leaked, would otherwise still set the password after the account was secured."""
    ended = {"sessions_ended": sign_ins.end_others(user, actor)}
    db.session.execute(delete(PasswordLink).where(PasswordLink.user_id == user.id, PasswordLink.used_at.is_(None))
                       .execution_options(synchronize_session=False))
    if tokens:
        result = db.session.execute(update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
                                    .values(revoked_at=utcnow()))
        ended["tokens_revoked"] = result.rowcount or 0
    return ended


def reactivate_user(user: User, actor: User | None = None) -> None:
    _check_not_erased(user)
    if not user.active:
        user.active = True
        db.session.flush()
        audit_log.record("user.reactivated", "user", user.id, actor)


def _check_not_erased(user: User) -> None:
    if user.erased_at is not None:
        raise UserError("this account's personal data were erased; it cannot be changed or used again", "active")


def _valid_email(email: str, ignore: User | None = None) -> str:
    try:
        email = validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise UserError(f"'{email}' is not a valid e-mail address: {exc}", "email") from None
    taken = select(User.id).where(func.lower(User.email) == email)
    if ignore is not None:
        taken = taken.where(User.id != ignore.id)
    if db.session.scalar(taken):
        raise UserError(f"a user with the e-mail {email} already exists", "email")
    return email


def _valid_name(name: str) -> str:
    # Line breaks and other control characters pasted into a name are spaces (a name is one line
    # everywhere: lists, PDFs, the To: of an e-mail).
    name = " ".join("".join(" " if unicodedata.category(c) == "Cc" else c for c in (name or "")).split())
    if not name:
        raise UserError("a name is required", "name")
    return name


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise UserError(f"unknown role '{role}'; use one of: {', '.join(ROLES)}", "role")


def _check_password(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise UserError(f"the password must have at least {MIN_LENGTH} characters", "password")


def _locations_for(role: str, codes: Iterable[str]) -> list[Location]:
    """The locations of ``codes``, whatever their case (codes are unique regardless of case)."""
    codes = list(dict.fromkeys(codes))
    wanted = [code.strip().upper() for code in codes]
    found = {loc.code.upper(): loc for loc in db.session.scalars(
        select(Location).where(func.upper(Location.code).in_(wanted)))}
    for code, key in zip(codes, wanted):
        if key not in found:
            raise UserError(f"unknown location code '{code}'", "locations")
    codes = [found[key].code for key in dict.fromkeys(wanted)]
    found = {loc.code: loc for loc in found.values()}
    if codes and role != "manager":
        raise UserError("only managers are linked to locations", "locations")
    return [found[code] for code in codes]
