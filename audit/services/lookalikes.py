"""Is a new person a typo of one already there? (No Flask, no database.)

The visit import creates the auditors it does not know, as it must; but ``jonas@exmaple.lt``
beside ``jonas@example.lt`` is the same auditor twice, whose leniency the statistics would
then split. Such a new auditor is named in the import's summary as resembling the existing
user: the same name as :func:`~audit.services.import_values.name_key` compares names (case,
accents and spaces aside), or an e-mail address or name a couple of typing slips away
(:func:`typing_slips`: a letter missed, added, changed, or two swapped; fewer in short
names, where one letter makes another name). Numbered accounts (``shopper07``, ``shopper08``)
differ in their numbers only, and are not taken for typos.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .import_values import name_key


@dataclass(frozen=True)
class Lookalike:
    """A new auditor and the existing user it resembles; ``by_name``: their names, not their
    e-mail addresses, are alike."""

    email: str
    name: str
    existing_email: str
    existing_name: str
    by_name: bool
    in_file: bool = False  # the other is new too, earlier in the same file

    def describe(self) -> str:
        """``new auditor 'jonas@exmaple.lt' — similar to existing 'jonas@example.lt'`` (the CLI
        speaks English); names too when it is the names that are alike."""
        other = (f"'{self.existing_email}'" + (f" ({self.existing_name.strip()})" if self.by_name else "")
                 + (", also new in this file" if self.in_file else ""))
        similar = "similar to" if self.in_file else "similar to existing"
        if self.by_name:
            return f"new auditor '{self.email}' ({self.name}) — {similar} {other}"
        return f"new auditor '{self.email}' — {similar} {other}"


def typing_slips(a: str, b: str, limit: int) -> int | None:
    """How many single-character edits turn ``a`` into ``b`` (a character inserted, deleted or
    changed, or two neighbours swapped: the optimal-string-alignment form of the
    Damerau–Levenshtein distance), or ``None`` when it is more than ``limit``. Only a band of
    width ``2 × limit + 1`` is computed, and the work stops at the first row whose band is all
    above the limit, so comparing one name with thousands stays quick."""
    if abs(len(a) - len(b)) > limit:
        return None
    if a == b:
        return 0
    far = limit + 1  # any value above the limit stands for "too far"
    previous2: list[int] = []
    previous = [j if j <= limit else far for j in range(len(b) + 1)]
    previous_lowest = 0
    for i in range(1, len(a) + 1):
        current = [far] * (len(b) + 1)
        if i <= limit:
            current[0] = i
        lowest = current[0]
        for j in range(max(1, i - limit), min(len(b), i + limit) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            best = previous[j - 1] + cost
            if previous[j] + 1 < best:
                best = previous[j] + 1
            if current[j - 1] + 1 < best:
                best = current[j - 1] + 1
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1] and previous2[j - 2] + 1 < best:
                best = previous2[j - 2] + 1
            current[j] = best if best < far else far
            if current[j] < lowest:
                lowest = current[j]
        if lowest > limit and previous_lowest >= limit:
            return None  # every later row stays above the limit (a swap reaches back two rows)
        previous2, previous, previous_lowest = previous, current, lowest
    return previous[-1] if previous[-1] <= limit else None


def slips_allowed(text: str) -> int:
    """Two slips in a long name or address, one in a short one (Ona is not Ana's typo: 3
    letters), none below four characters."""
    return 0 if len(text) < 4 else 1 if len(text) < 8 else 2


def numbered_apart(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` differ only in their numbers: ``shopper07`` and ``shopper08`` are
    an agency's numbered accounts, not one account mistyped."""
    return a != b and re.sub(r"\d+", "#", a) == re.sub(r"\d+", "#", b)


def alike(a: str, b: str) -> bool:
    """Whether ``a`` is ``b`` but for the slips :func:`slips_allowed` lets the shorter have
    (numbers aside: see :func:`numbered_apart`)."""
    # The distance first: it rejects most pairs on their lengths alone, before any regex runs.
    return typing_slips(a, b, slips_allowed(min(a, b, key=len))) is not None and not numbered_apart(a, b)


