"""Translations of the services' English error messages for people using the web pages.

Services speak plain English (also used by the CLI and the API); pages show these in the
user's language. A message not listed here is shown as it is.
"""
from __future__ import annotations

import re
from datetime import date

from flask_babel import format_date, format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .i18n import numeric_date

FIXED = {
    "an answer is required": _l("An answer is required."),
    "a comment is required when this item fails": _l("Please describe what went wrong: a comment is required here."),
    "a photo is required": _l("A photo is required."),
    "unknown item": _l("Unknown question."),
    "the visit cannot be in the future": _l("The visit cannot be in the future."),
    "enter the day and time of the visit": _l("Enter the day and time of the visit."),
    "this visit was already submitted; changes are no longer accepted":
        _l("This visit was already submitted; changes are no longer accepted."),
    "this assignment was cancelled": _l("This assignment was cancelled."),
    "N/A is not allowed for this item": _l("N/A is not allowed for this question."),
    "only submitted visits can be approved": _l("Only submitted visits can be approved."),
    "only submitted visits can be returned": _l("Only submitted visits can be returned."),
    "say what the auditor should fix: a note or a comment on an item":
        _l("Say what the auditor should fix: a note or a comment on a question."),
    "only approved visits can be disputed": _l("Only approved visits can be disputed."),
    "only scored items can be disputed": _l("Only scored questions can be disputed."),
    "only answered questions can be disputed": _l("Only answered questions can be disputed."),
    "give the reason for the dispute": _l("Give the reason for the dispute."),
    "this item is already disputed; wait for the reviewer's decision":
        _l("This question is already disputed; wait for the reviewer's decision."),
    "this answer was disputed and decided already": _l("This answer was disputed and decided already."),
    "this dispute was already decided": _l("This dispute was already decided."),
    "choose the corrected answer": _l("Choose the corrected answer."),
    "choose to uphold or overturn the dispute": _l("Choose: keep the answer or change it."),
    "write the reason for keeping the answer":
        _l("Write the reason for keeping the answer: the branch manager reads it."),
    "the corrected answer is the current one; uphold the dispute instead":
        _l("The corrected answer is the current one; choose “Keep the answer” instead."),
    "corrective actions can be planned only for approved visits":
        _l("Corrective actions can be planned only for approved visits."),
    "an action can be planned only for a question that failed":
        _l("An action can be planned only for a question that failed."),
    "say what will be done": _l("Say what will be done."),
    "choose the day it is due": _l("Choose the day it is due."),
    "enter the due day as a date, like 2026-12-31": _l("Enter the due day as a date, like 2026-12-31."),
    "the due day cannot be in the past": _l("The due day cannot be in the past: choose today or a later day."),
    "this action was already marked done": _l("This action was already marked done."),
}
PATTERNS = [
    (re.compile(r"^answer a whole number from (-?\d+) to (-?\d+), not .*$"),
     lambda m: _("Answer a whole number from %(low)s to %(high)s.", low=m[1], high=m[2])),
    # A number question's range (checklist min/max).
    (re.compile(r"^answer a number from (\S+) to (\S+), not .*$", re.S),
     lambda m: range_message(float(m[1]), float(m[2]))),
    (re.compile(r"^answer a number of at least (\S+), not .*$", re.S),
     lambda m: range_message(float(m[1]), None)),
    (re.compile(r"^must be a (finite )?number, not .*$", re.S), lambda m: _("Enter a number.")),
    (re.compile(r"^answer yes or no, not .*$", re.S), lambda m: _("Answer yes or no.")),
    (re.compile(r"^answer yes, no or na, not .*$", re.S), lambda m: _("Answer yes, no or N/A.")),
    (re.compile(r"^unknown option .*; use one of: .*$", re.S), lambda m: _("Choose one of the answers offered.")),
    (re.compile(r"^must not be negative, not .*$"), lambda m: _("The number cannot be negative.")),
    (re.compile(r"^at most 15 digits, not .*$", re.S), lambda m: _("Enter a number of at most 15 digits.")),
    (re.compile(r"^at most (\d+) characters.*$"), lambda m: _("At most %(n)s characters.", n=m[1])),
    (re.compile(r"^the comment is longer than (\d+) characters$"),
     lambda m: _("The comment may have at most %(n)s characters.", n=m[1])),
    (re.compile(r"^the visit cannot be before (\d{4}-\d\d-\d\d)$"),
     lambda m: _("The visit cannot be before %(day)s: check the year.", day=format_date(date.fromisoformat(m[1]), "long"))),
    (re.compile(r"^the due day can be at most a year ahead, until (\d{4}-\d\d-\d\d)$"),
     # The day last, in numbers: a long date ends with "г." in Russian (a second full stop) and
     # "līdz" would need the dative in Latvian. The year in four digits (CLDR's short Latvian
     # and English patterns write "02.12.27" and "12/2/27").
     lambda m: _("The due day can be at most a year ahead. The latest possible: %(day)s",
                 day=numeric_date(date.fromisoformat(m[1])))),
    (re.compile(r"^the time for disputes of this visit ended on (\d{4}-\d\d-\d\d)$"),
     lambda m: _("The time for disputes of this visit is over. The last day for them: %(day)s",
                 day=numeric_date(date.fromisoformat(m[1])))),
]


def range_message(low: float | None, high: float | None) -> str:
    """What a number outside a question's range is told (``low``/``high`` as the checklist sets
    them, one at least), its ends as the user's language writes them (2,5). The fill page also
    carries it for its script, which says it before sending (static/js/fill.js)."""
    if high is not None:  # without min, 0: answers are never negative
        return _("Answer a number from %(low)s to %(high)s.", low=_number(low or 0), high=_number(high))
    return _("Answer a number of at least %(low)s.", low=_number(low))


def _number(value: float) -> str:
    return format_decimal(value, "0.##########")


def translate_error(message: str) -> str:
    if message in FIXED:
        return str(FIXED[message])
    for pattern, render in PATTERNS:
        match = pattern.match(message)
        if match:
            return render(match)
    return message
