"""Photo evidence: check an uploaded photo by its content, store a clean JPEG, a thumbnail and
the copy the PDF reports print.

Uploads are untrusted. A photo is identified by what it contains (Pillow), never by its
name or declared type; only JPEG, PNG and WebP are accepted, up to :data:`MAX_BYTES` and
:data:`MAX_PIXELS` (JPEG; :data:`MAX_LOSSLESS_PIXELS` for PNG and WebP). The size in pixels
is checked from the header *before* any pixel is decoded, so a small file that unpacks to
gigabytes (a decompression bomb) costs nothing; a large JPEG is decoded at a reduced scale,
and photos are stored at most :data:`STORED_SIDE` pixels on their longest side.
What is stored is always a fresh JPEG re-encoded from the pixels, turned upright by its
EXIF orientation, with no metadata at all (no EXIF, no GPS position, no comments, no
colour profile: colours are converted to sRGB, the JPEG default).

Files live under ``upload_dir/<visit id>/`` with random names. They follow the database
transaction: a new photo's files are removed again if the transaction is rolled back (or
never committed), and a deleted photo's files are removed only once the deletion is
committed. Services flush; the request commits.
"""
from __future__ import annotations

import hashlib
import io
import logging
import os
import re
import secrets
import threading
import warnings
from dataclasses import dataclass
from pathlib import Path

from flask_babel import lazy_gettext as _l
from PIL import Image, ImageCms, ImageFile, ImageOps
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from ..extensions import db
from ..models import EDITABLE_STATUSES, Evidence, User, Visit
from . import audit_log
from .visit_lock import hold_visit

log = logging.getLogger(__name__)

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
#: PNG and WebP cannot be decoded at a reduced scale: a smaller limit keeps one upload's memory
#: (4 bytes a pixel, and copies) to a few hundred MB. Phone screenshots are far below it.
MAX_LOSSLESS_PIXELS = 16_000_000
#: Longest side of a stored photo: plenty to read a price tag, a fraction of a 48 MP original.
#: A JPEG is decoded at 1/2, 1/4 or 1/8 scale when that still leaves this many pixels.
STORED_SIDE = 3000
THUMB_SIZE = 320  # longest side of a thumbnail, in pixels
JPEG_QUALITY = 85
#: Pillow's names of the formats we accept. Its JPEG reader also opens the multi-picture
#: JPEGs many phones write, which it then calls MPO.
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
#: Photos can be added or removed only while the auditor can still change the visit.
#: Stored names are ours alone: 32 hex digits, optionally ``_thumb`` or ``_print``, ``.jpg``.
STORED_NAME = re.compile(r"[0-9a-f]{32}(_thumb|_print)?\.jpg")

_NEW_FILES = "evidence.new_files"  # keys of Session.info
_DOOMED_FILES = "evidence.doomed_files"
_OPEN_LOCK = threading.Lock()  # warnings.catch_warnings() is process-wide


class EvidenceError(Exception):
    """A photo was refused; ``message`` says why and what to do (translated when shown)."""

    def __init__(self, message) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:  # translated when read, in the request that shows it: raising needs no request
        return str(self.message)


class PhotoTooLarge(EvidenceError):
    """More bytes or pixels than we accept."""


class UnsupportedPhoto(EvidenceError):
    """Not a JPEG, PNG or WebP picture (whatever its name says)."""


class VisitLocked(EvidenceError):
    """The visit is submitted or approved: its photos can no longer change."""


