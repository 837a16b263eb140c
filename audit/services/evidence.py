"""Photo evidence: store an uploaded photo for a visit (a clean JPEG, a thumbnail and the copy the
PDF reports print), find its files, delete it.

The photo is checked and re-encoded by :mod:`audit.services.photo_image` (by its content,
within its size limits, upright, without metadata); this module reads the upload, keeps the
files and their rows, and allows changes only while the auditor can still change the visit.

Files live under ``upload_dir/<visit id>/`` with random names. They follow the database
transaction: a new photo's files are removed again if the transaction is rolled back (or
never committed), and a deleted photo's files are removed only once the deletion is
committed. Services flush; the request commits. A manager's dispute photo is read and its files
written by the same functions (:func:`read_photo`, :func:`write_photo_files`; services.dispute_photos).
"""
from __future__ import annotations

import hashlib
import logging
import os
import re
import secrets
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from ..extensions import db
from ..models import EDITABLE_STATUSES, Evidence, User, Visit
from . import audit_log
from .photo_image import MAX_BYTES, EvidenceError, PhotoTooLarge, PreparedPhoto, prepare_photo, print_jpeg
from .visit_lock import hold_visit

log = logging.getLogger(__name__)

#: Stored names are ours alone: 32 hex digits, optionally ``_thumb`` or ``_print``, ``.jpg``.
STORED_NAME = re.compile(r"[0-9a-f]{32}(_thumb|_print)?\.jpg")

_NEW_FILES = "evidence.new_files"  # keys of Session.info
_DOOMED_FILES = "evidence.doomed_files"


class VisitLocked(EvidenceError):
    """The visit is submitted or approved: its photos can no longer change."""


def store_photo(visit: Visit, item_id: str | None, stream, uploaded_by: User | None,
                upload_dir: str | os.PathLike) -> Evidence:
    """Check the photo in ``stream``, store it for ``visit`` (and ``item_id``), return the row.

    ``item_id`` None or "" attaches the photo to the visit as a whole. The same photo sent
    again for the same item returns the row already stored. Raises :class:`EvidenceError`
    (or a subclass) and stores nothing when the photo is refused.
    """
    _require_editable(visit)
    item_id = item_id or None
    if item_id is not None and visit.checklist_version.parsed.item(item_id) is None:
        raise EvidenceError(_l("The checklist of this visit has no item “%(item)s”.", item=item_id[:64]))
    photo = read_photo(stream)
    sha256 = hashlib.sha256(photo.jpeg).hexdigest()
    # One picture sent twice at once (chosen twice, or a retry while the first was on its way)
    # was stored twice on PostgreSQL: both requests looked before either had written. The visit's
    # row is locked first, so the second looks after the first has committed.
    _lock_editable(visit)
    same = db.session.scalar(select(Evidence).where(
        Evidence.visit_id == visit.id, Evidence.item_id == item_id, Evidence.sha256 == sha256,
    ))
    if same is not None:
        return same  # the same photo again: a retried upload (the tablet lost the answer), not a new one

    stored, thumb = write_photo_files(photo, upload_dir, visit.id)
    evidence = Evidence(
        visit=visit, item_id=item_id, stored_name=stored.name, thumb_name=thumb.name,
        content_type="image/jpeg", width=photo.width, height=photo.height,
        size_bytes=len(photo.jpeg), sha256=sha256,
        uploaded_by_id=uploaded_by.id if uploaded_by is not None else None,
    )
    db.session.add(evidence)
    db.session.flush()
    audit_log.record("evidence.uploaded", "visit", visit.id, uploaded_by, evidence=evidence.id,
                     item=item_id, sha256=evidence.sha256, size_bytes=evidence.size_bytes)
    return evidence


def delete_photo(evidence: Evidence, user: User | None, upload_dir: str | os.PathLike) -> None:
    """Delete the photo; its files go once the deletion is committed."""
    visit = evidence.visit
    _require_editable(visit)
    _lock_editable(visit)
    doomed = []
    for where in (lambda: evidence_path(evidence, upload_dir), lambda: evidence_path(evidence, upload_dir, thumb=True),
                  lambda: print_path(evidence, upload_dir)):
        try:
            doomed.append(where())
        except ValueError:  # not a name we wrote: leave whatever it points to alone
            log.exception("evidence %s: not removing files of an unexpected name", evidence.id)
    audit_log.record("evidence.deleted", "visit", visit.id, user, evidence=evidence.id,
                     item=evidence.item_id, sha256=evidence.sha256)
    visit.evidence.remove(evidence)  # delete-orphan: also keeps visit.evidence up to date
    db.session.delete(evidence)
    db.session.flush()
    db.session.info.setdefault(_DOOMED_FILES, []).extend(doomed)


