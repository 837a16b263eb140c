"""Free text people type, made safe for narrow table columns."""
from __future__ import annotations

import re

from markupsafe import Markup, escape

#: A "word" longer than this (a pasted code, a URL, a name typed without spaces) may break.
LONG_WORD = 18
PIECE = 12
#: An e-mail address: one "@", a dot after it, no slash or colon (a link with an "@" is no address).
ADDRESS = re.compile(r"[^\s@/:]+@[^\s@/:]+\.[^\s@/:]+")
#: Before a dot inside an address part ("jankauskiene|.lt"), not before a trailing or doubled one.
BEFORE_A_DOT = re.compile(r"(?<=[^.])(?=\.[^.])")
WBR = Markup("<wbr>")


def breakable(value: object) -> Markup:
    """``value`` escaped, with a line-break opportunity (``<wbr>``) every few characters inside
    words longer than :data:`LONG_WORD` only: a 200-character value without spaces no longer
    pushes a table's other columns off a tablet's screen, and ordinary words never break. A shorter
    e-mail address may break after its "@" ("wolfeschlegel@<wbr>x.lv"); a longer one after its "@"
    and before its dots, where a reader expects it ("aleksandra<wbr>.jankauskiene@<wbr>example<wbr>.lt"),
    not every few characters."""
    parts = []
    for token in re.split(r"(\s+)", "" if value is None else str(value)):
        if len(token) > LONG_WORD and ADDRESS.fullmatch(token):
            parts.append(Markup("@<wbr>").join(_at_dots(part) for part in token.split("@")))
        elif len(token) > LONG_WORD:
            parts.append(_in_pieces(token))
        elif "@" in token.strip("@"):  # an address, too short for pieces, may still break after its "@"
            parts.append(Markup("@<wbr>").join(escape(piece) for piece in token.split("@")))
        else:
            parts.append(escape(token))
    return Markup("").join(parts)


def _at_dots(part: str) -> Markup:
    """One side of an address's "@", breakable before each dot; a run of more than :data:`LONG_WORD`
    characters without a dot ("wolfeschlegelsteinhausenbergerdorff") is cut into pieces all the same,
    as a word that long would be, or it would widen its column."""
    return WBR.join(_in_pieces(run) if len(run) > LONG_WORD else escape(run) for run in BEFORE_A_DOT.split(part))


def _in_pieces(word: str) -> Markup:
    return WBR.join(escape(word[i:i + PIECE]) for i in range(0, len(word), PIECE))
