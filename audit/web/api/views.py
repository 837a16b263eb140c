"""API endpoints: record and read visits, list locations and checklists.

Status codes: 400 for every validation problem (``details`` names each field or item),
401 without a valid token, 403 for what the role may not do at all, 404 for objects that
do not exist or that the user may not see, 409 when ``client_uuid`` is taken by other content.
"""
from __future__ import annotations

from datetime import datetime

from flask import jsonify, request, url_for
from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ...checklist import Checklist as ChecklistDefinition
from ...checklist import InvalidAnswer, parse_answer
from ...extensions import db
from ...models import VISIT_STATUSES, Checklist, ChecklistVersion, Location, Region, User, Visit
from ...policy import may, recordable_locations, visible_locations, visible_visits
from ...services import audit_log
from ...services.checklists import current_version
from ...services.users import find_user_by_email
from ...services.visits import VisitConflict, VisitError, VisitInvalid, record_visit
from . import bp
from .auth import ApiError, current_api_user
from .paging import next_page, page_limit, row_id, unknown_parameters
from .payload import VisitPayload, invalid, json_object, utc_datetime, visit_payload
from .serialize import checklist_json, visit_json


@bp.get("/locations")
def locations():
    """Branches the user may see, plus (for auditors) every active branch they may record at."""
    user = current_api_user()
    stmt = (
        select(Location.code, Location.name, Region.name.label("region"), Location.city, Location.address,
               Location.format, Location.active)
        .outerjoin(Region, Location.region_id == Region.id)
        .where(or_(visible_locations(user), recordable_locations(user)))
        .order_by(Location.code)
    )
    return jsonify([row._asdict() for row in db.session.execute(stmt)])


@bp.get("/checklists")
def checklists():
    """Every checklist in its current version."""
    user = current_api_user()
    if not may(user, "view_checklists"):
        raise ApiError(403, "forbidden", {"role": f"a {user.role} cannot list checklists"})
    newest = (
        select(ChecklistVersion.checklist_id, func.max(ChecklistVersion.number).label("number"))
        .group_by(ChecklistVersion.checklist_id)
        .subquery()
    )
    stmt = (
        select(Checklist.key, ChecklistVersion)
        .join(ChecklistVersion, ChecklistVersion.checklist_id == Checklist.id)
        .join(newest, and_(newest.c.checklist_id == ChecklistVersion.checklist_id,
                           newest.c.number == ChecklistVersion.number))
        .order_by(Checklist.key)
    )
    return jsonify([checklist_json(key, version) for key, version in db.session.execute(stmt)])


@bp.get("/checklists/<key>")
def checklist(key: str):
    """One checklist whole (its current version, or ``?version=N``): every section and item with
    its id, type, texts, options and rules, as in the checklist file — what a client needs to
    build a form and send answers."""
    user = current_api_user()
    if not may(user, "view_checklists"):
        raise ApiError(403, "forbidden", {"role": f"a {user.role} cannot read checklists"})
    versions = db.session.scalars(
        select(ChecklistVersion).join(Checklist).where(Checklist.key == key).order_by(ChecklistVersion.number)
    ).all()
    number = request.args.get("version")
    chosen = versions[-1] if versions and number is None else next(
        (v for v in versions if str(v.number) == number), None)
    if chosen is None:
        raise ApiError(404, "not found", {"checklist": f"no checklist '{key}'" + (f" version {number}" if number else "")})
    return jsonify({**checklist_json(key, chosen), "definition": chosen.definition})


#: Visits per page of ``GET /visits``: the default, and the most one may ask for.


