"""Error pages in the user's language, inside the app's layout, with a way back — instead of
werkzeug's bare English "Not Found". The JSON API keeps its JSON errors, also for URLs under
``/api/`` that match no route."""
from __future__ import annotations

from flask import Flask, render_template, request
from markupsafe import escape
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from ..extensions import db

MESSAGES = {
    400: (_l("Something in the request was not right"),
          _l("A value in the address or the form could not be read. Go back and try again.")),
    403: (_l("Not allowed"), _l("Your role may not open this page.")),
    404: (_l("Not found"), _l("This page does not exist, or it is not one you may see.")),
    405: (_l("This page cannot be opened directly"),
          _l("It answers a form. Go back to the page with the form.")),
    413: (_l("Too large"), _l("What was sent is larger than the server accepts.")),
    429: (_l("Too many requests"), _l("Wait a minute and try again.")),
    500: (_l("Something went wrong on our side"),
          _l("Nothing was saved by the failed request. Try again; if it happens again, tell your administrator.")),
}
#: SQLite lets one writer in at a time; a long import holds the file for longer than a request
#: waits (5 s), and the request that gave up saved nothing.
BUSY = (_l("The database is busy"),
        _l("Another task, such as an import, is writing to it just now. Nothing was saved by this request: "
           "go back and send it again in a minute."))
BUSY_RETRY_SECONDS = "30"
EXPIRED = (_l("The page has expired"),
           _l("The form was open too long or was sent from an old page. Reload the page and try again."))


#: When even the error page cannot be made (the database is down: the layout asks it who is
#: signed in and in which language), this plain page, with no database behind it, says so.
PLAIN_PAGE = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
    '<meta name="viewport" content="width=device-width, initial-scale=1">'
    '<link rel="stylesheet" href="/static/css/app.css"><link rel="icon" href="/static/favicon.svg"></head><body><main><section class="card error-page">'
    "<h1>{title}</h1><p>{message}</p><p class=\"muted\">Error {code}</p>"
    '<p><a class="button" href="/">To the start page</a></p></section></main></body></html>'
)
UNAVAILABLE = ("The service is not available just now",
               "It cannot reach its database. Nothing you sent was saved; try again in a few minutes.")


def install_error_pages(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def _error_page(error: HTTPException):
        try:
            db.session.rollback()  # a failed request leaves nothing half-written
        except SQLAlchemyError:
            pass  # the connection is gone: nothing was written through it either
        code = error.code or 500
        headers = {k: v for k, v in error.get_headers() if k == "Allow"}
        busy = code == 500 and database_busy(error)
        if busy:
            code, headers = 503, {"Retry-After": BUSY_RETRY_SECONDS}
        if request.path.startswith("/api/"):
            from .api.auth import error_response

            return error_response(code, "database busy" if busy else error.name.lower(), {}, headers)
        title, message = (BUSY if busy else EXPIRED if isinstance(error, CSRFError)
                          else MESSAGES.get(code, (error.name, "")))
        try:
            return render_template("errors/error.html", code=code, title=title, message=message), code, headers
        except SQLAlchemyError:
            app.logger.exception("the error page needs the database, which fails too")
            plain_title, plain_message = UNAVAILABLE if code == 500 else (error.name, "")
            page = PLAIN_PAGE.format(title=escape(plain_title), message=escape(plain_message), code=code)
            return page, 503 if code == 500 else code, {**headers, "Retry-After": "60"}


def database_busy(error: HTTPException) -> bool:
    """Did the request fail because another writer held the SQLite file past the busy timeout?"""
    original = getattr(error, "original_exception", None)
    return isinstance(original, OperationalError) and "database is locked" in str(original)
