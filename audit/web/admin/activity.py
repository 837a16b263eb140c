"""``/admin/activity`` (and ``.csv``): who did what and when, across the chain — the audit log in words, newest
first, 100 a page, narrowed by kind of event, by person (``?by=``), by what it concerns
(``?user=``, ``?location=``: a branch with its visits, made and scheduled) and by days.

The visit page's History shows one visit's entries; this page answers the admin's other
questions: who changed this person's role, who deleted that region, what was imported last week.
"""
from __future__ import annotations

import csv
import io
import tempfile
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, localcontext
from functools import lru_cache

from flask import render_template, request, send_file, url_for
from babel import dates as babel_dates
from babel import numbers as babel_numbers
from flask_babel import get_locale, ngettext, pgettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField
from wtforms.validators import Optional

from ...extensions import db
from ...models import Location, User
from ...services.activity import (KINDS, ActivityFilter, Subjects, activity, activity_in_batches, count_activity,
                                 is_id, subjects_of)
from ...services.export_csv import guarded
from ...times import in_calendar, local_date, local_moment
from ..forms import AppForm
from ..i18n import spreadsheet_separator
from ..labels import FORMAT_NAMES, LOG_NAMES, ROLE_NAMES
from ..paging import requested_page
from ..reports import download_name
from . import bp, requires

PAGE_SIZE = 100
KIND_NAMES = {"visits": _l("Visits and photos"), "review": _l("Review and disputes"),
              "actions": _l("Corrective actions"), "people": _l("People and sign-in"),
              "branches": _l("Branches and regions"), "checklists": _l("Checklists"),
              "scheduling": _l("Scheduling"), "data": _l("Imports and exports")}
#: Fields of a person or branch, as a change lists them.
FIELD_NAMES = {"name": _l("Name"), "email": _l("E-mail"), "role": _l("Role"), "active": _l("Active"),
               "locale": _l("Language"), "locations": _l("Branches"), "password": _l("Password"),
               "code": _l("Code"), "region": _l("Region"), "city": _l("City"), "address": _l("Address"),
               "format": _l("Format")}


class ActivityFilterForm(AppForm):
    """The page's filters, read from the query string (GET: no CSRF token)."""

    class Meta:
        csrf = False

    kind = SelectField(_l("Kind of event"), default="")
    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("Until"), validators=[Optional()])


@dataclass(frozen=True)
class Row:
    entry: object  # a row of services.activity.ENTRY_COLUMNS
    who: str
    who_id: int | None
    what: str
    subject: str
    subject_url: str | None
    details: str


@bp.get("/activity")
@requires("manage_users")
def activity_log():
    form, by, about_user, about_location, chosen = _chosen()
    page = requested_page(count_activity(chosen), PAGE_SIZE)
    entries = activity(chosen, page.offset, page.size)
    subjects = subjects_of(entries, chosen.about_location)
    return render_template("admin/activity.html", form=form, page=page, by=by, about_user=about_user,
                           about_location=about_location, rows=[_row(entry, subjects) for entry in entries],
                           without=_link_without)


@bp.get("/activity.csv")
@requires("manage_users")
def activity_csv():
    """The same entries (every page) as CSV, in the page's words and the user's language: for an
    auditor of the chain's records, or a spreadsheet. Written a thousand entries at a time to a
    file that stays in memory up to 8 MB and goes to disk beyond (a year of a large chain's log is
    tens of MB), then sent from it: no database session or language is needed while sending."""
    chosen = _chosen()[-1]
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    for text in _csv_lines(chosen, spreadsheet_separator()):
        out.write(text.encode("utf-8"))
    out.seek(0)
    response = send_file(out, mimetype="text/csv", as_attachment=True,
                         download_name=download_name("csv", "activity", chosen.since, chosen.until))
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _csv_lines(chosen: ActivityFilter, separator: str):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=separator, lineterminator="\r\n")
    writer.writerow([_("When"), pgettext("activity", "Who"), _("E-mail"), pgettext("activity", "What"),
                     _("Concerning"), _("Details"), _("Event")])
    yield "\ufeff" + buffer.getvalue()
    memo: dict = {}  # names and days worked out once for the whole file
    for batch in activity_in_batches(chosen):
        buffer.seek(0), buffer.truncate()
        subjects = subjects_of(batch, chosen.about_location)
        subjects.memo = memo
        for entry in batch:
            row = _row(entry, subjects, linked=False)
            writer.writerow([local_moment(entry.at).strftime("%Y-%m-%d %H:%M:%S"), guarded(row.who),
                             entry.user_email or "", row.what, guarded(row.subject),
                             guarded(row.details), entry.action])
        yield buffer.getvalue()


def _chosen():
    """The filters of the query string: the form, the people and branch named, the filter."""
    form = ActivityFilterForm(request.args)
    form.kind.choices = [("", _("Everything"))] + [(key, KIND_NAMES[key]) for key in KINDS]
    form.validate()
    _explain_refused_days(form)
    by, about_user, about_location = (_record_arg(User, "by"), _record_arg(User, "user"),
                                     _record_arg(Location, "location"))
    chosen = ActivityFilter(
        kind=form.kind.data if form.kind.data in KINDS else "",
        by=by.id if by else None, about_user=about_user.id if about_user else None,
        about_location=about_location.id if about_location else None,
        since=None if form.since.errors else form.since.data,
        until=None if form.until.errors else form.until.data)
    return form, by, about_user, about_location, chosen


