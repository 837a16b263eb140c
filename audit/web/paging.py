"""Long lists a page at a time: ``?page=N`` (a page out of range shows the last one), with the
total named, so that nothing is silently cut off at some fixed length."""
from __future__ import annotations

from dataclasses import dataclass

from flask import request


@dataclass(frozen=True)
class Page:
    number: int
    size: int
    total: int

    @property
    def count(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    @property
    def first_row(self) -> int:
        return self.offset + 1 if self.total else 0

    @property
    def last_row(self) -> int:
        return min(self.offset + self.size, self.total)

    def link(self, number: int) -> str:
        """The current address with ``page=number`` (other query values kept)."""
        from urllib.parse import urlencode

        query = {key: value for key, value in request.args.items() if key != "page"}
        if number > 1:
            query["page"] = str(number)
        return request.path + (f"?{urlencode(query)}" if query else "")


def requested_page(total: int, size: int) -> Page:
    """The page ``?page=`` asks for, within 1 … the last page (a stale link after rows left the
    list still shows something)."""
    raw = request.args.get("page", "1")
    number = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 7 else 1
    last = max(1, -(-total // size))
    return Page(min(max(number, 1), last), size, total)
