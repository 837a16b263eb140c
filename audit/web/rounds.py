"""Planning a round of visits (admins and reviewers): one visit of a checklist to every chosen
branch in one window, shared out among the chosen auditors by :mod:`audit.services.rounds`,
shown first and scheduled only when confirmed."""
from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ..extensions import db
from ..models import LOCATION_FORMATS, Checklist, Location, Region, User
from ..names import name_key
from ..services.assignments import AssignmentError, AssignmentRequest, create_assignments
from ..services.rounds import plan_round, scheduled_in_window
from ..times import local_today
from .admin import requires
from .assignments import VisitWindowForm
from .forms import AppForm
from .labels import FORMAT_NAMES
from .options import checklist_options, options

bp = Blueprint("rounds", __name__)

#: At most this many visits in one round (a chain's branches, a few times over).
MAX_ROUND = 2000


class RoundForm(VisitWindowForm):
    """The window is checked as for one visit (:class:`VisitWindowForm`), here rather than after the confirmation."""
    checklist = SelectField(_l("Checklist"), validators=[DataRequired()])
    region = SelectField(_l("Region"), default="")
    format = SelectField(_l("Format"), default="")
    # The chain's scenarios offered while typing (templates/_scenario_suggestions.html): the
    # same scenario typed anew comes out as the chain spells it anyway (services.scenarios).
    scenario = StringField(_l("Scenario"), validators=[Length(max=200)],
                           render_kw={"list": "scenario-suggestions", "autocomplete": "off"})
    notes = TextAreaField(_l("Notes for the auditor"), validators=[Length(max=2000)])
    auditors = SelectMultipleField(_l("Auditors to share the visits among"), widget=ListWidget(prefix_label=False),
                                   option_widget=CheckboxInput())
    #: auditors who have not set a password (imported without one): they cannot sign in to see
    #: their visits, so they are not ticked by default and the page says why
    cannot_sign_in: frozenset[str] = frozenset()

    def validate_auditors(self, field):
        if not field.data:
            raise ValidationError(_("Tick at least one auditor."))


class ConfirmRoundForm(AppForm):
    """The plan as shown, one ``CODE<TAB>e-mail`` line per visit, and the round's form as it was
    filled in (to show it again if the round is refused)."""
    plan = HiddenField(validators=[DataRequired()])
    checklist = HiddenField(validators=[DataRequired()])
    due_from = HiddenField(validators=[DataRequired()])
    due_until = HiddenField(validators=[DataRequired()])
    scenario = HiddenField()
    notes = HiddenField()
    region = HiddenField()
    format = HiddenField()
    auditors = HiddenField()


def _round_form(posted: bool = True) -> RoundForm:
    form = RoundForm() if posted else RoundForm(formdata=None)
    lang = get_locale().language if get_locale() else "en"
    form.checklist.choices = checklist_options((c.key, c.title_in(lang)) for c in db.session.scalars(
        select(Checklist).where(Checklist.retired_at.is_(None)).order_by(Checklist.key)))
    form.region.choices = options([("", _("All"))] + [(str(r.id), r.name) for r in sorted(
        db.session.scalars(select(Region)), key=lambda r: name_key(r.name))])
    form.format.choices = options([("", _("All"))] + [(f, FORMAT_NAMES[f]) for f in LOCATION_FORMATS])
    active = sorted(db.session.scalars(select(User).where(User.role == "auditor", User.active.is_(True))),
                    key=lambda u: name_key(u.name))
    form.auditors.choices = options((u.email, u.name) for u in active)
    form.cannot_sign_in = frozenset(u.email for u in active if not u.password_hash)
    if not posted or request.method != "POST":
        form.due_from.data = local_today()
        form.due_until.data = local_today() + timedelta(days=27)
        form.auditors.data = [u.email for u in active if u.email not in form.cannot_sign_in]
    return form


@bp.get("/assignments/round")
@requires("manage_assignments")
def round_form():
    return render_template("assignments/round.html", form=_round_form())


