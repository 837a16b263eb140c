"""The visit report for the branch manager: one visit against the chain, the region and the
branch's own history, with what went wrong first.

Figures and their periods:

* **chain / region average** – mean score of the approved visits of the same checklist (any
  version) from the visit's day three calendar months back to the visit's day, inclusive
  (UTC days, as :class:`audit.services.chain_stats.StatsFilter` counts them), chain-wide and
  in the branch's region: SQL ``AVG`` in one query, sections with ``GROUP BY``. With fewer than
  :data:`MIN_OTHER_CHAIN_VISITS` other approved visits in the chain in the period the average
  is shown, but this visit is not compared with it (no difference, section or pass-rate figures);
* **history** – the branch's last :data:`HISTORY_VISITS` approved visits of that checklist up
  to and including this one, spaced by date on the chart;
* **failures** – items scoring below the pass mark, critical ones first, each with the
  auditor's comment, its photos (embedded as ``data:`` URIs, printed under the comment) and the share of
  chain visits in the period that passed it;
* **listed** – the failures and, in their places among them, the disputed items that pass (an
  answer the reviewer changed, mostly): each disputed item with who disputed it, when and why,
  and the decision with the reviewer's note.
"""
from __future__ import annotations

import base64
import logging
import math
from datetime import datetime

from flask import current_app
from flask_babel import force_locale, format_date, get_locale
from flask_babel import gettext as _
from sqlalchemy import and_, case, false, func, or_, select
from sqlalchemy.orm import selectinload

from ..checklist.model import PASS_SCORE
from ..extensions import db
from ..models import Answer, ChecklistVersion, Dispute, Location, Visit, VisitSectionScore
from ..scoring import score_visit
from ..services.actions import actions_of_visit
from ..services.chain_stats import StatsFilter
from ..services.dispute_period import dispute_deadline, disputes_ended
from ..services.dispute_photos import print_sources
from ..services.evidence import print_copy
from ..web.labels import answer_label
from ..web.i18n import numeric_date, short_datetime
from . import charts, line_charts
from .common import ReportError
from .pdf import render_pdf
from .periods import format_locale, months_up_to
from ..times import local_date, local_today

log = logging.getLogger(__name__)

COMPARISON_MONTHS = 3
HISTORY_VISITS = 6
#: Approved visits of the chain in the comparison period, other than this one, needed before the
#: report compares this visit with the chain. With fewer the "chain average" is mostly this
#: visit itself: an imported audit of 2024 had the period to itself and read "chain average
#: 80.8 · 1 visit", "+0.0 against the chain", "chain: 0 % passed" for each of its failures.
MIN_OTHER_CHAIN_VISITS = 5
EPOCH = datetime(2000, 1, 1)  # history chart: days since


def visit_report_context(visit_id: int, lang: str, with_actions: bool = False) -> dict:
    """Everything the visit report shows, as plain values (texts in ``lang``); with
    ``with_actions`` also the branch's corrective actions on the visit (never the auditor's copy)."""
    visit = db.session.scalar(
        select(Visit).where(Visit.id == visit_id).options(
            selectinload(Visit.answers), selectinload(Visit.evidence), selectinload(Visit.auditor),
            selectinload(Visit.disputes).selectinload(Dispute.raised_by),
            selectinload(Visit.disputes).selectinload(Dispute.photos),
            selectinload(Visit.location).selectinload(Location.region),
            selectinload(Visit.checklist_version).selectinload(ChecklistVersion.checklist),
        )
    )
    if visit is None:
        raise ReportError(f"no visit with id {visit_id}")
    with force_locale(format_locale(lang)):
        context = _context(visit, lang)
        if with_actions:
            context.update(_actions(visit, context["failures"], lang))
        return context


def visit_report_pdf(visit_id: int, lang: str, show_auditor: bool = True, show_actions: bool = True,
                     show_version: bool = True, show_dispute_until: bool = True) -> bytes:
    """The visit report as PDF bytes; :class:`ReportError` for an unknown visit. ``show_auditor``
    False leaves out who made the visit (a branch manager's copy); ``show_actions`` False leaves
    out the corrective actions (an auditor's copy); ``show_version`` False the checklist's version
    (head office's business); ``show_dispute_until`` False the last day for disputes (for those
    who neither raise nor decide them)."""
    context = visit_report_context(visit_id, lang, with_actions=show_actions)
    if not show_dispute_until:
        context["dispute_until"] = None
    return render_pdf("reports/visit.html", {**context, "show_auditor": show_auditor, "show_version": show_version},
                      lang)


