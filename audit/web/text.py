"""Free text people type, made safe for narrow table columns."""
from __future__ import annotations

import re

from markupsafe import Markup, escape

#: A "word" longer than this (a pasted code, a URL, a name typed without spaces) may break.
LONG_WORD = 18
PIECE = 12


def breakable(value: object) -> Markup:
    """``value`` escaped, with a line-break opportunity (``<wbr>``) every few characters inside
    words longer than :data:`LONG_WORD` only: a 200-character value without spaces no longer
    pushes a table's other columns off a tablet's screen, and ordinary words never break. A shorter
    e-mail address may break after its "@" ("wolfeschlegel@<wbr>x.lv")."""
    parts = []
    for token in re.split(r"(\s+)", "" if value is None else str(value)):
        if len(token) > LONG_WORD:
            parts.append(Markup("<wbr>").join(escape(token[i:i + PIECE]) for i in range(0, len(token), PIECE)))
        elif "@" in token.strip("@"):  # an address, too short for pieces, may still break after its "@"
            parts.append(Markup("@<wbr>").join(escape(piece) for piece in token.split("@")))
        else:
            parts.append(escape(token))
    return Markup("").join(parts)
