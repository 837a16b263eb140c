"""Content identity of a checklist: the hash that decides whether a load is a new version."""
from __future__ import annotations

import hashlib
import json

from .model import Checklist, checklist_to_dict


def canonical_json(checklist: Checklist) -> str:
    """The canonical JSON text of a checklist: sorted keys, no insignificant white space."""
    return json.dumps(checklist_to_dict(checklist), sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def content_hash(checklist: Checklist) -> str:
    """SHA-256 of the parsed content, so comments and formatting do not make new versions."""
    return hashlib.sha256(canonical_json(checklist).encode("utf-8")).hexdigest()
