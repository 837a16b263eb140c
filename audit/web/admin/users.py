"""Admin screens for users: list, create, edit (role, locations, new password), deactivate,
set-password links, and import from CSV."""
from __future__ import annotations

import base64
import csv
import io
from datetime import UTC

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import format_datetime, ngettext
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from ...extensions import db
from ...names import code_key, name_key
from ...services.assignments import waiting_assignments
from ...models import ROLES, Location, User, utcnow
from ...passwords import MIN_LENGTH
from ...services.erasure import erase_user
from ...services.export_csv import guarded
from ...services.import_conflicts import ImportConflict
from ...services.import_csv import ImportRejected
from ...services import notifications
from ...services.mail_queue import mail_is_on
from ...services.password_links import NewLink, link_of, make_link
from ...services.users import UserError, create_user, deactivate_user, reactivate_user, update_user
from ...services.users_csv import COLUMNS, UserImport, import_users
from ...times import display_zone
from ..csv_upload import CsvUploadError, csv_text
from ..i18n import safe_next, spreadsheet_separator
from ..options import options
from . import bp, requires, show_error
from .errors import column_name, conflict_message, translate_error
from .forms import EditUserForm, NewUserForm, UserImportForm

MAX_IMPORT_BYTES = 2_000_000  # thousands of people are far smaller


@bp.get("/users")
@requires("manage_users")
def users():
    role = request.args.get("role")
    stmt = select(User).options(selectinload(User.locations)).order_by(User.active.desc(), func.lower(User.name))
    if role in ROLES:
        stmt = stmt.where(User.role == role)
    else:
        role = None
    return _users_page(role, stmt, UserImportForm(prefix="csv"))


def _users_page(role: str | None, stmt, import_form: UserImportForm, import_errors: list[str] = ()) -> str:
    counts = dict(db.session.execute(select(User.role, func.count()).group_by(User.role)).all())
    # Active first, then by name as people read a list: Šarūnas beside Sandra, not after Zita
    # (the database's own order put every name with a first letter beyond Z at the end).
    users = sorted(db.session.scalars(stmt).all(), key=lambda u: (not u.active, name_key(u.name)))
    return render_template("admin/users.html", users=users, role=role,
                           counts=counts, roles=ROLES, import_form=import_form, import_errors=import_errors,
                           columns=COLUMNS, mail_is_on=mail_is_on())


