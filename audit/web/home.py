"""Home page per role, plus pages for a checklist version (where an admin retires it) and a visit."""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..checklist.changes import version_changes
from ..extensions import db
from ..models import AuditLogEntry, Checklist, ChecklistVersion, Dispute, Visit, utcnow
from ..policy import may, visible_actions, visible_visits
from ..reports.visit_report import dispute_rows, failure_summary
from ..scoring import score_visit
from ..services import overview
from ..services.actions import actions_of_visit, count_open_actions, latest_due_day, open_actions
from ..services.assignments import auditor_work
from ..services.checklist_retirement import find_checklist, reinstate_checklist, retire_checklist
from ..services.dispute_lists import DECIDED_SHOWN_DAYS, branch_dispute_rows, open_dispute_rows
from ..services.dispute_period import dispute_deadline, disputes_ended
from ..services.photo_image import MAX_BYTES as PHOTO_MAX_BYTES
from ..services.unplanned_failures import unplanned_failures
from ..services.visits import outside_window
from .fill_view import choices
from ..times import local_today

bp = Blueprint("home", __name__)

#: The entries of a visit's History a branch manager sees besides disputes and actions.
BRANCH_HISTORY = frozenset({"visit.approved"})
#: The text fields of each review form, by name, with their labels on the page (see unsent_texts).
UNSENT_LABELS = {
    "return": {"note": _l("Note for the auditor")},
    "dispute": {"reason": _l("Why is this answer wrong?")},
    "decide": {"note": _l("Note")},
}
WAITING_ON_HOME = 20  # the longest waiting; the review queue has them all
ACTIONS_ON_HOME = 100  # a manager's open actions, the earliest due first
DISPUTES_ON_HOME = 50  # open disputes (head office), a manager's open and lately decided ones
#: A manager's failures without an action: of the visits of the last UNPLANNED_DAYS days, the
#: first UNPLANNED_ON_HOME (critical first, the newest visit first); ``?failures=all`` all of them.
UNPLANNED_DAYS = 90
UNPLANNED_ON_HOME = 20
UNPLANNED_ALL = 500  # a bound on ?failures=all


@bp.get("/")
@login_required
def index():
    user = current_user
    context = {"visits": overview.recent_visits(user), "counts": overview.visit_counts_by_status(user)}
    if may(user, "view_locations") or user.role == "manager":
        context["locations"] = overview.locations_overview(user)
    if may(user, "view_checklists"):
        context["checklists"] = overview.checklists_overview()
        context["can_manage"] = may(user, "manage_checklists")  # is told how to load checklists
    if may(user, "view_users"):
        context["user_counts"] = overview.user_counts_by_role()
    if may(user, "review_visits"):
        context["waiting"] = overview.waiting_for_review(user, limit=WAITING_ON_HOME)
        context["waiting_total"] = overview.count_waiting(user)
        context["disputes"], context["disputes_total"] = open_dispute_rows(limit=DISPUTES_ON_HOME)
    if user.role == "auditor":
        context["work"] = auditor_work(user, local_today())
    if user.role == "manager":
        context["disputes"] = branch_dispute_rows(user, utcnow(), limit=DISPUTES_ON_HOME)
        context["decided_days"] = DECIDED_SHOWN_DAYS
        today = local_today()
        context["actions"] = open_actions(visible_actions(user), today, get_locale().language if get_locale() else "en",
                                          limit=ACTIONS_ON_HOME)
        context["action_counts"] = count_open_actions(visible_actions(user), today)
        context["all_failures"] = request.args.get("failures") == "all"
        context["unplanned"] = unplanned_failures(
            visible_visits(user), get_locale().language if get_locale() else "en",
            since=utcnow() - timedelta(days=UNPLANNED_DAYS),
            limit=UNPLANNED_ALL if context["all_failures"] else UNPLANNED_ON_HOME)
        context["unplanned_days"], context["unplanned_on_home"] = UNPLANNED_DAYS, UNPLANNED_ON_HOME
    elif may(user, "view_chain_actions"):
        context["action_counts"] = count_open_actions(visible_actions(user), local_today())
    return render_template(f"home/{user.role}.html", **context)


