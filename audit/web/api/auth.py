"""Bearer-token authentication and JSON errors for the API blueprint."""
from __future__ import annotations

from flask import g, jsonify, request
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.routing import RequestRedirect

from ...extensions import db
from ...models import User
from ...services.tokens import user_for_token
from . import bp

_CHALLENGE = 'Bearer realm="audit"'


class ApiError(Exception):
    """Abort an API request with ``status`` and a JSON body; the session is rolled back."""

    def __init__(self, status: int, error: str, details: dict | None = None) -> None:
        super().__init__(error)
        self.status, self.error, self.details = status, error, details or {}


def error_response(status: int, error: str, details: dict | None = None, headers: dict | None = None):
    response = jsonify({"error": error, "details": details or {}})
    response.status_code = status
    response.headers.update(headers or {})
    return response


def current_api_user() -> User:
    return g.api_user


def _bearer_token() -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None


@bp.before_request
def authenticate():
    """Every API call needs a valid token; a session cookie alone is not enough."""
    token = _bearer_token()
    user = user_for_token(token) if token else None
    if user is None:
        challenge = _CHALLENGE + (', error="invalid_token"' if token else "")
        message = "the token is unknown, revoked or its user is deactivated" if token else (
            "send an API token: Authorization: Bearer <token> (create one with `audit create-token`)")
        return error_response(401, "authentication required", {"token": message}, {"WWW-Authenticate": challenge})
    # Keep the "last used" time even when the request itself fails and is rolled back.
    db.session.commit()
    g.api_user = user
    return None


@bp.before_app_request
def routing_errors_as_json():
    """Unknown paths and wrong methods under /api/v1 answer in JSON too.

    Routing errors never reach blueprint error handlers (no endpoint was matched), and an
    app-wide 404 handler would take the HTML pages' 404 away from other blueprints.
    """
    exc = request.routing_exception
    if exc is None or isinstance(exc, RequestRedirect) or not isinstance(exc, HTTPException):
        return None
    if request.path != bp.url_prefix and not request.path.startswith(bp.url_prefix + "/"):
        return None
    return error_response(exc.code, exc.name.lower(), {}, _allow_header(exc))


@bp.errorhandler(ApiError)
def api_error(exc: ApiError):
    db.session.rollback()  # a failed request leaves nothing half-written
    return error_response(exc.status, exc.error, exc.details)


@bp.errorhandler(HTTPException)
def http_error(exc: HTTPException):
    db.session.rollback()
    return error_response(exc.code or 500, exc.name.lower(), {"reason": exc.description} if exc.description else {},
                          _allow_header(exc))


def _allow_header(exc: HTTPException) -> dict:
    """Only ``Allow`` (on 405) from werkzeug's headers; theirs also say the body is HTML."""
    return {k: v for k, v in exc.get_headers() if k == "Allow"}


@bp.errorhandler(InternalServerError)
def server_error(exc: InternalServerError):
    from ..errors import BUSY_RETRY_SECONDS, database_busy

    db.session.rollback()
    if database_busy(exc):  # nothing was saved: the client sends it again later
        return error_response(503, "database busy", {}, {"Retry-After": BUSY_RETRY_SECONDS})
    return error_response(500, "internal server error", {})
