"""Review of submitted visits and disputes of approved ones.

Submitted → approved, or returned with comments → fixed and resubmitted by the auditor.
A manager disputes one item of an approved visit; a reviewer upholds it (nothing changes)
or overturns it (the answer and the scores change). Every step is in the audit log.
Disputes are taken for ``DISPUTE_DAYS`` days after the visit's approval (services.dispute_period).
"""
from __future__ import annotations

from sqlalchemy import select

from ..checklist import InvalidAnswer, parse_answer
from ..extensions import db
from ..models import Answer, Dispute, ReviewComment, User, Visit, utcnow
from . import audit_log, notifications
from .dispute_period import disputes_ended
from .dispute_photos import attach_photo
from .evidence import read_photo
from .photo_image import EvidenceError
from .scores import store_visit_scores
from .visit_lock import hold_visit
from .visits import VisitError, VisitInvalid, drop_hidden_answers

MAX_TEXT = 5000


def claim_submitted(visit: Visit, action: str) -> None:
    """Take the visit for this transaction if it is still submitted, else VisitError.

    Two reviewers with the same visit open: the second one's approval or return used to
    overwrite the first's (an approved visit sent back to its auditor, still counted in the
    statistics kept until then). This conditional UPDATE is the transaction's check: it waits for
    the other transaction, and only one of them finds the visit submitted.
    """
    if not hold_visit(visit, ("submitted",), updated_at=utcnow()):
        db.session.expire(visit)
        raise VisitError(f"only submitted visits can be {action}")  # the visit page shows what it is now


def approve_visit(visit: Visit, reviewer: User) -> Visit:
    if visit.status != "submitted":
        raise VisitError("only submitted visits can be approved")
    claim_submitted(visit, "approved")
    visit.status, visit.approved_at = "approved", utcnow()
    db.session.flush()
    audit_log.record("visit.approved", "visit", visit.id, reviewer, score=visit.score)
    notifications.visit_approved(visit)
    return visit


def return_visit(visit: Visit, reviewer: User, note: str = "", item_comments: dict[str, str] | None = None) -> Visit:
    """Send a submitted visit back to its auditor with a note and/or comments on items."""
    if visit.status != "submitted":
        raise VisitError("only submitted visits can be returned")
    definition = visit.checklist_version.parsed
    comments = {k: v.strip() for k, v in (item_comments or {}).items() if v and v.strip()}
    errors = {k: "unknown item" for k in comments if definition.item(k) is None}
    errors.update({k: f"at most {MAX_TEXT} characters" for k, v in comments.items() if len(v) > MAX_TEXT})
    if len(note.strip()) > MAX_TEXT:
        errors["note"] = f"at most {MAX_TEXT} characters"
    elif not note.strip() and not comments:
        errors["note"] = "say what the auditor should fix: a note or a comment on an item"
    if errors:
        raise VisitInvalid(errors)
    claim_submitted(visit, "returned")
    if note.strip():
        visit.review_comments.append(ReviewComment(item_id=None, author_id=reviewer.id, text=note.strip()))
    for item_id, text in comments.items():
        visit.review_comments.append(ReviewComment(item_id=item_id, author_id=reviewer.id, text=text))
    visit.status, visit.returned_at = "returned", utcnow()
    db.session.flush()
    audit_log.record("visit.returned", "visit", visit.id, reviewer, items=sorted(comments), note=bool(note.strip()))
    notifications.visit_returned(visit)
    return visit