@bp.route("/users/new", methods=["GET", "POST"])
@requires("manage_users")
def user_new():
    form = NewUserForm()
    form.locations.choices = _location_choices()
    if form.validate_on_submit():
        try:
            user = create_user(form.email.data, form.role.data, form.name.data, form.password.data or None,
                               form.locations.data, actor=current_user, locale=form.language.data or None)
        except UserError as exc:
            db.session.rollback()
            show_error(form, exc)
        else:
            # Without a password the person chooses one: the link is e-mailed to them, or shown at
            # once on their page for the admin to hand on.
            new_link = make_link(user, current_user) if not user.password_hash else None
            mailed = new_link is not None and mail_is_on() and form.mail_link.data
            if mailed:
                notifications.password_link(new_link, current_user)
            db.session.commit()
            flash(_("User %(name)s created.", name=user.name), "info")
            _warn_no_branches(user)
            if mailed:
                _flash_mailed(new_link)
                return redirect(url_for(".user_edit", user_id=user.id))
            if new_link is not None:
                return _user_page(user, new_link=new_link)
            return redirect(url_for(".users"))
    return render_template("admin/user_form.html", form=form, user=None, min_length=MIN_LENGTH,
                           mail_is_on=mail_is_on())


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@requires("manage_users")
def user_edit(user_id: int):
    user = db.get_or_404(User, user_id)
    form = EditUserForm(data={
        "email": user.email, "name": user.name, "role": user.role, "active": user.active,
        "locations": [loc.code for loc in user.locations], "language": user.locale or "",
    })
    form.locations.choices = _location_choices()
    if form.validate_on_submit():
        try:
            changes = update_user(
                user, email=form.email.data, name=form.name.data, role=form.role.data, active=form.active.data,
                location_codes=form.locations.data, password=form.password.data or None, actor=current_user,
                locale=form.language.data or None,
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
    return _user_page(user, form)


def _user_page(user: User, form: EditUserForm | None = None, new_link: NewLink | None = None) -> str:
    """The user's page; ``new_link`` is shown this once (the token is stored nowhere)."""
    if form is None:
        form = EditUserForm(formdata=None, data={
            "email": user.email, "name": user.name, "role": user.role, "active": user.active,
            "locations": [loc.code for loc in user.locations], "language": user.locale or "",
        })
        form.locations.choices = _location_choices()
    link_url = url_for("password_links.set_password", token=new_link.token, _external=True) if new_link else None
    return render_template("admin/user_form.html", form=form, user=user, min_length=MIN_LENGTH,
                           link=link_of(user), new_link=new_link, link_url=link_url, now=utcnow(),
                           mail_is_on=mail_is_on())


def _flash_mailed(link: NewLink) -> None:
    flash(_("A link to choose their password was e-mailed to %(email)s. It works once, until %(time)s.",
            email=link.user.email, time=format_datetime(link.expires_at, "short")), "info")


@bp.post("/users/<int:user_id>/password-link")
@requires("manage_users")
def user_password_link(user_id: int):
    """A new one-time set-password link for the user, replacing the old: shown once, or (``how=mail``)
    e-mailed to them."""
    user = db.get_or_404(User, user_id)
    by_mail = request.form.get("how") == "mail"
    if by_mail and not mail_is_on():
        flash(_("No mail server is set up: nothing can be sent."), "error")
        return redirect(url_for(".user_edit", user_id=user.id))
    try:
        new_link = make_link(user, current_user)
    except UserError as exc:
        db.session.rollback()
        show_error(None, exc)
        return redirect(url_for(".user_edit", user_id=user.id))
    if by_mail:
        notifications.password_link(new_link, current_user)
        db.session.commit()
        _flash_mailed(new_link)
        return redirect(url_for(".user_edit", user_id=user.id))
    db.session.commit()
    return _user_page(user, new_link=new_link)


@bp.post("/users/import")
@requires("manage_users")
def users_import():
    """Users from a CSV file, all or nothing: the list page again with every problem (400), or
    the new users with their set-password links, shown once."""
    form = UserImportForm(prefix="csv")
    stmt = select(User).options(selectinload(User.locations)).order_by(User.active.desc(), func.lower(User.name))
    if not form.validate_on_submit():
        return _users_page(None, stmt, form, [str(error) for error in form.file.errors]), 400
    raw = form.file.data.read(MAX_IMPORT_BYTES + 1)
    if len(raw) > MAX_IMPORT_BYTES:
        return _users_page(None, stmt, form, [_("The file is larger than 2 MB.")]), 400
    try:
        text = csv_text(raw)
    except CsvUploadError as exc:
        return _users_page(None, stmt, form, [str(exc)]), 400
    try:
        result = import_users(text, current_user, source=form.file.data.filename or "upload")
    except ImportConflict as exc:  # another import at the same moment: the file itself is fine
        db.session.rollback()
        return _users_page(None, stmt, form, [conflict_message(exc)]), 409
    except ImportRejected as exc:
        db.session.rollback()
        errors = [_problem_text(problem) for problem in exc.errors]
        if exc.omitted:
            errors.append(_("… and %(num)d more", num=exc.omitted))
        return _users_page(None, stmt, form, errors), 400
    mailed = [link for link in result.links if mail_is_on() and form.mail_links.data]
    for link in mailed:
        notifications.password_link(link, current_user)
    db.session.commit()
    links = [(link, url_for("password_links.set_password", token=link.token, _external=True))
             for link in result.links if not mailed]
    return render_template("admin/users_imported.html", summary=_import_summary(result), result=result,
                           links=links, csv_href=_links_csv(links), mailed=mailed)


def _problem_text(problem: str) -> str:
    """``line N: column: message`` in the page's language (column names stay as in the CSV)."""
    line, column, message = (problem.split(": ", 2) + ["", ""])[:3]
    number = line.removeprefix("line ")
    line = _("line %(num)d", num=int(number)) if number.isdigit() else line
    return f"{line}: {column_name(column)}: {translate_error(message)}"


def _import_summary(result: UserImport) -> str:
    if not result.changed:
        return ngettext("Nothing changed: the %(num)d user in the file is already as the file says.",
                        "Nothing changed: the %(num)d users in the file are already as the file says.",
                        len(result.unchanged))
    return ", ".join((ngettext("%(num)d user created", "%(num)d users created", len(result.created)),
                      ngettext("%(num)d updated", "%(num)d updated", len(result.updated)),
                      ngettext("%(num)d unchanged", "%(num)d unchanged", len(result.unchanged))))


def _links_csv(links: list[tuple[NewLink, str]]) -> str | None:
    """The new users and their links as a CSV file (email,name,link,expires) in a ``data:`` URL:
    made in this request, kept nowhere on the server."""
    if not links:
        return None
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=spreadsheet_separator(), lineterminator="\r\n")
    writer.writerow(("email", "name", "link", "expires"))
    zone = display_zone()
    for link, url in links:
        expires = link.expires_at.replace(tzinfo=UTC).astimezone(zone).isoformat(sep=" ", timespec="minutes")
        writer.writerow((guarded(link.user.email), guarded(link.user.name), url, expires))
    data = base64.b64encode(("\ufeff" + buffer.getvalue()).encode("utf-8")).decode("ascii")
    return f"data:text/csv;charset=utf-8;base64,{data}"


@bp.post("/users/<int:user_id>/erase")
@requires("manage_users")
def user_erase(user_id: int):
    """Erase a deactivated user's personal data (their visits stay, under ``#id``)."""
    user = db.get_or_404(User, user_id)
    name = user.name
    try:
        erase_user(user, current_user)
    except UserError as exc:
        db.session.rollback()
        show_error(None, exc)
    else:
        db.session.commit()
        flash(_("The personal data of %(name)s are erased; the account is now %(new)s.", name=name, new=user.name),
              "info")
    return redirect(url_for(".user_edit", user_id=user.id))


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
    try:
        reactivate_user(user, actor=current_user)
    except UserError as exc:
        db.session.rollback()
        show_error(None, exc)
    else:
        db.session.commit()
        flash(_("%(name)s can sign in again.", name=user.name), "info")
    return redirect(safe_next(request.form.get("next"), url_for(".users")))


def _location_choices() -> list[SelectChoice]:
    rows = sorted(db.session.execute(select(Location.code, Location.name)), key=lambda row: code_key(row[0]))
    return options((code, f"{code} · {name}") for code, name in rows)
