"""Small helpers of the demo chain builder (dates, shares, files)."""
from __future__ import annotations

import calendar
import math
import os
from datetime import date, datetime, timedelta
from pathlib import Path


def month_ranges(end: date, months: int) -> list[tuple[date, date]]:
    """The ``months`` calendar months up to the month of ``end``; the last one stops at ``end``."""
    ranges = []
    year, month = end.year, end.month
    for _ in range(months):
        last = date(year, month, calendar.monthrange(year, month)[1])
        ranges.append((date(year, month, 1), min(last, end)))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return ranges[::-1]


def write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # an older file may have had wider permissions
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def allocate(total: int, weights: list[float]) -> list[int]:
    """Split ``total`` by ``weights`` (largest remainder), at least one each."""
    spare = total - len(weights)
    shares = [spare * w / sum(weights) for w in weights]
    counts = [1 + int(s) for s in shares]
    by_remainder = sorted(range(len(weights)), key=lambda i: (-(shares[i] - int(shares[i])), i))
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def in_the_past(visited_at: datetime, submitted_at: datetime, approved_at: datetime,
                not_after: datetime) -> tuple[datetime, datetime, datetime]:
    """The three times moved before ``not_after``: the visit a day earlier at a time (same hour
    of its day, so still within opening hours), submission and approval squeezed in between."""
    while visited_at > not_after - timedelta(hours=1):
        visited_at -= timedelta(days=1)
    room = not_after - visited_at
    return visited_at, min(submitted_at, visited_at + room / 3), min(approved_at, visited_at + room * 2 / 3)
