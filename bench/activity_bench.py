"""Benchmark of the admin's activity page on a long audit log (not part of the test suite).

    .venv/bin/python bench/activity_bench.py --sqlite-file /tmp/bench-activity.db
    .venv/bin/python bench/activity_bench.py --pg-schema bench_activity

Builds (once; later runs reuse it) a chain of 300 people, 60 branches and 20,000 visits with a
log of ``--entries`` entries (default 500,000: a large chain's few years) spread over two years,
of every kind the app writes, then times through the real app (test client, signed in as an
admin; medians of 5 interleaved rounds): the first page, a page deep in the list, the filters
(kind, one person, one branch with its visits, one week), and the CSV download of a month and of
a year; and counts each page's SQL statements (they must not grow with the rows shown).
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from audit import create_app  # noqa: E402
from audit.extensions import db  # noqa: E402
from audit.models import AuditLogEntry, Location, Region, User, Visit  # noqa: E402
from bench.chain_bench import _has_tables, count_statements, host_speed, pg_schema_url  # noqa: E402

ROUNDS = 5
PASSWORD = "bench password 1"
START = datetime(2024, 12, 1)
ACTIONS = [  # (action, object type, share of the log)
    ("visit.started", "visit", 14), ("visit.submitted", "visit", 14), ("visit.approved", "visit", 14),
    ("evidence.uploaded", "visit", 20), ("visit.returned", "visit", 3), ("dispute.raised", "visit", 2),
    ("action.planned", "visit", 4), ("user.updated", "user", 6), ("user.created", "user", 2),
    ("password_link.created", "user", 3), ("location.updated", "location", 4), ("region.renamed", "region", 1),
    ("assignments.created", "assignment", 12), ("visits.exported", "checklist", 1),
]


def build(entries: int) -> None:
    from audit.services.checklists import current_version, load_checklist_files
    from audit.services.users import create_user

    rng = random.Random(7)
    load_checklist_files([Path(__file__).resolve().parent.parent / "checklists"])
    version = current_version("store-visit")
    create_user("admin@bench.example", "admin", "Bench Admin", PASSWORD, [])
    regions = [Region(name=f"Region {n}") for n in range(6)]
    db.session.add_all(regions)
    db.session.flush()
    db.session.execute(insert(Location), [
        {"code": f"BR-{n:03d}", "name": f"Branch {n}", "region_id": regions[n % 6].id, "format": "mall"}
        for n in range(60)])
    db.session.execute(insert(User), [
        {"email": f"person{n}@bench.example", "name": f"Person {n}", "role": "auditor" if n % 5 else "reviewer"}
        for n in range(300)])
    locations = db.session.scalars(select(Location.id)).all()
    users = db.session.scalars(select(User.id)).all()
    db.session.execute(insert(Visit), [
        {"uuid": f"00000000-0000-4000-8000-{n:012d}", "location_id": rng.choice(locations),
         "checklist_version_id": version.id, "auditor_id": rng.choice(users), "channel": "in_person",
         "visited_at": START + timedelta(minutes=rng.randrange(730 * 24 * 60)), "status": "approved", "score": 80.0}
        for n in range(20_000)])
    visits = db.session.scalars(select(Visit.id)).all()
    targets = {"visit": visits, "user": users, "location": locations, "region": [r.id for r in regions],
               "assignment": list(range(1, 5000)), "checklist": ["store-visit"]}
    kinds = [(action, kind) for action, kind, share in ACTIONS for _ in range(share)]
    step = 730 * 24 * 3600 / entries
    for first in range(0, entries, 20_000):
        rows = []
        for n in range(first, min(first + 20_000, entries)):
            action, kind = rng.choice(kinds)
            rows.append({"at": START + timedelta(seconds=n * step), "user_id": rng.choice(users), "action": action,
                         "object_type": kind, "object_id": str(rng.choice(targets[kind])),
                         "details": {"score": 80.0} if action.startswith("visit.") else {}})
        db.session.execute(insert(AuditLogEntry), rows)
    db.session.commit()


def measure(label: str, uri: str, entries: int) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": uri, "STATS_CACHE_URL": "none", "SECRET_KEY": "bench",
                      "INSTANCE_PATH": tempfile.mkdtemp(prefix="bench-instance-"), "WTF_CSRF_ENABLED": False,
                      "RATELIMIT_ENABLED": False})
    with app.app_context():
        if not (_has_tables() and db.session.scalar(select(func.count()).select_from(AuditLogEntry))):
            db.create_all()
            started = time.perf_counter()
            build(entries)
            print(f"{label}: built in {time.perf_counter() - started:.0f} s", flush=True)
            with db.engine.begin() as conn:
                conn.execute(text("ANALYZE"))
        total = db.session.scalar(select(func.count()).select_from(AuditLogEntry))
        person = db.session.scalar(select(User.id).where(User.email == "person7@bench.example"))
        branch = db.session.scalar(select(Location.id).where(Location.code == "BR-007"))
    client = app.test_client()
    client.post("/login", data={"email": "admin@bench.example", "password": PASSWORD})
    work = {
        "first page": "/admin/activity",
        "page 2,000 (rows 199,901-200,000)": "/admin/activity?page=2000",
        "kind: people and sign-in": "/admin/activity?kind=people",
        "one person": f"/admin/activity?by={person}",
        "one branch and its visits": f"/admin/activity?location={branch}",
        "one week": "/admin/activity?since=2025-06-02&until=2025-06-08",
        "CSV, one month": "/admin/activity.csv?since=2025-06-01&until=2025-06-30",
        "CSV, one year": "/admin/activity.csv?since=2025-01-01&until=2025-12-31",
    }
    times: dict[str, list[float]] = {name: [] for name in work}
    sizes: dict[str, int] = {}
    for _ in range(ROUNDS):
        for name, url in work.items():
            started = time.perf_counter()
            response = client.get(url)
            body = response.get_data()
            times[name].append(time.perf_counter() - started)
            assert response.status_code == 200, (url, response.status_code)
            sizes[name] = len(body)
    print(f"{label}: {total:,} log entries")
    for name, measured in times.items():
        print(f"  {name:36s} {statistics.median(measured):7.3f} s   {sizes[name] / 1024:9.0f} KB")
    with app.app_context():
        counts = {name: count_statements(lambda url=url: client.get(url).get_data())
                  for name, url in work.items() if not name.startswith("CSV")}
    print("  statements per page: " + ", ".join(f"{name} {count}" for name, count in counts.items()), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sqlite-file", help="SQLite file (built if missing)")
    parser.add_argument("--pg-schema", help="PostgreSQL schema (built if empty)")
    parser.add_argument("--entries", type=int, default=500_000)
    args = parser.parse_args()
    print(f"host speed: {host_speed():.3f} s for the reference Python loop (2026-11-30: 0.12 s)", flush=True)
    if args.sqlite_file:
        path = Path(args.sqlite_file).resolve()
        path.parent.mkdir(parents=True, exist_ok=True)
        measure("SQLite", f"sqlite:///{path}", args.entries)
    if args.pg_schema:
        measure("PostgreSQL", pg_schema_url(args.pg_schema), args.entries)


if __name__ == "__main__":
    main()
