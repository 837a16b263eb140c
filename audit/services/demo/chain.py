"""Build a deterministic demo chain: regions, branches, people and approved, scored visits.

The chain is *Volta*, a fictitious home-electronics retailer in Lithuania and Latvia. The
same ``(locations, months, seed, end)`` always gives the same rows (the shared demo
password is the only random thing); everything is drawn from ``numpy.random.default_rng(seed)``.

Answers come from a latent model. For every scored item of a visit::

    P(pass) = sigmoid(item difficulty + section base + location quality + format
                      + location×section + region×section + auditor leniency
                      + location trend + visit noise + visit×section noise)

and the answer is drawn from the item's definition so that its score tracks ``P(pass)``
(see ``_answer``). Nothing depends on item ids: only on section ids and item types.

Four patterns are planted on top, for reports to find (effects in logits; the pattern
branches get no random branch effect, so only the pattern sets them apart):

1. **VLN-01** (Volta Akropolis Vilnius) greets well but is slow: ``greeting`` +2.2,
   ``speed`` −2.6. Its greeting section is clearly above the chain, its speed far below.
2. **Latgale** is weak at complaint handling: ``complaint`` −3.0 in every branch of the
   region. Only return/complaint scenarios open the complaint questions (other visits
   have no complaint section score); a third of store visits are such scenarios.
3. **auditor3@demo.example** scores everyone high: +2.5 on every item of every visit.
   Auditors mostly work in their two home regions (``data.AUDITORS``) but the regions
   overlap, so every branch is seen by several auditors and the leniency shows when the
   same branches are compared.
4. **KNS-02** (Volta Akropolis Kaunas) improves steadily: −1.8 in the first month, rising
   linearly to +1.8 in the last (needs ``months`` ≥ 2).

Flagships (VLN-01, KNS-02, RIX-03) get three store visits a month, other branches one to
three, so the patterns show even in a 12-branch, 3-month demo. Pattern 2 needs at least 6
branches (Latgale is the sixth region to get one).
"""
from __future__ import annotations

import calendar
import secrets
import uuid
from datetime import date, datetime, time, timedelta
from pathlib import Path

import numpy as np
from flask import current_app
from sqlalchemy import func, select

from ...checklist import parse_answer
from ...checklist.model import PASS_SCORE
from ...extensions import db
from ...models import Answer, Checklist, ChecklistVersion, Location, Region, User, Visit
from ...passwords import hash_password
from ...scoring import item_score, missing_answers
from ...times import display_zone, stored_utc
from .. import audit_log
from ..checklists import current_version
from ..scores import store_visit_scores
from . import data
from .actions import plan_demo_actions
from .answers import (
    DemoError,
    complaint_gates,
    draw_answer,
    draw_text,
    gate_value,
    pick,
)
from .helpers import allocate, in_the_past, month_ranges, sigmoid, write_private
from .review_work import add_review_work
from .summary import DemoSummary
from .texts import AuditorTexts, auditor_texts
from .work import schedule_open_work

CHECKLIST_KEYS = ("store-visit", "phone-enquiry", "email-enquiry")
COMPLAINT_SECTION = "complaint"

SLOW_GREETER = "VLN-01"
WEAK_COMPLAINT_REGION = "Latgale"
LENIENT_AUDITOR = "auditor3@demo.example"
IMPROVING_LOCATION = "KNS-02"
LOCATION_SECTION_PATTERNS = {SLOW_GREETER: {"greeting": 2.2, "speed": -2.6}}
REGION_SECTION_PATTERNS = {WEAK_COMPLAINT_REGION: {COMPLAINT_SECTION: -3.0}}
LENIENCY = 2.5
IMPROVEMENT = 3.6  # logits from the first month to the last

ITEM_BASE, ITEM_SD, CRITICAL_BONUS = 1.1, 0.45, 4.2
LOCATION_SD, LOCATION_SECTION_SD, REGION_SECTION_SD, AUDITOR_SD = 0.45, 0.35, 0.2, 0.2
TREND_SD, CHAIN_TREND = 0.25, 0.3
VISIT_SD, VISIT_SECTION_SD = 0.4, 0.3
COMMENT_RATE = 0.15
AWAY_WEIGHT = 0.06  # an auditor's weight for a branch outside their home regions (home: 1)


