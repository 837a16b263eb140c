"""Options of select boxes, as WTForms 3.3+ wants them (tuples are deprecated and go in 3.4)."""
from __future__ import annotations

from collections.abc import Iterable

from wtforms.fields.choices import SelectChoice


def options(pairs: Iterable[tuple[object, str]]) -> list[SelectChoice]:
    """``[(value, label), …]`` as select-box options."""
    return [SelectChoice(value, label) for value, label in pairs]


def checklist_options(pairs: Iterable[tuple[str, str]]) -> list[SelectChoice]:
    """``[(key, title), …]`` of checklists as options; a title two checklists share gets the key
    too ("In-store visit (store-visit-2027)"): an admin could not tell which one was scheduled."""
    pairs = list(pairs)
    titles = [title for _key, title in pairs]
    return options((key, f"{title} ({key})" if titles.count(title) > 1 else title) for key, title in pairs)