def _actions(visit: Visit, failures: list[dict], lang: str) -> dict:
    """The corrective actions, each under its failed item; those on the visit as a whole, or on
    an item that no longer fails (a dispute changed its answer), in a list of their own."""
    definition = visit.checklist_version.parsed
    failed = {f["id"] for f in failures}
    rest = []
    for item_id, actions in actions_of_visit(visit).items():
        rows = [{"text": a.text, "responsible": a.responsible, "status": a.status,
                 "due": format_date(a.due_on, "medium"), "overdue": a.overdue(local_today()),
                 "done": format_date(local_date(a.done_at), "medium") if a.done_at else None,
                 "done_note": a.done_note} for a in actions]
        if item_id in failed:
            next(f for f in failures if f["id"] == item_id)["actions"] = rows
        else:
            item = definition.item(item_id) if item_id else None
            rest.extend({**row, "question": item.text.get(lang) if item else item_id} for row in rows)
    return {"visit_actions": rest, "actions_shown": True}


def _context(visit: Visit, lang: str) -> dict:
    definition = visit.checklist_version.parsed
    answers = {a.item_id: a for a in visit.answers}
    result = score_visit(definition, {item_id: a.value for item_id, a in answers.items()})
    location = visit.location
    checklist_key = visit.checklist_version.checklist.key
    until = local_date(visit.visited_at)
    since = months_up_to(until, COMPARISON_MONTHS)
    period = StatsFilter(checklist_key, since, until).conditions()
    region_id = location.region_id

    averages = _averages(period, region_id)
    counted = visit.status == "approved" and visit.score is not None  # this visit is in its own average
    others = averages["chain"]["visits"] - (1 if counted else 0)
    comparable = others >= MIN_OTHER_CHAIN_VISITS
    averages["chain"].update(others=others, comparable=comparable)
    # The same for the region: its section column is left empty rather than this visit again.
    region_others = averages["region"]["visits"] - (1 if counted and region_id is not None else 0)
    averages["region"].update(others=region_others, comparable=region_others >= MIN_OTHER_CHAIN_VISITS)
    section_means = _section_means(period, region_id)
    sections = []
    for section, section_result in zip(definition.sections, result.sections):
        chain_mean, region_mean = section_means.get(section.id, (None, None))
        chain_mean = chain_mean if comparable else None
        region_mean = region_mean if averages["region"]["comparable"] else None
        sections.append({"id": section.id, "title": section.title.get(lang), "score": section_result.score,
                         "chain": chain_mean, "region": region_mean})

    disputes = dispute_rows(visit, definition, lang)
    raised = {d.id: d for d in visit.disputes}
    for row in disputes:  # the manager's photos, printed in the dispute's story (no link: on paper)
        row["photos"] = [(None, src) for src in print_sources(raised[row["id"]], current_app.config["UPLOAD_DIR"])]
    disputed = {d["item_id"]: d for d in disputes}
    photos = _photos(visit)
    failures = _failures(definition, result, answers, period if comparable else None, lang)
    # A disputed item that passes is listed in its place among the failures all the same: the
    # manager's PDF said nothing there of an answer the reviewer changed.
    failed = {f["id"] for f in failures}
    order = {item.id: n for n, item in enumerate(definition.items)}
    passing = [_item_row(definition.item(item_id), definition, result, answers, {}, lang)
               for item_id in disputed if item_id not in failed and item_id in order]
    listed = sorted(failures + passing, key=lambda row: (not row["critical"], order[row["id"]]))
    for row in listed:
        row.update(photos=photos.pop(row["id"], []), dispute=disputed.get(row["id"]))
    other_photos = [
        {"item": (definition.item(item_id).text.get(lang) if item_id and definition.item(item_id) else None),
         "src": src}
        for item_id, sources in photos.items() for src in sources
    ]

    history = _history(visit)
    return {
        "visit": {
            "id": visit.id, "visited_at": visit.visited_at, "status": visit.status, "score": visit.score,
            "raw_score": result.raw_score, "critical_failed": visit.critical_failed,
            "critical_policy": definition.critical_policy, "scenario": visit.scenario,
            "channel": visit.channel, "auditor": visit.auditor.name, "staff": visit.staff_description,
        },
        "checklist": {"key": checklist_key, "title": definition.title.get(lang),
                      "version": visit.checklist_version.number},
        "location": {"code": location.code, "name": location.name, "city": location.city,
                     "address": location.address, "region": location.region.name if location.region else None},
        "visited_text": short_datetime(visit.visited_at),
        "period": {"since": since, "until": until, "months": COMPARISON_MONTHS},
        "period_text": {"since": format_date(since, "medium"), "until": format_date(until, "medium")},
        # While answers may still be disputed, the manager reading the PDF is told until when.
        "dispute_until": None if disputes_ended(visit) else dispute_deadline(visit),
        "generated": format_date(local_today(), "long"),
        "chain": averages["chain"],
        "region": averages["region"],
        "history": history,
        "history_chart": _history_chart(history, location.code, averages["chain"]["mean"] if comparable else None),
        "sections": sections,
        "sections_chart": charts.compared_bars(
            [(s["title"], s["score"], s["chain"]) for s in sections],
            label=_("Sections against the chain"), own=_("This visit"),
            reference=_("Chain average") if comparable else ""),
        "failures": failures,
        "listed": listed,
        "disputes": disputes,
        "critical_count": sum(1 for f in failures if f["critical"]),
        "other_photos": other_photos,
        "items_scored": sum(1 for r in result.items.values() if r.score is not None),
    }


