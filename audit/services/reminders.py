"""Reminders by e-mail, sent by ``audit send-reminders`` (cron, once a day in the morning).

- An auditor is reminded of scheduled visits not made yet (not started, a draft, or returned to
  fix) on the day two days before the window ends and on its last day; visits past their window
  (in the last four weeks) are listed with them, and on Mondays alone. Inactive branches are left out.
- A branch manager is reminded in the same way of the open corrective actions of their branches,
  by the day each is due.
- A reviewer is told, on any day when some have waited two days or more, how many submitted
  visits wait for review and how many disputes for a decision, with the longest waiting of each
  (admins review too, but are not sent this: the reviewers are the ones who work the queue).

One mail per person a day at most, whatever the number of runs (a second run that day sends
nothing to who has had one), listing all that is due soon or overdue. People who turned mail
off get none.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Assignment, CorrectiveAction, Dispute, Location, OutgoingMail, User, Visit, manager_location
from ..times import display_zone, local_today
from .mail_queue import app_link, queue_mail, recipient_language

SOON = 2  # days before the last day that the first reminder goes
OVERDUE_LISTED = timedelta(days=28)  # older work is head office's to cancel or reassign, not a weekly nag
REMINDER_KINDS = ("visit_reminder", "action_reminder", "review_reminder")
REVIEW_WAIT = 2  # days a submitted visit or an open dispute waits before the reviewers are told
REVIEW_LISTED = 10  # the longest waiting named in the mail, of each kind
WEEKLY = 0  # Monday: the day overdue work is listed even when nothing falls due


@dataclass
class ReminderRun:
    auditors: int = 0
    managers: int = 0
    reviewers: int = 0
    already: int = 0  # had their reminder today already


def send_reminders(today: date) -> ReminderRun:
    """Queue today's reminders (flushed; the caller commits)."""
    run = ReminderRun()
    reminded = _reminded_today()
    for auditor, visits in _auditor_work(today).values():
        if not _worth_a_mail([v["due"] for v in visits], today):
            continue
        if auditor.id in reminded:
            run.already += 1
            continue
        lang = recipient_language(auditor)
        for visit in visits:
            visit["checklist"] = visit.pop("title").get(lang)
        if queue_mail(auditor, "visit_reminder", today=today, **_by_when(visits, today), link=app_link("home.index")):
            run.auditors += 1
    for manager, actions in _manager_actions(today).values():
        if not _worth_a_mail([a["due"] for a in actions], today):
            continue
        if manager.id in reminded:
            run.already += 1
            continue
        if queue_mail(manager, "action_reminder", today=today, **_by_when(actions, today), link=app_link("home.index")):
            run.managers += 1
    backlog = _review_backlog(today)
    if backlog["visits"] or backlog["disputes"]:
        for reviewer in db.session.scalars(select(User).where(User.role == "reviewer", User.active.is_(True),
                                                              User.wants_mail.is_(True)).order_by(User.id)):
            if reviewer.id in reminded:
                run.already += 1
                continue
            lang = recipient_language(reviewer)
            disputes = [{**d, "question": d["item"].text.get(lang) if d["item"] else d["item_id"]}
                        for d in backlog["disputes"]]
            if queue_mail(reviewer, "review_reminder", today=today, visits=backlog["visits"], disputes=disputes,
                          visits_total=backlog["visits_total"], disputes_total=backlog["disputes_total"],
                          wait=REVIEW_WAIT, queue_link=app_link("review.queue"), link=app_link("home.index")):
                run.reviewers += 1
    db.session.flush()
    return run


def _worth_a_mail(days: list[date], today: date) -> bool:
    """Something is due in two days or today, or it is Monday and something is overdue."""
    return any(day in (today, today + timedelta(days=SOON)) for day in days) or (
        today.weekday() == WEEKLY and any(day < today for day in days))


def _by_when(entries: list[dict], today: date) -> dict[str, list[dict]]:
    soon = today + timedelta(days=SOON)
    return {"overdue": [e for e in entries if e["due"] < today],
            "due_today": [e for e in entries if e["due"] == today],
            "due_soon": [e for e in entries if today < e["due"] <= soon]}


