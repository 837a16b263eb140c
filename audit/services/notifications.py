"""Who is told what by e-mail when something happens to their work.

- a branch's managers: a visit of their branch approved (its report is ready), their dispute decided;
- an auditor: visits scheduled for them, a visit returned to them to fix;
- anyone: the set-password link an admin chose to e-mail them, or they asked for on the sign-in page.

Managers never learn the shopper's name from a mail, as from the pages. Each mail is written in
the recipient's language within the event's transaction (:mod:`audit.services.mail_queue`).
"""
from __future__ import annotations

from collections import defaultdict

from flask_babel import force_locale

from ..config import format_locale
from ..models import Assignment, Dispute, OutgoingMail, User, Visit
from ..times import local_date
from ..web.labels import answer_label
from .actions import failed_items
from .dispute_period import dispute_deadline
from .mail_queue import app_link, mail_is_on, queue_mail, recipient_language
from .password_links import NewLink


def visit_approved(visit: Visit) -> None:
    if not mail_is_on():
        return
    definition = visit.checklist_version.parsed
    failed = failed_items(visit)
    for manager in _managers(visit):
        lang = recipient_language(manager)
        queue_mail(manager, "visit_approved", **_visit_values(visit, lang),
                   score=visit.score, critical_failed=visit.critical_failed, failed=len(failed),
                   critical=[definition.item(i).text.get(lang) for i in sorted(failed)
                             if definition.item(i) is not None and definition.item(i).critical],
                   link=app_link("home.visit", visit_id=visit.id),
                   pdf_link=app_link("reports.visit_pdf", visit_id=visit.id), dispute_until=dispute_deadline(visit))


def visit_returned(visit: Visit) -> None:
    if not mail_is_on():
        return
    auditor = visit.auditor
    lang = recipient_language(auditor)
    notes = [c for c in visit.review_comments if c.resolved_at is None]  # this return's, not earlier ones
    general = [c.text for c in notes if c.item_id is None]
    on_items = sum(1 for c in notes if c.item_id is not None)
    queue_mail(auditor, "visit_returned", **_visit_values(visit, lang), note=general[-1] if general else "",
               item_notes=on_items, link=app_link("field.fill", client_uuid=visit.uuid))


def visits_assigned(assignments: list[Assignment]) -> None:
    if not mail_is_on():
        return
    by_auditor: dict[int, list[Assignment]] = defaultdict(list)
    for assignment in assignments:
        by_auditor[assignment.auditor.id].append(assignment)
    for work in by_auditor.values():
        auditor = work[0].auditor
        lang = recipient_language(auditor)
        visits = [{"branch": a.location.name, "code": a.location.code,
                   "address": ", ".join(p for p in (a.location.address, a.location.city) if p),
                   "checklist": a.checklist.current_version.parsed.title.get(lang),
                   "due_from": a.due_from, "due_until": a.due_until, "scenario": a.scenario, "notes": a.notes}
                  for a in sorted(work, key=lambda a: (a.due_until, a.location.name))]
        queue_mail(auditor, "visits_assigned", visits=visits, link=app_link("home.index"))


def dispute_decided(dispute: Dispute, visit: Visit, score_before: float | None) -> None:
    if not mail_is_on():
        return
    manager = dispute.raised_by
    if manager is None or manager.id not in {m.id for m in _managers(visit)}:  # no longer runs the branch
        return
    lang = recipient_language(manager)
    item = visit.checklist_version.parsed.item(dispute.item_id)
    queue_mail(manager, "dispute_decided", **_visit_values(visit, lang),
               question=item.text.get(lang) if item else dispute.item_id, overturned=dispute.status == "overturned",
               old_answer=_answer_text(item, dispute.old_value, lang), new_answer=_answer_text(item, dispute.new_value, lang),
               decision_note=dispute.decision_note, score_before=score_before, score=visit.score,
               link=app_link("home.visit", visit_id=visit.id))


def password_link(link: NewLink, actor: User | None) -> OutgoingMail | None:
    """The set-password link, mailed to its user (the admin never sees it)."""
    return queue_mail(link.user, "password_link", link=app_link("password_links.set_password", token=link.token),
                      expires_at=link.expires_at, email=link.user.email, made_by=actor.name if actor is not None else "")


def password_link_asked_for(link: NewLink) -> OutgoingMail | None:
    """The set-password link someone asked for on the sign-in page ("Forgot your password?"),
    mailed to the account's own address. The same kind as an admin's link, so that the outbox
    blanks the token once sent and never sends it again (:mod:`audit.services.mail_delivery`)."""
    return queue_mail(link.user, "password_link", link=app_link("password_links.set_password", token=link.token),
                      expires_at=link.expires_at, email=link.user.email, made_by="", asked_for=True)


def _answer_text(item, value, lang: str) -> str:
    with force_locale(format_locale(lang)):
        return str(answer_label(item, value, lang)) if item is not None else (value or "–")


def _managers(visit: Visit) -> list[User]:
    return sorted((m for m in visit.location.managers if m.role == "manager"), key=lambda m: m.id)


def _visit_values(visit: Visit, lang: str) -> dict:
    return {"branch": visit.location.name, "code": visit.location.code,
            "checklist": visit.checklist_version.parsed.title.get(lang),
            "visited_on": local_date(visit.visited_at) if visit.visited_at else None}
