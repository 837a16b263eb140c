"""What taking the chain's spelling of a scenario costs (``services.scenarios.Scenarios``, read
once per call of ``canonical``): before 2026-12-05 every autosave that carried a changed scenario
paid it (a pause in typing the scenario on the tablet, debounced 900 ms); since, a draft keeps the
scenario as typed and the visit pays it once, on submit.

    .venv/bin/python bench/scenario_lookup.py [--visits 100000] [--db sqlite|postgresql|both]

Builds a chain of ``--visits`` visits (30 scenarios, a tenth of them drafts) in a fresh SQLite file
and/or a fresh PostgreSQL schema (``benchscenarios`` on the local test database, dropped after),
and prints the median time of one lookup, as the app runs it.
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from datetime import datetime
from pathlib import Path

from sqlalchemy import insert, text

from audit import create_app
from audit.extensions import db
from audit.models import Assignment, Checklist, ChecklistVersion, Location, User, Visit
from audit.services.scenarios import Scenarios

PG_URL = "postgresql://postgres@127.0.0.1:5432/test"
SCHEMA = "benchscenarios"
SCENARIOS = [f"Scenario number {n}" for n in range(30)]


def build(visits: int) -> None:
    db.create_all()
    location = Location(code="B-1", name="Bench branch")
    auditor = User(email="bench@example.com", name="Bench", role="auditor")
    checklist = Checklist(key="bench")
    db.session.add_all([location, auditor, checklist])
    db.session.flush()
    version = ChecklistVersion(checklist_id=checklist.id, number=1, content_hash="0" * 64, definition={}, title={"en": "Bench"})
    db.session.add(version)
    db.session.flush()
    moment = datetime(2026, 6, 1, 12)
    rows = [{"uuid": str(uuid.UUID(int=n)), "location_id": location.id, "checklist_version_id": version.id,
             "auditor_id": auditor.id, "scenario": SCENARIOS[n % len(SCENARIOS)], "channel": "in_person",
             "visited_at": moment, "status": "draft" if n % 10 == 0 else "approved",
             "created_at": moment, "updated_at": moment} for n in range(visits)]
    for start in range(0, len(rows), 10_000):
        db.session.execute(insert(Visit), rows[start:start + 10_000])
    db.session.execute(insert(Assignment), [
        {"location_id": location.id, "checklist_id": checklist.id, "auditor_id": auditor.id,
         "scenario": SCENARIOS[n % len(SCENARIOS)], "due_from": moment.date(), "due_until": moment.date()}
        for n in range(visits // 20)])
    db.session.commit()


def median_ms(rounds: int) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        Scenarios().canonical("scenario NUMBER 7")
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def measure(uri: str, visits: int, rounds: int, label: str) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": uri, "SECRET_KEY": "bench", "TESTING": True})
    with app.app_context():
        build(visits)
        print(f"{label}: {visits} visits, one lookup of the chain's spelling: median {median_ms(rounds):.1f} ms "
              f"over {rounds} (paid per autosave with a changed scenario before; once per submit now)")
        db.session.remove()
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visits", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    args = parser.parse_args()
    if args.db in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as folder:
            measure(f"sqlite:///{Path(folder) / 'bench.db'}", args.visits, args.rounds, "SQLite")
    if args.db in ("postgresql", "both"):
        from sqlalchemy import create_engine
        engine = create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://"))
        with engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE; CREATE SCHEMA {SCHEMA}"))
        try:
            measure(f"postgresql+psycopg://postgres@127.0.0.1:5432/test?options=-csearch_path%3D{SCHEMA}",
                    args.visits, args.rounds, "PostgreSQL")
        finally:
            with engine.begin() as conn:
                conn.execute(text(f"DROP SCHEMA {SCHEMA} CASCADE"))
            engine.dispose()


if __name__ == "__main__":
    main()
