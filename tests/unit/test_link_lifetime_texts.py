"""Texts that name how long a set-password link works in so many words ("for 7 days": long
sentences of the admin pages and the README, translated whole) must follow ``LINK_LIFETIME``:
change the lifetime and this test names every text to change with it."""
from __future__ import annotations

import re
from pathlib import Path

from audit.services.password_links import LINK_LIFETIME

ROOT = Path(__file__).resolve().parents[2]
FILES = ["templates/admin/user_form.html", "templates/admin/users_imported.html", "README.md"]


def test_every_text_naming_the_link_lifetime_says_what_the_code_does():
    named = {(path, int(days)) for path in FILES
             for days in re.findall(r"for \**(\d+) days", (ROOT / path).read_text(encoding="utf-8"))}
    assert {path for path, _ in named} == set(FILES)  # each still names it (else drop it from FILES)
    wrong = sorted(path for path, days in named if days != LINK_LIFETIME.days)
    assert not wrong, f"these say another lifetime than {LINK_LIFETIME.days} days: {wrong}"
