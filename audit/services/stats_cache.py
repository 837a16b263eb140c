"""Statistics (the dashboard's, a question's, an auditor's) kept for reuse while nothing they
were computed from has changed.

The dashboard and the chain PDF it offers compute the same statistics for the same filters, and
on a chain of 100,000 visits that takes seconds each time. A result is kept as JSON under this
database's label, the statistics' generation (:mod:`audit.models.stats_generation`) and the
question asked (checklist, filters, language). The listeners below raise the generation in the
same transaction as every change the statistics read – an approved visit and its answers, a
visit approved or taken back, its photos, branches, regions, people's names, checklists – so once such a
change is committed the next request computes afresh: a kept result is never older than the data.

Where results are kept (``AUDIT_STATS_CACHE_URL``): ``memory://`` (the default) in each app
process; ``redis://host:6379/1`` in Redis, shared by every process; ``none`` not at all. Entries
also expire after an hour, which bounds what a change made outside the app (SQL by hand) could
leave behind.
"""
from __future__ import annotations

import hashlib
import json
import logging
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from flask import current_app
from sqlalchemy import event, select, update
from sqlalchemy.orm import Session, attributes

from ..extensions import db
from ..times import display_zone
from ..models import Answer, Checklist, ChecklistVersion, Evidence, Location, Region, User, Visit, VisitSectionScore
from ..models.stats_generation import ONLY_ROW, StatsGeneration, new_database_label

log = logging.getLogger(__name__)

LIFETIME = 3600  # seconds
MEMORY_ENTRIES = 16  # results kept per process; a 500-branch chain's dashboard is 1.9 MB of JSON
#: An ORM ``update()``/``delete()`` given this execution option promises to leave alone what the
#: statistics read (e.g. it only touches visits still being edited).
LEAVES_STATISTICS = "leaves_statistics"
_TABLE = StatsGeneration.__table__


def cached_statistics(question: dict, compute: Callable[[], dict]) -> dict:
    """``compute()``'s result for ``question`` (JSON-able: what is asked, in which language), from
    the cache while the data are unchanged. Always a fresh copy: callers may change it."""
    store = current_app.extensions.get("stats_cache")
    stamp = _generation() if store is not None else None
    if stamp is None:
        return compute()
    asked = hashlib.sha256(json.dumps({**question, "zone": str(display_zone()), "code": _code_fingerprint()},
                                      sort_keys=True, default=str).encode()).hexdigest()
    key = f"audit:stats:{stamp[0]}:{stamp[1]}:{asked}"
    text = store.get(key)
    if text is None:
        text = json.dumps(compute(), separators=(",", ":"))
        store.put(key, text)
    return json.loads(text)


