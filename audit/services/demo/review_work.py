"""Review work waiting in the demo, so every role has something to do right after `make run`:
visits submitted in the last days for the reviewers' queue, a visit returned to auditor1 with
the reviewer's notes, and disputes raised by branch managers (open ones to decide, one upheld).

The waiting and returned visits are drawn like the others but from a generator of their own
(``[seed, 7]``), after every other draw: the approved visits, and so every figure of the
dashboard and the reports, are the same as without them. Disputes leave the answers as they are.
Texts are in the writer's language: a manager's dispute in the manager's, the reviewer's notes
in the auditor's.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import numpy as np

from ...extensions import db
from ...models import Assignment, AuditLogEntry, Dispute, ReviewComment, User
from ...scoring import score_visit
from ...times import display_zone, stored_utc
from . import data
from .actions import last_two_store_visits

#: (checklist id, days before the demo's last day): the visits waiting for review.
WAITING = (("store-visit", 0), ("store-visit", 1), ("phone-enquiry", 1), ("store-visit", 2),
           ("email-enquiry", 2), ("store-visit", 3))
DISPUTES = 4  # the last one is upheld; the others are open

REASONS = {
    "en": ("The shift leader remembers this visit well: it was done, and the camera at the counter shows it.",
           "Two of the staff were unloading a delivery at that hour; please look at this answer again.",
           "The card terminal was down across the whole shopping centre that afternoon (the centre's notice is "
           "on file)."),
    "lt": ("Pamainos vadovė gerai prisimena šį apsilankymą: tai buvo padaryta, ir tai rodo kameros įrašas prie "
           "prekystalio.",
           "Tuo metu du darbuotojai iškrovė prekių siuntą; prašome dar kartą peržiūrėti šį atsakymą.",
           "Tą popietę kortelių terminalai neveikė visame prekybos centre (centro pranešimas išsaugotas)."),
    "lv": ("Maiņas vadītāja šo apmeklējumu labi atceras: tas tika izdarīts, un to rāda kameras ieraksts pie "
           "letes.",
           "Tajā laikā divi darbinieki izkrāva preču piegādi; lūdzu, vēlreiz pārskatiet šo atbildi.",
           "Tajā pēcpusdienā karšu termināļi nedarbojās visā tirdzniecības centrā (centra paziņojums ir "
           "saglabāts)."),
    "ru": ("Старшая смены хорошо помнит этот визит: это было сделано, и это видно на записи камеры у стойки.",
           "В это время двое сотрудников разгружали поставку; просим ещё раз посмотреть этот ответ.",
           "В тот день после обеда терминалы не работали во всём торговом центре (уведомление центра "
           "сохранено)."),
}
UPHELD_NOTES = {
    "en": "The auditor's notes and photo are clear; the answer stays. Thank you for looking into it.",
    "lt": "Tikrintojo pastabos ir nuotrauka aiškios; atsakymas lieka. Ačiū, kad tai patikrinote.",
    "lv": "Pārbaudītāja piezīmes un foto ir skaidri; atbilde paliek. Paldies, ka to pārbaudījāt.",
    "ru": "Заметки и фото проверяющего однозначны; ответ остаётся. Спасибо, что разобрались.",
}
RETURN_NOTES = {
    "en": ("Please add the name badge you saw (or say there was none), and check the time of the visit: "
           "it is after closing.", "Say what the staff member recommended, in a sentence."),
    "lt": ("Prašome įrašyti matytą vardo kortelę (arba parašyti, kad jos nebuvo) ir patikrinti apsilankymo "
           "laiką: jis po uždarymo.", "Vienu sakiniu parašykite, ką rekomendavo darbuotojas."),
    "lv": ("Lūdzu, pierakstiet redzēto vārda karti (vai norādiet, ka tās nebija) un pārbaudiet apmeklējuma "
           "laiku: tas ir pēc slēgšanas.", "Vienā teikumā uzrakstiet, ko ieteica darbinieks."),
    "ru": ("Пожалуйста, укажите бейдж, который вы видели (или что его не было), и проверьте время визита: "
           "оно после закрытия.", "Напишите одним предложением, что посоветовал сотрудник."),
}


@dataclass(frozen=True)
class ReviewWork:
    waiting: int
    returned: int
    disputes: int
    open_disputes: int


def add_review_work(builder, seed: int, reviewer: User, end: date, not_after: datetime | None) -> ReviewWork:
    """Add the waiting and returned visits and the disputes (see the module docstring)."""
    builder.rng = np.random.default_rng([seed, 7])
    latest = datetime.combine(end, time(18, 0)) if not_after is None else not_after
    n = len(builder.locations)
    waiting = 0
    for k, (key, days_before) in enumerate(WAITING):
        if key not in builder.versions:
            continue
        day = end - timedelta(days=days_before)
        visit = builder.recent_visit((5 * k + 1) % n, key, day, day)
        visit.status, visit.approved_at, visit.updated_at = "submitted", None, visit.submitted_at
        db.session.add(visit)
        waiting += 1
    returned = _returned_to_first_auditor(builder, reviewer, end, latest)
    db.session.flush()
    disputes = _disputes(builder, reviewer, latest)
    return ReviewWork(waiting=waiting, returned=returned, disputes=disputes,
                      open_disputes=max(disputes - 1, 0))


def _returned_to_first_auditor(builder, reviewer: User, end: date, latest: datetime) -> int:
    """A store visit of auditor1's, at a branch of their home region, sent back with two notes."""
    auditor = builder.auditors[0]
    homes = set(data.AUDITORS[0][0])
    at = next((i for i, r in enumerate(builder.location_region) if r in homes), 0)
    day = end - timedelta(days=4)
    visit = builder.recent_visit(at, "store-visit", day, day, auditor=0)
    visit.assignment = Assignment(  # scheduled, as the auditors' visits are
        location=visit.location, checklist_id=visit.checklist_version.checklist_id, auditor=auditor,
        scenario=visit.scenario, due_from=day - timedelta(days=2), due_until=day + timedelta(days=1),
        created_by_id=reviewer.id, created_at=datetime.combine(day - timedelta(days=9), time(8, 0)))
    returned_at = min(visit.submitted_at + timedelta(hours=5), latest)
    visit.status, visit.approved_at = "returned", None
    visit.returned_at = visit.updated_at = max(returned_at, visit.submitted_at)
    note, on_item = RETURN_NOTES.get(auditor.locale, RETURN_NOTES["en"])
    definition = visit.checklist_version.parsed
    text_item = next((item for item in definition.items if item.type == "text"
                      and any(a.item_id == item.id for a in visit.answers)), None)
    visit.review_comments.append(ReviewComment(item_id=None, author_id=reviewer.id, text=note,
                                               created_at=visit.returned_at))
    if text_item is not None:
        visit.review_comments.append(ReviewComment(item_id=text_item.id, author_id=reviewer.id, text=on_item,
                                                   created_at=visit.returned_at))
    db.session.add(visit)
    db.session.flush()
    db.session.add(AuditLogEntry(at=visit.returned_at, user_id=reviewer.id, action="visit.returned",
                                 object_type="visit", object_id=str(visit.id),
                                 details={"items": [text_item.id] if text_item else [], "note": True}))
    return 1


