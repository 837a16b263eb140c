"""The question page ``/office/questions/<item id>``: one question across the chain, with the
dashboard's filters — which branches fail it beyond chance, by region, by auditor and by month,
and the latest failures with the auditors' comments and photos.

Head office only (``view_locations``); everyone else gets 404, as for a question the checklist
never had.
"""
from __future__ import annotations

from flask import Blueprint, abort, render_template, request, url_for
from flask_login import login_required
from sqlalchemy import select

from ..extensions import db
from ..models import Checklist

from ..reports.question_view import question_view
from ..services.chain_stats import StatsError
from ..services.filter_choices import busiest_checklist
from ..services.question_stats import find_item, question_statistics
from .office import checklist_filters, location_link, presets, query_of, with_checklist

bp = Blueprint("question_page", __name__)


@bp.get("/office/questions/<item_id>")
@login_required
def show(item_id: str):
    if not request.args.get("checklist"):  # of the checklists that ask it, the one most used
        having = [key for key in db.session.scalars(select(Checklist.key)) if find_item(key, item_id) is not None]
        return with_checklist(busiest_checklist(among=having) if having else None)
    page = checklist_filters()  # a question belongs to the one checklist the link names
    spec = page.spec
    try:
        found = find_item(spec.checklist, item_id)
    except StatsError:
        abort(404)
    if found is None or not found.item.scored:  # a text or photo question has no figures
        abort(404)
    q = question_statistics(spec, item_id)
    query = query_of(spec)
    return render_template(
        "office/question.html", form=page.form, spec=spec, found=found, lang=page.lang,
        checklist_title=page.checklist_title,
        view=question_view(q) if q["answers"] else None,
        dashboard_url=url_for("office.dashboard", **query) + "#items",
        location_url=lambda code: location_link(code, spec),
        auditor_url=lambda user_id: url_for("auditor_page.show", user_id=user_id, **query),
        presets=presets(query, spec, "question_page.show", item_id=item_id),
        reset_url=url_for("question_page.show", item_id=item_id, checklist=spec.checklist),
    )
