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

from audit.services.lookalikes import People, lookalike  # noqa: E402

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


def check(new: list[tuple[str, str]], users: list[tuple[str, str]]) -> int:
    """The loop of ``VisitImport._lookalikes``."""
    found, earlier, users = 0, People(), People(users)
    for email, name in new:
        if lookalike(email, name, users) or lookalike(email, name, earlier, in_file=True):
            found += 1
        earlier.add(email, name)
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    users = people(args.users, rng, "chain.example")
    print(f"{args.users} users already here; new auditors in one file:")
    for n in (30, 100, 300, 1000):
        new = people(n, rng, "shoppers.example")
        started = time.perf_counter()
        similar = check(new, users)
        seconds = time.perf_counter() - started
        pairs = n * args.users + n * (n - 1) // 2
        print(f"  {n:>5} new: {seconds:7.3f} s, {pairs:>9,} pairs, {seconds / pairs * 1e6:5.2f} µs a pair, "
              f"{similar} named as look-alikes (same names drawn from a short list)")


if __name__ == "__main__":
    main()