@bp.get("/visits")
def list_visits():
    """The visits the caller may see, oldest change first, a page at a time: for a nightly pull
    into a BI tool, ``?changed_since=<the previous run's time>`` then ``next`` until it is null.

    Filters: ``status``, ``checklist``, ``location`` (code), ``changed_since`` (ISO 8601; a visit
    changes when it is submitted, returned, approved, or its answers are corrected on a dispute).
    Each visit is the shape of ``GET /visits/<id>``.
    """
    user = current_api_user()
    args = request.args
    errors = unknown_parameters(args, ("status", "checklist", "location", "changed_since", "limit", "after"))
    conditions = [visible_visits(user)]
    if args.get("status"):
        if args["status"] not in VISIT_STATUSES:
            errors["status"] = f"one of {', '.join(VISIT_STATUSES)}"
        conditions.append(Visit.status == args["status"])
    if args.get("checklist"):
        if current_version(args["checklist"]) is None:
            errors["checklist"] = f"unknown checklist '{args['checklist']}' (see GET /api/v1/checklists)"
        conditions.append(Visit.checklist_version_id.in_(
            select(ChecklistVersion.id).join(Checklist).where(Checklist.key == args["checklist"])))
    if args.get("location"):
        code = args["location"].strip().upper()
        if db.session.scalar(select(Location.id).where(func.upper(Location.code) == code,
                                                      or_(visible_locations(user), recordable_locations(user)))) is None:
            errors["location"] = f"unknown location code '{args['location']}' (see GET /api/v1/locations)"
        conditions.append(Visit.location_id.in_(select(Location.id).where(func.upper(Location.code) == code)))
    if args.get("changed_since"):
        since = utc_datetime(args["changed_since"])
        if isinstance(since, str):
            errors["changed_since"] = since
        else:
            conditions.append(Visit.updated_at >= since)
    limit = page_limit(args, errors)
    if args.get("after"):
        cursor = _cursor(args["after"])
        if cursor is None:
            errors["after"] = "use the `next` value of the previous page as it was given"
        else:
            at, visit_id = cursor
            conditions.append(or_(Visit.updated_at > at, and_(Visit.updated_at == at, Visit.id > visit_id)))
    if errors:
        raise invalid(errors)
    visits = db.session.scalars(
        select(Visit).where(*conditions).order_by(Visit.updated_at, Visit.id).limit(limit + 1)
        .options(selectinload(Visit.answers), selectinload(Visit.section_scores), selectinload(Visit.location),
                 selectinload(Visit.auditor),
                 selectinload(Visit.checklist_version).selectinload(ChecklistVersion.checklist))
    ).all()
    more, visits = len(visits) > limit, visits[:limit]
    with_auditor = may(user, "see_auditor_names")
    following = None
    if more:
        last = visits[-1]
        following = next_page("api.list_visits", args, f"{last.updated_at.isoformat()}~{last.id}")
    return jsonify(visits=[visit_json(visit, with_auditor) for visit in visits], next=following)


def _cursor(value: str) -> tuple[datetime, int] | None:
    at, _, visit_id = value.partition("~")
    try:
        moment = datetime.fromisoformat(at)
    except ValueError:
        return None
    return None if row_id(visit_id) is None else (moment, row_id(visit_id))


@bp.get("/visits/<int:visit_id>")
def get_visit(visit_id: int):
    visit = _load_visit(visit_id)
    # 404 rather than 403: a visit the user may not see does not exist for them.
    if visit is None or not may(current_api_user(), "view_visit", visit):
        raise ApiError(404, "not found", {"visit": f"no visit with id {visit_id}"})
    return jsonify(visit_json(visit, with_auditor=may(current_api_user(), "see_auditor_names")))


