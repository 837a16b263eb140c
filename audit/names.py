"""Comparing and ordering names people type (regions, branches) whatever their letters.

SQLite's ``lower()`` folds only A–Z and sorts by byte: "žemaitija" was not a duplicate of
"Žemaitija", and "Šiauliai" came after "Vilnius". Python's ``casefold`` knows every letter, and
the sort key sets letters with diacritics beside their base letter (Š with S, Ā with A).
"""
from __future__ import annotations

import re
import unicodedata


def same_name(a: str, b: str) -> bool:
    """Whether two names differ only in case and surrounding spaces (Ž/ž, Š/š, Ё/ё …)."""
    return unicodedata.normalize("NFC", a.strip()).casefold() == unicodedata.normalize("NFC", b.strip()).casefold()


def name_key(name: str) -> tuple[str, str]:
    """Sort key: letters without diacritics first (Š beside S), then the exact name as a tie-break."""
    bare = "".join(ch for ch in unicodedata.normalize("NFKD", name) if not unicodedata.combining(ch))
    return bare.casefold(), name


def code_key(code: str) -> tuple:
    """Sort key for branch codes with numbers in them: KNS-14 before KNS-104 (text order put
    KNS-104 first in a chain of 300)."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part.casefold())
                 for part in re.split(r"(\d+)", code) if part)
