"""The head-office dashboard ``/office``: the chain statistics as a page, with GET filters.

The figures come from :func:`chain_statistics` and are formatted by
:func:`audit.reports.chain_view.chain_view`, exactly as in the chain PDF the page links to.
Head office only (``view_locations``); everyone else gets 404.
"""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlencode

from flask import Blueprint, abort, make_response, redirect, render_template, request, url_for
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import DateField, SelectField
from wtforms.validators import Optional, ValidationError

from ..policy import may
from ..reports.chain_view import DASHBOARD, chain_view
from ..reports.periods import preset_periods
from ..services import filter_choices
from ..services.chain_stats import StatsFilter, chain_statistics
from ..times import FIRST_DAY, LAST_DAY, in_calendar, local_today
from .labels import FORMAT_NAMES
from .options import checklist_options, options
from .forms import AppForm

bp = Blueprint("office", __name__)

#: The location page (built by the location-page blueprint) lives under this path.
LOCATION_PAGE = "/office/locations/"


class FilterForm(AppForm):
    """The dashboard's filters, read from the query string (GET: no CSRF token)."""

    class Meta:
        csrf = False

    checklist = SelectField(_l("Checklist"))
    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("Until"), validators=[Optional()])
    region = SelectField(_l("Region"), default="")
    format = SelectField(_l("Format"), default="")  # "format" in the query string, as the PDF link has it
    scenario = SelectField(_l("Scenario"), default="")

    def validate_since(self, field):
        _check_calendar(field)

    def validate_until(self, field):
        _check_calendar(field)
        if self.since.data and field.data and field.data < self.since.data:
            raise ValidationError(_("The end date is before the start date; it is ignored."))


def _check_calendar(field) -> None:
    if field.data and not in_calendar(field.data):
        raise ValidationError(_("“%(value)s” is not between %(first)s and %(last)s; this filter is left out.",
                                value=_given(field), first=FIRST_DAY.year, last=LAST_DAY.year))


def _given(field) -> str:
    return (field.raw_data[0] if field.raw_data else "")[:40]


def _explain_refusals(form: FilterForm) -> None:
    """WTForms' "Not a valid choice." named neither what was asked for nor what is shown instead."""
    for field in (form.since, form.until):
        if field.errors and field.data is None and _given(field):
            field.errors = [_("“%(value)s” is not a date; this filter is left out.", value=_given(field))]
    for field, message in ((form.checklist, _l("There is no checklist “%(value)s”; the most used one is shown.")),
                           (form.region, _l("There is no region “%(value)s”; every region is shown.")),
                           (form.format, _l("There is no branch format “%(value)s”; every format is shown.")),
                           (form.scenario, _l("No visit of this checklist has the scenario “%(value)s”; every "
                                              "scenario is shown."))):
        if field.errors and _given(field):
            field.errors = [str(message) % {"value": _given(field)}]


def current_lang() -> str:
    return get_locale().language if get_locale() else "en"


def filter_form(lang: str) -> FilterForm:
    checklists = filter_choices.checklist_choices(lang)
    keys = [key for key, _title in checklists]
    default = (filter_choices.busiest_checklist() or "") if keys else ""
    form = FilterForm(formdata=request.args, checklist=default)
    form.checklist.choices = checklist_options(checklists)
    everything = [("", _("All"))]
    form.region.choices = options(everything + [(name, name) for name in filter_choices.region_names()])
    form.format.choices = options(everything + [(f, str(FORMAT_NAMES.get(f, f)))
                                                for f in filter_choices.location_formats()])
    chosen = form.checklist.data if form.checklist.data in keys else default
    form.scenario.choices = options(everything + [(s, s) for s in filter_choices.scenarios(chosen)])
    form.validate()
    _explain_refusals(form)
    # What was wrong, before it is left out: the downloads refuse what the dashboard ignores.
    form.problems = [f"{field.label.text}: {field.errors[0]}" for field in form if field.errors]
    for field in (form.checklist, form.since, form.until, form.region, form.format, form.scenario):
        if field.errors:  # a bad filter is shown with its error and left out
            field.data = default if field is form.checklist else None
    return form


@dataclass(frozen=True)
class ChecklistFilters:
    """The dashboard's filters on a page below it that belongs to one checklist."""

    lang: str
    form: FilterForm
    spec: StatsFilter
    checklist_title: str


def checklist_filters() -> ChecklistFilters:
    """The filters of a head-office page of one checklist's figures (a question, an auditor).
    Anyone but head office gets 404. The checklist is named in the link: none, or one that does
    not exist, is a 404 too (the form would put the busiest checklist in its place, and question
    ids such as "info_accurate" are in several checklists)."""
    if not may(current_user, "view_locations"):
        abort(404)
    lang = current_lang()
    form = filter_form(lang)
    if not form.checklist.choices or form.checklist.errors or request.args.get("checklist") != form.checklist.data:
        abort(404)
    spec = spec_of(form)
    title = dict(filter_choices.checklist_choices(lang)).get(spec.checklist, spec.checklist)
    return ChecklistFilters(lang, form, spec, title)


