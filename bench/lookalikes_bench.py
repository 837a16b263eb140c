"""How long the import's look-alike check of new auditors takes (``audit import-visits``): each
new auditor is compared with every user already here and with every new auditor earlier in the
file, so the work grows with new × (users + new). Pure Python, no database.

    .venv/bin/python bench/lookalikes_bench.py [--users 300] [--seed 1]

Prints the time per file size and per pair compared; the import's own time for such a file
(reading, checking and inserting thousands of answers) is seconds, for comparison.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from audit.services.lookalikes import People, Person, lookalike  # noqa: E402

FIRST = ["Jonas", "Rūta", "Ieva", "Andris", "Līga", "Šarūnas", "Ona", "Mārtiņš", "Жанна", "Алексей", "Inga", "Tomas",
         "Kristīne", "Dainius", "Ēriks", "Agnė", "Виктор", "Laura", "Edgars", "Gintarė"]
LAST = ["Kazlauskas", "Bērziņa", "Petrauskienė", "Ozols", "Jankauskas", "Kalniņa", "Смирнова", "Liepa", "Vaitkus",
        "Krūmiņš", "Žukauskaitė", "Иванов", "Balodis", "Stankevičius", "Zariņa"]


def people(n: int, rng: np.random.Generator, domain: str) -> list[tuple[str, str]]:
    found = []
    for k in range(n):
        first, last = FIRST[rng.integers(len(FIRST))], LAST[rng.integers(len(LAST))]
        found.append((f"shopper{k:05d}.{rng.integers(10**6):06d}@{domain}", f"{first} {last}"))
    return found


def distinct_people(n: int, rng: np.random.Generator, domain: str) -> list[tuple[str, str]]:
    """Addresses and names of random letters: nobody resembles anybody, so every comparison is
    made (the worst case, and a first import of an agency's shoppers is near it)."""
    letters = np.array(list("abcdefghijklmnoprstuvzšėūā"))

    def word(k: int) -> str:
        return "".join(rng.choice(letters, k))
    return [(f"{word(8)}.{word(5)}@{domain}", f"{word(6).title()} {word(9).title()}") for _ in range(n)]


def check(new: list[tuple[str, str]], users: list[tuple[str, str]]) -> int:
    """The loop of ``VisitImport._lookalikes``."""
    found, earlier, users = 0, People(), People(users)
    for email, name in new:
        person = Person.of(email, name)
        if lookalike(person, users) or lookalike(person, earlier, in_file=True):
            found += 1
        earlier.add(person)
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    for label, draw in (("names from short lists, most resemble someone", people),
                        ("all distinct, nobody resembles anybody", distinct_people)):
        users = draw(args.users, rng, "chain.example")
        print(f"{args.users} users already here; new auditors in one file ({label}):")
        for n in (30, 100, 300, 1000):
            new = draw(n, rng, "shoppers.example")
            started = time.perf_counter()
            similar = check(new, users)
            seconds = time.perf_counter() - started
            pairs = n * args.users + n * (n - 1) // 2
            print(f"  {n:>5} new: {seconds:7.3f} s for {pairs:>9,} possible pairs, {similar} named as look-alikes")


if __name__ == "__main__":
    main()
