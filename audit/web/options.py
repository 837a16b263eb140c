"""Options of select boxes, as WTForms 3.3+ wants them (tuples are deprecated and go in 3.4)."""
from __future__ import annotations

from collections.abc import Iterable

from wtforms.fields.choices import SelectChoice


def options(pairs: Iterable[tuple[object, str]]) -> list[SelectChoice]:
    """``[(value, label), …]`` as select-box options."""
    return [SelectChoice(value, label) for value, label in pairs]
