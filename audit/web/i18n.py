"""Language choice: the user's pick (session, then profile), else the browser's, else English."""
from __future__ import annotations

from datetime import date, datetime
from urllib.parse import urlsplit

from flask import Blueprint, Flask, current_app, g, has_request_context, redirect, request, session, url_for
from babel.dates import format_skeleton, get_datetime_format
from flask_babel import format_date, format_datetime, get_locale, get_timezone, to_user_timezone
from flask_login import current_user
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound

from ..config import FORMAT_LOCALES
from ..extensions import db
from ..policy import may
from .labels import answer_label, template_globals
from .numbers import decimal_text, percent, shown_difference, signed_text
from .text import breakable

bp = Blueprint("i18n", __name__)

LANGUAGE_NAMES = {"en": "English", "ru": "Русский", "lt": "Lietuvių", "lv": "Latviešu"}




def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    chosen = session.get("lang")
    if chosen not in languages and current_user and current_user.is_authenticated:
        chosen = current_user.locale
    if chosen not in languages:  # a page for one known person before they sign in (a set-password link)
        chosen = g.get("person_locale")
    if chosen not in languages:
        chosen = request.accept_languages.best_match(languages) or "en"
    return FORMAT_LOCALES.get(chosen, chosen)


def spreadsheet_separator() -> str:
    """The separator of a CSV download: ";" in Lithuanian, Latvian and Russian, as Excel set to
    those languages (decimal comma) expects when the file is opened with a double click (a
    comma file lands in one column); "," in English. The imports read either."""
    locale = get_locale()
    return ";" if locale is not None and locale.language in ("lt", "lv", "ru") else ","


def short_datetime(value: datetime) -> str:
    """A stored (naive UTC) time as a short date and time in the user's language and zone, the
    year always in four digits: CLDR's short Latvian pattern writes "01.12.26"."""
    locale, zone = get_locale(), get_timezone()
    day = format_skeleton("yMd", value, tzinfo=zone, locale=locale)
    clock = format_skeleton("Hm", value, tzinfo=zone, locale=locale)
    return get_datetime_format("short", locale=locale).replace("{1}", day).replace("{0}", clock)


def numeric_date(value: date) -> str:
    """A day in numbers as the user's language writes it, the year in four digits: 02.12.2027,
    2027-12-02, 12/2/2027 (CLDR's short patterns give "02.12.27" in Latvian)."""
    return format_skeleton("yMd", value, locale=get_locale())


def safe_next(target: str | None, fallback: str) -> str:
    """Only same-site relative paths, so ``next`` cannot send a user to another site; no control
    characters or backslashes (a CR/LF made the redirect header fail after signing in)."""
    if not target or any(ch < " " or ch in "\\\x7f" for ch in target):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return fallback
    return target


@bp.post("/language")
def set_language():
    lang = request.form.get("lang", "")
    if lang in current_app.config["LANGUAGES"]:
        # The user's setting first: a write that fails (a busy database) leaves the page's
        # language as it was, not switched for this browser only.
        if current_user.is_authenticated and current_user.locale != lang:
            current_user.locale = lang
            db.session.commit()
        session["lang"] = lang
    return redirect(_page_to_show(safe_next(request.form.get("next"), url_for("home.index"))))


def _page_to_show(target: str) -> str:
    """``target`` if it can be opened with GET, else the nearest page above it that can
    (``/assignments/import`` answers a form: its language switch goes to ``/assignments``)."""
    adapter = current_app.url_map.bind("localhost")
    path, candidate = urlsplit(target).path, target
    while path.strip("/"):
        try:
            adapter.match(path, method="GET")
            return candidate
        except (MethodNotAllowed, NotFound):
            path = candidate = path.rstrip("/").rpartition("/")[0] or "/"
        except HTTPException:  # a redirect (a missing trailing slash): the page follows it
            return candidate
    return url_for("home.index")


def _opens_with_get(path: str) -> bool:
    """Does ``path`` answer GET? Also when another rule than the one that took the form does
    (``/checklist-files`` is a page and, by a rule of its own, the form that checks a file)."""
    try:
        current_app.url_map.bind("localhost").match(path, method="GET")
    except HTTPException:
        return False
    return True


def reopen_address(declared: str | None = None) -> str:
    """The address that opens the page being shown again (base.html): its own, or, for a page
    that answers a form sent to an address that only takes forms (``/visits/7/return`` refused
    and showing the visit again), the address its template declares (``page_address``). A
    reload there opened "This page cannot be opened directly" (405); so did a language switch.

    ``""`` when a form's answer has no such address (an error page of a form's address).
    """
    here = request.full_path if request.query_string else request.path
    if request.method != "POST" or _opens_with_get(request.path):
        return here
    return declared or ""


def install_template_helpers(app: Flask) -> None:
    @app.context_processor
    def _language_context():
        return {"language_names": LANGUAGE_NAMES, "current_language": get_locale().language if get_locale() else "en",
                # Templates rendered for a request hide the auditor from who may not know them;
                # report builders pass their own value (the CLI shows them).
                "show_auditor": may(current_user, "see_auditor_names") if has_request_context() else True}

    app.jinja_env.globals.update(template_globals())
    app.jinja_env.globals["reopen_address"] = reopen_address
    # An answer value as people read it: {{ values|map('label_of', item, lang) }} (show_if rules).
    app.jinja_env.filters["label_of"] = lambda value, item, lang: answer_label(item, value, lang) if item else value
    app.jinja_env.filters["datetime"] = lambda value, fmt="short": (
        (short_datetime(value) if fmt == "short" else format_datetime(value, fmt)) if value else "")
    # "numeric": 14.12.2026. for narrow table columns ("2026. gada 14. dec." in Latvian is twice as wide).
    app.jinja_env.filters["date"] = lambda value, fmt="medium": (
        (numeric_date(to_user_timezone(value) if isinstance(value, datetime) else value) if fmt == "numeric"
         else format_date(value, fmt)) if value else "")
    app.jinja_env.filters["decimal"] = decimal_text
    app.jinja_env.filters["minus"] = shown_difference
    # Differences: "+4.1", "−2.0" (a true minus sign, as the report's sentences write them).
    app.jinja_env.filters["signed"] = signed_text
    # Counts with the locale's digit grouping: 60,113 (en), 60 113 (lt, lv, ru).
    app.jinja_env.filters["count"] = lambda value: decimal_text(value, "#,##0")
    # Shares (0–1) as the language writes percentages: 27% (en, lv), 27 % (lt, ru).
    app.jinja_env.filters["percent"] = percent
    # Free text in table cells: long unbroken values get break points (see web.text).
    app.jinja_env.filters["breakable"] = breakable
