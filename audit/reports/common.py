"""Shared by the report builders."""
from __future__ import annotations


class ReportError(LookupError):
    """A report cannot be made (unknown visit or location, no data); the message says why."""
