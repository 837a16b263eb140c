"""How the statistics read visits: plain column queries over ``visit``, their rows as the
driver's tuples, and the hour a visit starts in (to sum per hour and place each hour in its
local month)."""
from __future__ import annotations

from sqlalchemy import func, select

from ..extensions import db
from ..models import Visit


def visits_from(*columns):
    """SELECT ``columns`` FROM visit (filters come from ``StatsFilter.conditions``)."""
    return select(*columns).select_from(Visit)


def plain_rows(statement):
    """Run a plain column query through Core: no ORM row loading, which costs 2× on big reads."""
    return db.session.connection().execute(statement)


def numbers(statement) -> list[tuple]:
    """All rows of an aggregate query as the driver's plain tuples: ids, counts, sums and
    labels need no conversion, and skipping SQLAlchemy's row objects saves a tenth of the
    time on the tens of thousands of rows a large chain sends."""
    result = plain_rows(statement)
    try:
        return result.cursor.fetchall()
    finally:
        result.close()


def visit_hour():
    """SQL for the UTC hour a visit starts in (the visit's time truncated to the hour), to sum per
    hour and put each hour in its local month with :func:`local_month_finder`. SQLite gives it as
    text ("YYYY-MM-DD HH:00:00"), PostgreSQL as a timestamp."""
    if db.session.get_bind().dialect.name == "postgresql":
        return func.date_trunc("hour", Visit.visited_at)
    return func.strftime("%Y-%m-%d %H:00:00", Visit.visited_at)
