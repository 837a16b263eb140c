"""Where the chain statistics spend their time: each SQL statement (execute + fetch) and the
rest (numpy, records, findings), on a chain kept by ``chain_bench.py``.

    .venv/bin/python bench/stats_breakdown.py --sqlite-file bench/out/chain.db
    .venv/bin/python bench/stats_breakdown.py --pg-schema bench_keep [--format mall]

Prints the median of ``--rounds`` calls per statement, labelled by the tables it reads and its
GROUP BY, and the share of the whole call.
"""
from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from audit import create_app  # noqa: E402
from audit.extensions import db  # noqa: E402
from audit.services.chain_stats import StatsFilter, chain_statistics  # noqa: E402

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def label(statement: str) -> str:
    tables = sorted(set(re.findall(r"\bFROM (\w+)|\bJOIN (\w+)", statement)) - {("", "")})
    names = sorted({a or b for a, b in tables} - {"checklist", "checklist_version", "location", "region"})
    group = re.search(r"GROUP BY (.*?)(?:\n|$| ORDER| LIMIT)", statement.replace("\n", " "))
    return f"{'+'.join(names) or statement[:40]}" + (f" GROUP BY {group.group(1)[:50]}" if group else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sqlite-file")
    parser.add_argument("--pg-schema")
    parser.add_argument("--format", help="location format filter (mall = the 300 branches of the PDF)")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    if args.sqlite_file:
        uri = f"sqlite:///{Path(args.sqlite_file).resolve()}"
    else:
        uri = PG_URL + f"?options=-csearch_path%3D{args.pg_schema}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": uri, "STATS_CACHE_URL": "none", "INSTANCE_PATH": tempfile.mkdtemp(), "SECRET_KEY": "bench"})
    spec = StatsFilter("store-visit", location_format=args.format)
    per_statement: dict[str, list[float]] = defaultdict(list)
    whole: list[float] = []
    with app.app_context():
        chain_statistics(spec)  # warm-up
        started_at: dict = {}
        current: list = []

        def before(conn, cursor, statement, params, context, executemany):
            started_at[id(cursor)] = (time.perf_counter(), label(statement))

        def after(conn, cursor, statement, params, context, executemany):
            began, name = started_at.pop(id(cursor))
            current.append((name, time.perf_counter() - began))

        event.listen(db.engine, "before_cursor_execute", before)
        event.listen(db.engine, "after_cursor_execute", after)
        for _ in range(args.rounds):
            current.clear()
            began = time.perf_counter()
            chain_statistics(spec)
            whole.append(time.perf_counter() - began)
            for name, seconds in current:
                per_statement[name].append(seconds)
    total = statistics.median(whole)
    print(f"{app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}, format={args.format}: whole call {total:.3f} s "
          f"(median of {args.rounds})")
    in_sql = 0.0
    for name, times in sorted(per_statement.items(), key=lambda kv: -statistics.median(kv[1])):
        median = statistics.median(times)
        in_sql += median
        print(f"  {median:7.3f} s {100 * median / total:5.1f} %  {name}")
    print(f"  {total - in_sql:7.3f} s {100 * (total - in_sql) / total:5.1f} %  outside execute (fetch of SQLite rows, numpy, records)")


if __name__ == "__main__":
    main()
