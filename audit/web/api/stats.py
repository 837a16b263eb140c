"""``GET /api/v1/stats``: the chain statistics of ``audit stats --json`` for a BI tool or a
nightly job, with the dashboard's filters and its roles (head office: admin and reviewer)."""
from __future__ import annotations

from datetime import date

from flask import jsonify, request

from ...policy import may
from ...services import filter_choices
from ...services.chain_stats import StatsError, StatsFilter, chain_statistics, json_ready
from ...services.checklists import current_version
from ...times import FIRST_DAY, LAST_DAY, in_calendar
from . import bp
from .auth import ApiError, current_api_user
from .payload import invalid

PARAMETERS = ("checklist", "since", "until", "region", "format", "scenario", "lang")
LANGUAGES = ("en", "ru", "lt", "lv")


@bp.get("/stats")
def stats():
    """Every figure over the approved visits the filters choose: ``checklist`` (required),
    ``since`` and ``until`` (days, inclusive), ``region``, ``format``, ``scenario``, and ``lang``
    for the texts of the findings. A filter that matches nothing the chain has is a 400 naming
    it, never an empty answer a nightly job would take for "no visits"."""
    user = current_api_user()
    if not may(user, "view_locations"):
        raise ApiError(403, "forbidden", {"role": f"a {user.role} cannot read the chain's statistics"})
    args = request.args
    errors: dict[str, str] = {}
    for name in sorted(set(args) - set(PARAMETERS)):
        errors[name] = f"unknown parameter; use {', '.join(PARAMETERS)}"
    checklist = args.get("checklist", "").strip()
    if not checklist:
        errors["checklist"] = "required: a checklist id (see GET /api/v1/checklists)"
    elif current_version(checklist) is None:
        errors["checklist"] = f"unknown checklist '{checklist}' (see GET /api/v1/checklists)"
    days = {name: _day(args.get(name), name, errors) for name in ("since", "until")}
    if days["since"] and days["until"] and days["until"] < days["since"]:
        errors["until"] = "is before since"
    for name, known in (("region", filter_choices.region_names), ("format", filter_choices.location_formats)):
        if args.get(name) and args[name] not in (names := known()):
            errors[name] = f"'{args[name]}' is not one of the chain's ({', '.join(names) or 'none yet'})"
    lang = args.get("lang", "en")
    if lang not in LANGUAGES:
        errors["lang"] = f"one of {', '.join(LANGUAGES)}"
    if errors:
        raise invalid(errors)
    spec = StatsFilter(checklist=checklist, since=days["since"], until=days["until"],
                       region=args.get("region") or None, location_format=args.get("format") or None,
                       scenario=args.get("scenario") or None)
    try:
        result = chain_statistics(spec, lang)
    except StatsError as exc:
        raise invalid({"checklist": str(exc)}) from exc
    return jsonify(json_ready(result))


def _day(value: str | None, name: str, errors: dict[str, str]) -> date | None:
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        errors[name] = "a day as YYYY-MM-DD"
        return None
    if not in_calendar(day):
        errors[name] = f"a day from {FIRST_DAY} to {LAST_DAY}"
        return None
    return day
