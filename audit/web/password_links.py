"""``/set-password/<token>``: the page a set-password link opens (no sign-in needed: the link
is the proof). See :mod:`audit.services.password_links`.

After the password is set the person is sent to the sign-in page rather than signed in: the
sign-in form stays the one place that starts a session (with its device mark and "keep me
signed in" choice), the browser's password manager offers to save the new password there
with the e-mail, and a link opened on someone else's computer (or by the admin checking it)
leaves nobody signed in.
"""
from __future__ import annotations

from flask import Blueprint, current_app, flash, g, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_babel import refresh
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _plural
from flask_login import current_user, logout_user
from wtforms import PasswordField
from wtforms.validators import DataRequired, EqualTo

from ..extensions import db, limiter
from ..passwords import MIN_LENGTH
from ..services import sign_ins
from ..services.mail_queue import mail_is_on
from ..services.password_links import LINK_LIFETIME, LinkRefused, open_link, use_link
from ..services.users import UserError
from .admin import show_error
from .admin.forms import PASSWORD_LENGTH
from .forms import AppForm

bp = Blueprint("password_links", __name__)

#: What each refusal says, and its status: an unknown link is "not found", a used or expired
#: one is "gone" (it existed, and will not come back).
REFUSALS = {
    "unknown": (404, _l("This link does not work"),
                _l("It may be mistyped or cut off, or replaced by a newer link. Ask your administrator for a new "
                   "link.")),
    "used": (410, _l("This link was already used"),
             _l("Each set-password link works once. If you have set your password, sign in with it; if not, ask "
                "your administrator for a new link.")),
    "expired": (410, _l("This link has expired"),
                _plural("Set-password links work for %(num)d day. Ask your administrator for a new link.",
                        "Set-password links work for %(num)d days. Ask your administrator for a new link.",
                        LINK_LIFETIME.days)),
}


class SetPasswordForm(AppForm):
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), *PASSWORD_LENGTH])
    new_password_again = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The passwords do not match."))],
    )


def _refused(exc: LinkRefused):
    db.session.rollback()
    code, title, message = REFUSALS[exc.reason]
    # Where the app can send mail, a person need not wait for an administrator.
    another_way = ({"url": url_for("forgot_password.ask_for_link"), "label": _("Forgot your password?")}
                   if mail_is_on() else None)
    return render_template("errors/error.html", code=code, title=title, message=message,
                           another_way=another_way), code


# POSTs per client IP, as /login's per-IP limit (a link is 43 random characters: nothing to
# guess, but no one should hammer the password hashing either); GET stays free.
@bp.route("/set-password/<token>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_IP"], methods=["POST"], scope="set-password")
def set_password(token: str):
    try:
        link = open_link(token)
    except LinkRefused as exc:
        return _refused(exc)
    g.person_locale = link.user.locale  # the language the admin gave them, unless they chose one
    refresh()
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            user = use_link(token, form.new_password.data)
        except LinkRefused as exc:  # used in another tab a moment ago
            return _refused(exc)
        except UserError as exc:
            db.session.rollback()
            show_error(form, exc)
        else:
            if current_user.is_authenticated:  # whoever was signed in on this browser steps aside
                sign_ins.end(current_user)
            db.session.commit()
            logout_user()
            # The sign-in page in the language this page spoke (the message already is), with
            # the address filled in.
            if user.locale in current_app.config["LANGUAGES"] and "lang" not in session:
                session["lang"] = user.locale
            flash(_("Your password is set. Sign in with %(email)s and your new password.", email=user.email), "info")
            return redirect(url_for("auth.login", email=user.email))
    return render_template("auth/set_password.html", form=form, user=link.user, expires_at=link.expires_at,
                           min_length=MIN_LENGTH)


@bp.errorhandler(429)
def too_many_attempts(_error):
    """The form again with a message, rather than a bare 429 page."""
    flash(_("Too many attempts. Wait a minute and try again."), "error")
    return render_template("auth/set_password.html", form=SetPasswordForm(), user=None, expires_at=None,
                           min_length=MIN_LENGTH), 429
