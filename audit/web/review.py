"""Reviewers approve or return submitted visits; managers dispute items; reviewers decide."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from sqlalchemy import select

from ..extensions import db
from ..models import AuditLogEntry, Dispute, Visit
from ..policy import may
from ..services.overview import count_waiting, waiting_for_review
from ..services.review import approve_visit, decide_dispute, raise_dispute, return_visit
from ..services.visits import VisitError, VisitInvalid
from .home import visit_page
from .i18n import short_datetime
from .messages import translate_error
from .paging import requested_page

bp = Blueprint("review", __name__)

QUEUE_PAGE = 50


@bp.get("/review")
@login_required
def queue():
    """Every visit waiting for review, the longest waiting first, a page at a time."""
    if not may(current_user, "review_visits"):
        abort(404)
    page = requested_page(count_waiting(current_user), QUEUE_PAGE)
    rows = waiting_for_review(current_user, offset=page.offset, limit=page.size)
    return render_template("home/queue.html", visits=rows, page=page)


def _visit_for(action: str, visit_id: int) -> Visit:
    """The visit, if the user may see it (else 404) and their role may do ``action`` (else 403).

    The visit's state (submitted, approved …) is checked by the service, whose message is shown.
    """
    visit = db.session.get(Visit, visit_id)
    if visit is None or not may(current_user, "view_visit", visit):
        abort(404)
    if not may(current_user, action):
        abort(403)
    return visit


def _flash_error(exc: VisitError, visit_id: int | None = None) -> None:
    db.session.rollback()
    if isinstance(exc, VisitInvalid):
        for message in exc.errors.values():
            flash(translate_error(message), "error")
    else:
        flash(_changed_meanwhile(exc.message, visit_id) or translate_error(exc.message), "error")


#: A review step refused because the visit is no longer waiting: what it became, by the log.
_DONE_MEANWHILE = {"visit.approved": "approved", "visit.returned": "returned"}


def _changed_meanwhile(message: str, visit_id: int | None) -> str | None:
    """"Only submitted visits can be returned" said what the reviewer did wrong, when another
    reviewer had approved (or returned) the visit meanwhile: who did what, and when, instead."""
    tried = {"only submitted visits can be returned": "return",
             "only submitted visits can be approved": "approve"}.get(message)
    if tried is None or visit_id is None:
        return None
    entry = db.session.scalar(
        select(AuditLogEntry).where(AuditLogEntry.object_type == "visit", AuditLogEntry.object_id == str(visit_id),
                                    AuditLogEntry.action.in_(_DONE_MEANWHILE))
        .order_by(AuditLogEntry.at.desc(), AuditLogEntry.id.desc()).limit(1))
    visit = db.session.get(Visit, visit_id)
    if entry is None or visit is None or visit.status != _DONE_MEANWHILE[entry.action]:
        return None
    who = {"name": entry.user.name if entry.user else "–", "time": short_datetime(entry.at)}
    done = (_("This visit was approved meanwhile (%(name)s, %(time)s).", **who) if visit.status == "approved"
            else _("This visit was returned to the auditor meanwhile (%(name)s, %(time)s).", **who))
    cannot = _("It can no longer be returned.") if tried == "return" else _("It can no longer be approved.")
    return f"{done} {cannot}"


def _attempt(visit: Visit, work, success: str, refused: dict | None = None, at=None):
    """Run a review step: commit and confirm, or roll back and show why not.

    Confirmed: back to the visit page, at the element ``at(what work returned)`` names, if given.
    Refused: the visit page again, with the refused form filled in as typed (``refused``, see
    :func:`home.visit_page`) — a reviewer's notes are not lost.
    """
    visit_id = visit.id
    try:
        done = work()
    except VisitError as exc:
        _flash_error(exc, visit_id)
        if refused is not None:
            errors = {key: translate_error(message) for key, message in getattr(exc, "errors", {}).items()}
            return visit_page(visit_id, refused={**refused, "values": request.form, "errors": errors})
        return redirect(url_for("home.visit", visit_id=visit_id))
    else:
        db.session.commit()
        flash(success, "info")
    return redirect(url_for("home.visit", visit_id=visit_id, _anchor=at(done) if at else None))


def _refuse(error: VisitError):
    def work():
        raise error
    return work


@bp.post("/visits/<int:visit_id>/approve")
@login_required
def approve(visit_id: int):
    visit = _visit_for("review_visits", visit_id)
    return _attempt(visit, lambda: approve_visit(visit, current_user), _("Visit approved."))


@bp.post("/visits/<int:visit_id>/return")
@login_required
def send_back(visit_id: int):
    visit = _visit_for("review_visits", visit_id)
    comments = {key[len("note-"):]: value for key, value in request.form.items() if key.startswith("note-")}
    return _attempt(visit, lambda: return_visit(visit, current_user, request.form.get("note", ""), comments),
                    _("Visit returned to the auditor."), refused={"form": "return"})


@bp.post("/visits/<int:visit_id>/disputes")
@login_required
def dispute(visit_id: int):
    visit = _visit_for("dispute_visits", visit_id)
    photo = request.files.get("photo")  # optional: a file input left empty sends no file name
    return _attempt(visit, lambda: raise_dispute(visit, current_user, request.form.get("item_id", ""),
                                                 request.form.get("reason", ""),
                                                 photo.stream if photo and photo.filename else None,
                                                 current_app.config["UPLOAD_DIR"]),
                    _("Your dispute was sent to the reviewers."), refused={"form": "dispute"},
                    # At the dispute sent, as a planned action opens at the action: the page's top,
                    # where the message is, left the manager far from the question they were on.
                    at=lambda sent: f"dispute-{sent.id}")


@bp.post("/disputes/<int:dispute_id>/decide")
@login_required
def decide(dispute_id: int):
    found = db.session.get(Dispute, dispute_id)
    if found is None:
        abort(404)
    visit = _visit_for("review_visits", found.visit_id)
    decision = request.form.get("decision")
    if decision not in ("uphold", "overturn"):  # the form always sends one: a hand-made request
        return _attempt(visit, _refuse(VisitInvalid({"decision": "choose to uphold or overturn the dispute"})), "",
                        refused={"form": "decide", "dispute_id": found.id})
    overturn = decision == "overturn"
    message = (_("Dispute overturned: the answer and the score were changed.") if overturn
               else _("Dispute rejected: the answer stays."))
    return _attempt(visit, lambda: decide_dispute(found, current_user, overturn, request.form.get("new_value"),
                                                  request.form.get("note", "")), message,
                    refused={"form": "decide", "dispute_id": found.id}, at=lambda _decided: f"dispute-{found.id}")
