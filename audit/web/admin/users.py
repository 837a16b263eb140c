"""Admin screens for users: list, create, edit (role, locations, new password), deactivate."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from ...extensions import db
from ...names import code_key
from ...services.assignments import waiting_assignments
from ...models import ROLES, Location, User
from ...passwords import MIN_LENGTH
from ...services.users import UserError, create_user, deactivate_user, reactivate_user, update_user
from ..i18n import safe_next
from ..options import options
from . import bp, requires, show_error
from .forms import EditUserForm, NewUserForm


@bp.get("/users")
@requires("manage_users")
def users():
    role = request.args.get("role")
    stmt = select(User).options(selectinload(User.locations)).order_by(User.active.desc(), func.lower(User.name))
    if role in ROLES:
        stmt = stmt.where(User.role == role)
    else:
        role = None
    counts = dict(db.session.execute(select(User.role, func.count()).group_by(User.role)).all())
    return render_template("admin/users.html", users=db.session.scalars(stmt).all(), role=role,
                           counts=counts, roles=ROLES)


@bp.route("/users/new", methods=["GET", "POST"])
@requires("manage_users")
def user_new():
    form = NewUserForm()
    form.locations.choices = _location_choices()
    if form.validate_on_submit():
        try:
            user = create_user(form.email.data, form.role.data, form.name.data, form.password.data or None,
                               form.locations.data, actor=current_user)
        except UserError as exc:
            db.session.rollback()
            show_error(form, exc)
        else:
            db.session.commit()
            flash(_("User %(name)s created.", name=user.name), "info")
            _warn_no_branches(user)
            return redirect(url_for(".users"))
    return render_template("admin/user_form.html", form=form, user=None, min_length=MIN_LENGTH)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@requires("manage_users")
def user_edit(user_id: int):
    user = db.get_or_404(User, user_id)
    form = EditUserForm(data={
        "email": user.email, "name": user.name, "role": user.role, "active": user.active,
        "locations": [loc.code for loc in user.locations],
    })
    form.locations.choices = _location_choices()
    if form.validate_on_submit():
        try:
            changes = update_user(
                user, email=form.email.data, name=form.name.data, role=form.role.data, active=form.active.data,
                location_codes=form.locations.data, password=form.password.data or None, actor=current_user,
            )
        except UserError as exc:
            db.session.rollback()
            show_error(form, exc)
        else:
            db.session.commit()  # a new password ends the user's other sessions, not this one
            if changes:
                flash(_("Changes to %(name)s saved.", name=user.name), "info")
            if "active" in changes and not user.active:
                _warn_waiting(waiting_assignments(auditor=user), user.name)
            _warn_no_branches(user)
            return redirect(url_for(".users"))
    return render_template("admin/user_form.html", form=form, user=user, min_length=MIN_LENGTH)


@bp.post("/users/<int:user_id>/deactivate")
@requires("manage_users")
def user_deactivate(user_id: int):
    user = db.get_or_404(User, user_id)
    try:
        deactivate_user(user, actor=current_user)
    except UserError as exc:
        db.session.rollback()
        show_error(None, exc)
    else:
        db.session.commit()
        flash(_("%(name)s can no longer sign in.", name=user.name), "info")
        _warn_waiting(waiting_assignments(auditor=user), user.name)
    return redirect(safe_next(request.form.get("next"), url_for(".users")))


def _warn_no_branches(user: User) -> None:
    """A branch manager without branches sees nothing at all: say so when it is saved."""
    if user.role == "manager" and not user.locations:
        flash(_("%(name)s manages no branch yet and will see no visits: tick their branches.", name=user.name),
              "error")


def _warn_waiting(count: int, name: str) -> None:
    if count:
        flash(ngettext("%(name)s still has %(num)d scheduled visit not started: cancel it and schedule it again "
                       "for someone else under Scheduled visits.",
                       "%(name)s still has %(num)d scheduled visits not started: cancel them and schedule them "
                       "again for someone else under Scheduled visits.", count, name=name), "error")


@bp.post("/users/<int:user_id>/reactivate")
@requires("manage_users")
def user_reactivate(user_id: int):
    user = db.get_or_404(User, user_id)
    reactivate_user(user, actor=current_user)
    db.session.commit()
    flash(_("%(name)s can sign in again.", name=user.name), "info")
    return redirect(safe_next(request.form.get("next"), url_for(".users")))


def _location_choices() -> list[SelectChoice]:
    rows = sorted(db.session.execute(select(Location.code, Location.name)), key=lambda row: code_key(row[0]))
    return options((code, f"{code} · {name}") for code, name in rows)