@bp.get("/checklists")
@login_required
def checklists():
    if not may(current_user, "view_checklists"):
        abort(404)
    return render_template("home/checklists.html", checklists=overview.checklists_overview(),
                           can_manage=may(current_user, "manage_checklists"),
                           titles_only=not may(current_user, "see_checklist_versions"))


@bp.get("/checklists/<key>")
@login_required
def checklist(key: str):
    if not may(current_user, "view_checklists"):
        abort(404)
    found = db.session.scalar(
        select(Checklist).where(Checklist.key == key).options(selectinload(Checklist.versions))
    )
    if found is None or not found.versions:
        abort(404)
    number = request.args.get("version", type=int)
    if "version" in request.args and not any(v.number == number for v in found.versions):
        abort(404)  # not quietly another version than the one asked for
    version = next((v for v in found.versions if v.number == number), found.current_version)
    previous = next((v for v in reversed(found.versions) if v.number < version.number), None)
    return render_template(
        "home/checklist.html", checklist=found, version=version, definition=version.parsed, previous=previous,
        changes=version_changes(previous.parsed, version.parsed) if previous else None,
        can_manage=may(current_user, "manage_checklists"),
    )


@bp.post("/checklists/<key>/retire")
@login_required
def retire(key: str):
    """No longer offer the checklist for new visits; say how many scheduled ones are still open."""
    checklist = _managed_checklist(key)
    open_visits = retire_checklist(checklist, current_user)
    db.session.commit()
    if open_visits:
        message = ngettext(
            "“%(title)s” retired: it is no longer offered for new visits. %(num)d visit scheduled before is still "
            "open and can still be made; cancel it if it is no longer wanted.",
            "“%(title)s” retired: it is no longer offered for new visits. %(num)d visits scheduled before are "
            "still open and can still be made; cancel those no longer wanted.", open_visits, title=_title(checklist))
    else:
        message = _("“%(title)s” retired: it is no longer offered for new visits. No scheduled visit of it is open.",
                    title=_title(checklist))
    flash(_with_schedule_link(message, open_visits), "info")
    return redirect(url_for("home.checklist", key=checklist.key))


@bp.post("/checklists/<key>/reinstate")
@login_required
def reinstate(key: str):
    """Offer a retired checklist for new visits again."""
    checklist = _managed_checklist(key)
    open_visits = reinstate_checklist(checklist, current_user)
    db.session.commit()
    flash(_with_schedule_link(ngettext(
        "“%(title)s” is offered for new visits again. %(num)d scheduled visit of it is open.",
        "“%(title)s” is offered for new visits again. %(num)d scheduled visits of it are open.", open_visits,
        title=_title(checklist)), open_visits), "info")
    return redirect(url_for("home.checklist", key=checklist.key))


def _managed_checklist(key: str) -> Checklist:
    if not may(current_user, "manage_checklists"):
        abort(404)
    found = find_checklist(key)
    if found is None:
        abort(404)
    return found


def _title(checklist: Checklist) -> str:
    return checklist.title_in(get_locale().language if get_locale() else "en")


def _with_schedule_link(message: str, open_visits: int) -> Markup:
    """The message, and when visits are open a link to the page where they are cancelled."""
    if not open_visits:
        return Markup.escape(message)
    return Markup('{} <a href="{}">{}</a>').format(message, url_for("assignments.index"), _("Scheduled visits"))


def unsent_texts(refused: dict | None, definition, lang: str) -> list[tuple[str, str]]:
    """What was typed into a review form refused because the visit changed meanwhile (another
    reviewer approved it, the dispute was decided …), as (label, text). The form itself is gone
    from the page then, so the texts are shown to be copied instead of being lost. A form refused
    for its fields (``errors``) is shown again as typed instead."""
    if not refused or refused.get("errors") or refused.get("form") not in UNSENT_LABELS:
        return []
    labels = UNSENT_LABELS[refused["form"]]
    texts = []
    for key, text in (refused.get("values") or {}).items():
        text = text.strip() if isinstance(text, str) else ""
        if not text:
            continue
        if key.startswith("note-"):
            item = definition.item(key[len("note-"):])
            texts.append((item.text.get(lang) if item else key[len("note-"):], text))
        elif key in labels:
            texts.append((str(labels[key]), text))
    return texts


@bp.get("/visits/<int:visit_id>")
@login_required
def visit(visit_id: int):
    return visit_page(visit_id)