@bp.post("/visits")
def create_visit():
    """A complete visit in one call: 201 when new, 200 for an identical resubmission."""
    user = current_api_user()
    if not may(user, "record_visit"):
        raise ApiError(403, "forbidden", {"role": f"a {user.role} cannot record visits"})
    payload = visit_payload(json_object())
    if payload.status == "approved" and not may(user, "review_visits"):
        raise ApiError(403, "forbidden", {"status": "only reviewers and admins may record approved visits"})
    auditor = _auditor(user, payload)
    location = db.session.scalar(
        select(Location).where(func.upper(Location.code) == payload.location.strip().upper(), recordable_locations(user))
    )
    version = current_version(payload.checklist)
    errors = {}
    if location is None:
        errors["location"] = f"unknown location code '{payload.location}' (see GET /api/v1/locations)"
    if version is None:
        errors["checklist"] = f"unknown checklist '{payload.checklist}' (see GET /api/v1/checklists)"
    if errors:
        raise invalid(errors)
    value_errors = _value_errors(version.parsed, payload.answers)
    visit_id, created = _record(user, auditor, location, payload, value_errors)
    response = jsonify(visit_json(_load_visit(visit_id), with_auditor=may(user, "see_auditor_names")))
    response.status_code = 201 if created else 200
    response.headers["Location"] = url_for("api.get_visit", visit_id=visit_id)
    return response


def _auditor(user: User, payload: VisitPayload) -> User:
    """Whose visit this is: the caller for auditors; the named ``auditor`` for head office."""
    if not may(user, "record_visit_for_others"):
        if payload.auditor is not None and payload.auditor.lower() != user.email.lower():
            raise ApiError(403, "forbidden", {"auditor": "auditors record visits only as themselves; leave it out"})
        return user
    if payload.auditor is None:
        raise invalid({"auditor": "required: the e-mail of the auditor who made the visit"})
    found = find_user_by_email(payload.auditor)
    if found is None or not may(found, "record_visit"):
        raise invalid({"auditor": f"no active user who records visits has the e-mail {payload.auditor}"})
    return found


def _value_errors(definition: ChecklistDefinition, answers: dict[str, object]) -> dict[str, str]:
    """What is wrong with each answer value, by item id.

    The service checks the same, but on submission it reports an item whose value was
    refused as "an answer is required"; these messages say what is wrong with the value.
    It also ignores values sent for photo items, which the API refuses.
    """
    errors = {}
    for item_id, raw in answers.items():
        item = definition.item(item_id)
        if item is None:
            continue  # the service reports "unknown item"
        try:
            parse_answer(item, raw)
        except InvalidAnswer as exc:
            errors[item_id] = exc.message
    return errors


def _record(user: User, auditor: User, location: Location, payload: VisitPayload,
            value_errors: dict[str, str]) -> tuple[int, bool]:
    """Record and commit the visit; every failure rolls back (see ``auth.api_error``)."""
    approved_by = user if payload.status == "approved" else None
    for attempt in range(2):
        try:
            visit, created = record_visit(auditor, payload.client_uuid, location, payload.checklist,
                                          payload.content(), approved_by=approved_by, recorded_by=user)
            if value_errors:
                raise VisitInvalid(value_errors)
            if created:
                # The steps are logged as the sender; this says it came through the API, for whom.
                audit_log.record("visit.recorded", "visit", visit.id, user, via="api", auditor=auditor.id,
                                 status=visit.status)
            db.session.commit()
            return visit.id, created
        except IntegrityError:
            # A concurrent request stored the same client_uuid first: on the second try this
            # request is an identical resubmission (200) or a conflict (409).
            db.session.rollback()
            if attempt:
                raise
        except VisitConflict as exc:
            raise ApiError(409, "conflict", {"client_uuid": exc.message}) from None
        except VisitInvalid as exc:
            raise invalid(exc.errors | value_errors) from None
        except VisitError as exc:
            raise invalid({"visit": exc.message}) from None
    raise AssertionError("unreachable")


def _load_visit(visit_id: int) -> Visit | None:
    return db.session.scalar(
        select(Visit)
        .where(Visit.id == visit_id)
        .options(
            selectinload(Visit.answers), selectinload(Visit.section_scores),
            selectinload(Visit.location), selectinload(Visit.auditor),
            selectinload(Visit.checklist_version).selectinload(ChecklistVersion.checklist),
        )
    )
