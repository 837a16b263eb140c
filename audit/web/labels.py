"""Translated names of roles, statuses, formats, channels and item types, and answer labels."""
from __future__ import annotations

from flask_babel import LazyString, format_decimal, pgettext
from flask_babel import lazy_gettext as _l

from ..checklist.model import NA, Item

ROLE_NAMES = {"admin": _l("Administrator"), "reviewer": _l("Reviewer"), "auditor": _l("Auditor"),
              "manager": _l("Branch manager")}
STATUS_NAMES = {"draft": _l("Draft"), "submitted": _l("Submitted"), "returned": _l("Returned"),
                "approved": _l("Approved")}
FORMAT_NAMES = {"flagship": _l("Flagship"), "mall": _l("Shopping centre"), "high_street": _l("High street"),
                "outlet": _l("Outlet"), "kiosk": _l("Kiosk")}
CHANNEL_NAMES = {"in_person": _l("In person"), "phone": _l("Phone"), "email": _l("E-mail")}
TYPE_NAMES = {"yes_no": _l("Yes / No"), "yes_no_na": _l("Yes / No / N/A"), "scale": _l("Scale"),
              "choice": _l("Choice"), "number": _l("Number"), "text": _l("Text"), "photo": _l("Photo")}
#: The service principle an item checks (audit.checklist.model.PRINCIPLES), as people read it.
PRINCIPLE_NAMES = {
    "premises": _l("Premises"), "greeting": _l("Greeting"), "courtesy": _l("Courtesy"), "needs": _l("Needs"),
    "personalization": _l("Personal attention"), "knowledge": _l("Knowledge"), "advice": _l("Advice"),
    "speed": _l("Speed"), "payment": _l("Payment"), "accuracy": _l("Accuracy"),
    "problem_resolution": _l("Problem resolution"), "empowerment": _l("Empowerment"), "farewell": _l("Farewell"),
    "follow_up": _l("Follow-up"), "channel_access": _l("Reaching the channel"), "upsell": _l("Additional offer"),
}
DISPUTE_NAMES = {"open": _l("Open"), "upheld": _l("Rejected"), "overturned": _l("Overturned")}
LOG_NAMES = {
    "visit.started": _l("started the visit"), "visit.submitted": _l("submitted the visit"),
    "visit.resubmitted": _l("resubmitted the visit"), "visit.approved": _l("approved the visit"),
    "visit.returned": _l("returned the visit to the auditor"), "dispute.raised": _l("disputed an answer"),
    "dispute.upheld": _l("rejected a dispute; the answer stays"), "dispute.overturned": _l("overturned a dispute; the score changed"),
    "evidence.uploaded": _l("added a photo"), "evidence.deleted": _l("removed a photo"),
    "visit.recorded": _l("recorded the visit through the API"),
    "action.planned": _l("planned a corrective action"), "action.done": _l("marked a corrective action done"),
    # The rest appear on the admin's activity page only.
    "user.created": _l("created the account"), "user.updated": _l("changed the account"),
    "user.password_changed": _l("changed their password"),
    "user.signed_out_elsewhere": _l("signed out their other devices"),
    "user.deactivated": _l("deactivated the account"),
    "user.reactivated": _l("reactivated the account"), "user.erased": _l("erased the personal data"),
    "users.imported": _l("imported users (CSV)"), "password_link.created": _l("made a set-password link"),
    "password_link.used": _l("set a password with a link"),
    "password_link.requested": _l("asked for a set-password link"),
    "api_token.created": _l("made an API token"), "api_token.revoked": _l("revoked an API token"),
    "location.created": _l("added the branch"), "location.updated": _l("changed the branch"),
    "locations.imported": _l("imported branches (CSV)"), "region.created": _l("added the region"),
    "region.renamed": _l("renamed the region"), "region.deleted": _l("deleted the region"),
    "checklist.version_created": _l("loaded a checklist version"), "checklist.retired": _l("retired the checklist"),
    "checklist.reinstated": _l("took the checklist back into use"), "assignments.created": _l("scheduled visits"),
    "assignment.cancelled": _l("cancelled a scheduled visit"), "visits.imported": _l("imported past visits (CSV)"),
    "visits.exported": _l("exported visits (CSV)"), "demo.built": _l("built the demo chain"),
}
#: A corrective action's state as the lists show it ("overdue": open past its due day). With a
#: context: "Open" and "Overdue" of disputes and scheduled visits agree with other nouns.
ACTION_NAMES = {"open": LazyString(lambda: pgettext("corrective action", "Open")),
                "overdue": LazyString(lambda: pgettext("corrective action", "Overdue")),
                "done": LazyString(lambda: pgettext("corrective action", "Done"))}
ANSWER_NAMES = {"yes": _l("Yes"), "no": _l("No"), NA: _l("N/A")}


def answer_label(item: Item, value: str | None, lang: str) -> str:
    """How a stored answer reads to a person in ``lang``."""
    if value is None:
        return "–"
    if value in ANSWER_NAMES and item.type != "text":
        return str(ANSWER_NAMES[value])
    if item.type == "choice":
        option = item.option(value)
        return option.label.get(lang) if option else value
    if item.type == "number":
        unit = f" {item.unit.get(lang)}" if item.unit else ""
        return f"{format_decimal(float(value), '0.##')}{unit}"
    if item.type == "scale":
        return f"{value} / {item.max}"
    return value


def template_globals() -> dict:
    return {"role_names": ROLE_NAMES, "status_names": STATUS_NAMES, "format_names": FORMAT_NAMES,
            "channel_names": CHANNEL_NAMES, "type_names": TYPE_NAMES, "principle_names": PRINCIPLE_NAMES,
            "dispute_names": DISPUTE_NAMES, "log_names": LOG_NAMES, "action_names": ACTION_NAMES,
            "answer_label": answer_label,
            "dashboard_filters": _dashboard_filters, "scenario_suggestions": _scenario_suggestions}


def _scenario_suggestions() -> list[str]:
    from ..services.scenarios import suggestions

    return suggestions()


def _dashboard_filters() -> dict[str, str]:
    from .office import dashboard_filters

    return dashboard_filters()
