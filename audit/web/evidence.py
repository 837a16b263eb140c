"""Photo evidence over HTTP: upload and delete (JSON, called by the checklist page's
JavaScript with an ``X-CSRFToken`` header) and serving the stored JPEGs to whoever may see
the visit, and the photos managers send with their disputes (services.dispute_photos) alike.
Everyone else gets 404: a photo they may not see does not exist for them.
"""
from __future__ import annotations

import logging

from flask import Blueprint, abort, current_app, jsonify, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf.csrf import CSRFError
from sqlalchemy import select
from werkzeug.exceptions import RequestEntityTooLarge

from ..extensions import db
from ..models import EDITABLE_STATUSES, DisputePhoto, Evidence, Visit
from ..policy import may
from ..services.dispute_photos import photo_path as dispute_photo_path
from ..services.evidence import VisitLocked, delete_photo, evidence_path, store_photo
from ..services.photo_image import MAX_BYTES, EvidenceError, PhotoTooLarge, UnsupportedPhoto

bp = Blueprint("evidence", __name__)
log = logging.getLogger(__name__)

#: The auditor's tablet may keep the photos of a visit in progress for a day (a photo never
#: changes: a new upload gets a new id); anyone else's browser asks each time, so a photo is not
#: shown from the cache of a shared computer after its reader signed out.
CACHE_SECONDS = 24 * 3600
ERROR_STATUS = ((PhotoTooLarge, 413), (UnsupportedPhoto, 415), (VisitLocked, 409), (EvidenceError, 400))


@bp.get("/evidence/<int:evidence_id>")
@login_required
def photo(evidence_id: int):
    return _serve(evidence_id, thumb=False)


@bp.get("/evidence/<int:evidence_id>/thumb")
@login_required
def thumb(evidence_id: int):
    return _serve(evidence_id, thumb=True)


@bp.get("/dispute-photos/<int:photo_id>")
@login_required
def dispute_photo(photo_id: int):
    return _serve_dispute_photo(photo_id, thumb=False)


@bp.get("/dispute-photos/<int:photo_id>/thumb")
@login_required
def dispute_thumb(photo_id: int):
    return _serve_dispute_photo(photo_id, thumb=True)


@bp.post("/visits/<visit_uuid>/photos")
def upload(visit_uuid: str):
    """Multipart ``photo`` (and ``item_id``, empty for the whole visit) → 201 JSON."""
    if not current_user.is_authenticated:
        return _signed_out()
    visit = db.session.scalar(select(Visit).where(Visit.uuid == visit_uuid))
    refusal = _refuse_changes(visit)
    if refusal:
        return refusal
    sent = request.files.get("photo")
    if sent is None:
        return _error(_("Choose a photo to upload."), 400)
    try:
        evidence = store_photo(visit, request.form.get("item_id", "").strip(), sent.stream, current_user,
                               current_app.config["UPLOAD_DIR"])
        db.session.commit()
    except EvidenceError as exc:
        db.session.rollback()
        log.info("photo for visit %s refused: %s", visit.id, exc)
        return _error(str(exc.message), next(status for kind, status in ERROR_STATUS if isinstance(exc, kind)))
    return jsonify(
        id=evidence.id, item_id=evidence.item_id, width=evidence.width, height=evidence.height,
        url=url_for("evidence.photo", evidence_id=evidence.id),
        thumb_url=url_for("evidence.thumb", evidence_id=evidence.id),
    ), 201


@bp.post("/evidence/<int:evidence_id>/delete")
def delete(evidence_id: int):
    if not current_user.is_authenticated:
        return _signed_out()
    evidence = db.session.get(Evidence, evidence_id)
    refusal = _refuse_changes(evidence.visit if evidence else None)
    if refusal:
        return refusal
    try:
        delete_photo(evidence, current_user, current_app.config["UPLOAD_DIR"])
    except VisitLocked as exc:  # submitted between the check above and the lock
        db.session.rollback()
        return _error(str(exc.message), 409)
    db.session.commit()
    return jsonify(id=evidence_id, deleted=True)


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_exc):
    """The request is over MAX_CONTENT_LENGTH: say so in JSON, which the page shows as is."""
    return _error(_("The photo is larger than %(mb)d MB.", mb=MAX_BYTES // (1024 * 1024)), 413)


@bp.errorhandler(CSRFError)
def _csrf_failed(_exc):
    return _error(_("The page has expired. Reload it and try again."), 400, retry=True)


def _refuse_changes(visit: Visit | None):
    """None if the user may add or remove photos of ``visit``, else the JSON error response."""
    if visit is None or not may(current_user, "view_visit", visit):
        return _error(_("There is no such visit."), 404)
    if visit.status not in EDITABLE_STATUSES:
        return _error(_("This visit was submitted; its photos can no longer be changed."), 409)
    if not may(current_user, "edit_visit", visit):
        return _error(_("There is no such visit."), 404)
    return None


def _serve(evidence_id: int, thumb: bool):
    evidence = db.session.get(Evidence, evidence_id)
    if evidence is None or not may(current_user, "view_visit", evidence.visit):
        abort(404)
    own_draft = evidence.visit.auditor_id == current_user.id and evidence.visit.status in EDITABLE_STATUSES
    return _send_photo(lambda: evidence_path(evidence, current_app.config["UPLOAD_DIR"], thumb=thumb),
                       f"evidence-{evidence_id}", evidence.sha256, evidence.visit, thumb, own_draft)


def _serve_dispute_photo(photo_id: int, thumb: bool):
    """A photo sent with a dispute, to whoever may see the visit (its story is on the visit page)."""
    photo = db.session.get(DisputePhoto, photo_id)
    if photo is None or not may(current_user, "view_visit", photo.dispute.visit):
        abort(404)
    return _send_photo(lambda: dispute_photo_path(photo, current_app.config["UPLOAD_DIR"], thumb=thumb),
                       f"dispute-photo-{photo_id}", photo.sha256, photo.dispute.visit, thumb, False)


def _send_photo(where, name: str, sha256: str, visit: Visit, thumb: bool, cacheable: bool):
    try:
        path = where()
    except ValueError:
        log.exception("refused to serve %s", name)
        abort(404)
    if not path.is_file():
        log.warning("%s: file %s is missing", name, path)
        abort(404)
    # Neither header tells when the photo was taken or sent: the file's own time (send_file's
    # default, in Last-Modified and the ETag) could be matched against a branch's CCTV to find
    # the shopper. The content's hash and the visit's time, which the page shows anyway.
    response = send_file(
        path, mimetype="image/jpeg", as_attachment=False, download_name=f"{name}{'-thumb' if thumb else ''}.jpg",
        etag=f"{sha256[:32]}{'-thumb' if thumb else ''}", last_modified=visit.visited_at,
    )
    response.headers["Cache-Control"] = f"private, max-age={CACHE_SECONDS}" if cacheable else "private, no-cache"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'"
    return response


def _signed_out():
    return _error(_("You are signed out. Sign in again, then try once more."), 401, retry=True)


def _error(message: str, status: int, retry: bool = False):
    """``retry``: the photo itself is fine; a queued upload should be kept and sent again later."""
    return jsonify(error=message, retry=retry), status
