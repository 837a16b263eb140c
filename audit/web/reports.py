"""Report downloads (PDF, and the chain statistics as Excel): the same builders as
``audit report``, behind the access policy."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, request
from flask_babel import get_locale
from flask_login import current_user, login_required
from sqlalchemy import select

from ..extensions import db
from ..models import Location, Visit
from ..policy import may, visible_locations
from ..reports.common import ReportError

bp = Blueprint("reports", __name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _lang() -> str:
    return get_locale().language if get_locale() else "en"


def _date(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args[name]) if request.args.get(name) else None
    except ValueError:
        abort(400)


def _attachment(data: bytes, mimetype: str, filename: str) -> Response:
    return Response(data, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "private, no-store"})


def _pdf(data: bytes, filename: str) -> Response:
    return _attachment(data, "application/pdf", filename)


@bp.get("/visits/<int:visit_id>/report.pdf")
@login_required
def visit_pdf(visit_id: int):
    from ..reports.visit_report import visit_report_pdf

    visit = db.session.get(Visit, visit_id)
    if visit is None or not may(current_user, "view_visit", visit):
        abort(404)
    return _pdf(visit_report_pdf(visit_id, _lang()), f"visit-{visit_id}.pdf")


@bp.get("/locations/<code>/report.pdf")
@login_required
def location_pdf(code: str):
    from ..reports.location_report import location_report_pdf

    found = db.session.scalar(select(Location.id).where(Location.code == code, visible_locations(current_user)))
    if found is None:
        abort(404)
    try:
        data = location_report_pdf(code, _date("since"), _date("until"),
                                   request.args.get("checklist", "store-visit"), _lang())
    except ReportError:
        abort(404)
    return _pdf(data, f"location-{code}.pdf")


def _chain_spec():
    """The dashboard's filters from the query string (head office only: else 404)."""
    from ..services.chain_stats import StatsFilter

    if not may(current_user, "view_locations"):
        abort(404)
    return StatsFilter(checklist=request.args.get("checklist", "store-visit"), since=_date("since"),
                       until=_date("until"), region=request.args.get("region") or None,
                       location_format=request.args.get("format") or None,
                       scenario=request.args.get("scenario") or None)


@bp.get("/office/report.pdf")
@login_required
def chain_pdf():
    from ..reports.chain_report import chain_report_pdf

    spec = _chain_spec()
    try:
        data = chain_report_pdf(spec, _lang())
    except ReportError:
        abort(404)
    return _pdf(data, f"chain-{spec.checklist}.pdf")


@bp.get("/office/statistics.xlsx")
@login_required
def chain_xlsx():
    from ..reports.chain_workbook import chain_workbook

    spec = _chain_spec()
    try:
        data = chain_workbook(spec, _lang())
    except ReportError:
        abort(404)
    return _attachment(data, XLSX, f"chain-{spec.checklist}.xlsx")
