"""Admin screens: users, locations, regions, the e-mail outbox and the activity log. Only for roles the policy lets manage them.

Anonymous visitors are sent to the sign-in page; signed-in users without the right get 404,
as if the page did not exist.
"""
from __future__ import annotations

from functools import wraps

from flask import Blueprint, abort, flash, redirect, url_for
from flask_login import current_user

from ...extensions import login_manager
from ...policy import may
from .errors import translate_error

bp = Blueprint("admin", __name__, url_prefix="/admin")


def requires(action: str):
    """Let the view run only for users :func:`audit.policy.may` allows ``action``."""

    def decorate(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not may(current_user, action):
                abort(404)
            return view(*args, **kwargs)

        return guarded

    return decorate


def show_error(form, exc) -> None:
    """Put a service error next to the form field it names, or flash it when it names none."""
    message = translate_error(exc.message)
    field = form[exc.field] if form is not None and exc.field and exc.field in form else None
    if field is not None:
        field.errors = [*field.errors, message]
    else:
        flash(message, "error")


@bp.get("/")
@requires("manage_users")
def index():
    """``/admin`` (the README's name for these screens) opens the first of them."""
    return redirect(url_for("admin.users"))


from . import activity, locations, mail, users  # noqa: E402,F401  (register the views)
