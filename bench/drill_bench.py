"""Benchmark of the dashboard's drill-down pages on the synthetic chain (not part of the test suite).

    .venv/bin/python bench/drill_bench.py --sqlite-file bench/out/chain.db
    .venv/bin/python bench/drill_bench.py --pg-schema bench_keep

Reuses (or builds) the chain of ``bench/chain_bench.py``: 500 branches, 100,000 approved visits,
3.3 million answers. Measures, in interleaved rounds (medians of 5), the statistics behind

* the question page (``question_statistics``) for the question whose branches differ most,
* the auditor page (``auditor_statistics``) for three auditors,

against ``chain_statistics`` (the dashboard) on the same database, and counts their SQL
statements for the whole chain and for one region (they must not grow with the branches).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from audit import create_app  # noqa: E402
from audit.extensions import db  # noqa: E402
from audit.models import User, Visit  # noqa: E402
from audit.services.auditor_stats import auditor_statistics  # noqa: E402
from audit.services.chain_stats import StatsFilter, chain_statistics  # noqa: E402
from audit.services.question_stats import question_statistics  # noqa: E402
from bench.chain_bench import _has_tables, build_chain, count_statements, host_speed, pg_schema_url  # noqa: E402

ROUNDS = 5


def measure(label: str, uri: str) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": uri, "STATS_CACHE_URL": "none", "INSTANCE_PATH": tempfile.mkdtemp(prefix="bench-instance-"),
                      "SECRET_KEY": "bench"})
    with app.app_context():
        if not (_has_tables() and db.session.scalar(select(func.count()).select_from(Visit))):
            db.create_all()
            build_chain(500, 100_000)
            with db.engine.begin() as conn:
                conn.execute(text("ANALYZE"))
        spec = StatsFilter("store-visit")
        chain = chain_statistics(spec)
        item = max((i for i in chain["items"] if i["spread_sd"]), key=lambda i: i["spread_sd"])["id"]
        auditors = db.session.scalars(select(User.id).where(User.role == "auditor").order_by(User.id).limit(3)).all()
        work = {"dashboard (chain_statistics)": lambda: chain_statistics(spec),
                f"question page ({item})": lambda: question_statistics(spec, item)}
        for auditor in auditors:
            work[f"auditor page (user {auditor})"] = lambda auditor=auditor: auditor_statistics(spec, auditor)
        times: dict[str, list[float]] = {name: [] for name in work}
        for _ in range(ROUNDS):
            for name, call in work.items():
                started = time.perf_counter()
                call()
                times[name].append(time.perf_counter() - started)
        print(f"{label}: {chain['visits']} visits, {len(chain['locations'])} branches")
        base = statistics.median(times["dashboard (chain_statistics)"])
        for name, measured in times.items():
            median = statistics.median(measured)
            print(f"  {name:42s} {median:7.3f} s  ({median / base:.2f}x the dashboard)")
        region = StatsFilter("store-visit", region="Kaunas")
        print(f"  statements: question page {count_statements(lambda: question_statistics(spec, item))} "
              f"(one region: {count_statements(lambda: question_statistics(region, item))}), auditor page "
              f"{count_statements(lambda: auditor_statistics(spec, auditors[0]))} "
              f"(one region: {count_statements(lambda: auditor_statistics(region, auditors[0]))})", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sqlite-file", help="the SQLite chain of bench/chain_bench.py (built if missing)")
    parser.add_argument("--pg-schema", help="the PostgreSQL schema of bench/chain_bench.py (built if empty)")
    args = parser.parse_args()
    print(f"host speed: {host_speed():.3f} s for the reference Python loop (2026-11-30: 0.12 s)", flush=True)
    if args.sqlite_file:
        path = Path(args.sqlite_file).resolve()
        path.parent.mkdir(parents=True, exist_ok=True)
        measure("SQLite", f"sqlite:///{path}")
    if args.pg_schema:
        measure("PostgreSQL", pg_schema_url(args.pg_schema))


if __name__ == "__main__":
    main()