@bp.post("/assignments/round")
@requires("manage_assignments")
def preview():
    """The plan for the form's round; nothing is stored yet."""
    form = _round_form()
    if not form.validate_on_submit():
        return render_template("assignments/round.html", form=form), 400
    checklist = db.session.scalar(select(Checklist).where(Checklist.key == form.checklist.data))
    query = select(Location).where(Location.active.is_(True)).options(selectinload(Location.region))
    if form.region.data:
        query = query.where(Location.region_id == int(form.region.data))
    if form.format.data:
        query = query.where(Location.format == form.format.data)
    locations = db.session.scalars(query).all()
    auditors = db.session.scalars(select(User).where(User.email.in_(form.auditors.data))).all()
    plan = plan_round(checklist, locations, auditors, form.due_from.data, form.due_until.data)
    if len(plan.visits) > MAX_ROUND:
        form.region.errors = [_("More than %(num)d visits: choose a region or a format.", num=MAX_ROUND)]
        return render_template("assignments/round.html", form=form), 400
    confirm = ConfirmRoundForm(formdata=None, checklist=checklist.key, due_from=form.due_from.data.isoformat(),
                               due_until=form.due_until.data.isoformat(), scenario=form.scenario.data or "",
                               notes=form.notes.data or "", region=form.region.data or "",
                               format=form.format.data or "", auditors="\n".join(form.auditors.data),
                               plan="\n".join(f"{v.location.code}\t{v.auditor.email}" for v in plan.visits))
    return render_template("assignments/round.html", form=form, plan=plan, confirm=confirm, checklist=checklist,
                           matching=len(locations))


@bp.post("/assignments/round/confirm")
@requires("manage_assignments")
def confirm_round():
    form = ConfirmRoundForm()
    if not form.validate_on_submit():
        flash(_("Nothing was scheduled: plan the round again."), "error")
        return redirect(url_for(".round_form"))
    try:
        due_from, due_until = date.fromisoformat(form.due_from.data), date.fromisoformat(form.due_until.data)
    except ValueError:  # only an edited form has other dates
        flash(_("Nothing was scheduled: plan the round again."), "error")
        return redirect(url_for(".round_form"))
    requests = []
    for line in form.plan.data.splitlines()[:MAX_ROUND]:
        code, _tab, email = line.partition("\t")
        requests.append(AssignmentRequest(
            location_code=code, checklist=form.checklist.data, auditor=email, due_from=due_from,
            due_until=due_until, scenario=form.scenario.data or "", notes=form.notes.data or ""))
    # The plan left out branches with an open visit in the window; one planned in another tab
    # (or by another reviewer) since then would make two visits of one branch in one round.
    checklist = db.session.scalar(select(Checklist).where(Checklist.key == form.checklist.data))
    codes = [request.location_code for request in requests]
    taken = [] if checklist is None else sorted(db.session.scalars(select(Location.code).where(
        Location.code.in_(codes), Location.id.in_(scheduled_in_window(
            checklist, list(db.session.scalars(select(Location.id).where(Location.code.in_(codes)))),
            due_from, due_until)))))
    if taken:
        errors = [ngettext("%(codes)s has a visit of this checklist scheduled in this window since the plan was made.",
                           "%(codes)s have a visit of this checklist scheduled in this window since the plan was made.",
                           len(taken), codes=", ".join(taken))]
        return render_template("assignments/round.html", form=_refilled(form), errors=errors), 409
    try:
        created = create_assignments(requests, current_user)
    except AssignmentError as exc:  # a branch or auditor changed since the plan was made
        db.session.rollback()
        return render_template("assignments/round.html", form=_refilled(form), errors=exc.errors), 409
    db.session.commit()
    flash(ngettext("%(num)d visit scheduled.", "%(num)d visits scheduled.", len(created)), "info")
    return redirect(url_for("assignments.index"))


def _refilled(confirm: ConfirmRoundForm) -> RoundForm:
    """The round's form as it was filled in for the refused plan, to plan it again."""
    form = _round_form(posted=False)
    form.checklist.data, form.scenario.data, form.notes.data = confirm.checklist.data, confirm.scenario.data, \
        confirm.notes.data
    form.region.data, form.format.data = confirm.region.data or "", confirm.format.data or ""
    form.due_from.data, form.due_until.data = date.fromisoformat(confirm.due_from.data), \
        date.fromisoformat(confirm.due_until.data)
    form.auditors.data = [email for email in (confirm.auditors.data or "").splitlines() if email]
    return form
