"""Who may do what: the one place where access is decided.

Views ask :func:`may` for single objects and use :func:`visible_visits` to filter lists,
so a list never shows what the detail page would refuse.
"""
from __future__ import annotations

from sqlalchemy import ColumnElement, and_, false, select, true

from .models import EDITABLE_STATUSES, CorrectiveAction, Location, User, Visit, manager_location

#: Actions that depend only on the role.
ROLE_ACTIONS: dict[str, frozenset[str]] = {
    "view_locations": frozenset({"admin", "reviewer"}),
    "view_checklists": frozenset({"admin", "reviewer", "auditor"}),
    "manage_checklists": frozenset({"admin"}),  # retire a checklist, or take it back into use
    "view_users": frozenset({"admin"}),
    "manage_users": frozenset({"admin"}),  # create, edit, deactivate; set passwords
    "manage_locations": frozenset({"admin"}),  # locations and regions
    "manage_mail": frozenset({"admin"}),  # the outbox: what was sent, what failed, a test mail
    "view_all_visits": frozenset({"admin", "reviewer"}),
    "manage_assignments": frozenset({"admin", "reviewer"}),
    "review_visits": frozenset({"admin", "reviewer"}),
    "dispute_visits": frozenset({"manager"}),
    "record_visit": frozenset({"admin", "reviewer", "auditor"}),  # a complete visit in one call (API)
    "record_visit_for_others": frozenset({"admin", "reviewer"}),  # naming another user as its auditor
    # Mystery shoppers stay anonymous to the branches they visit: a manager sees a visit's
    # findings, not who made it (pages, PDFs and the API).
    "see_auditor_names": frozenset({"admin", "reviewer", "auditor"}),
    # The review between reviewer and auditor (notes on a returned visit) is internal quality
    # control; the branch manager reads the approved result.
    "view_review_notes": frozenset({"admin", "reviewer", "auditor"}),
    # Corrective actions across the chain (/actions); a manager sees their branches' on their pages.
    "view_chain_actions": frozenset({"admin", "reviewer"}),
    # Corrective actions as data (the API): head office all, managers their branches', never auditors.
    "list_actions": frozenset({"admin", "reviewer", "manager"}),
    # Checklist versions ("v2"), keys, fingerprints and visit counts are head office's business;
    # auditors and managers see a checklist by its title.
    "see_checklist_versions": frozenset({"admin", "reviewer"}),
}


def may(user: User | None, action: str, obj: object | None = None) -> bool:
    """May ``user`` do ``action`` (to ``obj``)? Unknown actions are refused."""
    if user is None or not user.is_authenticated or not user.active:
        return False
    rule = OBJECT_RULES.get(action)
    if rule is not None:
        return isinstance(obj, Visit) and rule(user, obj)
    roles = ROLE_ACTIONS.get(action)
    return roles is not None and user.role in roles


def _may_view_visit(user: User, visit: Visit) -> bool:
    if user.role in ("admin", "reviewer"):
        return True
    if user.role == "auditor":
        return visit.auditor_id == user.id
    if user.role == "manager":
        return visit.status == "approved" and visit.location_id in {loc.id for loc in user.locations}
    return False


def _may_edit_visit(user: User, visit: Visit) -> bool:
    """Answers, details and photos change only while the visit is with its auditor."""
    return visit.status in EDITABLE_STATUSES and visit.auditor_id == user.id


def _may_review_visit(user: User, visit: Visit) -> bool:
    return user.role in ("admin", "reviewer") and visit.status == "submitted"


def _may_dispute_visit(user: User, visit: Visit) -> bool:
    return user.role == "manager" and _may_view_visit(user, visit)


def _may_decide_disputes(user: User, visit: Visit) -> bool:
    return user.role in ("admin", "reviewer")


def _may_view_actions(user: User, visit: Visit) -> bool:
    """Corrective actions are the branch's business with head office: never the auditor's (a
    mystery shopper does not learn what the branch does about their visit)."""
    return user.role in ("admin", "reviewer", "manager") and _may_view_visit(user, visit)


def _may_plan_action(user: User, visit: Visit) -> bool:
    """Plan an action, or mark one done: on an approved visit, by its branch or head office."""
    return visit.status == "approved" and _may_view_actions(user, visit)


#: Actions on one visit, decided by its owner, state and location.
OBJECT_RULES = {
    "view_visit": _may_view_visit,
    "edit_visit": _may_edit_visit,
    "review_visit": _may_review_visit,
    "dispute_visit": _may_dispute_visit,
    "decide_dispute": _may_decide_disputes,
    "view_actions": _may_view_actions,
    "plan_action": _may_plan_action,  # and mark one done
}


def visible_visits(user: User) -> ColumnElement[bool]:
    """A WHERE clause on ``Visit`` matching exactly the visits :func:`may` lets ``user`` view."""
    if user.role in ("admin", "reviewer"):
        return true()
    if user.role == "auditor":
        return Visit.auditor_id == user.id
    if user.role == "manager":
        own = select(manager_location.c.location_id).where(manager_location.c.user_id == user.id)
        return and_(Visit.status == "approved", Visit.location_id.in_(own))
    return false()


def visible_actions(user: User) -> ColumnElement[bool]:
    """A WHERE clause on ``CorrectiveAction`` matching the actions ``view_actions`` shows ``user``:
    all for head office, their branches' for a manager, none for auditors."""
    if user.role in ("admin", "reviewer"):
        return true()
    if user.role == "manager":
        own = select(manager_location.c.location_id).where(manager_location.c.user_id == user.id)
        return CorrectiveAction.location_id.in_(own)
    return false()


def visible_locations(user: User) -> ColumnElement[bool]:
    """A WHERE clause on ``Location``: all for head office, own branches for managers."""
    if user.role in ("admin", "reviewer"):
        return true()
    if user.role == "manager":
        own = select(manager_location.c.location_id).where(manager_location.c.user_id == user.id)
        return Location.id.in_(own)
    return false()


def recordable_locations(user: User) -> ColumnElement[bool]:
    """A WHERE clause on ``Location``: where ``user`` may record a visit (auditors: active branches)."""
    if user.role in ("admin", "reviewer"):
        return true()
    if user.role == "auditor":
        return Location.active == true()
    return false()
