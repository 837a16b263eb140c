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
]
_COMPILED = [(re.compile(pattern), render) for pattern, render in MESSAGES]


def translate_error(message: str) -> str:
    for pattern, render in _COMPILED:
        match = pattern.match(message)
        if match:
            return render(match)
    return message