def _explain_refused_days(form: ActivityFilterForm) -> None:
    """Say what was typed and that it is left out (WTForms says only "Not a valid date value")."""
    for day in (form.since, form.until):
        if day.data is not None and not in_calendar(day.data):  # year 1 or 9999: no moment to compare with
            day.data, day.errors = None, ["-"]
        if day.errors:
            given = (day.raw_data[0] if day.raw_data else "")[:40]
            day.errors = [_("“%(value)s” is not a date; this filter is left out.", value=given)]
    if form.since.data and form.until.data and form.until.data < form.since.data and not form.until.errors:
        form.until.errors = [_("The end date is before the start date; it is ignored.")]


def _record_arg(model, name: str):
    """The person or branch the query string's ``name`` names, or None (absent, not an id, or gone)."""
    raw = request.args.get(name, "")
    return db.session.get(model, int(raw)) if is_id(raw) else None


def _link_without(name: str) -> str:
    """This page's address without the filter ``name`` (the ✕ on its chip)."""
    return url_for("admin.activity_log", **{key: value for key, value in request.args.items()
                                            if key not in (name, "page")})


def _row(entry, subjects: Subjects, linked: bool = True) -> Row:
    details = entry.details or {}
    if entry.user_name is not None:
        who = entry.user_name
    elif entry.action == "password_link.requested":
        who = _("someone on the sign-in page")
    else:
        who = _("system")
    memo = subjects.memo
    if entry.object_type in ("visit", "user", "location") and (entry.object_type, entry.object_id) in memo:
        subject, url = memo[entry.object_type, entry.object_id]
    else:
        subject, url = _subject(entry, details, subjects, url_for if linked else lambda *_args, **_values: None)
        memo[entry.object_type, entry.object_id] = subject, url
    if entry.action not in memo:
        memo[entry.action] = str(LOG_NAMES.get(entry.action, entry.action))
    return Row(entry, who, entry.user_id, memo[entry.action], subject, url,
               _share_here(entry, subjects) or _details(entry.action, details))


def _subject(entry, details: dict, subjects: Subjects, url_for) -> tuple[str, str | None]:
    """What the entry concerns, in words, and where to see it (None: nowhere, or gone; ``url_for``
    makes the link, or nothing where there is no request to link from)."""
    key, kind = entry.object_id, entry.object_type
    if kind == "visit" and key in subjects.visits:
        visit = subjects.visits[key]
        return f"{visit.code} {visit.name} · {_day(visit.visited_at)}", url_for("home.visit", visit_id=visit.id)
    if kind == "user" and key in subjects.users:
        return subjects.users[key].name, url_for("admin.user_edit", user_id=int(key))
    if kind == "api_token" and str(details.get("for_user")) in subjects.users:
        person = subjects.users[str(details["for_user"])]
        return person.name, url_for("admin.user_edit", user_id=person.id)
    if kind == "location" and key in subjects.locations:
        location = subjects.locations[key]
        return f"{location.code} {location.name}", url_for("admin.location_edit", location_id=location.id)
    if kind == "region":
        region = subjects.regions.get(key)
        # A deleted region is named from the log: its name, or the last it was given.
        gone_name = details.get("name") or ((details.get("changes") or {}).get("name") or ["", ""])[-1]
        return (region.name, url_for("admin.region_edit", region_id=region.id)) if region else (str(gone_name), None)
    if kind == "checklist" and (key in subjects.checklists or not key.isdigit()):  # exports name it by its key
        checklist_key = subjects.checklists[key].key if key in subjects.checklists else key
        return checklist_key, url_for("home.checklist", key=checklist_key)
    if kind == "checklist_version":
        version = subjects.versions.get(key)
        checklist_key = version.checklist.key if version else str(details.get("checklist", ""))
        number = version.number if version else details.get("number")
        return (_("%(checklist)s, version %(num)s", checklist=checklist_key, num=number),
                url_for("home.checklist", key=checklist_key) if version else None)
    if kind == "import":
        return str(details.get("file") or key), None
    if kind == "assignment":
        return _scheduled(entry, details, subjects, url_for)
    return "", None


