"""Plain values for the checklist-filling page (one item view per question)."""
from __future__ import annotations

import json
from datetime import UTC

from flask import url_for
from flask_babel import format_decimal, get_locale, get_timezone
from flask_babel import lazy_gettext as _l

from ..checklist.model import NA, PASS_SCORE, Item
from ..models import Visit
from ..scoring import item_score, missing_answers, visible_items
from ..services.photo_image import MAX_BYTES, STORED_SIDE
from ..services.visits import MAX_COMMENT
from .messages import range_message, translate_error

YES_NO = [("yes", _l("Yes")), ("no", _l("No"))]
NOT_APPLICABLE = (NA, _l("N/A"))


def progress(visit: Visit) -> dict[str, int]:
    """Answered and required counts of the shown required questions (for the progress bar)."""
    definition = visit.checklist_version.parsed
    answers = {a.item_id: a.value for a in visit.answers}
    shown = visible_items(definition, answers)
    required = [i for i in definition.items if i.id in shown and i.required and i.type != "photo"]
    missing = missing_answers(definition, answers, {a.item_id: a.comment for a in visit.answers})
    # As the page counts while it is filled: a failure still waiting for its comment is not done.
    return {"required": len(required), "answered": sum(1 for i in required if i.id not in missing)}


def choices(item: Item, lang: str) -> list[tuple[str, str]]:
    """The buttons of a question: (stored value, label)."""
    if item.type in ("yes_no", "yes_no_na"):
        buttons = [(value, str(label)) for value, label in YES_NO]
    elif item.type == "scale":
        buttons = [(str(v), str(v)) for v in range(item.min, item.max + 1)]
    elif item.type == "choice":
        buttons = [(o.id, o.label.get(lang)) for o in item.options]
    else:
        return []
    if item.na_allowed:
        buttons.append((NOT_APPLICABLE[0], str(NOT_APPLICABLE[1])))
    return buttons


def failing_values(item: Item) -> list[str]:
    """Answers that fail the question (for comment_required_on_fail in the browser)."""
    scored = ((value, item_score(item, value)) for value, _label in choices(item, "en"))
    return [value for value, score in scored if score is not None and score < PASS_SCORE]


def _number_text(value: str | None) -> str:
    """A stored number as the auditor's language writes it ("2,5" in ru, lt, lv; "na" stays)."""
    if value is None:
        return ""
    try:
        return format_decimal(float(value), "0.##########")
    except (ValueError, ArithmeticError):  # not a number, or one Babel cannot write (10**18 and more)
        return value


def draft_revision(visit: Visit) -> int:
    """Which saved state of the draft a page shows (microseconds of its last save): the tablet
    compares it with the last save it saw confirmed, to tell a page kept for offline use that is
    older than that save from a fresh one."""
    return int(visit.updated_at.replace(tzinfo=UTC).timestamp() * 1_000_000) if visit.updated_at else 0


def fill_context(visit: Visit, errors: dict[str, str], saved_now: bool, typed=None) -> dict:
    """What the fill page shows. ``typed`` (the posted form, when it was refused in part) gives
    the refused fields back as they were typed, not as last stored: nothing typed is lost."""
    lang = get_locale().language if get_locale() else "en"
    typed = typed if typed is not None and errors else {}
    definition = visit.checklist_version.parsed
    answers = {a.item_id: a for a in visit.answers}
    values = {k: a.value for k, a in answers.items()}
    shown = visible_items(definition, values)
    open_notes = [c for c in visit.review_comments if c.resolved_at is None]
    photos: dict[str | None, list[dict]] = {}
    for evidence in visit.evidence:
        photos.setdefault(evidence.item_id, []).append(
            {"id": evidence.id, "thumb": url_for("evidence.thumb", evidence_id=evidence.id)}
        )
    sections = []
    for section in definition.sections:
        items = []
        for item in section.items:
            answer = answers.get(item.id)
            items.append({
                "item": item,
                "text": item.text.get(lang),
                "guidance": item.guidance.get(lang) if item.guidance else "",
                "unit": item.unit.get(lang) if item.unit else "",
                "value": typed.get(f"answer-{item.id}") if item.id in errors and f"answer-{item.id}" in typed
                else (answer.value if answer else None),
                "comment": typed.get(f"comment-{item.id}") if item.id in errors and f"comment-{item.id}" in typed
                else (answer.comment if answer else ""),
                "error": translate_error(errors[item.id]) if item.id in errors else "",
                # What the server would say of a number outside the range, for the page's script.
                "range_message": range_message(item.min, item.max)
                if item.type == "number" and (item.min is not None or item.max is not None) else "",
                "shown": item.id in shown,
                "choices": choices(item, lang),
                "failing": failing_values(item),
                "bands": json.dumps([[b.max, b.score] for b in item.bands]) if item.bands else "",
                "show_if": json.dumps({"item": item.show_if.item, "values": list(item.show_if.values)})
                if item.show_if else "",
                "notes": [c.text for c in open_notes if c.item_id == item.id],
                "photos": photos.get(item.id, []),
            })
        for entry in items:
            entry["shown_value"] = _number_text(entry["value"]) if entry["item"].type == "number" and \
                entry["item"].id not in errors else (entry["value"] or "")
        sections.append({"id": section.id, "title": section.title.get(lang), "items": items})
    local = visit.visited_at.replace(tzinfo=UTC).astimezone(get_timezone()) if visit.visited_at else None
    return {
        "visit": visit, "definition": definition, "title": definition.title.get(lang), "sections": sections,
        "revision": draft_revision(visit),
        "visited_at_local": typed["visited_at"] if "visited_at" in errors and typed.get("visited_at")
        else (local.strftime("%Y-%m-%dT%H:%M") if local else ""),
        "detail_errors": {k: translate_error(v) for k, v in errors.items() if k in ("visited_at", "scenario",
                                                                                     "staff_description")},
        "review_notes": [
            {"text": c.text, "item_id": c.item_id or "",
             "item": definition.item(c.item_id).text.get(lang) if definition.item(c.item_id) else "",
             "section": definition.section_of(c.item_id).id if definition.section_of(c.item_id) else ""}
            for c in open_notes
        ],
        "progress": progress(visit), "saved_now": saved_now,
        # A photo over the upload limit is made smaller on the tablet, to the size stored anyway.
        "photo_limits": {"bytes": MAX_BYTES, "side": STORED_SIDE},
        "max_comment": MAX_COMMENT,
    }
