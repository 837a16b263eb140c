"""The signed-in user's own account: their password, whether they receive e-mail, and where they
are signed in (a lost tablet is signed out from another device)."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required
from wtforms import BooleanField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from ..extensions import db, limiter
from ..services import audit_log, sign_ins
from ..passwords import MIN_LENGTH
from ..services.mail_queue import mail_is_on
from ..services.users import UserError, change_own_password
from .admin import show_error
from .admin.forms import PASSWORD_LENGTH
from .forms import AppForm

bp = Blueprint("account", __name__, url_prefix="/account")


class PasswordForm(AppForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=1000)])
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), *PASSWORD_LENGTH])
    new_password_again = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The passwords do not match."))],
    )


class MailForm(AppForm):
    wants_mail = BooleanField(_l("E-mail me about my work"))


def _signed_in_user() -> str:
    """Rate-limit key: the account, so a session left open cannot be used to guess its password."""
    return f"user:{current_user.get_id().partition(':')[0]}" if current_user.is_authenticated else "anonymous"


@bp.route("/password", methods=["GET", "POST"])
@login_required
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_EMAIL"], key_func=_signed_in_user,
               methods=["POST"], scope="account-password")
def password():
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            change_own_password(current_user, form.current_password.data, form.new_password.data)
        except UserError as exc:
            db.session.rollback()
            show_error(form, exc)
        else:
            db.session.commit()  # this device stays signed in; the others are signed out
            flash(_("Your password is changed. Other devices signed in with the old one are signed out."), "info")
            return redirect(url_for("home.index"))
    return render_template("account/password.html", form=form, min_length=MIN_LENGTH)


@bp.route("/mail", methods=["GET", "POST"])
@login_required
def mail():
    """Whether this user receives e-mail about their work (what it is depends on their role)."""
    form = MailForm(obj=current_user) if request.method == "GET" else MailForm()
    if form.validate_on_submit():
        current_user.wants_mail = form.wants_mail.data
        db.session.commit()
        flash(_("You will receive e-mail about your work.") if form.wants_mail.data
              else _("You will no longer receive e-mail about your work."), "info")
        return redirect(url_for("account.mail"))
    return render_template("account/mail.html", form=form, mail_is_on=mail_is_on())


@bp.get("/sign-ins")
@login_required
def signed_in_devices():
    """Every browser signed in to this account, this one marked: a tablet left behind or lost
    is signed out from here without changing the password."""
    open_ones = sign_ins.open_sign_ins(current_user)
    return render_template("account/sign_ins.html", sign_ins=open_ones,
                           current=[s.id for s in open_ones if sign_ins.is_current(current_user, s)])


@bp.post("/sign-ins/<int:sign_in_id>/end")
@login_required
def sign_out_device(sign_in_id: int):
    chosen = next((s for s in sign_ins.open_sign_ins(current_user) if s.id == sign_in_id), None)
    if chosen is None:
        abort(404)  # another person's, or ended already
    if sign_ins.is_current(current_user, chosen):  # this device: that is the Sign out button's work
        return redirect(url_for("account.signed_in_devices"))
    sign_ins.end_one(current_user, sign_in_id)
    audit_log.record("user.signed_out_elsewhere", "user", current_user.id, current_user, sessions_ended=1)
    db.session.commit()
    flash(_("That device is signed out; it asks for the password again."), "info")
    return redirect(url_for("account.signed_in_devices"))


@bp.post("/sign-ins/end-others")
@login_required
def sign_out_other_devices():
    ended = sign_ins.end_others(current_user, current_user)
    if ended:
        audit_log.record("user.signed_out_elsewhere", "user", current_user.id, current_user, sessions_ended=ended)
    db.session.commit()
    flash(ngettext("%(num)d other device is signed out.", "%(num)d other devices are signed out.", ended), "info")
    return redirect(url_for("account.signed_in_devices"))


@bp.errorhandler(429)
def too_many_attempts(_error):
    """The form again with a message, rather than a bare 429 page."""
    flash(_("Too many attempts. Wait a minute and try again."), "error")
    return render_template("account/password.html", form=PasswordForm(), min_length=MIN_LENGTH), 429
