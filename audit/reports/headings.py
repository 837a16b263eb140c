"""Column headings of a heat map: a section title wrapped on a few short lines above a narrow
column, as large as its longest word allows, a long word broken with a hyphen where the page's
language allows it (pyphen, the dictionaries WeasyPrint hyphenates the PDFs with).

Russian, Lithuanian and Latvian titles have words wider than a column ("послепродажное",
"Sasveicināšanās"): kept whole, they set the whole heading in 7–8 px.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import pyphen

#: Font sizes tried, largest first; 10 px is the heading's own size, 6.5 px the least it gets.
SIZES = (10.0, 9.5, 9.0, 8.5, 8.0, 7.5, 7.0, 6.5)
#: Whole words are kept down to this font size (px); below it a long word may be broken.
LEGIBLE = 9.0
#: What a heading gives up for a larger font, in px: each line after the first, each word broken
#: with a hyphen, a fourth line.
LINE_COST, HYPHEN_COST, FOURTH_LINE_COST = 0.25, 0.5, 0.5


@dataclass(frozen=True)
class Heading:
    lines: list[str]
    size: float  # px


@lru_cache(maxsize=8)
def _dictionary(language: str | None) -> pyphen.Pyphen | None:
    if not language or not pyphen.language_fallback(language):
        return None
    return pyphen.Pyphen(lang=language, left=3, right=3)  # no "по-" or "-ия" alone


def _pieces(text: str, dictionary: pyphen.Pyphen | None, room: float,
            width: Callable[[str], float]) -> list[tuple[str, bool]]:
    """The words of ``text``, a word wider than ``room`` in its syllables where ``dictionary``
    knows them; each piece with whether it continues a word."""
    pieces: list[tuple[str, bool]] = []
    for word in text.split():
        cuts = [0, *(dictionary.positions(word) if dictionary and width(word) > room else []), len(word)]
        pieces += [(word[a:b], n > 0) for n, (a, b) in enumerate(zip(cuts, cuts[1:]))]
    return pieces


def _wrap(pieces: list[tuple[str, bool]], room: float, width: Callable[[str], float]) -> list[str]:
    """``pieces`` on lines of at most ``room`` px where they allow (a word broken ends in "-")."""
    lines: list[str] = []
    for n, (piece, continues) in enumerate(pieces):
        breaks_after = n + 1 < len(pieces) and pieces[n + 1][1]
        if lines:
            joined = lines[-1] + ("" if continues else " ") + piece
            if width(joined + ("-" if breaks_after else "")) <= room:
                lines[-1] = joined
                continue
            if continues:
                lines[-1] += "-"
        lines.append(piece)
    return lines


def _candidates(text: str, room: float, width: Callable[[str], float],
                dictionary: pyphen.Pyphen | None) -> list[tuple[tuple[float, float, int], Heading]]:
    """Each size's wrapping that fits, scored by its font size less the cost of its lines and
    hyphens (ties: fewer costs, fewer lines)."""
    found = []
    for size in SIZES:
        line_room = room * 10 / size
        lines = _wrap(_pieces(text, dictionary, line_room, width), line_room, width)
        hyphens = sum(line.endswith("-") for line in lines[:-1]) if dictionary else 0
        if len(lines) > (4 if hyphens else 3) or any(width(line) > line_room for line in lines):
            continue
        exact = min(10.0, room * 10 / max(width(line) for line in lines))
        cost = (len(lines) - 1) * LINE_COST + hyphens * HYPHEN_COST + (FOURTH_LINE_COST if len(lines) > 3 else 0.0)
        found.append(((exact - cost, -cost, -len(lines)), Heading(lines, exact)))
    return found


def fit_heading(text: str, room: float, width: Callable[[str], float], language: str | None = None,
                legible: float = LEGIBLE) -> Heading | None:
    """``text`` on up to three lines (four with hyphens) no wider than ``room`` px, in the largest
    font from 10 px down to 6.5 px; ``width`` measures a line at 10 px.

    Words are kept whole while that allows :data:`LEGIBLE` px ("Скорость / обслуживания" at 9.1 px).
    Below it a word wider than the line is broken where ``language``'s dictionary allows, if the
    larger font is worth the hyphens and a fourth line (:data:`HYPHEN_COST`): "Прощание и
    послепродажное обслуживание" is "Прощание и / послепродаж- / ное / обслуживание" at 9.1 px
    rather than three lines at 7.7. None when nothing fits even at 6.5 px (the caller then cuts
    the title short). A caller that needs a larger least size passes its own ``legible``.
    """
    whole = _candidates(text, room, width, None)
    kept = max(whole, key=lambda c: c[0])[1] if whole else None
    if kept is not None and kept.size >= legible:
        return kept
    dictionary = _dictionary(language)
    broken = _candidates(text, room, width, dictionary) if dictionary else []
    return max(whole + broken, key=lambda c: c[0])[1] if whole + broken else None