def build_demo_chain(locations: int, months: int, seed: int, end: date,
                     not_after: datetime | None = None) -> DemoSummary:
    """Add the demo chain to ``db.session`` and flush; the caller commits.

    ``not_after`` (naive UTC, usually now when ``end`` is today) keeps every visit, submission
    and approval in the past: a visit drawn for later today moves back a day at a time. The
    random draws are the same either way, so the scores do not change."""
    if not 2 <= locations <= 2000 or not 1 <= months <= 36:
        raise DemoError("use 2 to 2000 locations and 1 to 36 months")
    versions = {key: v for key in CHECKLIST_KEYS if (v := current_version(key)) is not None}
    if "store-visit" not in versions:
        if not db.session.scalar(select(func.count(Checklist.id))):
            raise DemoError("no checklists loaded: run `audit load-checklists` first")
        raise DemoError("the checklist store-visit is not loaded: run `audit load-checklists` first")
    if db.session.scalar(select(func.count(Location.id))):
        raise DemoError("the database already has locations; build the demo into an empty database "
                        "(or pass --if-empty to skip it)")
    if db.session.scalar(select(func.count(User.id)).where(User.email.like(f"%@{data.DOMAIN}"))):
        raise DemoError(f"the database already has @{data.DOMAIN} users; use an empty database")

    password = secrets.token_urlsafe(9)
    builder = _ChainBuilder(np.random.default_rng(seed), versions, month_ranges(end, months), not_after)
    builder.build_organisation(locations, hash_password(password))
    builder.build_visits()
    db.session.flush()
    reviewer = db.session.scalar(select(User).where(User.email == f"reviewer1@{data.DOMAIN}"))
    open_work = schedule_open_work(builder.auditors, builder.locations, versions["store-visit"], reviewer, end)
    actions = plan_demo_actions(builder.locations, versions["store-visit"], end, not_after)
    approved = dict(builder.visit_counts)
    review = add_review_work(builder, seed, reviewer, end, not_after)
    audit_log.record("demo.built", "chain", seed, locations=locations, months=months, end=end.isoformat(),
                     visits=sum(approved.values()), assignments=open_work, actions=actions,
                     waiting=review.waiting, disputes=review.disputes)
    db.session.flush()

    summary = DemoSummary(
        seed=seed, regions=len(builder.regions), locations=len(builder.locations),
        users=(("admin", 1), ("reviewer", 2), ("auditor", len(data.AUDITORS)), ("manager", len(builder.locations))),
        visits=tuple((key, approved[key]) for key in versions),
        first_day=builder.months[0][0], last_day=end,
        logins=(("admin", f"admin@{data.DOMAIN}"), ("reviewer", f"reviewer1@{data.DOMAIN}"),
                ("auditor", f"auditor1@{data.DOMAIN}"), ("manager", builder.locations[0].managers[0].email)),
        password=password, logins_file=str(Path(current_app.instance_path) / "demo-logins.txt"), actions=actions,
        review=review,
    )
    write_private(Path(summary.logins_file), summary.logins_text())
    return summary