@lru_cache(maxsize=1)
def _code_fingerprint() -> str:
    """This release's code: after an upgrade, results kept in Redis by the release before (of
    another shape, or computed another way) are not used."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).resolve().parent.parent.rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _generation() -> tuple[str, int] | None:
    row = db.session.execute(
        select(_TABLE.c.database_label, _TABLE.c.value).where(_TABLE.c.id == ONLY_ROW)
    ).first()
    return (row[0], row[1]) if row else None


def raise_generation(session: Session) -> None:
    """Results kept so far no longer apply once this transaction commits. The step is random, so
    that a database restored from a backup does not count through numbers already used since."""
    connection = session.connection()
    raised = connection.execute(
        update(_TABLE).where(_TABLE.c.id == ONLY_ROW).values(value=_TABLE.c.value + 1 + secrets.randbelow(1 << 30))
    ).rowcount
    if not raised:  # emptied by hand (tests truncate tables): start again under a new label
        if connection.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        connection.execute(insert(_TABLE).values(id=ONLY_ROW, value=1, database_label=new_database_label())
                           .on_conflict_do_nothing())


# The generation is raised at commit, the transaction's last lock: raised at the flush of the
# first change, it was held while the transaction went on to lock other rows, and two
# transactions taking the same rows in the other order deadlocked on PostgreSQL (a visit approved
# through the API while a branch code changed), and a long CSV import held up every approval.
_TO_RAISE = "stats_generation_to_raise"


@event.listens_for(Session, "before_flush")
def _note_changes(session: Session, _context, _instances) -> None:
    if session.info.get(_TO_RAISE):
        return
    with session.no_autoflush:
        changed = ([(obj, "new") for obj in session.new] + [(obj, "deleted") for obj in session.deleted]
                   + [(obj, "dirty") for obj in session.dirty if session.is_modified(obj, include_collections=False)])
        if any(_read_by_statistics(session, obj, how) for obj, how in changed):
            session.info[_TO_RAISE] = True


@event.listens_for(Session, "before_commit")
def _raise_at_commit(session: Session) -> None:
    session.flush()  # what the commit would flush next, so that before_flush sees it
    if session.info.pop(_TO_RAISE, False):
        raise_generation(session)


@event.listens_for(Session, "after_transaction_end")
def _forget_changes(session: Session, transaction) -> None:
    if transaction.parent is None:  # rolled back (a commit has taken the mark already)
        session.info.pop(_TO_RAISE, None)


def _read_by_statistics(session: Session, obj, how: str) -> bool:
    if isinstance(obj, Visit):
        return _approved(obj)
    if isinstance(obj, (Answer, VisitSectionScore, Evidence)):  # the question page shows failures' photos
        visit = obj.visit or (session.get(Visit, obj.visit_id) if obj.visit_id is not None else None)
        return visit is None or _approved(visit)
    if isinstance(obj, User):  # the statistics name auditors; nobody new has visits yet
        return how == "dirty" and any(attributes.get_history(obj, name).has_changes() for name in ("name", "email"))
    return isinstance(obj, (Location, Region, Checklist, ChecklistVersion))


def _approved(visit: Visit) -> bool:
    """Approved now or before this change (approving and taking back both count). Changes to a
    visit that is not approved come with its row claimed first (``visits._claim``,
    ``review.claim_submitted``, the photo upload's lock), so the status seen here is the
    database's, not one another request has changed since."""
    history = attributes.get_history(visit, "status")
    return "approved" in (*history.added, *history.deleted, *history.unchanged) or visit.status == "approved"


@event.listens_for(Session, "do_orm_execute")
def _note_bulk_statements(state) -> None:
    """ORM ``insert()``/``update()``/``delete()`` statements (the CSV import's bulk inserts) pass
    by the flush."""
    if not (state.is_insert or state.is_update or state.is_delete) or state.execution_options.get(LEAVES_STATISTICS):
        return
    mapper = state.bind_mapper
    if mapper is not None and issubclass(mapper.class_, (Visit, Answer, VisitSectionScore, Evidence, Location, Region,
                                                         User, Checklist, ChecklistVersion)):
        state.session.info[_TO_RAISE] = True


class MemoryStore:
    """The last ``MEMORY_ENTRIES`` results of this process."""

    def __init__(self, entries: int = MEMORY_ENTRIES, lifetime: float = LIFETIME):
        self._entries, self._lifetime = entries, lifetime
        self._kept: OrderedDict[str, tuple[float, str]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> str | None:
        with self._lock:
            found = self._kept.get(key)
            if found is None or found[0] < time.monotonic():
                self._kept.pop(key, None)
                return None
            self._kept.move_to_end(key)
            return found[1]

    def put(self, key: str, text: str) -> None:
        with self._lock:
            self._kept[key] = (time.monotonic() + self._lifetime, text)
            self._kept.move_to_end(key)
            while len(self._kept) > self._entries:
                self._kept.popitem(last=False)


class RedisStore:
    """Results shared by every process. Redis out of reach only means computing afresh."""

    def __init__(self, url: str, lifetime: int = LIFETIME):
        import redis

        self._redis = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self._lifetime = lifetime
        self._errors = redis.RedisError

    def get(self, key: str) -> str | None:
        try:
            found = self._redis.get(key)
        except self._errors as exc:
            log.warning("statistics cache: %s; computing without it", exc)
            return None
        return found.decode() if found is not None else None

    def put(self, key: str, text: str) -> None:
        try:
            self._redis.set(key, text, ex=self._lifetime)
        except self._errors as exc:
            log.warning("statistics cache: %s; result not kept", exc)

    def check(self) -> bool:
        try:
            return bool(self._redis.ping())
        except self._errors:
            return False


def store_for(url: str | None) -> MemoryStore | RedisStore | None:
    """The store ``AUDIT_STATS_CACHE_URL`` names; a ValueError naming the setting otherwise."""
    url = (url or "").strip()
    if url.lower() == "none":
        return None
    if url in ("", "memory://"):
        return MemoryStore()
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisStore(url)
    raise ValueError(f"AUDIT_STATS_CACHE_URL={url!r}: write memory://, redis://host:6379/1 or none")


def install_stats_cache(app) -> None:
    app.extensions["stats_cache"] = store_for(app.config.get("STATS_CACHE_URL"))
