"""Failures waiting for a branch: the failed questions of approved visits for which no corrective
action was planned yet (open or done), neither for the question nor for its visit as a whole, as a
branch manager's home page lists them: a to-do list, which a visit leaves once it was dealt with.

A failure is the answer as it stands: a dispute overturned to a passing answer rescored it, so it
is no longer one; a rejected dispute leaves it as it was. A failure whose dispute awaits a
reviewer's decision is waiting on the reviewer, not on the branch: it is listed, marked
``disputed``, after those that wait for the branch.

Those waiting for the branch first, then critical failures first, then the newest visit first, a
visit's failures in checklist order (as its page lists them). Whether a question is critical, and
its place in the checklist, are in the checklist version's definition, not in a table: they enter
the query as CASE expressions over the versions the visits use, so the list is ordered and cut in
SQL. Three statements whatever the number of rows: the versions, the counts, the rows.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, case, exists, false, func, literal, or_, select

from ..checklist.model import PASS_SCORE
from ..extensions import db
from ..models import Answer, ChecklistVersion, CorrectiveAction, Dispute, Location, Visit


def _conditions(where, since: datetime | None) -> list:
    """Failed answers of approved visits matching ``where`` (a policy clause on ``Visit``) with no
    action planned for their question or for their visit as a whole (``item_id`` None)."""
    conditions = [where, Visit.status == "approved", Answer.score.is_not(None), Answer.score < PASS_SCORE,
                  ~exists().where(CorrectiveAction.visit_id == Answer.visit_id,
                                  or_(CorrectiveAction.item_id == Answer.item_id, CorrectiveAction.item_id.is_(None)))]
    if since is not None:
        conditions.append(Visit.visited_at >= since)
    return conditions


def _answers(*columns):
    return select(*columns).select_from(Answer).join(Visit, Answer.visit_id == Visit.id)


def _disputed():
    """True for an answer whose dispute awaits a reviewer's decision."""
    return exists().where(Dispute.visit_id == Answer.visit_id, Dispute.item_id == Answer.item_id,
                          Dispute.status == "open")


def _versions(where, since: datetime | None) -> dict[int, object]:
    """Version id → parsed definition, for the versions of the failures listed."""
    used = _answers(Visit.checklist_version_id).where(*_conditions(where, since)).distinct()
    versions = db.session.scalars(select(ChecklistVersion).where(ChecklistVersion.id.in_(used))).all()
    return {v.id: v.parsed for v in versions}


def _critical(definitions: dict[int, object]):
    """True for an answer to a critical question of its visit's checklist version."""
    clauses = [and_(Visit.checklist_version_id == version_id, Answer.item_id.in_(critical))
               for version_id, definition in definitions.items()
               if (critical := [item.id for item in definition.items if item.critical])]
    return or_(*clauses) if clauses else false()


def _position(definitions: dict[int, object]):
    """The answer's question's place in its checklist version."""
    whens = [(Visit.checklist_version_id == version_id,
              case({item.id: n for n, item in enumerate(definition.items)}, value=Answer.item_id,
                   else_=len(definition.items)))
             for version_id, definition in definitions.items() if definition.items]
    return case(*whens, else_=0) if whens else literal(0)


def unplanned_failures(where, lang: str, since: datetime | None = None,
                       limit: int | None = 20) -> dict:
    """``{"rows": […], "total": n, "critical": m, "disputed": d}``: the failures with no action of
    the visits ``where`` matches (visited since ``since``), the first ``limit`` of them (None: all);
    ``d`` of the ``n`` await a reviewer's decision on a dispute."""
    definitions = _versions(where, since)
    if not definitions:
        return {"rows": [], "total": 0, "critical": 0, "disputed": 0}
    conditions = _conditions(where, since)
    critical, disputed = _critical(definitions), _disputed()
    total, critical_total, disputed_total = db.session.execute(
        _answers(func.count(Answer.id), func.count(case((critical, Answer.id))),
                 func.count(case((disputed, Answer.id)))).where(*conditions)).one()
    stmt = (_answers(Answer.visit_id, Answer.item_id, Answer.comment, Visit.visited_at, Visit.checklist_version_id,
                     Location.code, Location.name, case((critical, 1), else_=0).label("critical"),
                     case((disputed, 1), else_=0).label("disputed"))
            .join(Location, Visit.location_id == Location.id).where(*conditions)
            .order_by(case((disputed, 1), else_=0), case((critical, 0), else_=1), Visit.visited_at.desc(),
                      Visit.id.desc(), _position(definitions), Answer.item_id))
    if limit is not None:
        stmt = stmt.limit(limit)
    rows = []
    for row in db.session.execute(stmt):
        item = definitions[row.checklist_version_id].item(row.item_id)
        rows.append({"visit_id": row.visit_id, "visited_at": row.visited_at, "item_id": row.item_id,
                     "question": item.text.get(lang) if item else row.item_id, "critical": bool(row.critical),
                     "disputed": bool(row.disputed),
                     "comment": row.comment or "", "location_code": row.code, "location_name": row.name})
    return {"rows": rows, "total": int(total or 0), "critical": int(critical_total or 0),
            "disputed": int(disputed_total or 0)}