def _failures(definition, result, answers: dict, period: list | None, lang: str) -> list[dict]:
    """The items scored below the pass mark, critical ones first, then in checklist order, each
    with its answer, comment and the chain's pass rate over ``period`` (None: not compared)."""
    failed = [item for item in definition.items if result.items[item.id].failed]
    pass_rates = _chain_pass_rates(period, [item.id for item in failed]) if period is not None else {}
    failures = [_item_row(item, definition, result, answers, pass_rates, lang) for item in failed]
    failures.sort(key=lambda f: not f["critical"])  # stable: critical first, then checklist order
    return failures


def _item_row(item, definition, result, answers: dict, pass_rates: dict, lang: str) -> dict:
    """One item as the report lists it: its answer, score, comment and the chain's pass rate."""
    answer = answers.get(item.id)
    score = result.items[item.id].score
    return {
        "id": item.id, "text": item.text.get(lang), "section": definition.section_of(item.id).title.get(lang),
        "critical": item.critical, "answer": answer_label(item, answer.value if answer else None, lang),
        "score": None if score is None else 100.0 * score, "comment": answer.comment if answer else "",
        "chain_pass_rate": pass_rates.get(item.id), "failed": result.items[item.id].failed,
    }


def failure_summary(visit: Visit, result, lang: str) -> dict:
    """What went wrong in ``visit``, as the visit report lists it: ``{"failures": […],
    "compared": bool, "since": date}`` (pass rates of the chain's visits of the last
    :data:`COMPARISON_MONTHS` months up to the visit, when there are enough of them)."""
    until = local_date(visit.visited_at)
    since = months_up_to(until, COMPARISON_MONTHS)
    period = StatsFilter(visit.checklist_version.checklist.key, since, until).conditions()
    counted = visit.status == "approved" and visit.score is not None
    compared = (_averages(period, None)["chain"]["visits"] - (1 if counted else 0)) >= MIN_OTHER_CHAIN_VISITS
    answers = {a.item_id: a for a in visit.answers}
    return {"failures": _failures(visit.checklist_version.parsed, result, answers, period if compared else None, lang),
            "compared": compared, "since": since}


def _with_location(*columns):
    """SELECT over visits with their location (for its region). ``StatsFilter.conditions`` are on
    ``visit`` alone (checklist versions enter as an IN subquery), so nothing else is joined."""
    return select(*columns).select_from(Visit).join(Location, Visit.location_id == Location.id)


def _in_region(region_id: int | None):
    return false() if region_id is None else Location.region_id == region_id


def _averages(period: list, region_id: int | None) -> dict:
    """Chain and region mean scores and visit counts over the period, and the standard deviation
    of the chain's visit scores: the usual spread one visit is read against (one aggregate query)."""
    in_region = case((_in_region(region_id), Visit.score))
    chain_mean, chain_squares, chain_visits, region_mean, region_visits = db.session.execute(
        _with_location(func.avg(Visit.score), func.avg(Visit.score * Visit.score), func.count(Visit.score),
                       func.avg(in_region), func.count(in_region))
        .where(*period)
    ).one()
    spread = None
    if chain_visits and chain_visits > 1:
        spread = math.sqrt(max(0.0, float(chain_squares) - float(chain_mean) ** 2) * chain_visits / (chain_visits - 1))
    return {"chain": {"mean": _float(chain_mean), "visits": int(chain_visits or 0), "sd": spread},
            "region": {"mean": _float(region_mean), "visits": int(region_visits or 0)}}


def _float(value) -> float | None:
    return None if value is None else float(value)


def _section_means(period: list, region_id: int | None) -> dict[str, tuple[float | None, float | None]]:
    """Section id → (chain mean, region mean) over the comparison period."""
    score = VisitSectionScore.score
    rows = db.session.execute(
        _with_location(VisitSectionScore.section_id, func.avg(score), func.avg(case((_in_region(region_id), score))))
        .join(VisitSectionScore, VisitSectionScore.visit_id == Visit.id)
        .where(*period).group_by(VisitSectionScore.section_id)
    ).all()
    return {section_id: (_float(chain), _float(region)) for section_id, chain, region in rows}


