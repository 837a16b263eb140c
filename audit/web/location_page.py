"""The location page ``/office/locations/<code>``: the location report as HTML, with period
filters, links to the visits and the PDF download.

Head office sees every location, a branch manager only their own; anyone else gets 404, as
for a location that does not exist.
"""
from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select

from ..extensions import db
from ..models import Location
from ..policy import may, visible_locations
from ..reports.common import ReportError
from ..times import FIRST_DAY, LAST_DAY, in_calendar, local_today
from ..reports.location_report import default_period, location_report_context
from ..services.actions import location_actions
from ..services.filter_choices import busiest_checklist
from ..services.overview import checklists_overview
from .labels import FORMAT_NAMES
from .office import dashboard_filters

bp = Blueprint("location_page", __name__)



def _date_arg(name: str, problems: list[str]) -> date | None:
    text = request.args.get(name, "").strip()
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        problems.append(_("“%(value)s” is not a date; the default period is shown.", value=text[:20]))
        return None
    if not in_calendar(day):
        problems.append(_("%(value)s is not between %(first)s and %(last)s; the default period is shown.",
                          value=text[:20], first=FIRST_DAY.year, last=LAST_DAY.year))
        return None
    return day


@bp.get("/office/locations/<code>")
@login_required
def show(code: str):
    found = db.session.scalar(select(Location.code).where(func.upper(Location.code) == code.upper(),
                                                         visible_locations(current_user)))
    if found is None:
        abort(404)
    if found != code:  # codes are unique whatever their case: kns-224 is KNS-224, at its own address
        query = request.query_string.decode()
        return redirect(url_for("location_page.show", code=found) + (f"?{query}" if query else ""))
    problems: list[str] = []
    since, until = _date_arg("since", problems), _date_arg("until", problems)
    first, last = default_period(since, until)  # a "since" after today also ends before it starts
    if last < first:
        problems.append(_("The period ends before it starts; the default period is shown."))
        since = until = None
    checklists = checklists_overview()
    keys = [c["key"] for c in checklists]
    checklist = request.args.get("checklist") or busiest_checklist(found)
    if checklist not in keys:
        abort(404)
    lang = get_locale().language if get_locale() else "en"
    try:
        context = location_report_context(found, since, until, checklist, lang)
    except ReportError:
        abort(404)
    # Whoever sees the branch page (head office, the branch's managers) sees its actions.
    period = context["period"]
    # The question across the chain for this page's period and checklist; the dashboard's other
    # filters (region, format, scenario) ride along, so that the trail leads back to the same view.
    question_links = ((lambda item_id: url_for("question_page.show", item_id=item_id, **{
        **dashboard_filters(), "checklist": checklist, "since": period["since"].isoformat(),
        "until": period["until"].isoformat()})) if may(current_user, "view_locations") else None)
    return render_template("office/location.html", checklists=checklists, problems=problems, links=True,
                           question_links=question_links,
                           actions=location_actions(found, local_today(), lang),
                           notes=_notes(defaulted=since is None and until is None) if may(current_user, "view_locations")
                           else [], **context)


def _notes(defaulted: bool) -> list[str]:
    """What differs from the dashboard row that linked here, said on the page: the dashboard's
    region, format and scenario filters do not narrow this page, and a dashboard without a
    period counts every visit while this page shows a period."""
    chosen = [f"{label}: {FORMAT_NAMES.get(value, value) if name == 'format' else value}"
              for name, label in (("region", _("region")), ("format", _("format")), ("scenario", _("scenario")))
              if (value := request.args.get(name, "").strip())]
    notes = []
    if chosen:
        notes.append(_("The dashboard's filters (%(filters)s) do not apply here: all of this branch's visits "
                       "in the period are compared with the whole chain.", filters="; ".join(chosen)))
    if defaulted:
        notes.append(_("No period was chosen, so the last 3 months are shown; the dashboard without a period "
                       "counts every visit. Choose a period above."))
    return notes