def with_checklist(checklist: str | None):
    """The same head-office page with ``checklist`` in its link: opened without one (a link
    made from the API's ids), it is the page of that checklist rather than a 404. None: 404."""
    if not may(current_user, "view_locations") or checklist is None:
        abort(404)
    return redirect(url_for(request.endpoint, **request.view_args,
                            **{**request.args.to_dict(flat=False), "checklist": checklist}))


def download_spec() -> StatsFilter:
    """The dashboard's filters for a download (PDF, workbook, CSV). A filter the dashboard would
    show as wrong and leave out is a 400 naming it: a file of the whole chain, or an empty one,
    under a name the caller did not ask for would be taken for the answer (a nightly job)."""
    if not may(current_user, "view_locations"):
        abort(404)
    form = filter_form(current_lang())
    if not form.checklist.choices:
        abort(404)
    if form.problems:
        abort(make_response(render_template(
            "errors/error.html", code=400, title=_("These filters cannot be used"),
            message=" · ".join(form.problems)), 400))
    return spec_of(form)


def spec_of(form: FilterForm) -> StatsFilter:
    return StatsFilter(checklist=form.checklist.data, since=form.since.data, until=form.until.data,
                       region=form.region.data or None, location_format=form.format.data or None,
                       scenario=form.scenario.data or None)


def query_of(spec: StatsFilter) -> dict[str, str]:
    """The filters as query-string values (the names the PDF download reads)."""
    values = {"checklist": spec.checklist, "since": spec.since.isoformat() if spec.since else None,
              "until": spec.until.isoformat() if spec.until else None, "region": spec.region,
              "format": spec.location_format, "scenario": spec.scenario}
    return {name: value for name, value in values.items() if value}


def location_link(code: str, spec: StatsFilter) -> str:
    """The location page of ``code`` for the same checklist and period; the other filters ride
    along so that its way back to the dashboard returns to the same view."""
    return f"{request.script_root}{LOCATION_PAGE}{quote(code, safe='')}?{urlencode(query_of(spec))}"


#: The dashboard's filters in a query string, as the pages below it carry them.
DASHBOARD_FILTERS = ("checklist", "since", "until", "region", "format", "scenario")


def dashboard_filters() -> dict[str, str]:
    """The dashboard filters of the current request's query string (for links up and down)."""
    return {name: request.args[name] for name in DASHBOARD_FILTERS if request.args.get(name)}


@bp.get("/office")
@login_required
def dashboard():
    if not may(current_user, "view_locations"):
        abort(404)
    lang = current_lang()
    form = filter_form(lang)
    if not form.checklist.choices:
        return render_template("office/dashboard.html", form=form, view=None, no_checklists=True)
    spec = spec_of(form)
    stats = chain_statistics(spec, lang)
    query = query_of(spec)
    return render_template(
        "office/dashboard.html", form=form, spec=spec, no_checklists=False,
        view=chain_view(stats, DASHBOARD) if stats["visits"] else None,
        pdf_url=url_for("reports.chain_pdf", **query),
        xlsx_url=url_for("reports.chain_xlsx", **query),
        csv_url=url_for("reports.visits_csv", **query),
        location_url=lambda code: location_link(code, spec),
        auditor_url=lambda user_id: url_for("auditor_page.show", user_id=user_id, **query),
        question_url=lambda item_id: url_for("question_page.show", item_id=item_id, **query),
        region_url=lambda name: url_for("office.dashboard", **{**query, "region": name}),
        reset_url=url_for("office.dashboard", checklist=spec.checklist),
        presets=presets(query, spec, "office.dashboard"),
    )


#: The preset periods' names on the page (audit.reports.periods.preset_periods).
PRESET_NAMES = {"last_month": _l("Last month"), "last_quarter": _l("Last quarter"),
                "last_12_months": _l("Last 12 months"), "this_year": _l("This year")}


def presets(query: dict[str, str], spec: StatsFilter, endpoint: str, **path) -> list[dict]:
    """Links to ``endpoint`` that set the period and keep the other filters; the one shown is marked."""
    return [{"name": str(PRESET_NAMES[name]), "title": f"{format_date(since, 'medium')} – {format_date(until, 'medium')}",
             "url": url_for(endpoint, **path, **{**query, "since": since.isoformat(), "until": until.isoformat()}),
             "current": (spec.since, spec.until) == (since, until)}
            for name, since, until in preset_periods(local_today())]
