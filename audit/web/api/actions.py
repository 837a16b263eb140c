"""``GET /api/v1/actions``: the corrective actions the caller may see, for a nightly pull into
a BI tool or a ticket system: head office all, a manager their branches'; auditors never see
them (403, as the UI never shows them). Oldest first by id, a page at a time."""
from __future__ import annotations

from flask import jsonify, request
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ...extensions import db
from ...models import ACTION_STATUSES, ChecklistVersion, CorrectiveAction, Location, Region, Visit
from ...policy import may, visible_actions, visible_locations
from ...times import local_today
from . import bp
from .auth import ApiError, current_api_user
from .paging import next_page, page_limit, row_id, unknown_parameters
from .payload import invalid, utc_datetime
from .serialize import utc_iso

PARAMETERS = ("status", "location", "region", "visit", "changed_since", "limit", "after")


@bp.get("/actions")
def list_actions():
    """Filters: ``status`` (open, done), ``location`` (code), ``region`` (name), ``visit`` (id), ``changed_since``
    (ISO 8601: planned or marked done since then). ``overdue`` is judged on the chain's today."""
    user = current_api_user()
    if not may(user, "list_actions"):
        raise ApiError(403, "forbidden", {"role": "auditors do not see corrective actions"})
    args = request.args
    errors = unknown_parameters(args, PARAMETERS)
    conditions = [visible_actions(user)]
    if args.get("status"):
        if args["status"] not in ACTION_STATUSES:
            errors["status"] = f"one of {', '.join(ACTION_STATUSES)}"
        conditions.append(CorrectiveAction.status == args["status"])
    if args.get("location"):
        code = args["location"].strip().upper()
        found = db.session.scalar(select(Location.id).where(func.upper(Location.code) == code, visible_locations(user)))
        if found is None:
            errors["location"] = f"unknown location code '{args['location']}' (see GET /api/v1/locations)"
        conditions.append(CorrectiveAction.location_id == found)
    if args.get("region"):
        # Only a region with a branch the caller sees: another region's name is as unknown as a typo.
        region = db.session.scalar(select(Region.id).where(
            Region.name == args["region"], Region.id.in_(select(Location.region_id).where(visible_locations(user)))))
        if region is None:
            errors["region"] = f"unknown region '{args['region']}'"
        conditions.append(CorrectiveAction.location_id.in_(select(Location.id).where(Location.region_id == region)))
    if args.get("visit"):
        # A visit's actions (the visit's own page lists them under its failed questions); one the
        # caller may not see simply has none for them.
        if row_id(args["visit"]) is not None:
            conditions.append(CorrectiveAction.visit_id == row_id(args["visit"]))
        else:
            errors["visit"] = "a visit id, as GET /api/v1/visits gives it"
    if args.get("changed_since"):
        since = utc_datetime(args["changed_since"])
        if isinstance(since, str):
            errors["changed_since"] = since
        else:
            conditions.append((CorrectiveAction.created_at >= since) | (CorrectiveAction.done_at >= since))
    limit = page_limit(args, errors)
    if args.get("after"):
        if row_id(args["after"]) is not None:
            conditions.append(CorrectiveAction.id > row_id(args["after"]))
        else:
            errors["after"] = "use the `next` value of the previous page"
    if errors:
        raise invalid(errors)
    actions = db.session.scalars(
        select(CorrectiveAction).where(*conditions).order_by(CorrectiveAction.id).limit(limit + 1)
        .options(selectinload(CorrectiveAction.location).selectinload(Location.region),
                 selectinload(CorrectiveAction.visit).selectinload(Visit.checklist_version)
                 .selectinload(ChecklistVersion.checklist),
                 selectinload(CorrectiveAction.created_by), selectinload(CorrectiveAction.done_by))).all()
    more, actions = len(actions) > limit, actions[:limit]
    following = next_page("api.list_actions", args, actions[-1].id) if more else None
    today = local_today()
    return jsonify(actions=[_action_json(a, today) for a in actions], next=following)


def _action_json(action: CorrectiveAction, today) -> dict:
    item = action.visit.checklist_version.parsed.item(action.item_id) if action.item_id else None
    return {
        "id": action.id,
        "visit_id": action.visit_id,
        "location": {"code": action.location.code, "name": action.location.name,
                     "region": action.location.region.name if action.location.region else None},
        "checklist": action.visit.checklist_version.checklist.key,
        # None: the visit as a whole
        "item": {"id": action.item_id, "text": item.text.en if item else None} if action.item_id else None,
        "text": action.text,
        "responsible": action.responsible,
        "due_on": action.due_on.isoformat(),
        "status": action.status,
        "overdue": action.overdue(today),
        "created_at": utc_iso(action.created_at), "created_by": action.created_by.name,
        "done_at": utc_iso(action.done_at), "done_by": action.done_by.name if action.done_by else None,
        "done_note": action.done_note,
    }