@dataclass(frozen=True)
class PreparedPhoto:
    """A photo ready to store: JPEG bytes of the picture, of its thumbnail and of its print copy."""

    jpeg: bytes
    thumb: bytes
    width: int
    height: int
    printed: bytes


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
    data = _read_at_most(stream, MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise PhotoTooLarge(_l("The photo is larger than %(mb)d MB.", mb=MAX_BYTES // (1024 * 1024)))
    photo = prepare_photo(data)
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

    folder = visit_folder(upload_dir, visit.id)
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


def visit_folder(upload_dir: str | os.PathLike, visit_id: int) -> Path:
    return Path(upload_dir).resolve() / str(int(visit_id))


def evidence_path(evidence: Evidence, upload_dir: str | os.PathLike, thumb: bool = False) -> Path:
    """Where the photo (or its thumbnail) is stored, built from the row, never from a request.

    Raises ``ValueError`` for a name we could not have written or a path outside ``upload_dir``.
    """
    name = evidence.thumb_name if thumb else evidence.stored_name
    if not STORED_NAME.fullmatch(name or ""):
        raise ValueError(f"evidence {evidence.id}: unexpected stored name {name!r}")
    root = Path(upload_dir).resolve()
    path = (visit_folder(root, evidence.visit_id) / name).resolve()
    if not path.is_relative_to(root):
        raise ValueError(f"evidence {evidence.id}: {path} is outside {root}")
    return path


#: Longest side of a photo as a PDF report prints it: about 55 mm wide, so some 220–290 dpi on
#: paper (the 320-pixel thumbnail printed there at 110–150 dpi, soft on paper).
PRINT_SIDE = 640


def print_path(evidence: Evidence, upload_dir: str | os.PathLike) -> Path:
    """Where the print copy of the photo is kept: beside it, as ``<name>_print.jpg``."""
    photo = evidence_path(evidence, upload_dir)
    return photo.with_name(f"{photo.stem}_print.jpg")


def print_copy(evidence: Evidence, upload_dir: str | os.PathLike) -> bytes:
    """The stored photo at most :data:`PRINT_SIDE` pixels on its longest side, as JPEG bytes.

    Made when the photo is stored and kept beside it (a PDF with a dozen photos spent 33 ms on
    each, every time); a photo stored before that has it made here, from the stored photo
    decoded at a reduced scale."""
    try:
        return print_path(evidence, upload_dir).read_bytes()
    except FileNotFoundError:
        pass
    with Image.open(evidence_path(evidence, upload_dir)) as img:
        img.draft("RGB", (PRINT_SIDE, PRINT_SIDE))
        picture = img.convert("RGB")
    picture.thumbnail((PRINT_SIDE, PRINT_SIDE), Image.Resampling.LANCZOS)
    return _jpeg(picture)


def prepare_photo(data: bytes) -> PreparedPhoto:
    """Identify, check and re-encode an uploaded photo (pure: bytes in, bytes out)."""
    if not data:
        raise EvidenceError(_l("The file is empty. Choose a JPEG, PNG or WebP photo."))
    with _open_image(data) as probe:
        try:
            probe.verify()  # structure and checksums, without decoding the pixels
        except Exception as exc:  # Pillow raises many kinds of errors on damaged files
            raise _damaged() from exc
    with _open_image(data) as img:  # verify() leaves the image unusable: open it again
        try:
            picture = _upright_srgb(img)
        except Exception as exc:
            raise _damaged() from exc
    printed = picture.copy()
    printed.thumbnail((PRINT_SIDE, PRINT_SIDE), Image.Resampling.LANCZOS)
    thumbnail = printed.copy()  # scaled down from the print copy: far fewer pixels to resample
    thumbnail.thumbnail((THUMB_SIZE, THUMB_SIZE), Image.Resampling.LANCZOS)
    return PreparedPhoto(_jpeg(picture), _jpeg(thumbnail), picture.width, picture.height, _jpeg(printed))


def _open_image(data: bytes) -> Image.Image:
    """Open ``data`` (reading only the header) if it is an accepted format of acceptable size."""
    try:
        # Pillow warns, and refuses beyond twice its own limit, on huge images; we want our own
        # error for those, and Pillow's limit (89 megapixels) is above ours anyway.
        with _OPEN_LOCK, warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise _too_many_pixels(MAX_LOSSLESS_PIXELS) from exc
    except Exception as exc:  # UnidentifiedImageError, or a header Pillow cannot parse
        raise UnsupportedPhoto(
            _l("This file is not a JPEG, PNG or WebP photo. Take the photo again or choose another file.")
        ) from exc
    width, height = img.size
    limit = MAX_PIXELS if img.format in ("JPEG", "MPO") else MAX_LOSSLESS_PIXELS
    if width * height > limit:
        img.close()
        raise _too_many_pixels(limit)
    if width < 1 or height < 1:
        img.close()
        raise _damaged()
    return img


def _decode_strictly(img: Image.Image) -> None:
    """Decode now, so a truncated file fails here.

    ``ImageFile.LOAD_TRUNCATED_IMAGES`` is process-wide and WeasyPrint sets it to True when it
    is imported (for its own documents); for uploads we always want truncated files refused.
    """
    with _OPEN_LOCK:
        previous = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            img.load()
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = previous


def _upright_srgb(img: Image.Image) -> Image.Image:
    """The decoded picture: upright, transparency flattened on white, sRGB, no metadata."""
    icc_profile = img.info.get("icc_profile")
    has_alpha = img.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in img.info
    if img.format in ("JPEG", "MPO") and max(img.size) > STORED_SIDE:
        # Decode a large JPEG at the smallest of 1/2, 1/4, 1/8 scale that keeps STORED_SIDE:
        # a 40 MP photo then costs a quarter or less of the memory and time.
        scale = STORED_SIDE / max(img.size)
        img.draft(img.mode, (max(1, round(img.width * scale)), max(1, round(img.height * scale))))
    _decode_strictly(img)
    try:
        ImageOps.exif_transpose(img, in_place=True)
    except Exception:  # malformed EXIF: the pixels are still good, keep them as they are
        log.info("ignored unreadable EXIF orientation", exc_info=True)
    if img.mode.startswith("I"):  # 16-bit grey PNG: scale to 8 bits rather than clip to white
        img = img.convert("I").point(lambda value: value / 256).convert("L")
    if has_alpha:
        rgba = img.convert("RGBA")
        img = Image.new("RGB", rgba.size, "white")
        img.paste(rgba, mask=rgba.getchannel("A"))
        del rgba
    elif img.mode not in ("RGB", "L", "CMYK"):
        img = img.convert("RGB")
    img = _to_srgb(img, icc_profile)
    clean = Image.new("RGB", img.size)  # a new image carries none of the original's metadata
    clean.paste(img)
    if max(clean.size) > STORED_SIDE:
        clean.thumbnail((STORED_SIDE, STORED_SIDE), Image.Resampling.LANCZOS)
    return clean


def _to_srgb(img: Image.Image, icc_profile: bytes | None) -> Image.Image:
    """Convert colours from the embedded profile (e.g. a phone's Display P3) to sRGB."""
    if icc_profile:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
            return ImageCms.profileToProfile(img, source, ImageCms.createProfile("sRGB"), outputMode="RGB")
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            pass  # a broken or mismatched profile: keep the colours as they are
    return img.convert("RGB")


def _jpeg(img: Image.Image) -> bytes:
    out = io.BytesIO()
    img.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return out.getvalue()


def _too_many_pixels(limit: int) -> PhotoTooLarge:
    return PhotoTooLarge(_l("The photo has more than %(mp)d megapixels.", mp=limit // 1_000_000))


def _damaged() -> UnsupportedPhoto:
    return UnsupportedPhoto(_l("The photo is damaged or incomplete. Take it again or choose another file."))


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
