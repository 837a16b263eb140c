"""Open work for the demo's auditors, so the tablet workflow can be tried right after `make run`."""
from __future__ import annotations

from datetime import date, timedelta

from ...extensions import db
from ...models import Assignment, ChecklistVersion, Location, User

# (first day, last day) of the due window relative to the demo's last day, and the scenario.
WINDOWS = (
    (-6, -2, "Buy a gift"),                        # overdue
    (-1, 2, "Ask for advice on a laptop"),         # due now
    (0, 3, "Return an item"),                      # due now
    (4, 10, "Complain about a faulty product"),    # upcoming
)


def schedule_open_work(auditors: list[User], locations: list[Location], store: ChecklistVersion,
                       scheduler: User, end: date) -> int:
    """Give every auditor one overdue, two due and one upcoming in-store visit (deterministic)."""
    count = 0
    for a, auditor in enumerate(auditors):
        for w, (first, last, scenario) in enumerate(WINDOWS):
            location = locations[(a * len(WINDOWS) + w) % len(locations)]
            db.session.add(Assignment(
                location=location, checklist_id=store.checklist_id, auditor=auditor, scenario=scenario,
                due_from=end + timedelta(days=first), due_until=end + timedelta(days=last),
                created_by_id=scheduler.id,
            ))
            count += 1
    return count
