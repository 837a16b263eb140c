"""Configuration defaults and how the real values are found.

Order (later wins): these defaults, ``instance/config.py`` (optional), environment
variables prefixed ``AUDIT_`` (``AUDIT_DATABASE_URL``, ``AUDIT_SECRET_KEY`` …), then the
``test_config`` passed to ``create_app``.
"""
from __future__ import annotations

import os
import secrets
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

LANGUAGES = ("en", "ru", "lt", "lv")
# English is formatted the British way (day first, 24-hour clock), as our users expect.
FORMAT_LOCALES = {"en": "en_GB"}


def format_locale(lang: str) -> str:
    """The Babel locale that formats dates and numbers for language ``lang`` (en → en_GB)."""
    return FORMAT_LOCALES.get(lang, lang)


class Defaults:
    DATABASE_URL: str | None = None  # default: SQLite file audit.db in the instance folder
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False  # set AUDIT_SESSION_COOKIE_SECURE=true behind HTTPS
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # "Keep me signed in" lasts 30 days (Flask-Login's default is a year); REMEMBER_COOKIE_SECURE
    # follows SESSION_COOKIE_SECURE unless set on its own.
    REMEMBER_COOKIE_DURATION = timedelta(days=30)
    PERMANENT_SESSION_LIFETIME = timedelta(days=31)
    WTF_CSRF_TIME_LIMIT = None  # auditors keep a form open for a whole visit
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "Europe/Vilnius"
    LANGUAGES = LANGUAGES
    CHECKLIST_DIR: str | None = None  # default: checklists/ beside the package
    MAX_CONTENT_LENGTH = 12 * 1024 * 1024
    UPLOAD_DIR: str | None = None  # photo evidence; default: uploads/ in the instance folder
    # Sign-in throttling (Flask-Limiter). Counters live in memory, per process; with several
    # processes or servers set AUDIT_RATELIMIT_STORAGE_URL=redis://host:6379/0 so they share them.
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_STORAGE_URL: str | None = None
    RATELIMIT_HEADERS_ENABLED = True  # Retry-After on 429
    # A sliding minute: with fixed windows 10 attempts at 12:00:59 and 10 more at 12:01:00 both
    # passed (and a test's 6 + 5 attempts either side of a minute's turn were never refused).
    RATELIMIT_STRATEGY = "moving-window"
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True  # Redis down: count per process instead of failing
    # Chain statistics kept while nothing they read has changed (services.stats_cache): in each
    # process by default; AUDIT_STATS_CACHE_URL=redis://host:6379/1 shares them between processes,
    # "none" switches the cache off.
    STATS_CACHE_URL = "memory://"
    LOGIN_LIMIT_PER_EMAIL = "10 per minute"  # POSTs to /login trying one e-mail address
    LOGIN_LIMIT_PER_IP = "30 per minute"  # POSTs to /login from one address (offices share one)
    # "Forgot your password?" requests: each mails a link, so one mailbox is not flooded and one
    # client cannot mail the whole staff list (web.forgot_password).
    FORGOT_PASSWORD_LIMIT_PER_EMAIL = "5 per hour"
    FORGOT_PASSWORD_LIMIT_PER_IP = "20 per hour"
    # Behind a reverse proxy (nginx, a load balancer) every request comes from the proxy's address:
    # set AUDIT_PROXY_HOPS=1 (one proxy) so the client address and scheme are read from its
    # X-Forwarded-For / X-Forwarded-Proto headers. Never set it without a proxy: clients could then
    # pick their own address and slip past the per-address sign-in limit.
    PROXY_HOPS = 0
    # E-mail about people's own work (README, "E-mail"). Off until MAIL_SERVER is set; then
    # MAIL_FROM and BASE_URL (the address people open the app at, for the links) are needed too.
    MAIL_SERVER: str | None = None
    MAIL_PORT = 587
    MAIL_SECURITY = "starttls"  # "starttls", "ssl" (usually port 465) or "none" (a relay on this machine)
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_FROM: str | None = None
    BASE_URL: str | None = None
    MAIL_SEND_IN_BACKGROUND = True  # sent by a thread right after the change; else only by `audit send-mail`
    # A branch manager may dispute an answer of an approved visit until this many days after the
    # day it was approved (its report reached the branch); 0: no time limit (services.dispute_period).
    DISPUTE_DAYS = 14


