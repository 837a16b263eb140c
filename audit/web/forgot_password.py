"""``/forgot-password``: "Forgot your password?" from the sign-in page. The person types their
e-mail address and is mailed a set-password link (:mod:`audit.services.forgotten_passwords`
decides who is).

Whatever was typed, and whether a mail went or a limit held it back, the answer is the same page
with the same status: neither the text, the status nor the limiter's 429 tells whether an
account exists, is deactivated, or was asked about too often. A browser that signed in to the
account before asks on a counter of its own (:mod:`.device_marks`), so a stranger using up the
address's requests cannot hold back its owner's mail. Without a mail server the page says to ask
an administrator instead (the sign-in page then does not link here).
"""
from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import EmailField
from wtforms.validators import DataRequired, Email, Length

from ..extensions import db, limiter
from ..services.forgotten_passwords import mail_link_on_request
from ..services.mail_queue import mail_is_on
from ..services.password_links import LINK_LIFETIME
from ..services.users import comparable_email
from .device_marks import known_device
from .forms import AppForm, strip

bp = Blueprint("forgot_password", __name__)


class ForgotPasswordForm(AppForm):
    # Spaces around a pasted address are no reason to refuse it (browsers strip them, tests do not).
    email = EmailField(_l("E-mail"), filters=[strip], validators=[DataRequired(), Email(), Length(max=254)])


def _typed_address() -> str:
    """Rate-limit key: the address as accounts are looked up, so that another case or spelling
    of the domain is no way round the limit."""
    return comparable_email(request.form.get("email", "")[:254])


def _known_device() -> str:
    """This browser's mark for the address typed, if it signed in to that account before (see
    :mod:`.device_marks`), or ""."""
    return known_device(_typed_address()) if _typed_address() else ""


def _address_and_device() -> str:
    return f"{_typed_address()}|{_known_device()}"


def _answered():
    """The one answer to every request that got past the form's checks."""
    return render_template("auth/forgot_password.html", form=None, sent=True, days=LINK_LIFETIME.days)


def _ask_an_admin():
    """Without a mail server no link can be sent: the page says who can make one."""
    return render_template("auth/forgot_password.html", form=None, sent=False)


# Counted on POSTs only, per address typed (an empty one is left to the form and the per-IP
# limit), from a browser that signed in to that account before per address and that browser's
# mark instead (so that a stranger using up the address's requests cannot hold back its owner's
# mail), and per client IP (always); over a limit the page answers as usual but nothing is mailed.
@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["FORGOT_PASSWORD_LIMIT_PER_EMAIL"], key_func=_typed_address,
               methods=["POST"], scope="forgot-password-email",
               exempt_when=lambda: not _typed_address() or bool(_known_device()))
@limiter.limit(lambda: current_app.config["FORGOT_PASSWORD_LIMIT_PER_EMAIL"], key_func=_address_and_device,
               methods=["POST"], scope="forgot-password-email-device", exempt_when=lambda: not _known_device())
@limiter.limit(lambda: current_app.config["FORGOT_PASSWORD_LIMIT_PER_IP"], methods=["POST"],
               scope="forgot-password-ip")
def ask_for_link():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    if not mail_is_on():
        return _ask_an_admin()
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        mail_link_on_request(form.email.data)
        db.session.commit()
        return _answered()
    return render_template("auth/forgot_password.html", form=form, sent=False)


@bp.errorhandler(429)
def too_many_requests(_error):
    """A limit reached: the usual answer (200), so that the limiter tells nothing either."""
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    return _answered() if mail_is_on() else _ask_an_admin()