def visit_page(visit_id: int, refused: dict | None = None):
    """The visit page; ``refused`` re-shows a review form the server refused, with what was typed.

    ``refused`` is ``{"form": "return" | "dispute" | "decide" | "action" | "done", "values":
    request.form}`` (plus ``"dispute_id"`` for a decision, ``"item_id"`` for a planned action,
    ``"action_id"`` for one marked done), so a refused note is shown again instead of being lost.
    """
    found = db.session.scalar(
        select(Visit)
        .where(Visit.id == visit_id)
        .options(
            selectinload(Visit.answers), selectinload(Visit.section_scores), selectinload(Visit.evidence),
            selectinload(Visit.review_comments), selectinload(Visit.disputes).selectinload(Dispute.raised_by),
            selectinload(Visit.location), selectinload(Visit.auditor),
            selectinload(Visit.checklist_version).selectinload(ChecklistVersion.checklist),
        )
    )
    # 404 rather than 403: a visit the user may not see does not exist for them.
    if found is None or not may(current_user, "view_visit", found):
        abort(404)
    definition = found.checklist_version.parsed
    lang = get_locale().language if get_locale() else "en"
    answers = {a.item_id: a for a in found.answers}
    result = score_visit(definition, {item_id: a.value for item_id, a in answers.items()})
    photos: dict[str | None, list] = {}
    for evidence in found.evidence:
        photos.setdefault(evidence.item_id, []).append(evidence)
    history = db.session.scalars(
        select(AuditLogEntry).where(AuditLogEntry.object_type == "visit", AuditLogEntry.object_id == str(found.id))
        .options(selectinload(AuditLogEntry.user)).order_by(AuditLogEntry.at, AuditLogEntry.id)
    ).all()
    can_view_actions = may(current_user, "view_actions", found)
    if not can_view_actions:  # the auditor does not learn what the branch does about the visit
        history = [entry for entry in history if not entry.action.startswith("action.")]
    if not may(current_user, "see_auditor_names"):
        # The branch sees the approval, its disputes and its actions. Not the shopper's own
        # steps, whose times (started, photo added, submitted) could be matched against the
        # branch's cameras or till, nor head office's review back-and-forth.
        history = [entry for entry in history if entry.action in BRANCH_HISTORY or entry.action.startswith(
            ("dispute.", "action."))]
    return render_template(
        "home/visit.html", visit=found, definition=definition, answers=answers, result=result,
        photos=photos, history=history, choices=choices,
        disputes=_with_photo_links(dispute_rows(found, definition, lang)),
        can_edit=may(current_user, "edit_visit", found),
        show_version=may(current_user, "see_checklist_versions"), photo_max_bytes=PHOTO_MAX_BYTES,
        can_review=may(current_user, "review_visit", found),
        can_dispute=(may(current_user, "dispute_visit", found) and found.status == "approved"
                     and disputes_ended(found) is None),
        # The last day for disputes, for those who raise or decide them (not the auditor).
        dispute_deadline=(dispute_deadline(found) if may(current_user, "dispute_visit", found)
                          or may(current_user, "decide_dispute", found) else None),
        disputes_ended=disputes_ended(found),
        can_decide=may(current_user, "decide_dispute", found),
        can_see_review_notes=may(current_user, "view_review_notes"),
        outside_window=outside_window(found),
        next_waiting=overview.next_waiting(current_user, found) if may(current_user, "review_visits") else None,
        refused=refused or {}, unsent=unsent_texts(refused, definition, lang),
        actions=actions_of_visit(found) if can_view_actions else {},
        can_view_actions=can_view_actions, can_plan_actions=may(current_user, "plan_action", found),
        today=local_today(), latest_due=latest_due_day(local_today()),
        went_wrong=(failure_summary(found, result, lang) if found.status in ("submitted", "approved") else None),
    )


def _with_photo_links(disputes: list[dict]) -> list[dict]:
    """Each dispute's photos as (photo, thumbnail) addresses, for its story on the visit page."""
    for row in disputes:
        row["photos"] = [(url_for("evidence.dispute_photo", photo_id=photo_id),
                          url_for("evidence.dispute_thumb", photo_id=photo_id)) for photo_id in row["photo_ids"]]
    return disputes
