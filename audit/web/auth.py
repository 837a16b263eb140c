"""Login and logout."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
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
from .device_marks import known_device, remember_device
from .forms import AppForm
from .i18n import safe_next

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


def _known_device() -> str:
    """This browser's mark for the address tried (see :mod:`.device_marks`), or ""."""
    return known_device(_submitted_email())


def _address_and_device() -> str:
    return f"{_submitted_email()}|{_known_device()}"


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
            sign_ins.start(user, remember=form.remember.data, device=sign_ins.device_of(request.user_agent.string))
            db.session.commit()
            login_user(user, remember=form.remember.data)
            return remember_device(redirect(safe_next(request.args.get("next"), url_for("home.index"))), user)
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
