"""Scenarios ("Buy a gift", "Return an item") are typed text: in a form, a CSV file, on the
tablet. Typed again by someone else they come back as "buy a gift" or "Buy a  gift", and the
dashboard's scenario filter then offers each spelling as a scenario of its own, each with a share
of the visits. A scenario typed here takes the spelling the chain already uses for it, matched
without regard to case or runs of spaces; a new one is kept as typed (spaces tidied)."""
from __future__ import annotations

from sqlalchemy import select, union

from ..extensions import db
from ..models import EDITABLE_STATUSES, Assignment, Visit

MAX_SUGGESTED = 200


def key(text: str) -> str:
    return " ".join(text.split()).casefold()


class Scenarios:
    """The chain's scenarios by their key, read once; :meth:`canonical` learns the new ones, so
    that the variants of one file or batch take the first one's spelling."""

    def __init__(self) -> None:
        # Not those of visits being filled: as typed, they take the chain's spelling on submit.
        rows = db.session.scalars(union(select(Assignment.scenario).where(Assignment.scenario != ""),
                                        select(Visit.scenario).where(Visit.scenario != "",
                                                                 Visit.status.not_in(EDITABLE_STATUSES))))
        self.spellings: dict[str, str] = {}
        for text in sorted(r for r in rows if r):  # of two stored spellings, always the same one
            self.spellings.setdefault(key(text), text)

    def canonical(self, text: str | None) -> str:
        tidy = " ".join((text or "").split())
        if not tidy:
            return ""
        return self.spellings.setdefault(key(tidy), tidy)


def canonical(text: str | None) -> str:
    """One scenario as the chain spells it (reads the chain's scenarios: for one value)."""
    return Scenarios().canonical(text) if (text or "").strip() else ""


def suggestions() -> list[str]:
    """The chain's scenarios, alphabetical, to offer while one is typed (a form's datalist)."""
    return sorted(Scenarios().spellings.values(), key=str.casefold)[:MAX_SUGGESTED]
