"""Creating users (CLI today, admin screens later)."""
from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select

from ..extensions import db
from ..models import ROLES, Location, User
from ..passwords import MIN_LENGTH, hash_password
from . import audit_log


class UserError(ValueError):
    """A user could not be created; the message says why."""


def create_user(email: str, role: str, name: str, password: str | None, location_codes: list[str] = ()) -> User:
    try:
        email = validate_email(email, check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise UserError(f"'{email}' is not a valid e-mail address: {exc}") from None
    if role not in ROLES:
        raise UserError(f"unknown role '{role}'; use one of: {', '.join(ROLES)}")
    if db.session.scalar(select(User.id).where(func.lower(User.email) == email)):
        raise UserError(f"a user with the e-mail {email} already exists")
    if password is not None and len(password) < MIN_LENGTH:
        raise UserError(f"the password must have at least {MIN_LENGTH} characters")
    locations = []
    for code in location_codes:
        location = db.session.scalar(select(Location).where(Location.code == code))
        if location is None:
            raise UserError(f"unknown location code '{code}'")
        locations.append(location)
    if locations and role != "manager":
        raise UserError("only managers are linked to locations")
    user = User(email=email, role=role, name=name,
                password_hash=hash_password(password) if password else None, locations=locations)
    db.session.add(user)
    db.session.flush()
    audit_log.record("user.created", "user", user.id, role=role)
    return user
