"""What ``audit demo`` built, and the demo logins it prints and saves."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from . import data
from .review_work import ReviewWork


@dataclass(frozen=True)
class DemoSummary:
    seed: int
    regions: int
    locations: int
    users: tuple[tuple[str, int], ...]  # (role, count)
    visits: tuple[tuple[str, int], ...]  # (checklist id, count)
    first_day: date
    last_day: date
    logins: tuple[tuple[str, str], ...]  # (role, example e-mail)
    password: str
    logins_file: str
    actions: int = 0  # corrective actions planned by the branch managers
    review: ReviewWork | None = None  # visits waiting for review or returned, disputes

    def logins_text(self) -> str:
        lines = [f"Demo logins ({data.CHAIN} demo chain); every demo user has the password: {self.password}"]
        counts = dict(self.users)
        for role, email in self.logins:
            more = f"  (and {counts[role] - 1} more)" if counts.get(role, 1) > 1 else ""
            lines.append(f"  {role:<9} {email}{more}")
        return "\n".join(lines) + "\n"

    def describe(self) -> str:
        users = ", ".join(f"{count} {role}{'s' if count != 1 else ''}" for role, count in self.users)
        visits = ", ".join(f"{count} {key}" for key, count in self.visits)
        total = sum(count for _, count in self.visits)
        return "\n".join([
            f"Demo chain {data.CHAIN} built (seed {self.seed}):",
            f"  {self.regions} regions, {self.locations} locations",
            f"  users: {users}",
            f"  {total} approved visits {self.first_day.isoformat()} – {self.last_day.isoformat()}: {visits}",
            f"  {self.actions} corrective actions planned by branch managers",
            *([f"  {self.review.waiting} visits waiting for review, {self.review.returned} returned to "
               f"auditor1@{data.DOMAIN}, {self.review.disputes} disputes ({self.review.open_disputes} open)"]
              if self.review else []),
            "",
            self.logins_text().rstrip("\n"),
            f"(saved to {self.logins_file}, readable only by you)",
        ])
