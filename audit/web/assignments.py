"""Scheduling visits (admins and reviewers): list, create one, import a CSV, cancel."""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import select
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from ..extensions import db
from ..models import Assignment, Checklist, Location, User
from ..names import code_key, name_key
from ..policy import may
from ..services.assignments import (
    MAX_AHEAD, MAX_WINDOW, AssignmentError, AssignmentRequest, cancel_assignment, create_assignments,
    VIEWS, count_scheduled, overlapping_open, overlaps_of_many, scheduled_assignments,
)
from ..services.assignments_csv import CSV_COLUMNS, import_assignments_csv
from ..times import local_today
from .csv_upload import CsvUploadError, csv_text
from .forms import AppForm, DayField
from .i18n import safe_next
from .options import checklist_options, options
from .paging import requested_page

bp = Blueprint("assignments", __name__)


class VisitWindowForm(AppForm):
    """The window of the visits to schedule (one, or a round), checked here by the rules
    create_assignments applies: each problem said beside its box as a sentence of the page's
    language, not as the CSV import's "2030-01-05 is more than two years ahead"."""
    due_from = DayField(_l("Due from"), validators=[InputRequired()])
    due_until = DayField(_l("Due until"), validators=[InputRequired()])

    def validate_due_until(self, field):
        if self.due_from.data and field.data and field.data < self.due_from.data:
            raise ValidationError(_("The end of the window must not be before its start."))
        if field.data and field.data < local_today():
            raise ValidationError(_("This day has passed; a visit window must end today or later."))
        if field.data and field.data > local_today() + MAX_AHEAD:
            raise ValidationError(_("More than two years ahead: check the year."))
        if self.due_from.data and field.data and field.data - self.due_from.data > MAX_WINDOW:
            raise ValidationError(_("A visit window can be at most a year long: check the years."))


class AssignmentForm(VisitWindowForm):
    location = SelectField(_l("Location"), validators=[DataRequired()])
    checklist = SelectField(_l("Checklist"), validators=[DataRequired()])
    auditor = SelectField(_l("Auditor"), validators=[DataRequired()])
    # The chain's scenarios offered while typing (templates/_scenario_suggestions.html): the
    # same scenario typed anew comes out as the chain spells it anyway (services.scenarios).
    scenario = StringField(_l("Scenario"), validators=[Length(max=200)],
                           render_kw={"list": "scenario-suggestions", "autocomplete": "off"})
    notes = TextAreaField(_l("Notes for the auditor"), validators=[Length(max=2000)])


class ImportForm(AppForm):
    file = FileField(_l("CSV file"), validators=[FileRequired(message=_l("Choose a CSV file to import."))])


def _forms() -> tuple[AssignmentForm, ImportForm]:
    form = AssignmentForm(prefix="one")
    form.location.choices = options((l.code, f"{l.code} · {l.name}") for l in sorted(db.session.scalars(
        select(Location).where(Location.active.is_(True))), key=lambda l: code_key(l.code)))
    lang = get_locale().language if get_locale() else "en"
    # Retired checklists are not offered; one sent from a page opened before the retirement is
    # kept as a choice so that the service says why it is refused (not "Not a valid choice").
    posted = request.form.get(form.checklist.name)
    form.checklist.choices = checklist_options(
        (c.key, c.title_in(lang) if c.retired_at is None else _("%(title)s (retired)", title=c.title_in(lang)))
        for c in db.session.scalars(select(Checklist).order_by(Checklist.key)) if c.retired_at is None or c.key == posted)
    # By letter, not by code point: "Jānis" before "Jeļena" (SQL's byte order put them the other way).
    form.auditor.choices = options((u.email, u.name) for u in sorted(db.session.scalars(
        select(User).where(User.role == "auditor", User.active.is_(True))), key=lambda u: name_key(u.name)))
    if form.due_from.name not in request.form:  # not this form's own post (a CSV import keeps the defaults)
        form.due_from.data = local_today()
        form.due_until.data = local_today() + timedelta(days=7)
    return form, ImportForm(prefix="csv")


LIST_PAGE = 100


def _listing() -> dict:
    """The list of scheduled visits as ``?view=open|all&q=…&page=N`` asks (open ones, the most
    urgent first, by default); every row can be reached a page at a time."""
    view = request.args.get("view") if request.args.get("view") in VIEWS else "open"
    search = request.args.get("q", "")[:100]
    page = requested_page(count_scheduled(view, search), LIST_PAGE)
    rows = scheduled_assignments(view, search, offset=page.offset, limit=page.size)
    return {"rows": rows, "page": page, "view": view, "search": search, "today": local_today()}


#: The CSV column each form field is checked as.
FORM_FIELDS = {"location_code": "location", "checklist": "checklist", "auditor": "auditor", "due_from": "due_from",
               "due_until": "due_until", "scenario": "scenario", "notes": "notes"}


def _require_scheduler() -> None:
    if not may(current_user, "manage_assignments"):
        abort(404)


def _as_sentence(message: str) -> str:
    """A problem worded for the CSV's list ("line 2: this visit is already scheduled (…)"), shown
    on its own: a capital letter and a full stop, in every language."""
    message = message[:1].upper() + message[1:]
    return message if message.endswith((".", "!", "?", "…")) else message + "."


