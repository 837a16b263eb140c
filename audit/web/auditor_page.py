"""The auditor page ``/office/auditors/<user id>``: one auditor's scoring against the other
auditors at the same branches, with the dashboard's filters — their leniency, the questions they
score differently beyond chance, and their latest visits.

Head office only (``view_locations``); everyone else gets 404, as for a user who is not an
auditor or never made a visit of the checklist.
"""
from __future__ import annotations

from flask import Blueprint, abort, render_template, request, url_for
from flask_login import login_required
from sqlalchemy import select

from ..extensions import db
from ..models import User, Visit
from ..reports.auditor_view import auditor_view
from ..services.auditor_stats import auditor_statistics
from ..services.filter_choices import busiest_checklist
from .office import checklist_filters, presets, query_of, with_checklist

bp = Blueprint("auditor_page", __name__)


@bp.get("/office/auditors/<int:user_id>")
@login_required
def show(user_id: int):
    if not request.args.get("checklist"):  # the checklist they made most of their visits with
        return with_checklist(busiest_checklist(auditor_id=user_id))
    page = checklist_filters()
    spec = page.spec
    auditor = db.session.get(User, user_id)
    # Whoever made visits (an auditor made a reviewer since still has them); nobody else.
    if auditor is None or db.session.scalar(select(Visit.id).where(Visit.auditor_id == user_id).limit(1)) is None:
        abort(404)
    a = auditor_statistics(spec, user_id, page.lang)
    query = query_of(spec)
    return render_template(
        "office/auditor.html", form=page.form, spec=spec, auditor=auditor, lang=page.lang,
        checklist_title=page.checklist_title,
        view=auditor_view(a) if a["visits"] else None,
        dashboard_url=url_for("office.dashboard", **query) + "#auditors",
        question_url=lambda item_id: url_for("question_page.show", item_id=item_id, **query),
        presets=presets(query, spec, "auditor_page.show", user_id=user_id),
        reset_url=url_for("auditor_page.show", user_id=user_id, checklist=spec.checklist),
    )
