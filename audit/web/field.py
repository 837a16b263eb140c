"""The auditor's tablet: start an assigned visit, fill it in (autosaved), submit it."""
from __future__ import annotations

import uuid as uuid_module
from datetime import UTC, datetime

from flask import (
    Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, send_from_directory, url_for,
)
from flask_babel import get_timezone
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..times import stored_utc
from ..extensions import db
from ..models import EDITABLE_STATUSES, Assignment, Visit
from ..policy import may
from ..services.overview import own_visits_among
from ..services.visits import (
    VisitContent, VisitError, VisitInvalid, VisitNotEditable, find_visit, save_draft, start_visit, submit_visit,
)
from .fill_view import draft_revision, fill_context, progress
from .messages import translate_error
from .numbers import decimal_text

bp = Blueprint("field", __name__)

#: A tablet keeps the unsent work of a few visits; a longer list asked about is cut to this many.
KEPT_VISITS_ASKED = 50


@bp.get("/sw.js")
def service_worker():
    """The offline service worker; served from the root so its scope covers the fill pages."""
    response = send_from_directory(current_app.static_folder, "js/sw.js", mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/visits/kept")
@login_required
def kept_visits():
    """Asked at sign-out (static/js/sign-out.js) with ``?uuid=…`` for each visit this tablet keeps
    unsent answers or photos of; the kept records name no user, so the server says which visits are
    the signed-in user's. Those make the warning shown before signing out (a fragment of the
    dialog); none of theirs (another auditor's work on a shared tablet): 204, signed out at once."""
    asked = [uuid for uuid in request.args.getlist("uuid")[:KEPT_VISITS_ASKED] if 0 < len(uuid) <= 36]
    visits = own_visits_among(current_user, asked)
    if not visits:
        return "", 204
    for visit in visits:  # where the kept work is sent (the fill page) or listed to be copied
        visit["editable"] = visit["status"] in EDITABLE_STATUSES
        visit["url"] = (url_for("field.fill", client_uuid=visit["uuid"]) if visit["editable"]
                        else url_for("home.visit", visit_id=visit["id"]))
    return render_template("field/_kept_on_tablet.html", visits=visits)


@bp.post("/assignments/<int:assignment_id>/start")
@login_required
def start(assignment_id: int):
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None or assignment.auditor_id != current_user.id or assignment.cancelled:
        abort(404)
    client_uuid = _valid_uuid(request.form.get("client_uuid")) or str(uuid_module.uuid4())
    try:
        visit = start_visit(current_user, client_uuid, assignment=assignment)
    except VisitError as exc:
        db.session.rollback()
        flash(translate_error(exc.message), "error")
        return redirect(url_for("home.index"))
    db.session.commit()
    return redirect(url_for("field.fill", client_uuid=visit.uuid))


@bp.route("/visits/<client_uuid>/fill", methods=["GET", "POST"])
@login_required
def fill(client_uuid: str):
    visit = _editable_visit(client_uuid)
    if visit is None:
        submitted = find_visit(client_uuid)
        if submitted is None or not may(current_user, "view_visit", submitted):
            abort(404)
        if request.method == "POST" and submitted.auditor_id == current_user.id:
            try:  # the same content again is a harmless retry (a double tap, a resent form)
                submit_visit(submitted, current_user, content_from_form(submitted))
            except VisitNotEditable:
                db.session.rollback()
                return render_template("field/conflict.html", visit=submitted), 409
            db.session.rollback()
        return redirect(url_for("home.visit", visit_id=submitted.id))
    errors: dict[str, str] = {}
    saved_now = False
    if request.method == "POST":
        content = content_from_form(visit)
        try:
            if request.form.get("action") == "submit":
                try:
                    submit_visit(visit, current_user, content)
                except VisitInvalid as exc:
                    errors = exc.errors
                else:
                    db.session.commit()
                    flash(_("Visit submitted. Score: %(score)s", score=_score_text(visit.score)), "info")
                    return redirect(url_for("home.visit", visit_id=visit.id, submitted=visit.uuid))
            else:
                errors = save_draft(visit, current_user, content)
        except VisitNotEditable:  # submitted meanwhile by another request (a double tap, another tab)
            db.session.rollback()
            return fill(client_uuid)  # now answered as a post to a submitted visit: retry or conflict
        db.session.commit()  # every valid answer is kept, even when submission was refused
        saved_now = True
        if errors:
            flash(_("Some answers need attention – see the marked questions."), "error")
        elif request.form.get("action") != "submit":
            flash(_("Draft saved."), "info")
    return render_template("field/fill.html", **fill_context(visit, errors, saved_now, request.form))


@bp.post("/visits/<client_uuid>/draft")
@login_required
def autosave(client_uuid: str):
    """JSON autosave: ``{answers: {id: value}, comments: {id: text}, details: {...}}``."""
    visit = _editable_visit(client_uuid)
    if visit is None:
        existing = find_visit(client_uuid)
        if existing is not None and existing.auditor_id == current_user.id:
            return jsonify(error=_("This visit was already submitted; changes are no longer accepted."),
                           status=existing.status), 409
        abort(404)
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return jsonify(error=_("The draft could not be read.")), 400
    try:
        content = content_from_json(body)
    except ValueError as exc:
        return jsonify(error=str(exc)), 400
    try:
        errors = save_draft(visit, current_user, content)
    except VisitNotEditable as exc:
        db.session.rollback()
        return jsonify(error=translate_error(exc.message)), 409
    db.session.commit()
    return jsonify(saved=True, errors={k: translate_error(v) for k, v in errors.items()},
                   progress=progress(visit), saved_at=datetime.now(UTC).isoformat(timespec="seconds"),
                   revision=draft_revision(visit))


def content_from_form(visit: Visit) -> VisitContent:
    form = request.form
    content = VisitContent(
        scenario=form.get("scenario"), staff_description=form.get("staff_description"),
        visited_at=_local_datetime(form.get("visited_at")),
        visited_at_unreadable="visited_at" in form and _local_datetime(form.get("visited_at")) is None,
    )
    for item in visit.checklist_version.parsed.items:
        if f"answer-{item.id}" in form:
            content.answers[item.id] = form.get(f"answer-{item.id}")
        if f"comment-{item.id}" in form:
            content.comments[item.id] = form.get(f"comment-{item.id}", "")
    return content


def content_from_json(body: dict) -> VisitContent:
    answers, comments, details = body.get("answers", {}), body.get("comments", {}), body.get("details", {})
    if not all(isinstance(x, dict) for x in (answers, comments, details)):
        raise ValueError("answers, comments and details must be objects")
    if not all(isinstance(v, str) for v in comments.values()):
        raise ValueError("comments must be texts")
    if not all(v is None or isinstance(v, (str, int, float)) for v in answers.values()):
        raise ValueError("answers must be texts or numbers")
    return VisitContent(
        answers=dict(answers), comments=dict(comments),
        visited_at=_local_datetime(details.get("visited_at")),
        visited_at_unreadable="visited_at" in details and _local_datetime(details.get("visited_at")) is None,
        scenario=details.get("scenario") if isinstance(details.get("scenario"), str) else None,
        staff_description=details.get("staff_description") if isinstance(details.get("staff_description"), str) else None,
    )


def _editable_visit(client_uuid: str) -> Visit | None:
    visit = db.session.scalar(
        select(Visit).where(Visit.uuid == client_uuid).options(selectinload(Visit.answers),
                                                               selectinload(Visit.evidence))
    )
    if visit is None or not may(current_user, "edit_visit", visit):
        return None
    return visit


def _local_datetime(value) -> datetime | None:
    """A ``datetime-local`` value in the user's time zone → naive UTC; None when absent or bad."""
    if not value or not isinstance(value, str):
        return None
    try:
        local = datetime.fromisoformat(value)
    except ValueError:
        return None
    if local.tzinfo is None:
        zone = get_timezone()
        # pytz zones must localize(); replace(tzinfo=…) would use the zone's first, 1880s offset.
        local = zone.localize(local) if hasattr(zone, "localize") else local.replace(tzinfo=zone)
    return stored_utc(local)


def _valid_uuid(value: str | None) -> str | None:
    try:
        return str(uuid_module.UUID(value)) if value else None
    except ValueError:
        return None


def _score_text(score: float | None) -> str:
    return decimal_text(score)