def _chain_pass_rates(period: list, item_ids: list[str]) -> dict[str, float]:
    """Item id → share (0–1) of the period's scored answers in the chain that passed."""
    if not item_ids:
        return {}
    rows = db.session.execute(
        select(Answer.item_id, func.avg(case((Answer.score >= PASS_SCORE, 1.0), else_=0.0)))
        .select_from(Visit).join(Answer, Answer.visit_id == Visit.id)
        .where(*period, Answer.score.is_not(None), Answer.item_id.in_(item_ids)).group_by(Answer.item_id)
    ).all()
    return {item_id: float(rate) for item_id, rate in rows}


def dispute_rows(visit: Visit, definition, lang: str) -> list[dict]:
    """The branch manager's disputes of this visit's answers: an open one means the score may
    still change, an overturned one changed an answer (and the score). Who raised each and on
    which day (the branch's local day), and the day it was decided, formatted in the current
    locale: the visit report and the visit page tell them alike (templates/reports/_dispute.html)."""
    shown = []
    for dispute in sorted(visit.disputes, key=lambda d: d.id):
        item = definition.item(dispute.item_id)
        shown.append({
            "id": dispute.id, "item_id": dispute.item_id, "text": item.text.get(lang) if item else dispute.item_id,
            "status": dispute.status, "reason": dispute.reason, "decision_note": dispute.decision_note,
            "photo_ids": [photo.id for photo in dispute.photos],
            "raised_by": dispute.raised_by.name if dispute.raised_by else "–",
            "raised_on": format_date(local_date(dispute.created_at), "medium"),
            "decided_on": format_date(local_date(dispute.decided_at), "medium") if dispute.decided_at else None,
            "old": answer_label(item, dispute.old_value, lang) if item else dispute.old_value,
            "new": (answer_label(item, dispute.new_value, lang) if item else dispute.new_value)
            if dispute.status == "overturned" else None,
        })
    return shown


def _history(visit: Visit) -> list[dict]:
    """The branch's last approved visits of this checklist up to this one, oldest first."""
    rows = db.session.execute(
        select(Visit.id, Visit.visited_at, Visit.score, Visit.critical_failed)
        .join(ChecklistVersion, Visit.checklist_version_id == ChecklistVersion.id)
        .where(Visit.location_id == visit.location_id, Visit.status == "approved", Visit.score.is_not(None),
               ChecklistVersion.checklist_id == visit.checklist_version.checklist_id,
               or_(Visit.visited_at < visit.visited_at,
                   and_(Visit.visited_at == visit.visited_at, Visit.id <= visit.id)))
        .order_by(Visit.visited_at.desc(), Visit.id.desc()).limit(HISTORY_VISITS)
    ).all()
    # The days in numbers, as the title writes this visit's ("Visited: 28/11/2026, 15:00").
    return [{"id": r.id, "visited_at": r.visited_at, "visited_text": numeric_date(local_date(r.visited_at)),
             "score": r.score, "critical_failed": r.critical_failed, "current": r.id == visit.id}
            for r in reversed(rows)]


def _history_chart(history: list[dict], code: str, chain_mean: float | None):
    """The branch's last visits spaced by date; the labels carry the year when the visits fall in
    more than one ("5 Nov, 5 Jun, 3 Aug" over two years read as time running backwards)."""
    if not history:
        return None
    days = [local_date(h["visited_at"]) for h in history]
    # Latvian writes the day as an ordinal: "14. aug." (CLDR's own Latvian skeletons are no help:
    # Babel matched "MMMd" to a pattern with the year).
    locale = get_locale()
    day_pattern = "d. MMM" if locale is not None and locale.language == "lv" else "d MMM"
    pattern = f"{day_pattern} y" if len({day.year for day in days}) > 1 else day_pattern
    labels = [format_date(h["visited_at"], pattern) for h in history]
    positions = [(h["visited_at"] - EPOCH).total_seconds() / 86400 for h in history]  # days
    reference = (_("Chain average"), chain_mean) if chain_mean is not None else None
    return line_charts.legend_line_chart(labels, {code: [h["score"] for h in history]},
                                    label=_("Score of the last visits"), reference=reference,
                                    width=420, height=170, positions=positions)


def _photos(visit: Visit) -> dict[str | None, list[str]]:
    """Item id (None: the whole visit) → its photos at print size (:func:`print_copy`) as
    ``data:`` URIs, read from the upload folder."""
    upload_dir = current_app.config["UPLOAD_DIR"]
    found: dict[str | None, list[str]] = {}
    for evidence in sorted(visit.evidence, key=lambda e: e.id):
        try:
            data = print_copy(evidence, upload_dir)
        except (OSError, ValueError) as exc:  # a missing file must not stop the report
            log.warning("visit %s: photo %s left out of the report: %s", visit.id, evidence.id, exc)
            continue
        found.setdefault(evidence.item_id, []).append(
            "data:image/jpeg;base64," + base64.b64encode(data).decode("ascii"))
    return found
