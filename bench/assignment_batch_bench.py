"""The activity page's lookup of visits scheduled together (audit/services/activity.py,
``found.batches``) on a large ``assignment`` table: without the 0015 index, with it, and with it
plus the per-column prefilter that lets SQLite seek the index (SQLite scans a whole index for a
row-value ``IN``; PostgreSQL seeks either way).

    .venv/bin/python bench/assignment_batch_bench.py [--assignments 500000] [--batches 50]

Plain SQL on a table of the same shape (SQLite in memory, PostgreSQL in a throwaway schema of
AUDIT_BENCH_PG_URL, default the local test database); prints the median of 7 runs of each.
"""
from __future__ import annotations

import argparse
import os
import random
import sqlite3
import statistics
import time

import psycopg

SELECT = ("SELECT created_by_id, created_at, count(*), count(DISTINCT location_id), min(location_id)"
          " FROM assignment WHERE {prefilter}(created_by_id, created_at) IN (VALUES {pairs})"
          " GROUP BY created_by_id, created_at")


def median_ms(run) -> float:
    times = []
    for _ in range(7):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def queries(keys, mark: str, stamp: str = "") -> dict[str, tuple[str, list]]:
    pairs = ",".join(f"({mark}, {mark}{stamp})" for _ in keys)
    flat = [value for key in keys for value in key]
    users, moments = sorted({k[0] for k in keys}), sorted({k[1] for k in keys})
    prefilter = (f"created_by_id IN ({','.join([mark] * len(users))}) AND "
                 f"created_at IN ({','.join([mark + stamp] * len(moments))}) AND ")
    return {"row-value IN": (SELECT.format(prefilter="", pairs=pairs), flat),
            "prefilter + row-value IN": (SELECT.format(prefilter=prefilter, pairs=pairs), users + moments + flat)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--assignments", type=int, default=500_000)
    parser.add_argument("--batches", type=int, default=50)
    args = parser.parse_args()
    random.seed(1)
    n = args.assignments
    rows = [(i + 1, random.randint(1, 500), random.randint(1, 40),
             f"2026-{1 + i * 11 // n:02d}-01 10:{(i // 1000) % 60:02d}:{(i // 60000) % 60:02d}.{i % 1000:06d}")
            for i in range(n)]
    keys = sorted({(row[2], row[3]) for row in random.sample(rows, args.batches)})

    con = sqlite3.connect(":memory:")
    con.execute("CREATE TABLE assignment (id INTEGER PRIMARY KEY, location_id INT, created_by_id INT, created_at TEXT)")
    con.executemany("INSERT INTO assignment VALUES (?, ?, ?, ?)", rows)
    _measure("SQLite", lambda sql, params: con.execute(sql, params).fetchall(),
             lambda sql: (con.execute(sql), con.execute("ANALYZE")), queries(keys, "?"), n, len(keys))

    url = os.environ.get("AUDIT_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
    with psycopg.connect(url, autocommit=True) as pg:
        pg.execute("DROP SCHEMA IF EXISTS bench_assignment_batch CASCADE")
        pg.execute("CREATE SCHEMA bench_assignment_batch")
        pg.execute("SET search_path TO bench_assignment_batch")
        try:
            pg.execute("CREATE TABLE assignment (id INT PRIMARY KEY, location_id INT, created_by_id INT,"
                       " created_at TIMESTAMP)")
            with pg.cursor().copy("COPY assignment FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            pg.execute("VACUUM ANALYZE assignment")
            _measure("PostgreSQL", lambda sql, params: pg.execute(sql, params).fetchall(),
                     lambda sql: (pg.execute(sql), pg.execute("ANALYZE assignment")),
                     queries(keys, "%s", "::timestamp"), n, len(keys))
        finally:
            pg.execute("DROP SCHEMA bench_assignment_batch CASCADE")


def _measure(name, run, execute, variants, n: int, batches: int) -> None:
    results = {f"{label}, no index": median_ms(lambda sql=sql, params=params: run(sql, params))
               for label, (sql, params) in variants.items()}
    execute("CREATE INDEX ix_assignment_created_by_at ON assignment (created_by_id, created_at)")
    results.update({f"{label}, index": median_ms(lambda sql=sql, params=params: run(sql, params))
                    for label, (sql, params) in variants.items()})
    print(f"{name}: {n} assignments, {batches} batches on the page")
    for label, ms in results.items():
        print(f"  {label:<38} {ms:8.2f} ms")


if __name__ == "__main__":
    main()
