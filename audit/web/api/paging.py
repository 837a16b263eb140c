"""Query parameters shared by the paged lists (``GET /visits``, ``GET /actions``).

A misspelt filter is an error, not an empty page a nightly job would take for "no changes"."""
from __future__ import annotations

from collections.abc import Mapping

from flask import url_for

PAGE, MAX_PAGE = 100, 500


def unknown_parameters(args: Mapping[str, str], allowed: tuple[str, ...]) -> dict[str, str]:
    """Each parameter the list does not read, named with the ones it does."""
    use = f"unknown parameter; use {', '.join(allowed)}"
    return {name: use for name in sorted(set(args) - set(allowed))}


def page_limit(args: Mapping[str, str], errors: dict[str, str]) -> int:
    """``limit``: 1 to ``MAX_PAGE`` items a page, ``PAGE`` when absent; a problem goes to ``errors``."""
    text = args.get("limit")
    if not text:
        return PAGE
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_PAGE:
        errors["limit"] = f"a whole number from 1 to {MAX_PAGE}"
        return PAGE
    return int(text)


MAX_ID = 2 ** 63 - 1  # larger numbers do not fit a database integer (SQLite raised OverflowError: a 500)


def row_id(text: str) -> int | None:
    """A row id written in a query (``visit=``, ``after=``), or None for anything that is not one."""
    if not (text.isascii() and text.isdigit()) or int(text) > MAX_ID:
        return None
    return int(text)


def next_page(endpoint: str, args: Mapping[str, str], after: str | int) -> str:
    """The link to the following page: the same filters, ``after`` the last item of this one."""
    query = {name: value for name, value in args.items() if name != "after"}
    return url_for(endpoint, **query, after=after)
