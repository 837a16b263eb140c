"""The JSON API at ``/api/v1``.

Authenticated by ``Authorization: Bearer <token>`` only (``audit create-token``), never by
the browser's session cookie, so it needs no CSRF token. Roles are those of the UI
(:mod:`audit.policy`). Every error is JSON: ``{"error": "...", "details": {...}}``.

:mod:`.auth` authenticates and turns errors into JSON, :mod:`.payload` validates request
bodies, :mod:`.serialize` builds the response shapes, :mod:`.views` holds the endpoints, :mod:`.stats` the chain's
statistics, :mod:`.actions` the corrective actions.
"""
from flask import Blueprint

from ...extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

from . import actions, auth, stats, views  # noqa: F401  (attach the hooks and routes to bp)