def _scheduled(entry, details: dict, subjects: Subjects, url_for) -> tuple[str, str | None]:
    """Visits scheduled together, by their branch (the only one, or the page's) or how many
    branches; one scheduled visit (cancelled) by its branch and window."""
    batch = _batch_of(entry, subjects)
    if batch is not None:
        named = batch.location_id if batch.branches == 1 else subjects.here if batch.here else None
        branch = subjects.locations.get(str(named)) if named is not None else None
        if branch is not None:
            return f"{branch.code} {branch.name}", url_for("admin.location_edit", location_id=branch.id)
        return ngettext("%(num)d branch", "%(num)d branches", batch.branches), None
    assignment = subjects.assignments.get(entry.object_id)
    if assignment is None or (entry.action == "assignments.created" and details.get("count") != 1):
        return "", None  # scheduled before entries carried their moment: only the first visit is known
    branch, url = f"{assignment.code} {assignment.name}", url_for("admin.location_edit",
                                                                  location_id=assignment.location_id)
    if entry.action == "assignments.created":
        return branch, url
    window = _day_in(assignment.due_from, str(get_locale()))
    if assignment.due_until != assignment.due_from:
        window += " – " + _day_in(assignment.due_until, str(get_locale()))
    return f"{branch} · {window}", url


def _batch_of(entry, subjects: Subjects):
    """The visits scheduled together by the entry (None for any other entry, or one written
    before entries carried their moment)."""
    return subjects.batches.get((entry.user_id, entry.at)) if entry.action == "assignments.created" else None


def _share_here(entry, subjects: Subjects) -> str:
    """On a page narrowed to a branch, how many of the visits scheduled with many branches' are its."""
    batch = _batch_of(entry, subjects)
    if batch is None or not batch.here or batch.branches == 1:
        return ""
    return ngettext("%(here)d of %(num)d visit", "%(here)d of %(num)d visits", batch.visits, here=batch.here)


def _day(moment) -> str:
    return _day_in(local_date(moment), str(get_locale()))


@lru_cache(maxsize=4096)
def _day_in(day: date, locale: str) -> str:
    """A day in words ("20 Nov 2026"): a long export names the same days thousands of times."""
    return babel_dates.format_date(day, "medium", locale=locale)


def _number(value) -> str:
    return _number_in(value, str(get_locale()))


@lru_cache(maxsize=4096)
def _number_in(value: float, locale: str) -> str:
    """As every other page shows a score (numbers.decimal_text): one decimal, rounded half up
    (71.25 was 71.2 here beside 71.3 on the visit's page)."""
    with localcontext() as context:  # Babel quantizes in the current decimal context
        context.rounding = ROUND_HALF_UP
        return babel_numbers.format_decimal(value, "0.0", locale=locale)


def _details(action: str, details: dict) -> str:
    """The few facts of an entry a person reads at a glance, in words (never a raw JSON)."""
    if action in ("visit.submitted", "visit.resubmitted", "visit.approved") and details.get("score") is not None:
        text = _("score %(score)s", score=_number(details["score"]))
        return text + (" · " + _("a critical question failed") if details.get("critical_failed") else "")
    if action == "visit.returned":
        noted = len(details.get("items", []))
        return " · ".join(filter(None, (
            ngettext("%(num)d question noted", "%(num)d questions noted", noted) if noted else "",
            _("a note on the whole visit") if details.get("note") else "")))
    if action == "dispute.overturned" and None not in (details.get("score_before"), details.get("score_after")):
        return _("score %(before)s → %(after)s", before=_number(details["score_before"]),
                 after=_number(details["score_after"]))
    if action == "user.created":
        return " · ".join(filter(None, (str(ROLE_NAMES.get(details.get("role"), "")), details.get("email", ""))))
    if action in ("user.updated", "location.updated"):
        return "; ".join(_change(name, change) for name, change in (details.get("changes") or {}).items())
    if action in ("user.deactivated", "user.signed_out_elsewhere") and "sessions_ended" in details:  # older: not
        return ngettext("%(num)d sign-in ended", "%(num)d sign-ins ended", details.get("sessions_ended", 0))
    if action in ("users.imported", "locations.imported"):  # the log keeps who and which: the list counts them
        return _("%(created)s new, %(updated)s changed", created=_count(details.get("created")),
                 updated=_count(details.get("updated")))
    if action == "visits.imported":
        return ngettext("%(num)d visit added", "%(num)d visits added", details.get("visits_created", 0))
    counted = {"visits.exported": "visits", "assignments.created": "count", "demo.built": "visits"}.get(action)
    if counted and isinstance(details.get(counted), int):  # the dashboard's export does not count its visits
        return ngettext("%(num)d visit", "%(num)d visits", details[counted])
    if action == "region.renamed":
        old, new = (details.get("changes") or {}).get("name", ["", ""])
        return f"{old} → {new}"
    if action == "password_link.requested":
        return _("mailed") if details.get("mailed") else _("not mailed: the account cannot sign in")
    if action == "api_token.created":
        return str(details.get("label", ""))
    return ""


def _count(value) -> int:
    return len(value) if isinstance(value, list) else value if isinstance(value, int) else 0


def _change(name: str, change) -> str:
    """One changed field: its name, and for a role, format or on/off the values too."""
    label = str(FIELD_NAMES.get(name, name))
    if not isinstance(change, list) or len(change) != 2:
        return label
    old, new = change
    names = {"role": ROLE_NAMES, "format": FORMAT_NAMES}.get(name)
    if names is not None:
        return f"{label}: {names.get(old, old)} → {names.get(new, new)}"
    if name == "active":
        return f"{label}: {_('yes') if old else _('no')} → {_('yes') if new else _('no')}"
    return label