def raise_dispute(visit: Visit, manager: User, item_id: str, reason: str, photo_stream=None,
                  upload_dir: str | None = None) -> Dispute:
    """The manager's dispute of one answer, with the reason and, from ``photo_stream``, a photo
    (services.dispute_photos). Refused (VisitError, VisitInvalid by field), nothing is stored."""
    if visit.status != "approved":
        raise VisitError("only approved visits can be disputed")
    ended = disputes_ended(visit)
    if ended is not None:
        raise VisitError(f"the time for disputes of this visit ended on {ended.isoformat()}")
    item = visit.checklist_version.parsed.item(item_id)
    if item is None or not item.scored:
        raise VisitInvalid({item_id: "only scored items can be disputed"})
    answered = _answer(visit, item_id)
    if answered is None or answered.value is None:  # nothing scored: there is no answer to be wrong
        raise VisitInvalid({item_id: "only answered questions can be disputed"})
    if not reason.strip():
        raise VisitInvalid({"reason": "give the reason for the dispute"})
    if len(reason) > MAX_TEXT:
        raise VisitInvalid({"reason": f"at most {MAX_TEXT} characters"})
    photo = None
    if photo_stream is not None:
        if upload_dir is None:
            raise ValueError("a dispute's photo needs the upload folder")
        try:
            photo = read_photo(photo_stream)
        except EvidenceError as exc:  # said beside the form, the reason kept
            raise VisitInvalid({"photo": str(exc.message)}) from exc
    if not hold_visit(visit, ("approved",)):  # another manager may be raising the same item just now
        db.session.expire(visit)
        raise VisitError("only approved visits can be disputed")
    _refuse_second_dispute(visit, item_id)  # read after the lock: nobody else can add one now
    answer = _answer(visit, item_id)
    dispute = Dispute(item_id=item_id, raised_by_id=manager.id, reason=reason.strip(),
                      old_value=answer.value if answer else None)
    visit.disputes.append(dispute)
    db.session.flush()
    details = {"dispute": dispute.id, "item": item_id}
    if photo is not None:
        details["photo"] = attach_photo(dispute, photo, manager, upload_dir).sha256
    audit_log.record("dispute.raised", "visit", visit.id, manager, **details)
    return dispute


def decide_dispute(dispute: Dispute, reviewer: User, overturn: bool, new_value=None, note: str = "") -> Dispute:
    """Uphold (keep the answer: ``note`` tells the manager why) or overturn (store ``new_value``
    and rescore the visit; the note is optional)."""
    if dispute.status != "open":
        raise VisitError("this dispute was already decided")
    note = (note or "").strip()
    if len(note) > MAX_TEXT:  # refused as the return note and the dispute's reason are, never cut
        raise VisitInvalid({"note": f"at most {MAX_TEXT} characters"})
    if not overturn and not note:  # a rejection without a word left the manager guessing why
        raise VisitInvalid({"note": "write the reason for keeping the answer"})
    visit = db.session.get(Visit, dispute.visit_id)
    # Two reviewers deciding at once: the second one waits here, then finds the dispute decided.
    # A decision on another item of the visit may have changed its answers and score meanwhile:
    # they are read again after the lock, so the rescoring below counts both corrections.
    hold_visit(visit, (visit.status,))
    db.session.expire(visit)
    db.session.refresh(dispute)
    if dispute.status != "open":
        raise VisitError("this dispute was already decided")
    before = visit.score
    if overturn:
        item = visit.checklist_version.parsed.item(dispute.item_id)
        try:
            value = parse_answer(item, new_value)
        except InvalidAnswer as exc:
            raise VisitInvalid({"new_value": exc.message}) from None
        if value is None:
            raise VisitInvalid({"new_value": "choose the corrected answer"})
        answer = _answer(visit, dispute.item_id)
        if answer is not None and answer.value == value:
            raise VisitInvalid({"new_value": "the corrected answer is the current one; uphold the dispute instead"})
        if answer is None:
            answer = Answer(item_id=dispute.item_id)
            visit.answers.append(answer)
        answer.value = value
        dispute.new_value = value
        drop_hidden_answers(visit)  # a corrected opening question may hide its follow-ups now
        store_visit_scores(visit)
        visit.updated_at = utcnow()  # changed, even when the score is not: the API's changed_since sees it
    dispute.status = "overturned" if overturn else "upheld"
    dispute.decided_by_id, dispute.decided_at = reviewer.id, utcnow()
    dispute.decision_note = note
    db.session.flush()
    audit_log.record(f"dispute.{dispute.status}", "visit", visit.id, reviewer, dispute=dispute.id,
                     item=dispute.item_id, old=dispute.old_value, new=dispute.new_value,
                     score_before=before, score_after=visit.score)
    notifications.dispute_decided(dispute, visit, before)
    return dispute


def open_disputes() -> list[Dispute]:
    return list(db.session.scalars(select(Dispute).where(Dispute.status == "open").order_by(Dispute.created_at)))


def _refuse_second_dispute(visit: Visit, item_id: str) -> None:
    """One dispute per answer: a second one while the first is open, or after it was decided, is refused."""
    raised = db.session.scalars(select(Dispute.status).where(Dispute.visit_id == visit.id,
                                                            Dispute.item_id == item_id)).all()
    if "open" in raised:
        raise VisitError("this item is already disputed; wait for the reviewer's decision")
    if raised:  # the decision stands
        raise VisitError("this answer was disputed and decided already")


def _answer(visit: Visit, item_id: str) -> Answer | None:
    return next((a for a in visit.answers if a.item_id == item_id), None)
