"""What an import of past audits did (or, in a dry run, would do), as the CLI prints it.

The summary names every region, branch and auditor the import creates (the first
:data:`LISTED` of each, then "and N more"): a typo that would make a duplicate shows up
before it is committed (``--dry-run``) or at least right after. A new auditor that resembles
a user already there (:mod:`audit.services.lookalikes`) gets a line of its own, every one of
them: the same auditor twice would split their leniency in the statistics.
"""
from __future__ import annotations

from dataclasses import dataclass

from .lookalikes import Lookalike

LISTED = 10  # names shown per kind; the rest are counted


@dataclass(frozen=True)
class ImportSummary:
    rows: int
    visits_created: int
    visits_unchanged: int
    new_regions: tuple[str, ...] = ()
    new_locations: tuple[tuple[str, str], ...] = ()  # (code, name)
    new_auditors: tuple[str, ...] = ()  # e-mail addresses
    similar_auditors: tuple[Lookalike, ...] = ()  # new auditors that resemble existing users

    @property
    def regions_created(self) -> int:
        return len(self.new_regions)

    @property
    def locations_created(self) -> int:
        return len(self.new_locations)

    @property
    def auditors_created(self) -> int:
        return len(self.new_auditors)

    def counts(self) -> dict[str, int]:
        """The numbers, for the audit log."""
        return {"rows": self.rows, "visits_created": self.visits_created, "visits_unchanged": self.visits_unchanged,
                "locations_created": self.locations_created, "regions_created": self.regions_created,
                "auditors_created": self.auditors_created}

    def describe(self, source: str = "the file", dry_run: bool = False) -> str:
        """Lines for a person; ``dry_run``: what importing the file would do."""
        visits = self.visits_created + self.visits_unchanged
        if not visits:
            return f"{source}: no rows; nothing {'would be' if dry_run else 'was'} imported"
        if not self.visits_created:
            return (f"{source}: {_n(self.rows, 'row')}, {_n(visits, 'visit')}; nothing {'would change' if dry_run else 'changed'}: "
                    "every visit is already here with the same content")
        imported = (f"would import {_n(self.visits_created, 'visit')}" if dry_run
                    else f"{_n(self.visits_created, 'visit')} imported")
        create = "would create" if dry_run else "created"
        lines = [f"{source}: {_n(self.rows, 'row')}, {_n(visits, 'visit')}{' (dry run: nothing was changed)' if dry_run else ''}",
                 f"  {imported} (approved and scored), {self.visits_unchanged} unchanged"]
        named = [("region", [f"'{name}'" for name in self.new_regions]),
                 ("branch", [f"{code} '{name}'" for code, name in self.new_locations]),
                 ("auditor", list(self.new_auditors))]
        lines += [f"  {create} {_n(len(names), kind)}: {_listed(names)}" for kind, names in named if names]
        if not any(names for _, names in named):
            lines.append(f"  {create} no regions, branches or auditors")
        lines += [f"  {similar.describe()}" for similar in self.similar_auditors]
        return "\n".join(lines)


def _n(count: int, noun: str) -> str:
    """'1 visit', '4 visits', '2 branches' (the CLI speaks English)."""
    return f"{count} {noun}{'' if count == 1 else 'es' if noun.endswith('ch') else 's'}"


def _listed(names: list[str]) -> str:
    shown = ", ".join(names[:LISTED])
    return f"{shown} and {len(names) - LISTED} more" if len(names) > LISTED else shown