@bp.route("/assignments", methods=["GET", "POST"])
@login_required
def index():
    _require_scheduler()
    form, import_form = _forms()
    if form.validate_on_submit():
        try:
            created = create_assignments([AssignmentRequest(
                location_code=form.location.data, checklist=form.checklist.data, auditor=form.auditor.data,
                due_from=form.due_from.data, due_until=form.due_until.data, scenario=form.scenario.data or "",
                notes=form.notes.data or "")], current_user)
        except AssignmentError as exc:
            db.session.rollback()
            # Each problem beside its field, without the CSV's "assignment 1: due_until:" prefix.
            for column, message in exc.fields:
                field = getattr(form, FORM_FIELDS.get(column, ""), None)
                if field is None:
                    flash(_as_sentence(message), "error")
                else:
                    field.errors = list(field.errors) + [message]
        else:
            db.session.commit()
            flash(_("Visit scheduled."), "info")
            _warn_of_overlaps(created[0])
            return redirect(url_for("assignments.index"))
    return render_template("assignments/index.html", form=form, import_form=import_form,
                           columns=CSV_COLUMNS, import_errors=[], **_listing())


def _warn_of_overlaps(assignment: Assignment) -> None:
    """Say so when the branch already has an open visit of the checklist in the window."""
    others = overlapping_open(assignment)
    if others:
        # The visits in brackets: a medium date may end with a full stop ("13. dec.", "2026 г."),
        # and one right before the sentence's own made "dec.. Atceliet".
        flash(_("%(code)s already has an open visit of this checklist in these days (%(visits)s). Cancel one of "
                "them if it was not meant.", code=assignment.location.code,
                visits="; ".join(f"{a.auditor.name}, {format_date(a.due_from)} – {format_date(a.due_until)}"
                                 for a in others)), "warn")


#: Branches named in the warning after an import; the rest are counted.
OVERLAPS_NAMED = 10


def _warn_of_imported_overlaps(created: list[Assignment]) -> None:
    """After an import, the branches where an imported visit shares days with another open visit
    of its checklist (in the file or scheduled before), each with every visit involved: a file
    planned twice over, or a round imported on top of visits scheduled by hand."""
    places: dict[tuple[int, int], dict[int, Assignment]] = {}
    overlapping = overlaps_of_many(created)
    for assignment, others in overlapping:
        involved = places.setdefault((assignment.location_id, assignment.checklist_id), {})
        for one in (assignment, *others):
            involved[one.id] = one
    if not places:
        return
    lang = str(get_locale())
    named = []
    for involved in list(places.values())[:OVERLAPS_NAMED]:
        visits = sorted(involved.values(), key=lambda a: (a.due_from, a.id))
        named.append(f"{visits[0].location.code} ({visits[0].checklist.title_in(lang)}): " + ", ".join(
            f"{a.auditor.name} {format_date(a.due_from)} – {format_date(a.due_until)}" for a in visits))
    if len(places) > OVERLAPS_NAMED:
        rest = len(places) - OVERLAPS_NAMED
        named.append(ngettext("%(num)d more branch", "%(num)d more branches", rest))
    # The list last, with no full stop after it: it may end with a date that has its own ("13. dec.").
    flash(ngettext("%(num)d imported visit shares its days with another open visit of the same checklist at the "
                   "same branch. Cancel those that were not meant. By branch: %(visits)s",
                   "%(num)d imported visits share their days with another open visit of the same checklist at the "
                   "same branch. Cancel those that were not meant. By branch: %(visits)s",
                   len(overlapping), visits="; ".join(named)), "warn")


@bp.post("/assignments/import")
@login_required
def import_csv():
    _require_scheduler()
    form, import_form = _forms()
    errors: list[str] = []
    if import_form.validate_on_submit():
        raw = import_form.file.data.read(2_000_001)
        try:
            if len(raw) > 2_000_000:
                raise AssignmentError([_("The file is larger than 2 MB.")])
            created = import_assignments_csv(csv_text(raw, "utf-8"), current_user)
        except CsvUploadError as exc:
            errors = [str(exc)]
        except AssignmentError as exc:
            db.session.rollback()
            errors = exc.errors
        else:
            db.session.commit()
            flash(ngettext("%(num)d visit scheduled.", "%(num)d visits scheduled.", len(created)), "info")
            _warn_of_imported_overlaps(created)
            return redirect(url_for("assignments.index"))
    else:
        errors = [str(e) for e in import_form.file.errors]
    return render_template("assignments/index.html", form=form, import_form=import_form,
                           columns=CSV_COLUMNS, import_errors=errors, **_listing()), 400


@bp.post("/assignments/<int:assignment_id>/cancel")
@login_required
def cancel(assignment_id: int):
    _require_scheduler()
    assignment = db.get_or_404(Assignment, assignment_id)
    try:
        cancel_assignment(assignment, current_user)
    except AssignmentError:
        db.session.rollback()
        flash(_("This assignment was already started; it cannot be cancelled."), "error")
    else:
        db.session.commit()
        flash(_("Assignment cancelled."), "info")
    # Back to the list as it was (its search, view and page): the search was lost after every cancel.
    return redirect(safe_next(request.form.get("next"), url_for("assignments.index")))