def read_photo(stream) -> PreparedPhoto:
    """The upload in ``stream`` checked and re-encoded (:func:`prepare_photo`); reads at most one
    byte over :data:`MAX_BYTES`. Raises :class:`EvidenceError` (or a subclass) for a refused one."""
    data = _read_at_most(stream, MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise PhotoTooLarge(_l("The photo is larger than %(mb)d MB.", mb=MAX_BYTES // (1024 * 1024)))
    return prepare_photo(data)


def write_photo_files(photo: PreparedPhoto, upload_dir: str | os.PathLike, visit_id: int) -> tuple[Path, Path]:
    """Write the photo, its thumbnail and its print copy into the visit's folder under a new random
    name; they are removed again unless the transaction commits. Returns (photo, thumbnail)."""
    folder = visit_folder(upload_dir, visit_id)
    _private_folders(Path(upload_dir), folder)
    token = secrets.token_hex(16)
    stored, thumb, printed = folder / f"{token}.jpg", folder / f"{token}_thumb.jpg", folder / f"{token}_print.jpg"
    new_files = db.session.info.setdefault(_NEW_FILES, [])
    try:
        for path, data in ((stored, photo.jpeg), (thumb, photo.thumb), (printed, photo.printed)):
            _write_new_file(path, data)
            new_files.append(path)  # removed again unless the transaction commits
    except OSError:
        _remove_files([stored, thumb, printed])
        raise
    return stored, thumb


def stored_file(row_id: int, visit_id: int, name: str, upload_dir: str | os.PathLike) -> Path:
    """The path of a stored photo file ``name`` of visit ``visit_id``, built from a row, never from
    a request. Raises ``ValueError`` for a name we could not have written or a path outside
    ``upload_dir``."""
    if not STORED_NAME.fullmatch(name or ""):
        raise ValueError(f"photo {row_id}: unexpected stored name {name!r}")
    root = Path(upload_dir).resolve()
    path = (visit_folder(root, visit_id) / name).resolve()
    if not path.is_relative_to(root):
        raise ValueError(f"photo {row_id}: {path} is outside {root}")
    return path


def visit_folder(upload_dir: str | os.PathLike, visit_id: int) -> Path:
    return Path(upload_dir).resolve() / str(int(visit_id))


def evidence_path(evidence: Evidence, upload_dir: str | os.PathLike, thumb: bool = False) -> Path:
    """Where the photo (or its thumbnail) is stored, built from the row, never from a request.

    Raises ``ValueError`` for a name we could not have written or a path outside ``upload_dir``.
    """
    return stored_file(evidence.id, evidence.visit_id, evidence.thumb_name if thumb else evidence.stored_name,
                       upload_dir)


def print_path(evidence: Evidence, upload_dir: str | os.PathLike) -> Path:
    """Where the print copy of the photo is kept: beside it, as ``<name>_print.jpg``."""
    photo = evidence_path(evidence, upload_dir)
    return photo.with_name(f"{photo.stem}_print.jpg")


def print_copy(evidence: Evidence, upload_dir: str | os.PathLike) -> bytes:
    """The stored photo at most :data:`~audit.services.photo_image.PRINT_SIDE` pixels on its
    longest side, as JPEG bytes.

    Made when the photo is stored and kept beside it (a PDF with a dozen photos spent 33 ms on
    each, every time); a photo stored before that has it made here, from the stored photo
    decoded at a reduced scale."""
    try:
        return print_path(evidence, upload_dir).read_bytes()
    except FileNotFoundError:
        pass
    return print_jpeg(evidence_path(evidence, upload_dir))


def _lock_editable(visit: Visit) -> None:
    """Lock the visit's row and check again that it is editable: read before the lock, it may have
    been submitted and approved since (a photo then joined an approved visit's evidence)."""
    if not hold_visit(visit, EDITABLE_STATUSES):
        db.session.expire(visit)
        raise VisitLocked(_l("This visit was submitted; its photos can no longer be changed."))


def _require_editable(visit: Visit) -> None:
    if visit.status not in EDITABLE_STATUSES:
        raise VisitLocked(_l("This visit was submitted; its photos can no longer be changed."))


def _read_at_most(stream, limit: int) -> bytes:
    """Up to ``limit`` bytes: never more, however large the stream (a socket may return less
    per read than asked)."""
    parts, size = [], 0
    while size < limit:
        part = stream.read(limit - size)
        if not part:
            break
        parts.append(part)
        size += len(part)
    return b"".join(parts)


def _private_folders(root: Path, folder: Path) -> None:
    """The photo folder and the visit's folder in it, readable by their owner only: photos of
    people in shops are not for the other accounts of the machine (a shared AUDIT_UPLOAD_DIR
    lies outside the private instance folder)."""
    root.resolve().mkdir(mode=0o700, parents=True, exist_ok=True)
    folder.mkdir(mode=0o700, exist_ok=True)


def _write_new_file(path: Path, data: bytes) -> None:
    """Write under a temporary name, then rename: a reader never sees half a file."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        with os.fdopen(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _remove_files(paths) -> None:
    for path in paths:
        try:
            Path(path).unlink(missing_ok=True)
        except OSError:
            log.warning("could not remove evidence file %s", path, exc_info=True)


@event.listens_for(Session, "after_commit")
def _commit_files(session: Session) -> None:
    session.info.pop(_NEW_FILES, None)  # committed: keep them
    _remove_files(session.info.pop(_DOOMED_FILES, []))


@event.listens_for(Session, "after_transaction_end")
def _discard_uncommitted_files(session: Session, transaction) -> None:
    if transaction.parent is not None:
        return  # a savepoint; the outer transaction decides
    # after_commit has already taken what was committed; the rest was rolled back or abandoned.
    _remove_files(session.info.pop(_NEW_FILES, []))
    session.info.pop(_DOOMED_FILES, None)
