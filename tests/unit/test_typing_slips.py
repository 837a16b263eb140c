"""The banded, early-stopping distance of the look-alike check against the textbook full table
(optimal string alignment), on many random near-miss pairs."""
from __future__ import annotations

import random

import pytest

from audit.services.lookalikes import People, Person, lookalike, typing_slips


def full_table(a: str, b: str) -> int:
    d = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        d[i][0] = i
    for j in range(len(b) + 1):
        d[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)]


def near_miss(rng: random.Random, a: str) -> str:
    b = list(a)
    for _ in range(rng.randint(0, 4)):
        op = rng.randrange(4)
        if op == 0 and b:
            b.pop(rng.randrange(len(b)))
        elif op == 1:
            b.insert(rng.randrange(len(b) + 1), rng.choice("abcš"))
        elif op == 2 and b:
            b[rng.randrange(len(b))] = rng.choice("abcš")
        elif op == 3 and len(b) > 1:
            i = rng.randrange(len(b) - 1)
            b[i], b[i + 1] = b[i + 1], b[i]
    return "".join(b)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_banded_distance_agrees_with_the_full_table_within_its_limit(seed):
    rng = random.Random(seed)
    for _ in range(3000):
        a = "".join(rng.choice("abcš") for _ in range(rng.randint(0, 9)))
        b = near_miss(rng, a)
        exact = full_table(a, b)
        for limit in (0, 1, 2):
            assert typing_slips(a, b, limit) == (exact if exact <= limit else None), (a, b, limit)


def test_numbered_accounts_are_not_typos_but_a_slip_is():
    users = People([("shopper07@agency.lt", "Shopper Seven"), ("jonas@example.lt", "Jonas Kazlauskas")])
    assert lookalike(Person.of("shopper08@agency.lt", "Shopper Eight"), users) is None
    found = lookalike(Person.of("jonas@exmaple.lt", "J. K."), users)
    assert found is not None and found.existing_email == "jonas@example.lt" and not found.by_name
    by_name = lookalike(Person.of("j.kazlauskas@other.lt", "Jonas Kazlauskąs"), users)
    assert by_name is not None and by_name.by_name