def emails_alike(a: str, b: str) -> bool:
    """Two different addresses at most two slips apart, the part before the @ and the domain
    each within what :func:`slips_allowed` lets it have: ``jonas@exmaple.lt`` is
    ``jonas@example.lt``, but ``ona@example.lt`` is not ``jonas@example.lt``."""
    if a == b or abs(len(a) - len(b)) > 2:
        return False
    (local_a, _, domain_a), (local_b, _, domain_b) = a.rpartition("@"), b.rpartition("@")
    if domain_a == domain_b and numbered_apart(local_a, local_b):  # cheaper than the distance
        return False
    local = typing_slips(local_a, local_b, slips_allowed(min(local_a, local_b, key=len)))
    if local is None:
        return False
    domain = typing_slips(domain_a, domain_b, slips_allowed(min(domain_a, domain_b, key=len)))
    return domain is not None and local + domain <= 2


#: Every pair that :func:`emails_alike` or :func:`alike` accepts is at most this many slips apart.
MAX_SLIPS = 2


def _deletions(text: str, depth: int = MAX_SLIPS) -> set[str]:
    """``text`` with up to ``depth`` characters deleted. Two strings within ``depth`` slips
    (insertions, deletions, changes, swaps of neighbours) share one of these: the candidates
    for the exact comparison, instead of comparing with everyone."""
    found, layer = {text}, {text}
    for _ in range(depth):
        layer = {word[:i] + word[i + 1:] for word in layer for i in range(len(word))}
        found |= layer
    return found


@dataclass(frozen=True)
class Person:
    """One person as the look-alike check compares them, worked out once: the address in lower
    case, the name as :func:`name_key` compares it, and the :func:`_deletions` of both (of the
    address, the part before the @: its domain may differ too, but within the same two slips)."""

    email: str
    name: str
    lower: str
    key: str
    local_variants: frozenset[str]
    name_variants: frozenset[str]

    @classmethod
    def of(cls, email: str, name: str) -> Person:
        lower, key = email.lower(), name_key(name)
        return cls(email, name, lower, key, frozenset(_deletions(lower.rpartition("@")[0])),
                   frozenset(_deletions(key)) if key else frozenset())


class People:
    """The people a new auditor is compared with, in order, indexed by their deletions so that a
    new auditor is compared only with the few a couple of slips away. (Comparing with everyone
    took 17 s for a first import of 1,000 distinct shoppers beside 300 users.)"""

    def __init__(self, people: list[tuple[str, str]] = ()) -> None:
        self.rows: list[Person] = []
        self._by_local: dict[str, list[int]] = {}
        self._by_name: dict[str, list[int]] = {}
        for email, name in people:
            self.add(Person.of(email, name))

    def add(self, person: Person) -> None:
        row = len(self.rows)
        self.rows.append(person)
        for variant in person.local_variants:
            self._by_local.setdefault(variant, []).append(row)
        for variant in person.name_variants:
            self._by_name.setdefault(variant, []).append(row)

    def near(self, person: Person, by_name: bool) -> list[Person]:
        """Who may be a couple of slips from ``person`` (by address, or by name), in order."""
        index, variants = (self._by_name, person.name_variants) if by_name else (self._by_local, person.local_variants)
        rows: set[int] = set()
        for variant in variants:
            rows.update(index.get(variant, ()))
        return [self.rows[row] for row in sorted(rows)]


def lookalike(person: Person, people: People, in_file: bool = False) -> Lookalike | None:
    """The first of ``people`` (every existing user, or with ``in_file`` the new auditors before
    this one in the file) that the new auditor ``person`` resembles: the e-mail addresses a slip
    or two apart, or the names the same as name_key compares them or a slip or two apart."""
    for other in people.near(person, by_name=False):
        if emails_alike(person.lower, other.lower):
            return Lookalike(person.lower, person.name, other.email, other.name, by_name=False, in_file=in_file)
    if person.key:
        for other in people.near(person, by_name=True):
            if alike(person.key, other.key):
                return Lookalike(person.lower, person.name, other.email, other.name, by_name=True, in_file=in_file)
    return None
