"""Home page per role, plus read-only pages for a checklist version and a visit."""
from __future__ import annotations


from flask import Blueprint, abort, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..checklist.changes import version_changes
from ..extensions import db
from ..models import AuditLogEntry, Checklist, ChecklistVersion, Visit
from ..policy import may
from ..scoring import score_visit
from ..services import overview
from ..services.assignments import auditor_work
from ..services.visits import outside_window
from ..services.review import open_disputes
from .fill_view import choices
from ..times import local_today

bp = Blueprint("home", __name__)

WAITING_ON_HOME = 20  # the longest waiting; the review queue has them all


@bp.get("/")
@login_required
def index():
    user = current_user
    context = {"visits": overview.recent_visits(user), "counts": overview.visit_counts_by_status(user)}
    if may(user, "view_locations") or user.role == "manager":
        context["locations"] = overview.locations_overview(user)
    if may(user, "view_checklists"):
        context["checklists"] = overview.checklists_overview()
    if may(user, "view_users"):
        context["user_counts"] = overview.user_counts_by_role()
    if may(user, "review_visits"):
        context["waiting"] = overview.waiting_for_review(user, limit=WAITING_ON_HOME)
        context["waiting_total"] = overview.count_waiting(user)
        context["disputes"] = open_disputes()
    if user.role == "auditor":
        context["work"] = auditor_work(user, local_today())
    return render_template(f"home/{user.role}.html", **context)


@bp.get("/checklists")
@login_required
def checklists():
    if not may(current_user, "view_checklists"):
        abort(404)
    return render_template("home/checklists.html", checklists=overview.checklists_overview())


@bp.get("/checklists/<key>")
@login_required
def checklist(key: str):
    if not may(current_user, "view_checklists"):
        abort(404)
    found = db.session.scalar(
        select(Checklist).where(Checklist.key == key).options(selectinload(Checklist.versions))
    )
    if found is None or not found.versions:
        abort(404)
    number = request.args.get("version", type=int)
    if "version" in request.args and not any(v.number == number for v in found.versions):
        abort(404)  # not quietly another version than the one asked for
    version = next((v for v in found.versions if v.number == number), found.current_version)
    previous = next((v for v in reversed(found.versions) if v.number < version.number), None)
    return render_template(
        "home/checklist.html", checklist=found, version=version, definition=version.parsed, previous=previous,
        changes=version_changes(previous.parsed, version.parsed) if previous else None,
    )


@bp.get("/visits/<int:visit_id>")
@login_required
def visit(visit_id: int):
    return visit_page(visit_id)


def visit_page(visit_id: int, refused: dict | None = None):
    """The visit page; ``refused`` re-shows a review form the server refused, with what was typed.

    ``refused`` is ``{"form": "return" | "dispute" | "decide", "values": request.form}`` (plus
    ``"dispute_id"`` for a decision), so a refused note is shown again instead of being lost.
    """
    found = db.session.scalar(
        select(Visit)
        .where(Visit.id == visit_id)
        .options(
            selectinload(Visit.answers), selectinload(Visit.section_scores), selectinload(Visit.evidence),
            selectinload(Visit.review_comments), selectinload(Visit.disputes),
            selectinload(Visit.location), selectinload(Visit.auditor),
            selectinload(Visit.checklist_version).selectinload(ChecklistVersion.checklist),
        )
    )
    # 404 rather than 403: a visit the user may not see does not exist for them.
    if found is None or not may(current_user, "view_visit", found):
        abort(404)
    definition = found.checklist_version.parsed
    answers = {a.item_id: a for a in found.answers}
    result = score_visit(definition, {item_id: a.value for item_id, a in answers.items()})
    photos: dict[str | None, list] = {}
    for evidence in found.evidence:
        photos.setdefault(evidence.item_id, []).append(evidence)
    history = db.session.scalars(
        select(AuditLogEntry).where(AuditLogEntry.object_type == "visit", AuditLogEntry.object_id == str(found.id))
        .options(selectinload(AuditLogEntry.user)).order_by(AuditLogEntry.at, AuditLogEntry.id)
    ).all()
    return render_template(
        "home/visit.html", visit=found, definition=definition, answers=answers, result=result,
        photos=photos, history=history, choices=choices,
        can_edit=may(current_user, "edit_visit", found),
        can_review=may(current_user, "review_visit", found),
        can_dispute=may(current_user, "dispute_visit", found) and found.status == "approved",
        can_decide=may(current_user, "decide_dispute", found),
        can_see_review_notes=may(current_user, "view_review_notes"),
        outside_window=outside_window(found),
        next_waiting=overview.next_waiting(current_user, found) if may(current_user, "review_visits") else None,
        refused=refused or {},
    )
