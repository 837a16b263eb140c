"""Corrective actions: planned and marked done on the visit page; head office's list of open
actions across the chain (``/actions``). Who may do what is decided in :mod:`audit.policy`."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..extensions import db
from ..models import CorrectiveAction, Visit
from ..policy import may, visible_actions
from ..services.actions import complete_action, count_open_actions, open_actions, plan_action
from ..services.filter_choices import region_names
from ..services.visits import VisitError, VisitInvalid
from ..times import local_today
from .home import visit_page
from .messages import translate_error
from .paging import requested_page

bp = Blueprint("actions", __name__)

LIST_PAGE = 100


def _visit(visit_id: int) -> Visit:
    """The visit, if the user may see its actions; 404 otherwise (also for auditors)."""
    visit = db.session.get(Visit, visit_id)
    if visit is None or not may(current_user, "view_actions", visit):
        abort(404)
    return visit


def _refused(visit_id: int, exc: VisitError, refused: dict):
    """Roll back; a form with wrong fields comes back as typed, each message beside its field."""
    db.session.rollback()
    if isinstance(exc, VisitInvalid) and set(exc.errors) - {"item_id"}:
        flash(_("The action was not saved: see what to correct below."), "error")
        errors = {key: translate_error(message) for key, message in exc.errors.items()}
        return visit_page(visit_id, refused={**refused, "values": request.form, "errors": errors})
    for message in (exc.errors.values() if isinstance(exc, VisitInvalid) else [exc.message]):
        flash(translate_error(message), "error")
    return redirect(url_for("home.visit", visit_id=visit_id))


@bp.post("/visits/<int:visit_id>/actions")
@login_required
def plan(visit_id: int):
    visit = _visit(visit_id)
    item_id = request.form.get("item_id", "")
    try:
        action = plan_action(visit, current_user, item_id, request.form.get("text", ""),
                             request.form.get("responsible", ""), request.form.get("due_on", ""), local_today())
    except VisitError as exc:
        return _refused(visit_id, exc, {"form": "action", "item_id": item_id})
    db.session.commit()
    flash(_("Corrective action planned."), "info")
    return _to_action(visit_id, action.id)


@bp.post("/actions/<int:action_id>/done")
@login_required
def done(action_id: int):
    action = db.session.get(CorrectiveAction, action_id)
    if action is None:
        abort(404)
    visit_id = _visit(action.visit_id).id
    try:
        complete_action(action, current_user, request.form.get("note", ""))
    except VisitError as exc:
        return _refused(visit_id, exc, {"form": "done", "action_id": action_id})
    db.session.commit()
    flash(_("Corrective action marked done."), "info")
    return _to_action(visit_id, action_id)


def _to_action(visit_id: int, action_id: int):
    """The visit's page at the action just planned or done, marked (the page's top, where the
    message is, was out of sight at "What went wrong": the manager saw no sign it went through)."""
    return redirect(url_for("home.visit", visit_id=visit_id, _anchor=f"action-{action_id}"))


@bp.get("/actions")
@login_required
def index():
    """Open actions across the chain, overdue first, by region and branch, a page at a time."""
    if not may(current_user, "view_chain_actions"):
        abort(404)
    regions = region_names()
    region = request.args.get("region", "")
    region = region if region in regions else ""
    search = request.args.get("q", "")[:100]
    today = local_today()
    where = visible_actions(current_user)
    counts = count_open_actions(where, today, region, search)
    page = requested_page(counts["open"], LIST_PAGE)
    rows = open_actions(where, today, get_locale().language if get_locale() else "en", region, search,
                        offset=page.offset, limit=page.size)
    return render_template("actions/index.html", rows=rows, counts=counts, page=page, regions=regions,
                           region=region, search=search, today=today)