#: Settings that are true or false besides those declared so in :class:`Defaults`.
MORE_SWITCHES = ("REMEMBER_COOKIE_SECURE", "TESTING", "DEBUG")
_TRUE, _FALSE = ("true", "yes", "on", "1"), ("false", "no", "off", "0", "")


def settings_as_declared(settings) -> None:
    """Environment values in the types the app expects. ``from_prefixed_env`` reads JSON, so
    ``AUDIT_SESSION_COOKIE_SECURE=False`` stayed the text "False" – true to Python – and an
    all-digit ``AUDIT_SECRET_KEY`` became a number that broke every page."""
    switches = [name for name, value in vars(Defaults).items() if isinstance(value, bool)] + list(MORE_SWITCHES)
    for name in switches:
        value = settings.get(name)
        if value is None or isinstance(value, bool):
            continue
        word = str(value).strip().lower()  # "False", or 0 / 1 / null as JSON read them
        if word not in _TRUE + _FALSE:
            raise ValueError(f"AUDIT_{name}={value!r}: write true or false")
        settings[name] = word in _TRUE
    if settings.get("SECRET_KEY") is not None and not isinstance(settings["SECRET_KEY"], (str, bytes)):
        settings["SECRET_KEY"] = str(settings["SECRET_KEY"])


MAIL_SECURITY = ("starttls", "ssl", "none")


def check_mail_settings(settings) -> None:
    """Mail settings that cannot work stop the app at start, named, rather than at the first mail."""
    if not settings.get("MAIL_SERVER"):
        return
    problems = []
    if not settings.get("MAIL_FROM"):
        problems.append("AUDIT_MAIL_FROM (the sender's address, e.g. audits@chain.lt) is not set")
    base = urlsplit(str(settings.get("BASE_URL") or ""))
    if base.scheme not in ("http", "https") or not base.netloc or base.query or base.fragment:
        problems.append("AUDIT_BASE_URL (the address people open the app at, e.g. https://audits.chain.lt, "
                        "for the links in e-mails) is not set or not an http(s) address")
    if settings.get("MAIL_SECURITY") not in MAIL_SECURITY:
        problems.append(f"AUDIT_MAIL_SECURITY={settings.get('MAIL_SECURITY')!r}: write one of {', '.join(MAIL_SECURITY)}")
    try:
        settings["MAIL_PORT"] = int(settings.get("MAIL_PORT"))
    except (TypeError, ValueError):
        problems.append(f"AUDIT_MAIL_PORT={settings.get('MAIL_PORT')!r}: write a port number")
    if problems:
        raise ValueError("AUDIT_MAIL_SERVER is set, but " + "; ".join(problems))


def check_dispute_days(settings) -> None:
    """The dispute period as a whole number of days, or the app does not start (named)."""
    value = settings.get("DISPUTE_DAYS")
    try:
        days = int(str(value).strip())
    except (TypeError, ValueError):
        days = -1
    if days < 0 or days > 3650:
        raise ValueError(f"AUDIT_DISPUTE_DAYS={value!r}: write a number of days from 0 to 3650 "
                         "(0: disputes have no time limit)")
    settings["DISPUTE_DAYS"] = days


def database_uri(url: str | None, instance_path: str) -> str:
    """The SQLAlchemy URI for ``url``; PostgreSQL URLs get the psycopg 3 driver."""
    if not url:
        return f"sqlite:///{Path(instance_path) / 'audit.db'}"
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def instance_secret_key(instance_path: str) -> str:
    """A random key generated once and kept in ``instance/secret_key`` (mode 0600).

    Several processes starting at once on a new instance folder (gunicorn's workers) must all end
    up with the same key: each writes its candidate to a file of its own and links it into place,
    which only the first can do; the others read the winner's key.
    """
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        candidate = path.with_name(f".secret_key.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
        try:
            os.link(candidate, path)
        except FileExistsError:
            pass
        except OSError:  # a file system without hard links: the first to create the file writes it
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                pass
            else:
                with os.fdopen(fd, "w") as handle:
                    handle.write(candidate.read_text())
        finally:
            candidate.unlink()
    key = path.read_text().strip()
    for _ in range(50):  # written by another process this instant (the no-hard-links path)
        if key:
            break
        time.sleep(0.02)
        key = path.read_text().strip()
    if not key:
        raise RuntimeError(f"{path} is empty: delete it (a new key is made) or set AUDIT_SECRET_KEY")
    return key
