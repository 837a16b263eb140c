"""Corrective actions for the demo: some branch managers have planned what they will do about a
failed question of their last store visits, so the manager's home, the branch page, the visit
page and head office's /actions list show real rows right after `make run`.

Deterministic (no random draws, so the visits' draws are untouched): every third branch has an
action on its latest store visit, the next branch in each three one on the visit before; some
are done, some open, some overdue. Texts are in the manager's language; the manager is
named as responsible.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ...extensions import db
from ...models import AuditLogEntry, ChecklistVersion, CorrectiveAction, Location, Visit
from ...scoring import score_visit

DUE_AFTER_DAYS = 14

PLANS = {
    "en": ("Go through this at the morning briefing with the whole team and practise it in pairs.",
           "Retrain the staff of the shift concerned; the branch management checks it for the next three days.",
           "Add it to the opening checklist and check it every day for two weeks."),
    "lt": ("Aptarti tai rytiniame susirinkime su visa komanda ir pasipraktikuoti poromis.",
           "Iš naujo apmokyti tos pamainos darbuotojus; filialo vadovybė tikrina tris artimiausias dienas.",
           "Įtraukti tai į atidarymo kontrolinį sąrašą ir tikrinti kasdien dvi savaites."),
    "lv": ("Pārrunāt to rīta sanāksmē ar visu komandu un izmēģināt pāros.",
           "Atkārtoti apmācīt attiecīgās maiņas darbiniekus; filiāles vadība to pārbauda nākamās trīs dienas.",
           "Iekļaut to atvēršanas pārbaudes sarakstā un pārbaudīt katru dienu divas nedēļas."),
    "ru": ("Обсудить это на утренней планёрке со всей командой и отработать в парах.",
           "Повторно обучить сотрудников этой смены; руководство филиала проверяет это три ближайших дня.",
           "Добавить это в чек-лист открытия и проверять ежедневно две недели."),
}
DONE_NOTES = {
    "en": "Briefing held on every shift; checked on three days, all fine.",
    "lt": "Susirinkimai surengti visose pamainose; patikrinta tris dienas, viskas gerai.",
    "lv": "Sanāksmes notikušas visās maiņās; pārbaudīts trīs dienas, viss kārtībā.",
    "ru": "Собрания проведены во всех сменах; проверено три дня, всё в порядке.",
}


def plan_demo_actions(locations: list[Location], store: ChecklistVersion, end: date,
                      not_after: datetime | None) -> int:
    """Add the demo's corrective actions (see the module docstring); returns how many."""
    last_two = last_two_store_visits(store.checklist_id)
    latest_day = datetime.combine(end, time(18, 0))
    if not_after is not None:
        latest_day = min(latest_day, not_after)
    count = 0
    for i, location in enumerate(locations):
        visits = last_two.get(location.id, [])
        if i % 3 == 0 and visits:
            planned = _plan(location, visits[0], i, latest_day, not_after)
        elif i % 3 == 1 and len(visits) > 1:
            planned = _plan(location, visits[1], i, latest_day, not_after)
        else:
            planned = False
        count += planned
    return count


def last_two_store_visits(checklist_id: int) -> dict[int, list[Visit]]:
    """Each branch's two latest approved visits of the store checklist, the latest first."""
    ranked = (select(Visit.id, func.row_number().over(partition_by=Visit.location_id,
                                                      order_by=(Visit.visited_at.desc(), Visit.id.desc())).label("n"))
              .join(ChecklistVersion, Visit.checklist_version_id == ChecklistVersion.id)
              .where(ChecklistVersion.checklist_id == checklist_id, Visit.status == "approved").subquery())
    visits = db.session.scalars(
        select(Visit).where(Visit.id.in_(select(ranked.c.id).where(ranked.c.n <= 2)))
        .options(selectinload(Visit.answers), selectinload(Visit.checklist_version))
        .order_by(Visit.visited_at.desc(), Visit.id.desc())).all()
    grouped: dict[int, list[Visit]] = {}
    for visit in visits:
        grouped.setdefault(visit.location_id, []).append(visit)
    return grouped


def _plan(location: Location, visit: Visit, i: int, latest: datetime, not_after: datetime | None) -> bool:
    """One action on the visit's first failed question (critical ones first)."""
    definition = visit.checklist_version.parsed
    result = score_visit(definition, {a.item_id: a.value for a in visit.answers})
    failed = sorted((item for item in definition.items if result.items[item.id].failed),
                    key=lambda item: not item.critical)
    if not failed or not location.managers:
        return False
    manager = location.managers[0]
    lang = manager.locale if manager.locale in PLANS else "en"
    # A day after the approval, but never later than the demo's "now", nor before the approval
    # (a visit of the demo's last day may be approved after it when the demo ends in the past).
    created = max(min(visit.approved_at + timedelta(days=1), latest), visit.approved_at + timedelta(hours=1))
    if not_after is not None:
        created = min(created, not_after)
    due = created.date() + timedelta(days=DUE_AFTER_DAYS)
    # Every other group of three branches has done it: by the due day on the latest visit, at
    # once on the visit before; the others' actions stay open (overdue once the day has passed).
    done = (i // 3) % 2 == 0 and (due < latest.date() or i % 3 == 1)
    done_at = min(datetime.combine(due, time(16, 0)) - timedelta(days=2), latest) if done else None
    if done_at is not None and done_at <= created:
        done, done_at = False, None  # planned in the demo's last hour: still open
    action = CorrectiveAction(
        visit_id=visit.id, item_id=failed[0].id, location_id=location.id, text=PLANS[lang][i % 3],
        responsible=manager.name, due_on=due, status="done" if done else "open",
        done_note=DONE_NOTES[lang] if done else "", created_by_id=manager.id, created_at=created,
        done_by_id=manager.id if done else None, done_at=done_at)
    db.session.add(action)
    db.session.flush()
    db.session.add(AuditLogEntry(at=created, user_id=manager.id, action="action.planned", object_type="visit",
                                 object_id=str(visit.id), details={"action_id": action.id, "item": failed[0].id,
                                                                   "due_on": due.isoformat()}))
    if done:
        db.session.add(AuditLogEntry(at=done_at, user_id=manager.id, action="action.done", object_type="visit",
                                     object_id=str(visit.id), details={"action_id": action.id, "item": failed[0].id}))
    return True
