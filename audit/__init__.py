"""Mystery-shopping and service-consistency audits. ``create_app`` builds the Flask app."""
from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from flask import Flask
from flask.json.provider import DefaultJSONProvider
from flask_babel import lazy_gettext as _l
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.routing import IntegerConverter

from . import config

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class BoundedJSON(DefaultJSONProvider):
    """Flask's JSON, except that a body nested thousands deep (``[[[[…``) is unreadable JSON
    (a 400 from the API and the autosave) rather than a RecursionError and a 500."""

    def loads(self, s, **kwargs):
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("JSON nested too deeply") from None


class RowIdConverter(IntegerConverter):
    """``<int:…>`` in a URL: at most the largest database integer, so ``/visits/99999999999999999999``
    is a page that does not exist (404) rather than an OverflowError from SQLite (500)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2 ** 63 - 1)
        super().__init__(map, *args, **kwargs)


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: defaults, ``instance/config.py``, ``AUDIT_*`` env vars, ``test_config``."""
    app = Flask(
        __name__,
        instance_path=(test_config or {}).get("INSTANCE_PATH") or os.environ.get("AUDIT_INSTANCE_PATH"),
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.json = BoundedJSON(app)
    app.url_map.converters["int"] = RowIdConverter
    app.config.from_object(config.Defaults)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("AUDIT")
    if test_config:
        app.config.update(test_config)
    config.settings_as_declared(app.config)
    config.check_mail_settings(app.config)
    config.check_dispute_days(app.config)
    app.config.setdefault("REMEMBER_COOKIE_SECURE", app.config["SESSION_COOKIE_SECURE"])
    _private_folder(Path(app.instance_path))
    app.config.setdefault("SQLALCHEMY_DATABASE_URI", None)
    if not app.config["SQLALCHEMY_DATABASE_URI"]:
        app.config["SQLALCHEMY_DATABASE_URI"] = config.database_uri(
            app.config.get("DATABASE_URL"), app.instance_path
        )
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = config.instance_secret_key(app.instance_path)
        app.config["SECRET_KEY_FILE"] = str(Path(app.instance_path) / "secret_key")
    app.config["CHECKLIST_DIR"] = app.config.get("CHECKLIST_DIR") or str(PROJECT_ROOT / "checklists")
    # A relative AUDIT_UPLOAD_DIR is taken inside the instance folder.
    app.config["UPLOAD_DIR"] = str(Path(app.instance_path, app.config.get("UPLOAD_DIR") or "uploads"))

    if int(app.config.get("PROXY_HOPS") or 0) > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = int(app.config["PROXY_HOPS"])
        # The host is not taken from X-Forwarded-Host (a client could send one the proxy passes
        # on): the proxy passes the browser's Host header itself (README: proxy_set_header Host).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=0)
    _init_extensions(app)
    _register_blueprints(app)
    from .web.errors import install_error_pages

    install_error_pages(app)
    _security_headers(app)
    from .cli import register_commands

    register_commands(app)
    return app


# Only this site's own files run, style or load: a comment or a branch name that slipped past
# escaping still cannot run a script. Photos previewed before upload are blob: URLs.
CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data: blob:",
    "object-src 'none'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
))


def _security_headers(app: Flask) -> None:
    """No page in a frame (clickjacking), no script or style but our files, no full URLs to other
    sites, no type sniffing, no page kept in the browser's cache. A response that sets its own (a photo's stricter policy) keeps it."""
    headers = [("X-Frame-Options", "DENY"), ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
               ("Referrer-Policy", "same-origin"), ("X-Content-Type-Options", "nosniff")]
    if app.config["SESSION_COOKIE_SECURE"]:  # served over HTTPS: browsers must not fall back to HTTP
        headers.append(("Strict-Transport-Security", "max-age=31536000"))

    @app.after_request
    def _headers(response):
        for name, value in headers:
            response.headers.setdefault(name, value)
        # A page (findings, names, scores) is not kept in the browser's cache: on a shared tablet
        # or office computer the next person could bring it back after sign-out. Pages that
        # may be kept say so themselves (the fill page, revalidated).
        if response.mimetype == "text/html":
            response.headers.setdefault("Cache-Control", "no-store")
        return response


def _private_folder(path: Path) -> None:
    """The instance folder (database, photos, secret key) readable by its owner only."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        if path.stat().st_uid == os.getuid() and path.stat().st_mode & 0o077:
            path.chmod(0o700)
    except OSError:  # a folder we may use but not change (mounted read-only settings …)
        pass


def _init_extensions(app: Flask) -> None:
    from . import models  # noqa: F401  (register the tables with the metadata)
    from .extensions import babel, csrf, db, limiter, login_manager, migrate
    from .web.i18n import select_locale

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).parent / "migrations"), render_as_batch=True)
    # Before CSRF, so that every sign-in attempt counts, even one with a stale token.
    app.config["RATELIMIT_STORAGE_URI"] = app.config.get("RATELIMIT_STORAGE_URL") or app.config["RATELIMIT_STORAGE_URI"]
    limiter.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "info"
    # Flask-Login's own "Please log in to access this page." is English whatever the language.
    login_manager.login_message = _l("Please sign in to see this page.")
    from .services.mail_delivery import install_mail_sender
    from .services.stats_cache import install_stats_cache

    install_mail_sender(app)
    install_stats_cache(app)


def _register_blueprints(app: Flask) -> None:
    from .web import account, auth, checklist_files, health, home, i18n, password_links

    app.register_blueprint(health.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(account.bp)
    app.register_blueprint(password_links.bp)
    from .web import forgot_password

    app.register_blueprint(forgot_password.bp)
    app.register_blueprint(home.bp)
    app.register_blueprint(checklist_files.bp)
    app.register_blueprint(i18n.bp)
    from .web.api import bp as api_bp

    app.register_blueprint(api_bp)
    from .web import assignments, field, reports, review, rounds

    app.register_blueprint(assignments.bp)
    app.register_blueprint(rounds.bp)
    app.register_blueprint(field.bp)
    app.register_blueprint(reports.bp)
    app.register_blueprint(review.bp)
    from .web import evidence

    app.register_blueprint(evidence.bp)
    from .web import admin

    app.register_blueprint(admin.bp)
    from .web import office

    app.register_blueprint(office.bp)
    from .web import location_page

    app.register_blueprint(location_page.bp)
    from .web import question_page

    app.register_blueprint(question_page.bp)
    from .web import auditor_page

    app.register_blueprint(auditor_page.bp)
    from .web import actions

    app.register_blueprint(actions.bp)
    i18n.install_template_helpers(app)


#: Helper threads for SQLite's sorter (it caps the number at its compile-time maximum, 8).
SQLITE_SORT_THREADS = min(4, os.cpu_count() or 1)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """WAL and a busy timeout let the server and the CLI share one SQLite file safely. Worker
    threads let SQLite sort the statistics' large GROUP BYs on several cores (the per-(item,
    location) aggregate of 3.3 million answers: 3.95 → 2.94 s with 2 cores, bench/RESULTS.md)."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA threads={SQLITE_SORT_THREADS}")
        cursor.close()
        # SQLite's lower() folds A–Z only: searches for "иван" or "šarūnas" use this one.
        dbapi_connection.create_function("casefold", 1, lambda text: text.casefold() if isinstance(text, str) else text,
                                         deterministic=True)
