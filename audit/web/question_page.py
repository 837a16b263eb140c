"""The question page ``/office/questions/<item id>``: one question across the chain, with the
dashboard's filters — which branches fail it beyond chance, by region, by auditor and by month,
and the latest failures with the auditors' comments and photos.

Head office only (``view_locations``); everyone else gets 404, as for a question the checklist
never had.
"""
from __future__ import annotations

from flask import Blueprint, abort, render_template, request, url_for
from flask_login import current_user, login_required

from ..policy import may
from ..reports.question_view import question_view
from ..services import filter_choices
from ..services.chain_stats import StatsError
from ..services.question_stats import find_item, question_statistics
from .office import current_lang, filter_form, location_link, presets, query_of, spec_of

bp = Blueprint("question_page", __name__)


@bp.get("/office/questions/<item_id>")
@login_required
def show(item_id: str):
    if not may(current_user, "view_locations"):
        abort(404)
    lang = current_lang()
    form = filter_form(lang)
    # A question belongs to one checklist, named in the link: none, or one that does not exist,
    # is a 404 (the form would put the busiest checklist in its place, and ids such as
    # "info_accurate" are in several checklists).
    if not form.checklist.choices or form.checklist.errors or request.args.get("checklist") != form.checklist.data:
        abort(404)
    spec = spec_of(form)
    try:
        found = find_item(spec.checklist, item_id)
    except StatsError:
        abort(404)
    if found is None or not found.item.scored:  # a text or photo question has no figures
        abort(404)
    q = question_statistics(spec, item_id)
    query = query_of(spec)
    return render_template(
        "office/question.html", form=form, spec=spec, found=found, lang=lang,
        checklist_title=dict(filter_choices.checklist_choices(lang)).get(spec.checklist, spec.checklist),
        view=question_view(q) if q["answers"] else None,
        dashboard_url=url_for("office.dashboard", **query) + "#items",
        location_url=lambda code: location_link(code, spec),
        auditor_url=lambda user_id: url_for("auditor_page.show", user_id=user_id, **query),
        presets=presets(query, spec, "question_page.show", item_id=item_id),
        reset_url=url_for("question_page.show", item_id=item_id, checklist=spec.checklist),
    )
