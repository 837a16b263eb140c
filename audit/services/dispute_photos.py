"""A photo a branch manager sends with a dispute: a still of the shop's camera showing the
greeting, a receipt, the shelf as it was. It is the branch's evidence, kept apart from the
auditor's (``DisputePhoto``, not ``Evidence``): it never appears among the visit's photos, in
the statistics or in exports, only beside the dispute, on the visit page and in its report.

Checked and re-encoded like the auditor's photos (services.photo_image: by its content, within
the same size limits, without metadata), stored beside them in the visit's folder, and removed
again if the dispute is not committed (services.evidence)."""
from __future__ import annotations

import base64
import hashlib
import logging
import os
from pathlib import Path

from ..extensions import db
from ..models import Dispute, DisputePhoto, User
from .evidence import stored_file, write_photo_files
from .photo_image import PreparedPhoto, print_jpeg

log = logging.getLogger(__name__)


def attach_photo(dispute: Dispute, photo: PreparedPhoto, user: User, upload_dir: str | os.PathLike) -> DisputePhoto:
    """Store ``photo`` with ``dispute`` (flushed: the dispute has its id)."""
    stored, thumb = write_photo_files(photo, upload_dir, dispute.visit_id)
    row = DisputePhoto(stored_name=stored.name, thumb_name=thumb.name, width=photo.width, height=photo.height,
                       size_bytes=len(photo.jpeg), sha256=hashlib.sha256(photo.jpeg).hexdigest(),
                       uploaded_by_id=user.id)
    dispute.photos.append(row)
    db.session.flush()
    return row


def photo_path(photo: DisputePhoto, upload_dir: str | os.PathLike, thumb: bool = False) -> Path:
    """Where the photo (or its thumbnail) is; ValueError for a name we could not have written."""
    return stored_file(photo.id, photo.dispute.visit_id, photo.thumb_name if thumb else photo.stored_name,
                       upload_dir)


def print_sources(dispute: Dispute, upload_dir: str | os.PathLike) -> list[str]:
    """The dispute's photos at print size as ``data:`` URIs for the visit report; a missing file is
    left out (logged), it does not stop the report."""
    sources = []
    for photo in dispute.photos:
        try:
            path = photo_path(photo, upload_dir)
            printed = path.with_name(f"{path.stem}_print.jpg")
            data = printed.read_bytes() if printed.is_file() else print_jpeg(path)
        except (OSError, ValueError) as exc:
            log.warning("dispute %s: photo %s left out of the report: %s", dispute.id, photo.id, exc)
            continue
        sources.append("data:image/jpeg;base64," + base64.b64encode(data).decode("ascii"))
    return sources