def _auditor_work(today: date) -> dict[int, tuple[User, list[dict]]]:
    """Active auditors' scheduled visits not made yet whose window ends within SOON days or has ended."""
    rows = db.session.execute(
        select(Assignment, Visit.status)
        .outerjoin(Visit, Visit.assignment_id == Assignment.id)
        .join(User, User.id == Assignment.auditor_id)
        .join(Location, Location.id == Assignment.location_id)
        .where(Assignment.cancelled.is_(False), User.role == "auditor", User.active.is_(True),
               User.wants_mail.is_(True), Location.active.is_(True),
               Assignment.due_until <= today + timedelta(days=SOON), Assignment.due_until >= today - OVERDUE_LISTED,
               (Visit.id.is_(None)) | Visit.status.in_(("draft", "returned")))
        .options(selectinload(Assignment.location), selectinload(Assignment.checklist), selectinload(Assignment.auditor))
        .order_by(Assignment.due_until, Assignment.id)).all()
    work: dict[int, tuple[User, list[dict]]] = {}  # by id: users compare by their sign-in, not as rows
    for assignment, status in rows:
        work.setdefault(assignment.auditor.id, (assignment.auditor, []))[1].append({
            "due": assignment.due_until, "opens": assignment.due_from,
            "branch": assignment.location.name, "code": assignment.location.code,
            "address": ", ".join(p for p in (assignment.location.address, assignment.location.city) if p),
            "title": assignment.checklist.current_version.parsed.title, "scenario": assignment.scenario,
            "status": status})
    return work


def _manager_actions(today: date) -> dict[int, tuple[User, list[dict]]]:
    """Active managers' open corrective actions due within SOON days or overdue, at their branches."""
    rows = db.session.execute(
        select(User, CorrectiveAction)
        .join(manager_location, manager_location.c.user_id == User.id)
        .join(CorrectiveAction, CorrectiveAction.location_id == manager_location.c.location_id)
        .where(User.role == "manager", User.active.is_(True), User.wants_mail.is_(True),
               CorrectiveAction.status == "open", CorrectiveAction.due_on <= today + timedelta(days=SOON),
               CorrectiveAction.due_on >= today - OVERDUE_LISTED)
        .options(selectinload(CorrectiveAction.location).raiseload(Location.managers),
                 selectinload(CorrectiveAction.visit).selectinload(Visit.checklist_version))
        .order_by(CorrectiveAction.due_on, CorrectiveAction.id)).all()
    actions: dict[int, tuple[User, list[dict]]] = {}
    for manager, action in rows:
        item = action.visit.checklist_version.parsed.item(action.item_id) if action.item_id else None
        lang = recipient_language(manager)
        actions.setdefault(manager.id, (manager, []))[1].append({
            "due": action.due_on, "branch": action.location.name, "code": action.location.code,
            "text": action.text, "responsible": action.responsible,
            "question": item.text.get(lang) if item else "",
            "link": app_link("home.visit", visit_id=action.visit_id)})
    return actions


def _review_backlog(today: date) -> dict:
    """Submitted visits and open disputes waiting since before the start of the day
    ``REVIEW_WAIT`` days ago: how many, and the longest waiting ``REVIEW_LISTED`` of each."""
    from .dispute_lists import select_disputes, with_items

    cutoff = datetime.combine(today - timedelta(days=REVIEW_WAIT), time.min,
                              tzinfo=display_zone()).astimezone(UTC).replace(tzinfo=None)
    waiting = (Visit.status == "submitted", Visit.submitted_at < cutoff)
    visits = db.session.execute(
        select(Visit.id, Visit.visited_at, Visit.submitted_at, Location.code, Location.name)
        .join(Location, Location.id == Visit.location_id).where(*waiting)
        .order_by(Visit.submitted_at, Visit.id).limit(REVIEW_LISTED)).all()
    open_long = (Dispute.status == "open", Dispute.created_at < cutoff)
    disputes = with_items(select_disputes().where(*open_long).order_by(Dispute.created_at, Dispute.id)
                          .limit(REVIEW_LISTED))
    return {
        "visits": [{"branch": v.name, "code": v.code, "visited": v.visited_at, "waiting_since": v.submitted_at,
                    "link": app_link("home.visit", visit_id=v.id)} for v in visits],
        "visits_total": db.session.scalar(select(func.count(Visit.id)).where(*waiting)) or 0,
        "disputes": [{**d, "link": app_link("home.visit", visit_id=d["visit_id"])} for d in disputes],
        "disputes_total": db.session.scalar(select(func.count(Dispute.id)).where(*open_long)) or 0,
    }


def _reminded_today() -> set[int]:
    """Users who have had a reminder written today (the display zone's day, by the clock: a run
    for another ``today`` still sends nobody a second reminder on one day)."""
    start = datetime.combine(local_today(), time.min, tzinfo=display_zone()).astimezone(UTC).replace(tzinfo=None)
    return set(db.session.scalars(select(OutgoingMail.user_id).where(
        OutgoingMail.kind.in_(REMINDER_KINDS), OutgoingMail.created_at >= start)))