def _office_hours_after(moment: datetime, days: int, hour: int, latest: datetime) -> datetime:
    """``hour`` o'clock local time ``days`` local days after ``moment`` (naive UTC), but not after
    ``latest`` (the demo's now) nor before ``moment``."""
    zone = display_zone()
    day = moment.replace(tzinfo=UTC).astimezone(zone).date() + timedelta(days=days)
    return max(min(stored_utc(datetime.combine(day, time(hour, 17), tzinfo=zone)), latest), moment)


def _disputes(builder, reviewer: User, latest: datetime) -> int:
    """Managers of every third branch (from the third) dispute a failed answer of their latest
    store visit the day after its approval; the last dispute was upheld a day later."""
    store = builder.versions["store-visit"]
    last_two = last_two_store_visits(store.checklist_id)
    chosen = [(location, last_two[location.id][0]) for i, location in enumerate(builder.locations)
              if i % 3 == 2 and location.id in last_two and location.managers][:DISPUTES]
    made = 0
    for k, (location, visit) in enumerate(chosen):
        definition = visit.checklist_version.parsed
        result = score_visit(definition, {a.item_id: a.value for a in visit.answers})
        failed = next((item for item in definition.items if result.items[item.id].failed), None)
        if failed is None:
            continue
        manager = location.managers[0]
        lang = manager.locale if manager.locale in REASONS else "en"
        raised_at = _office_hours_after(visit.approved_at, 1, 9 + k, latest)
        upheld = k == len(chosen) - 1
        decided_at = _office_hours_after(raised_at, 1, 14, latest) if upheld else None
        old_value = next(a.value for a in visit.answers if a.item_id == failed.id)
        dispute = Dispute(visit_id=visit.id, item_id=failed.id, raised_by_id=manager.id,
                          reason=REASONS[lang][k % len(REASONS[lang])], old_value=old_value,
                          status="upheld" if upheld else "open", created_at=raised_at,
                          decided_by_id=reviewer.id if upheld else None, decided_at=decided_at,
                          decision_note=UPHELD_NOTES[lang] if upheld else "")
        db.session.add(dispute)
        db.session.flush()
        db.session.add(AuditLogEntry(at=raised_at, user_id=manager.id, action="dispute.raised", object_type="visit",
                                     object_id=str(visit.id), details={"dispute": dispute.id, "item": failed.id}))
        if upheld:
            db.session.add(AuditLogEntry(
                at=decided_at, user_id=reviewer.id, action="dispute.upheld", object_type="visit",
                object_id=str(visit.id), details={"dispute": dispute.id, "item": failed.id, "old": old_value,
                                                  "new": None, "score_before": visit.score,
                                                  "score_after": visit.score}))
        made += 1
    return made
