"""A checklist file's problems in the page's language.

The checker (:mod:`audit.checklist`) speaks plain English, as ``audit check-checklists`` prints
it, and names places as paths counted from 0 (``sections[1].items[0].text``). The upload page
shows the place as people count it ("section 2 › question 1 › text") and the common messages
translated; a message not listed here is shown as it is. Keys of the file (``text``, ``weight``,
``show_if`` …) stay as written: they are what the person types.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import gettext as _

_PART = re.compile(r"^(sections|items|options|bands)\[(\d+)\]$")


@dataclass(frozen=True)
class ShownProblem:
    line: int | None
    place: str
    message: str


def shown(problems) -> list[ShownProblem]:
    return [ShownProblem(p.line, readable_path(p.path), translated(p.message)) for p in problems]


def readable_path(path: str) -> str:
    names = {"sections": lambda n: _("section %(num)d", num=n), "items": lambda n: _("question %(num)d", num=n),
             "options": lambda n: _("option %(num)d", num=n), "bands": lambda n: _("band %(num)d", num=n)}
    parts = []
    for part in path.split(".") if path else []:
        found = _PART.match(part)
        parts.append(names[found[1]](int(found[2]) + 1) if found else part)
    return " › ".join(parts)


def _kind(text: str) -> str:
    """The checker's name of a value's kind ("a list", "nothing" …), or the value as written."""
    return {"a mapping": _("a mapping"), "a list": _("a list"), "true/false": _("true/false"),
            "nothing": _("nothing"), "None": _("nothing"), "True": "true", "False": "false"}.get(text, text)


MESSAGES = [
    (r"^is required$", lambda m: _("is required")),
    (r"^unknown key; did you mean '(.+)'\?$", lambda m: _("unknown key; did you mean “%(key)s”?", key=m[1])),
    (r"^unknown key \(allowed: (.+)\)$", lambda m: _("unknown key (allowed: %(keys)s)", keys=m[1])),
    (r"^is empty; write its value after the colon$", lambda m: _("is empty; write its value after the colon")),
    (r"^'(.*)' is not a valid id: ",
     lambda m: _("“%(value)s” is not a valid id: use 1–64 lower-case letters, digits, “-” or “_”, starting with a "
                 "letter or digit", value=m[1])),
    (r"^must be a mapping \(key: value\), not (.+)$",
     lambda m: _("must be a mapping (key: value), not %(what)s", what=_kind(m[1]))),
    (r"^must not be empty$", lambda m: _("must not be empty")),
    (r"^unknown language; use ([a-z, ]+)(;.*)?$",
     lambda m: _("unknown language; use %(languages)s", languages=m[1])
     + (_("; a comma in a text written as {en: …, ru: …} ends it: put such texts in quotes (ru: \"Чисто, свежо\")")
        if m[2] else "")),
    (r"^must be a non-empty text$", lambda m: _("must be a non-empty text")),
    (r"^the English text is required$", lambda m: _("the English text is required")),
    (r"^'(.*)' is not one of: (.+)$", lambda m: _("“%(value)s” is not one of: %(allowed)s", value=m[1], allowed=m[2])),
    (r"^must be a number, not (.+)$", lambda m: _("must be a number, not %(what)s", what=_kind(m[1]))),
    (r"^must be greater than 0$", lambda m: _("must be greater than 0")),
    (r"^must be a number from 0 to 1, not (.+)$",
     lambda m: _("must be a number from 0 to 1, not %(what)s", what=_kind(m[1]))),
    (r"^must be true or false, not (.+)$", lambda m: _("must be true or false, not %(what)s", what=_kind(m[1]))),
    (r"^must be a non-empty list of sections$", lambda m: _("must be a non-empty list of sections")),
    (r"^must be a non-empty list of items$", lambda m: _("must be a non-empty list of questions")),
    (r"^duplicate section id '(.+)' \(first used on line (\d+|None)\)$",
     lambda m: _("section id “%(id)s” is used twice (first on line %(line)s)", id=m[1], line=m[2])),
    (r"^duplicate item id '(.+)' \(first used on line (\d+|None)\)$",
     lambda m: _("question id “%(id)s” is used twice (first on line %(line)s)", id=m[1], line=m[2])),
    (r"^is empty; use one of: (.+)$", lambda m: _("is empty; use one of: %(allowed)s", allowed=m[1])),
    (r"^unknown type '(.+)'; use one of: (.+)$",
     lambda m: _("unknown type “%(value)s”; use one of: %(allowed)s", value=m[1], allowed=m[2])),
    (r"^is required for scored items; one of: (.+)$",
     lambda m: _("is required for scored questions; one of: %(allowed)s", allowed=m[1])),
    (r"^unknown principle '(.+)'; use one of: (.+)$",
     lambda m: _("unknown principle “%(value)s”; use one of: %(allowed)s", value=m[1], allowed=m[2])),
    (r"^'(.+)' items are never scored$", lambda m: _("“%(type)s” questions are never scored", type=m[1])),
    (r"^not allowed for a '(.+)' item, which is not scored$",
     lambda m: _("not allowed for a “%(type)s” question, which is not scored", type=m[1])),
    (r"^not allowed for a '(.+)' item, which has scored: false$",
     lambda m: _("not allowed for a “%(type)s” question, which has scored: false", type=m[1])),
    (r"^only allowed for '([a-z_]+)' and '([a-z_]+)' items$",
     lambda m: _("only allowed for “%(type)s” and “%(other)s” questions", type=m[1], other=m[2])),
    (r"^only allowed for '(.+)' items$", lambda m: _("only allowed for “%(type)s” questions", type=m[1])),
    (r"^is required for 'scale' items$", lambda m: _("is required for “scale” questions")),
    (r"^must be a whole number, not (.+)$", lambda m: _("must be a whole number, not %(what)s", what=_kind(m[1]))),
    (r"^must be greater than min \((.+)\)$", lambda m: _("must be greater than min (%(min)s)", min=m[1])),
    (r"^must be 0 or more \(answers are never negative\), not (.+)$",
     lambda m: _("must be 0 or more (answers are never negative), not %(what)s", what=m[1])),
    (r"^must be greater than (.+), the highest max of the bands: else the last band could never be answered$",
     lambda m: _("must be greater than %(max)s, the highest max of the bands: else the last band could never be "
                 "answered", max=m[1])),
    (r"^must not be greater than (.+), the max of the first band: else that band could never be answered$",
     lambda m: _("must not be greater than %(max)s, the max of the first band: else that band could never be "
                 "answered", max=m[1])),
    (r"^a 'choice' item needs a list of at least 2 options$",
     lambda m: _("a “choice” question needs a list of at least 2 options")),
    (r"^duplicate option id '(.+)'$", lambda m: _("option id “%(id)s” is used twice", id=m[1])),
    (r"^a critical item must be required",
     lambda m: _("a critical question must be required: skipped, it could never fail the visit (allow_na: true "
                 "lets the auditor say it did not apply)")),
    (r"^refers to unknown item '(.+)'$", lambda m: _("refers to unknown question “%(id)s”", id=m[1])),
    (r"^refers to item '(.+)', which does not come before this item",
     lambda m: _("refers to question “%(id)s”, which does not come before this question; show_if may only depend "
                 "on earlier questions", id=m[1])),
    (r"^give exactly one of 'equals' or 'in'$", lambda m: _("give exactly one of “equals” or “in”")),
    (r"^'(.+)' is not an answer of item '(.+)' \((.+)\)$",
     lambda m: _("“%(value)s” is not an answer of question “%(id)s” (%(allowed)s)", value=m[1], id=m[2],
                 allowed=m[3])),
    (r"^'na' is reserved for 'not applicable'; choose another id$",
     lambda m: _("“na” is reserved for “not applicable”; choose another id")),
    (r"^a 'number' item needs a non-empty list of bands$",
     lambda m: _("a “number” question needs a non-empty list of bands")),
    (r"^is required on every band but the last$", lambda m: _("is required on every band but the last")),
    (r"^the last band must have no max: it catches every larger number$",
     lambda m: _("the last band must have no max: it catches every larger number")),
    (r"^bands must be sorted by increasing max without overlap; (.+) is not above (.+)$",
     lambda m: _("bands must be sorted by increasing max without overlap; %(this)s is not above %(before)s",
                 this=m[1], before=m[2])),
    (r"^cannot depend on a '(.+)' item$", lambda m: _("cannot depend on a “%(type)s” question", type=m[1])),
    (r"^must be a non-empty list of answers$", lambda m: _("must be a non-empty list of answers")),
    (r"^the file is empty$", lambda m: _("the file is empty")),
    (r"^the checklist could not be read$", lambda m: _("the checklist could not be read")),
    (r"^(?:invalid YAML: )?YAML features a checklist does not use",
     lambda m: _("YAML features a checklist does not use: tags (!!omap, !!python/…, !name) or merge keys "
                 "(<<: *anchor); write the values out")),
    (r"^(?:invalid YAML: )?more than ([\d,]+) values",
     lambda m: _("more than %(num)s values (YAML aliases that repeat lists?)", num=m[1])),
    (r"^(?:invalid YAML: )?nested more than (\d+) levels deep",
     lambda m: _("nested more than %(num)s levels deep (a YAML alias that contains itself?)", num=m[1])),
    (r"^not UTF-8 text \(byte (\d+)\); save the file as UTF-8$",
     lambda m: _("not UTF-8 text (byte %(num)s); save the file as UTF-8", num=m[1])),
    (r"^a colon followed by a space inside a text .*\(YAML: (.+)\)$",
     lambda m: _("a colon followed by a space inside a text (put the whole text in quotes: en: \"Name: as on the "
                 "badge\"), or a line indented deeper than the key above it") + f" (YAML: {m[1]})"),
    (r"^the key '(.+?)' is written twice at the same level: keep one \(YAML: (.+)\)$",
     lambda m: _("the key “%(key)s” is written twice at the same level: keep one", key=m[1]) + f" (YAML: {m[2]})"),
    (r"^a tab character: indent with spaces only \(YAML: (.+)\)$",
     lambda m: _("a tab character: indent with spaces only") + f" (YAML: {m[1]})"),
    (r"^the indentation does not match the lines above.*\(YAML: (.+)\)$",
     lambda m: _("the indentation does not match the lines above: align this line with the other keys at its "
                 "level, using spaces") + f" (YAML: {m[1]})"),
    (r"^a line that is not 'key: value'.*\(YAML: (.+)\)$",
     lambda m: _("a line that is not “key: value” (a missing colon, or a text that goes on to the next line without "
                 "quotes)") + f" (YAML: {m[1]})"),
    (r"^a list in square brackets \[ opened on this line is not closed with \] \(YAML: (.+)\)$",
     lambda m: _("a list in square brackets [ opened on this line is not closed with ]") + f" (YAML: {m[1]})"),
    (r"^a mapping in braces \{ opened on this line is not closed with \} \(YAML: (.+)\)$",
     lambda m: _("a mapping in braces { opened on this line is not closed with }") + f" (YAML: {m[1]})"),
    (r"^a text in quotes opened on this line has no closing quote \(YAML: (.+)\)$",
     lambda m: _("a text in quotes opened on this line has no closing quote") + f" (YAML: {m[1]})"),
    # The YAML reader's own words (ruamel) are kept as they are, after a word in the page's language.
    (r"^invalid YAML: (.+)$", lambda m: _("invalid YAML: %(reason)s", reason=m[1])),
]
_COMPILED = [(re.compile(pattern, re.S), render) for pattern, render in MESSAGES]


def translated(message: str) -> str:
    for pattern, render in _COMPILED:
        found = pattern.match(message)
        if found:
            return render(found)
    return message