class _ChainBuilder:
    """Holds the random generator and the latent effects while the chain is built."""

    def __init__(self, rng: np.random.Generator, versions: dict[str, ChecklistVersion],
                 months: list[tuple[date, date]], not_after: datetime | None = None) -> None:
        self.rng = rng
        self.not_after = not_after
        self.versions = versions
        self.months = months
        self.visit_counts = {key: 0 for key in versions}
        self.zone = display_zone()
        self.created_at = datetime.combine(months[0][0] - timedelta(days=30), time(9, 0))
        self.regions: list[Region] = []
        self.locations: list[Location] = []
        self.auditors: list[User] = []

    # --- organisation -------------------------------------------------------------------

    def build_organisation(self, n_locations: int, password_hash: str) -> None:
        used = data.REGIONS[: min(len(data.REGIONS), n_locations)]
        counts = allocate(n_locations, [r.weight for r in used])
        self.regions = [Region(name=r.name) for r in used]
        db.session.add_all(self.regions)
        db.session.flush()  # locations get region ids, so adding them cascades nothing and ids follow codes
        self.location_region: list[int] = []  # index into self.regions, per location
        for rank in range(max(counts)):  # round-robin, so VLN-01, KNS-02, RIX-03 …
            for r, region in enumerate(used):
                if rank < counts[r]:
                    self._add_location(region, self.regions[r], r, rank)
        db.session.add_all(self.locations)

        def person(locale: str, email: str, role: str, ui_locale: str | None = None, **fields) -> User:
            firsts_m, lasts_m, firsts_f, lasts_f = data.PEOPLE[locale]
            female = self.rng.random() < 0.5
            firsts, lasts = (firsts_f, lasts_f) if female else (firsts_m, lasts_m)
            name = f"{firsts[self.rng.integers(len(firsts))]} {lasts[self.rng.integers(len(lasts))]}"
            user = User(email=email, name=name, role=role, password_hash=password_hash,
                        locale=ui_locale or locale, created_at=self.created_at, **fields)
            db.session.add(user)
            return user

        person("lt", f"admin@{data.DOMAIN}", "admin", ui_locale="en")
        person("lt", f"reviewer1@{data.DOMAIN}", "reviewer", ui_locale="en")
        person("lv", f"reviewer2@{data.DOMAIN}", "reviewer")
        self.auditors = [person(locale, f"auditor{i}@{data.DOMAIN}", "auditor")
                         for i, (_, locale) in enumerate(data.AUDITORS, start=1)]
        for n, location in enumerate(self.locations):
            country = used[self.location_region[n]].country
            locale = "ru" if country == "lv" and self.rng.random() < 0.15 else country
            person(locale, f"manager.{location.code.lower()}@{data.DOMAIN}", "manager", locations=[location])
        db.session.flush()

    def _add_location(self, region_data: data.RegionData, region: Region, r: int, rank: int) -> None:
        number = len(self.locations) + 1
        if rank < len(region_data.sites):
            site = region_data.sites[rank]
        else:
            street, city = region_data.streets[rank % len(region_data.streets)]
            fmt = data.EXTRA_FORMATS[rank % len(data.EXTRA_FORMATS)]
            site = data.Site(f"{city} {rank - len(region_data.sites) + 2}", f"{street} {10 + rank}", city, fmt)
        location = Location(code=f"{region_data.code}-{number:02d}", name=f"{data.CHAIN} {site.name}",
                            region_id=region.id, address=site.address, city=site.city, format=site.format,
                            active=True)
        self.location_region.append(r)
        self.locations.append(location)

    # --- latent effects -----------------------------------------------------------------

    def _draw_effects(self) -> None:
        rng, n_loc = self.rng, len(self.locations)
        self.section_ids = list(dict.fromkeys(
            s.id for key in self.versions for s in self.versions[key].parsed.sections))
        n_sec = len(self.section_ids)
        self.item_difficulty = {
            (key, item.id): rng.normal(ITEM_BASE, ITEM_SD) + (CRITICAL_BONUS if item.critical else 0.0)
            for key in self.versions for item in self.versions[key].parsed.items
        }
        self.location_quality = rng.normal(0.0, LOCATION_SD, n_loc)
        self.location_trend = rng.normal(0.0, TREND_SD, n_loc) + CHAIN_TREND
        self.location_section = rng.normal(0.0, LOCATION_SECTION_SD, (n_loc, n_sec))
        self.region_section = rng.normal(0.0, REGION_SECTION_SD, (len(self.regions), n_sec))
        self.leniency = rng.normal(0.0, AUDITOR_SD, len(self.auditors))
        self.scenario_start = rng.integers(0, 12, (n_loc, len(CHECKLIST_KEYS)))
        for i, location in enumerate(self.locations):
            if location.code in LOCATION_SECTION_PATTERNS or location.code == IMPROVING_LOCATION:
                self.location_quality[i] = 0.0  # an average branch apart from its pattern
            self.location_quality[i] += data.FORMAT_EFFECT.get(location.format, 0.0)
            for section_id, effect in LOCATION_SECTION_PATTERNS.get(location.code, {}).items():
                if section_id in self.section_ids:
                    self.location_section[i, self.section_ids.index(section_id)] = effect
            if location.code == IMPROVING_LOCATION:
                self.location_trend[i] = IMPROVEMENT
        for r, region in enumerate(self.regions):
            for section_id, effect in REGION_SECTION_PATTERNS.get(region.name, {}).items():
                if section_id in self.section_ids:
                    self.region_section[r, self.section_ids.index(section_id)] += effect
        for a, auditor in enumerate(self.auditors):
            if auditor.email == LENIENT_AUDITOR:
                self.leniency[a] += LENIENCY
        # Auditors work mostly in their home regions, sometimes anywhere.
        weights = np.array([[1.0 if r in homes else AWAY_WEIGHT for homes, _ in data.AUDITORS]
                            for r in range(len(self.regions))])
        self.auditor_weights = weights / weights.sum(axis=1, keepdims=True)

    # --- visits -------------------------------------------------------------------------

    def build_visits(self) -> None:
        self._draw_effects()
        self.visit_number = np.zeros((len(self.locations), len(CHECKLIST_KEYS)), dtype=int)
        last = len(self.months) - 1
        for m, (start, stop) in enumerate(self.months):
            t = m / last - 0.5 if last else 0.0  # -0.5 in the first month, +0.5 in the last
            # The month of --end may have begun only days ago: it gets its share of a month's visits
            # (a whole month's visits on the 1st of December looked like a rush). Full months draw
            # nothing more, so their visits do not change.
            share = ((stop - start).days + 1) / calendar.monthrange(start.year, start.month)[1]
            batch = []
            for i, location in enumerate(self.locations):
                store = 3 if location.format == "flagship" else 1 + int(self.rng.choice(3, p=[0.3, 0.45, 0.25]))
                plan = ["store-visit"] * store
                if self.rng.random() < 1 / 2:
                    plan.append("phone-enquiry")
                if self.rng.random() < 1 / 3:
                    plan.append("email-enquiry")
                for key in plan:
                    if key in self.versions and (share >= 1 or self.rng.random() < share):
                        batch.append(self._visit(i, location, key, t, start, stop))
            db.session.add_all(batch)
            db.session.flush()
            for visit in batch:  # flushed rows stay in the transaction; keep memory flat
                db.session.expunge(visit)

    def recent_visit(self, i: int, key: str, start: date, stop: date, auditor: int | None = None) -> Visit:
        """A visit of the last month's kind at the ``i``-th branch between ``start`` and ``stop``
        (by the ``auditor``-th auditor, or one drawn as for any visit), approved: the caller
        makes it what it needs (waiting for review, returned …)."""
        return self._visit(i, self.locations[i], key, 0.5, start, stop, auditor)

    def _visit(self, i: int, location: Location, key: str, t: float, start: date, stop: date,
               auditor: int | None = None) -> Visit:
        rng, version = self.rng, self.versions[key]
        definition = version.parsed
        r = self.location_region[i]
        a = auditor if auditor is not None else int(rng.choice(len(self.auditors), p=self.auditor_weights[r]))
        k = CHECKLIST_KEYS.index(key)
        scenarios = data.SCENARIOS.get(key, data.DEFAULT_SCENARIOS)
        scenario, complaint = scenarios[(self.scenario_start[i, k] + self.visit_number[i, k]) % len(scenarios)]
        self.visit_number[i, k] += 1
        visited_at = self._visit_time(definition.channel, location.format, start, stop)
        submitted_at = visited_at + timedelta(minutes=int(rng.integers(120, 26 * 60)))
        approved_at = submitted_at + timedelta(minutes=int(rng.integers(12 * 60, 40 * 60)))
        if self.not_after is not None and approved_at > self.not_after:
            visited_at, submitted_at, approved_at = in_the_past(visited_at, submitted_at, approved_at,
                                                                self.not_after)
        base = (self.location_quality[i] + self.leniency[a] + self.location_trend[i] * t
                + rng.normal(0.0, VISIT_SD))
        texts = auditor_texts(self.auditors[a].locale)  # auditors write in their own language
        staff = pick(rng, texts.staff_descriptions) if definition.channel == "in_person" else ""
        answers = self._answers(key, definition, i, r, base, complaint, staff, texts)
        visit = Visit(
            uuid=str(uuid.UUID(bytes=rng.bytes(16), version=4)), location=location,
            checklist_version=version, auditor=self.auditors[a], scenario=scenario,
            channel=definition.channel, visited_at=visited_at, status="approved",
            staff_description=staff,
            created_at=visited_at, updated_at=approved_at, submitted_at=submitted_at,
            approved_at=approved_at, answers=answers,
        )
        store_visit_scores(visit)
        self.visit_counts[key] += 1
        return visit

    def _visit_time(self, channel: str, fmt: str, start: date, stop: date) -> datetime:
        """A time within local opening hours on a random open day of ``start``…``stop``, stored as
        naive UTC like every timestamp (opening hours are in the app's display zone)."""
        def hours(day: date) -> tuple[int, int] | None:
            if channel == "email":
                return 8, 22
            if channel == "phone":
                return {5: (10, 15), 6: None}.get(day.weekday(), (9, 18))
            if day.weekday() == 6:
                return None if fmt == "high_street" else (10, 19)
            return data.OPENING_HOURS.get(fmt, (10, 19))

        days, first = (stop - start).days + 1, int(self.rng.integers((stop - start).days + 1))
        candidates = [start + timedelta(days=(first + step) % days) for step in range(days)]
        day = next((d for d in candidates if hours(d)), candidates[0])  # first open day from the drawn one
        opens, closes = hours(day) or (10, 18)
        minute = int(self.rng.integers(opens * 60, closes * 60 - 30))
        local = datetime.combine(day, time(minute // 60, minute % 60), tzinfo=self.zone)
        return stored_utc(local)

    def _answers(self, key: str, definition, i: int, r: int, base: float, complaint: bool,
                 staff: str, texts: AuditorTexts) -> list[Answer]:
        rng = self.rng
        values: dict[str, str] = {}
        comments: dict[str, str] = {}
        visible: set[str] = set()
        answers = []
        for section in definition.sections:
            s = self.section_ids.index(section.id)
            logit = (base + data.SECTION_BASE.get(section.id, 0.0) + self.location_section[i, s]
                     + self.region_section[r, s] + rng.normal(0.0, VISIT_SECTION_SD))
            gates = complaint_gates(definition, section) if section.id == COMPLAINT_SECTION else {}
            failed = False
            for item in section.items:
                rule = item.show_if
                if rule is not None and not (rule.item in visible and values.get(rule.item) in rule.values):
                    continue
                visible.add(item.id)
                if item.type == "photo":
                    continue
                if item.type == "text":
                    value = draw_text(self.rng, definition.channel, section.id, failed, rule is not None, staff, texts)
                    comment = ""
                elif item.id in gates:
                    value = gate_value(item, gates[item.id], complaint)
                    comment = ""
                else:
                    p = sigmoid(logit + self.item_difficulty[(key, item.id)])
                    value = draw_answer(self.rng, item, p)
                    score = item_score(item, value)
                    fails = score is not None and score < PASS_SCORE
                    failed = failed or fails
                    comment = ""
                    if fails and (item.comment_required_on_fail or rng.random() < COMMENT_RATE):
                        comment = pick(rng, texts.fail_comments.get(item.principle, texts.generic_fail_comment))
                if value is None:
                    continue
                assert parse_answer(item, value) == value, (item.id, value)
                values[item.id] = value
                if comment:
                    comments[item.id] = comment
                answers.append(Answer(item_id=item.id, value=value, comment=comment))
        assert not missing_answers(definition, values, comments), missing_answers(definition, values, comments)
        return answers
