"""Report downloads (PDF, the chain statistics as Excel, the answers as CSV): the same
builders as ``audit report`` and ``audit export-visits``, behind the access policy."""
from __future__ import annotations

import re
import unicodedata
from datetime import date
from urllib.parse import quote

from flask import Blueprint, Response, abort, make_response, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select

from ..extensions import db
from ..models import Location, Visit
from ..policy import may, visible_locations
from ..reports.common import ReportError
from ..services.filter_choices import busiest_checklist
from ..services import audit_log
from ..times import FIRST_DAY, LAST_DAY, in_calendar
from .i18n import spreadsheet_separator
from .office import download_spec

bp = Blueprint("reports", __name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _lang() -> str:
    return get_locale().language if get_locale() else "en"


def _date(name: str) -> date | None:
    """The day in the query's ``name``; a value that is not a day is a 400 saying so."""
    text = request.args.get(name, "").strip()
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        _refuse_filters(_("“%(value)s” is not a date.", value=text[:20]))
    if not in_calendar(day):
        _refuse_filters(_("%(value)s is not between %(first)s and %(last)s.", value=text[:20],
                          first=FIRST_DAY.year, last=LAST_DAY.year))
    return day


def _refuse_filters(message: str):
    """A 400 page naming what cannot be used (as the chain downloads' :func:`office.download_spec`):
    a file of another period under the name asked for would be taken for the answer."""
    abort(make_response(render_template("errors/error.html", code=400, title=_("These filters cannot be used"),
                                        message=message), 400))


def download_name(ext: str, *parts: object) -> str:
    """A file name that says what the file holds — ``chain-store-visit-Rīga-mall-2026-11-01_2026-11-30.pdf``
    — so that downloads with other filters do not overwrite each other: letters of any alphabet,
    digits, ``.`` and ``_``, the rest ``-``; empty parts left out."""
    words = []
    for part in parts:
        text = re.sub(r"[^\w.]+", "-", unicodedata.normalize("NFC", str(part or ""))).strip("-._")
        if text:
            words.append(text[:40])
    return "-".join(words) + f".{ext}"


def content_disposition(filename: str) -> str:
    """``attachment`` with the name for every browser: an ASCII ``filename`` (letters lose their
    diacritics, other alphabets become ``-``) and the name itself as ``filename*`` (RFC 6266)."""
    plain = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
    plain = re.sub(r"-+(\.\w+)$", r"\1", re.sub(r"-{2,}", "-", re.sub(r"[^A-Za-z0-9._-]", "-", plain)))
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _period(spec) -> str:
    """``since_until`` of a filter (or of a dict with those keys), empty when neither is set."""
    since, until = ((spec.get("since"), spec.get("until")) if isinstance(spec, dict)
                    else (spec.since, spec.until))
    if since and until:
        return f"{since}_{until}"
    return f"from-{since}" if since else (f"until-{until}" if until else "")


def _chain_name(spec, ext: str) -> str:
    return download_name(ext, "chain", spec.checklist, spec.region, spec.location_format, spec.scenario,
                         _period(spec))


def _attachment(data: bytes, mimetype: str, filename: str) -> Response:
    return Response(data, mimetype=mimetype, headers={
        "Content-Disposition": content_disposition(filename), "Cache-Control": "private, no-store"})


def _pdf(data: bytes, filename: str) -> Response:
    return _attachment(data, "application/pdf", filename)


@bp.get("/visits/<int:visit_id>/report.pdf")
@login_required
def visit_pdf(visit_id: int):
    from ..reports.visit_report import visit_report_pdf

    visit = db.session.get(Visit, visit_id)
    if visit is None or not may(current_user, "view_visit", visit):
        abort(404)
    return _pdf(visit_report_pdf(visit_id, _lang(), show_auditor=may(current_user, "see_auditor_names"),
                                 show_actions=may(current_user, "view_actions", visit),
                                 show_version=may(current_user, "see_checklist_versions"),
                                 show_dispute_until=may(current_user, "dispute_visit", visit)
                                 or may(current_user, "decide_dispute", visit)),
                f"visit-{visit_id}.pdf")


@bp.get("/locations/<code>/report.pdf")
@login_required
def location_pdf(code: str):
    from ..reports.location_report import default_period, location_report_pdf

    found = db.session.scalar(select(Location.code).where(func.upper(Location.code) == code.upper(),
                                                         visible_locations(current_user)))
    if found is None:
        abort(404)
    code = found  # codes are unique whatever their case: rix-01 is RIX-01
    since, until = _date("since"), _date("until")
    first, last = default_period(since, until)  # a "since" after today ends before it starts too
    if last < first:
        _refuse_filters(_("The period ends before it starts."))
    try:
        data = location_report_pdf(code, since, until,
                                   request.args.get("checklist") or busiest_checklist(code) or "", _lang(),
                                   show_auditor=may(current_user, "see_auditor_names"))
    except ReportError:
        abort(404)
    return _pdf(data, download_name("pdf", "location", code, _period({"since": since, "until": until})))


@bp.get("/office/report.pdf")
@login_required
def chain_pdf():
    from ..reports.chain_report import chain_report_pdf

    spec = download_spec()
    try:
        data = chain_report_pdf(spec, _lang())
    except ReportError:
        abort(404)
    return _pdf(data, _chain_name(spec, "pdf"))


@bp.get("/office/statistics.xlsx")
@login_required
def chain_xlsx():
    from ..reports.chain_workbook import chain_workbook

    spec = download_spec()
    try:
        data = chain_workbook(spec, _lang())
    except ReportError:
        abort(404)
    return _attachment(data, XLSX, _chain_name(spec, "xlsx"))


@bp.get("/office/visits.csv")
@login_required
def visits_csv():
    """The answers of the dashboard's visits as CSV in the import format, streamed."""
    from ..services.checklists import current_version
    from ..services.export_csv import VisitExport

    spec = download_spec()
    if current_version(spec.checklist) is None:
        abort(404)
    # Every answer of the chain leaves the app: who took which visits is kept in the audit log.
    audit_log.record("visits.exported", "checklist", spec.checklist, current_user, filters=spec.chosen())
    db.session.commit()
    export, engine = VisitExport(spec, spreadsheet_separator()), db.engine

    def chunks():
        # Read while the response is sent, after the view has returned and its session has
        # closed: on a connection of its own, opened only when sending starts.
        with engine.connect() as connection:
            for chunk in export.chunks(connection):
                yield chunk.encode("utf-8")

    return Response(chunks(), mimetype="text/csv", headers={
        "Content-Disposition": content_disposition(download_name(
            "csv", "visits", spec.checklist, spec.region, spec.location_format, spec.scenario, _period(spec))),
        "Cache-Control": "private, no-store"})

