"""Login and logout."""
from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import DataRequired, Email, Length

from ..extensions import db, limiter, login_manager
from ..models import User
from ..passwords import verify_password
from ..services import sign_ins
from ..services.mail_queue import mail_is_on
from ..services.users import find_user_by_email
from .i18n import safe_next
from .forms import AppForm

bp = Blueprint("auth", __name__)


class LoginForm(AppForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1000)])
    remember = BooleanField(_l("Keep me signed in on this device"))


@login_manager.user_loader
def load_user(identity: str) -> User | None:
    """The user of a session, while its sign-in is open (not signed out, no new password since)."""
    return sign_ins.user_of(identity)


def _submitted_email() -> str:
    """Rate-limit key: the address tried, so guessing one account's password is slowed down."""
    # Never empty (Flask-Limiter skips a limit whose key is empty), never longer than an address.
    return request.form.get("email", "").strip().lower()[:254] or "(no e-mail)"


#: A browser that signed in to an address keeps a mark of it (a keyed digest of the address and
#: the account's current password hash, not the address): someone guessing that address's
#: password elsewhere runs into the per-address limit, but cannot lock its owner out of the
#: tablet or computer they use (OWASP's "device cookies"). The marked browser has a counter of
#: its own, as strict, so a copied cookie guesses no faster; a new password voids every mark.
DEVICE_COOKIE = "audit_devices"
DEVICE_MARKS_KEPT = 5  # a shared tablet: the last few people who signed in on it
DEVICE_COOKIE_DAYS = 365


def _device_mark(email: str, password_hash: str) -> str:
    key = current_app.secret_key.encode() if isinstance(current_app.secret_key, str) else current_app.secret_key
    message = b"sign-in device:" + email.strip().lower().encode() + b"\0" + password_hash.encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]


def _device_marks() -> list[str]:
    return [mark for mark in request.cookies.get(DEVICE_COOKIE, "").split(".") if len(mark) == 32][:DEVICE_MARKS_KEPT]


def _known_device() -> str:
    """This browser's mark for the address tried, if it signed in to it with its current
    password; else "". Asked by both limits: looked up once a request."""
    if "known_device" not in g:
        marks, mark = _device_marks(), ""
        if marks:
            user = find_user_by_email(_submitted_email())
            if user is not None and user.password_hash:
                candidate = _device_mark(user.email, user.password_hash)
                mark = candidate if candidate in marks else ""
        g.known_device = mark
    return g.known_device


def _address_and_device() -> str:
    return f"{_submitted_email()}|{_known_device()}"


def _remember_device(response, user: User):
    mark = _device_mark(user.email, user.password_hash)
    marks = [mark] + [m for m in _device_marks() if m != mark]
    response.set_cookie(DEVICE_COOKIE, ".".join(marks[:DEVICE_MARKS_KEPT]), max_age=timedelta(days=DEVICE_COOKIE_DAYS),
                        httponly=True, samesite="Lax", secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


# Three counters on sign-in attempts (GET stays free): per address tried, from a browser that
# signed in to it before per address and that browser's mark instead, and per client IP (always).
@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_EMAIL"], key_func=_submitted_email,
               methods=["POST"], scope="email", exempt_when=lambda: bool(_known_device()))
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_EMAIL"], key_func=_address_and_device,
               methods=["POST"], scope="email-device", exempt_when=lambda: not _known_device())
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_IP"], methods=["POST"], scope="ip")
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    if request.method == "POST" and request.mimetype not in ("application/x-www-form-urlencoded", "multipart/form-data"):
        abort(415)  # the sign-in form only: a JSON body would be counted under no address
    form = LoginForm()
    if request.method == "GET" and request.args.get("email"):  # from a set-password link: the address to sign in with
        form.email.data = request.args["email"][:254]
    if form.validate_on_submit():
        user = find_user_by_email(form.email.data)
        # The password is checked before "active", and for unknown addresses too, so that the
        # response time tells nothing about whether an account exists or is deactivated.
        correct = verify_password(user.password_hash if user else None, form.password.data)
        if user is not None and correct and user.active:
            language = session.get("lang")
            session.clear()  # nothing from before signing in (a planted CSRF secret) carries over
            if language:
                session["lang"] = language
            sign_ins.start(user, remember=form.remember.data)
            db.session.commit()
            login_user(user, remember=form.remember.data)
            return _remember_device(redirect(safe_next(request.args.get("next"), url_for("home.index"))), user)
        flash(_("Wrong e-mail or password."), "error")
    return render_template("auth/login.html", form=form, mail_is_on=mail_is_on())


@bp.errorhandler(429)
def too_many_attempts(_error):
    """The sign-in form again, with what was typed, and a message instead of a bare 429."""
    flash(_("Too many sign-in attempts. Wait a minute and try again."), "error")
    return render_template("auth/login.html", form=LoginForm(), mail_is_on=mail_is_on()), 429


@bp.post("/logout")
@login_required
def logout():
    sign_ins.end(current_user)
    db.session.commit()
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))
