"""The user and location services' English messages in the language of the page.

Services speak plain English (the CLI prints it); the admin pages show these instead. A
message not listed here is shown as it is.
"""
from __future__ import annotations

import re

from flask_babel import gettext as _
from flask_babel import ngettext

MESSAGES = [
    (r"^'.*' is not a valid e-mail address", lambda m: _("This is not a valid e-mail address.")),
    (r"^a user with the e-mail .* already exists$",
     lambda m: _("Another user already has this e-mail address.")),
    (r"^a name is required$", lambda m: _("A name is required.")),
    (r"^unknown role ", lambda m: _("Choose one of the roles.")),
    (r"^the password must have at least (\d+) characters$",
     lambda m: _("The password must have at least %(num)s characters.", num=m[1])),
    (r"^unknown location code '(.*)'$", lambda m: _("There is no location with the code %(code)s.", code=m[1])),
    (r"^only managers are linked to locations$",
     lambda m: _("Only branch managers look after locations: untick the locations or choose the role "
                 "Branch manager.")),
    (r"^you cannot change your own role", lambda m: _("You cannot change your own role; ask another administrator.")),
    (r"^the current password is wrong$", lambda m: _("This is not your current password.")),
    (r"^the new password is the same as the current one$",
     lambda m: _("The new password is the same as the current one.")),
    (r"^you cannot deactivate your own account$", lambda m: _("You cannot deactivate your own account.")),
    (r"^deactivate the account before erasing", lambda m: _("Deactivate the account before erasing its personal data.")),
    (r"^you cannot erase your own account$", lambda m: _("You cannot erase your own account.")),
    (r"^this account's personal data were erased", lambda m: _("This account's personal data were erased; it cannot be changed or used again.")),
    (r"^the code has ", lambda m: _("Use 1 to 32 Latin letters A–Z, digits, “-”, “_” or “.”, starting with a letter or digit (no Š, Ā …).")),
    (r"^a location with the code .* already exists$", lambda m: _("Another location already has this code.")),
    (r"^unknown region ", lambda m: _("Choose a region from the list.")),
    (r"^unknown format ", lambda m: _("Choose a format from the list.")),
    (r"^a region called .* already exists$", lambda m: _("A region with this name already exists.")),
    (r"^the region (.*) still has (\d+) location\(s\)",
     lambda m: ngettext("The region %(name)s still has %(num)d location. Move it to another region "
                        "before deleting the region.",
                        "The region %(name)s still has %(num)d locations. Move them to another region "
                        "before deleting the region.", int(m[2]), name=m[1])),
    # the branch import (services/locations_csv.py); column names stay as in the CSV header
    (r"^missing column$", lambda m: _("missing column")),
    (r"^unknown column; the columns are (.*) \(and, if you have them, (.*)\)$",
     lambda m: _("unknown column; the columns are %(required)s (and, if you have them, %(optional)s)",
                 required=m[1], optional=m[2])),
    (r"^the column appears twice$", lambda m: _("the column appears twice")),
    (r"^no column on the first line has a known name \((.*)\); the first line must name the columns (.*)$",
     lambda m: _("no column on the first line has a known name (%(names)s); the first line must name the "
                 "columns %(columns)s", names=m[1], columns=m[2])),
    (r'^the value goes on to line (\d+): close the double quote \("\) it starts with, or remove it$',
     lambda m: _("the value goes on to line %(num)d: close the double quote (\") it starts with, or remove it",
                 num=int(m[1]))),
    (r"^the file is empty; the first line must name the columns (.*)$",
     lambda m: _("the file is empty; the first line must name the columns %(columns)s", columns=m[1])),
    (r"^(\d+) values, but the header has (\d+) columns; ",
     lambda m: _("%(given)d values, but the header has %(columns)d columns; put values that contain the "
                 "separator in double quotes", given=int(m[1]), columns=int(m[2]))),
    (r"^a value in column (\d+), which has no name in the header",
     lambda m: _("a value in column %(num)d, which has no name in the header; put values that contain the "
                 "separator in double quotes", num=int(m[1]))),
    (r"^must not be empty$", lambda m: _("must not be empty")),
    (r"^contains a NUL character$", lambda m: _("contains a NUL character")),
    (r"^at most (\d+) characters, not (\d+)$",
     lambda m: _("at most %(max)d characters, not %(num)d", max=int(m[1]), num=int(m[2]))),
    (r"^'(.*)' is not a format; use one of: (.*)$",
     lambda m: _("“%(value)s” is not a format; use one of: %(formats)s", value=m[1], formats=m[2])),
    (r"^write yes or no, not '(.*)'$", lambda m: _("write yes or no, not “%(value)s”", value=m[1])),
    (r"^(.*) is also on line (\d+); a branch may have one row$",
     lambda m: _("%(code)s is also on line %(num)d; a branch may have one row", code=m[1], num=int(m[2]))),
    (r"^(.*) is new, but '(.*)' is the name of (.*): use that code or another name$",
     lambda m: _("%(code)s is new, but “%(name)s” is the name of %(other)s: use that code or another name",
                 code=m[1], name=m[2], other=m[3])),
    (r"^'(.*)' is the name of (.*): give (.*) another name$",
     lambda m: _("“%(name)s” is the name of %(other)s: give %(code)s another name", name=m[1], other=m[2],
                 code=m[3])),
    (r"^'(.*)' is the region (.*) but for accents: write (.*)$",
     lambda m: _("“%(typed)s” is the region %(name)s but for accents: write %(name)s", typed=m[1], name=m[2])),
    (r"^'(.*)' is '(.*)' on line (\d+) but for accents: write the new region one way$",
     lambda m: _("“%(typed)s” is “%(name)s” on line %(num)d but for accents: write the new region one way",
                 typed=m[1], name=m[2], num=int(m[3]))),
    (r"^the file has no branches$", lambda m: _("the file has no branches")),
    (r"^at most (\d+) branches per file$",
     lambda m: _("at most %(num)d branches per file", num=int(m[1]))),
    (r"^not readable as CSV \((.*)\)$", lambda m: _("not readable as CSV (%(reason)s)", reason=m[1])),
    # the user import (services/users_csv.py) and set-password links (services/password_links.py)
    (r"^'(.*)' is not a role; use one of: (.*)$",
     lambda m: _("“%(value)s” is not a role; use one of: %(roles)s", value=m[1], roles=m[2])),
    (r"^'(.*)' is not a language; use one of: (.*)$",
     lambda m: _("“%(value)s” is not a language; use one of: %(languages)s", value=m[1], languages=m[2])),
    (r"^(.*) is also on line (\d+); a user may have one row$",
     lambda m: _("%(email)s is also on line %(num)d; a user may have one row", email=m[1], num=int(m[2]))),
    (r"^a branch manager needs at least one branch code$",
     lambda m: _("a branch manager needs at least one branch code")),
    (r"^only branch managers have branches: ",
     lambda m: _("only branch managers have branches: leave the cell empty or make the role manager")),
    (r"^the file has no users$", lambda m: _("the file has no users")),
    (r"^at most (\d+) users per file$", lambda m: _("at most %(num)d users per file", num=int(m[1]))),
    (r"^(.*) is deactivated; reactivate the account first$",
     lambda m: _("%(email)s is deactivated: reactivate the account first.", email=m[1])),
]
_COMPILED = [(re.compile(pattern), render) for pattern, render in MESSAGES]


def conflict_message(conflict) -> str:
    """An :class:`~audit.services.import_conflicts.ImportConflict` in the language of the page."""
    name = conflict.name
    if conflict.kind == "region":
        return _("Another import created the region %(name)s at the same time, so nothing was imported. "
                 "Import the file again.", name=name)
    if conflict.kind == "branch":
        return _("Another import created the branch %(name)s at the same time, so nothing was imported. "
                 "Import the file again.", name=name)
    if conflict.kind == "user":
        return _("Another import created the user %(name)s at the same time, so nothing was imported. "
                 "Import the file again.", name=name)
    return str(conflict)  # an auditor: only the visit import (command line) creates them


def column_name(column: str) -> str:
    """A problem's column as the page shows it: a CSV column's own name, or "header" or "row" in the
    language of the page (it said "rinda 1: header: …" in Latvian)."""
    return {"header": _("header"), "row": _("row")}.get(column, column)


def translate_error(message: str) -> str:
    for pattern, render in _COMPILED:
        match = pattern.match(message)
        if match:
            return render(match)
    return message
