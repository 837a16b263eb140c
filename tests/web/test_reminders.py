"""Reminders (``audit send-reminders``, once a day): auditors of visits whose window ends in two
days or today, managers of corrective actions falling due; overdue work on Mondays too; one
mail a person a day at most."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from audit.extensions import db
from audit.models import Assignment, Checklist, CorrectiveAction, Dispute, Location, OutgoingMail
from audit.services.mail_delivery import deliver_due
from audit.services.reminders import send_reminders

WEDNESDAY, MONDAY = date(2026, 12, 9), date(2026, 12, 14)
NOT_IN_BACKGROUND = pytest.mark.app_config(MAIL_SEND_IN_BACKGROUND=False)
pytestmark = NOT_IN_BACKGROUND


@pytest.fixture
def world(app, checklists, make_location, make_user):
    make_location("VLN-01", "Vilnius Akropolis", address="Ozo g. 25", city="Vilnius")
    make_location("KNS-01", "Kaunas Mega", region="Kaunas")
    reviewer = make_user("reviewer")
    return {"reviewer": reviewer, "auditor": make_user("auditor", name="Ona"),
            "manager": make_user("manager", name="Rasa", locations=["VLN-01"]),
            "other_manager": make_user("manager", name="Kęstas", locations=["KNS-01"])}


def schedule(world, code: str, due_until: date, **fields) -> Assignment:
    assignment = Assignment(location=db.session.scalar(select(Location).where(Location.code == code)),
                            checklist=db.session.scalar(select(Checklist).where(Checklist.key == "store-visit")),
                            auditor=world["auditor"], due_from=due_until - timedelta(days=6), due_until=due_until,
                            created_by_id=world["reviewer"].id, **fields)
    db.session.add(assignment)
    db.session.commit()
    return assignment


def mails(smtp_server) -> dict[str, object]:
    deliver_due()
    return {recipients[0]: mail for recipients, mail in smtp_server.messages}


def body(mail) -> str:
    return mail.get_content().replace("\r\n", "\n")


def test_an_auditor_is_reminded_of_what_ends_today_and_in_two_days_with_what_is_overdue(world, smtp_server, make_visit):
    today = WEDNESDAY
    schedule(world, "VLN-01", today + timedelta(days=2), scenario="Buy a gift")
    started = schedule(world, "KNS-01", today)
    make_visit(started.location, world["auditor"], {}, status="draft").assignment_id = started.id
    db.session.commit()
    schedule(world, "KNS-01", today - timedelta(days=3))  # overdue
    schedule(world, "VLN-01", today + timedelta(days=5))  # later: not yet
    schedule(world, "VLN-01", today, cancelled=True)
    made = schedule(world, "VLN-01", today - timedelta(days=1))
    make_visit(made.location, world["auditor"], {}, status="submitted").assignment_id = made.id
    db.session.commit()
    run = send_reminders(today)
    db.session.commit()
    assert (run.auditors, run.managers) == (1, 0)
    mail = mails(smtp_server)[world["auditor"].email]
    assert mail["Subject"] == "1 visit to make today"
    text = body(mail)
    today_part, _, rest = text.partition("Visits whose window ends in the next days:")
    soon_part, _, overdue_part = rest.partition("Visits whose window has ended")
    assert "- Kaunas Mega (KNS-01)" in today_part and "started, not submitted" in today_part
    assert "- Vilnius Akropolis (VLN-01), Ozo g. 25, Vilnius" in soon_part and "Scenario: Buy a gift" in soon_part
    assert "until 11 Dec 2026" in soon_part
    assert "until 6 Dec 2026" in overdue_part and "14 Dec" not in text and "8 Dec" not in text
    again = send_reminders(today)  # cron ran twice
    db.session.commit()
    assert (again.auditors, again.already) == (0, 1) and len(mails(smtp_server)) == 1


def test_nothing_due_on_a_reminder_day_sends_nothing_but_mondays_list_the_overdue(world, smtp_server):
    schedule(world, "VLN-01", WEDNESDAY + timedelta(days=1))  # due tomorrow: reminded the day before yesterday
    schedule(world, "KNS-01", WEDNESDAY - timedelta(days=1))  # overdue since yesterday
    assert send_reminders(WEDNESDAY).auditors == 0
    run = send_reminders(MONDAY)
    db.session.commit()
    assert run.auditors == 1
    assert mails(smtp_server)[world["auditor"].email]["Subject"] == "2 visits past their window"


def test_a_manager_is_reminded_of_their_branches_actions_falling_due_in_their_language(world, smtp_server, make_visit):
    manager, other = world["manager"], world["other_manager"]
    manager.locale = "lt"
    db.session.commit()
    visit = make_visit(db.session.scalar(select(Location).where(Location.code == "VLN-01")), world["auditor"],
                       {"eye_contact": "no"})
    elsewhere = make_visit(db.session.scalar(select(Location).where(Location.code == "KNS-01")), world["auditor"],
                           {"eye_contact": "no"})
    for where, text in ((visit, "Train the team on eye contact"), (elsewhere, "Not Rasa's business")):
        db.session.add(CorrectiveAction(visit_id=where.id, item_id="eye_contact", location_id=where.location_id,
                                        text=text, responsible="Shift lead", due_on=WEDNESDAY + timedelta(days=2),
                                        created_by_id=manager.id))
    other.wants_mail = False
    db.session.commit()
    run = send_reminders(WEDNESDAY)
    db.session.commit()
    assert (run.auditors, run.managers) == (0, 1)
    received = mails(smtp_server)
    assert set(received) == {manager.email}
    mail = received[manager.email]
    assert mail["Subject"] == "1 korekcinis veiksmas netrukus"
    text = body(mail)
    assert "Train the team on eye contact" in text and "Not Rasa's business" not in text
    assert f"https://audits.chain.example/visits/{visit.id}" in text and "Shift lead" in text


def test_send_reminders_from_the_command_line_sends_at_once(world, smtp_server, runner):
    schedule(world, "VLN-01", WEDNESDAY)
    result = runner.invoke(args=["send-reminders", "--today", WEDNESDAY.isoformat()])
    assert result.exit_code == 0, result.output
    assert "2026-12-09: 1 auditor(s), 0 manager(s) and 0 reviewer(s) reminded; 1 e-mail(s) sent now" in result.output
    assert [r for r, _ in smtp_server.messages] == [[world["auditor"].email]]
    assert db.session.scalar(select(OutgoingMail.sent_at)) is not None
    bad = runner.invoke(args=["send-reminders", "--today", "9.12.2026"])
    assert bad.exit_code == 1 and "write the day as YYYY-MM-DD" in bad.output


def test_a_deactivated_auditor_is_not_reminded(world, smtp_server):
    schedule(world, "VLN-01", WEDNESDAY)
    world["auditor"].active = False
    db.session.commit()
    assert send_reminders(WEDNESDAY).auditors == 0


def test_returned_visits_count_but_closed_branches_old_work_and_other_roles_do_not(world, smtp_server, make_visit,
                                                                                    make_user):
    returned = schedule(world, "VLN-01", WEDNESDAY)
    make_visit(returned.location, world["auditor"], {}, status="returned").assignment_id = returned.id
    schedule(world, "VLN-01", WEDNESDAY - timedelta(days=40))  # long overdue: not nagged about
    closed = schedule(world, "KNS-01", WEDNESDAY)
    closed.location.active = False
    promoted = make_user("auditor", name="Now a reviewer")
    db.session.add(Assignment(location=returned.location, checklist=returned.checklist, auditor=promoted,
                              due_from=WEDNESDAY, due_until=WEDNESDAY, created_by_id=world["reviewer"].id))
    promoted.role = "reviewer"
    db.session.commit()
    run = send_reminders(WEDNESDAY)
    db.session.commit()
    assert run.auditors == 1
    received = mails(smtp_server)
    assert set(received) == {world["auditor"].email}
    text = body(received[world["auditor"].email])
    assert "Vilnius Akropolis (VLN-01)" in text and "returned to you to fix" in text
    assert "Kaunas Mega" not in text and "Visits whose window has ended" not in text


def test_reviewers_hear_of_visits_and_disputes_waiting_two_days_or_more(world, smtp_server, make_user, make_visit):
    from datetime import datetime

    place = db.session.scalar(select(Location).where(Location.code == "VLN-01"))
    admin, quiet = make_user("admin"), make_user("reviewer")
    quiet.wants_mail = False
    waiting = make_visit(place, world["auditor"], {"eye_contact": "no"}, status="submitted",
                         visited_at=datetime(2026, 12, 4, 10, 0))
    waiting.submitted_at = datetime(2026, 12, 5, 9, 0)  # Saturday: waiting since before Monday
    fresh = make_visit(place, world["auditor"], {"eye_contact": "no"}, status="submitted")
    fresh.submitted_at = datetime(2026, 12, 8, 9, 0)  # yesterday: the queue is working
    approved = make_visit(place, world["auditor"], {"eye_contact": "no"})
    db.session.add(Dispute(visit_id=approved.id, item_id="eye_contact", raised_by_id=world["manager"].id,
                           reason="The camera shows eye contact.", old_value="no",
                           created_at=datetime(2026, 12, 3, 12, 0)))
    db.session.commit()
    run = send_reminders(WEDNESDAY)
    db.session.commit()
    assert run.reviewers == 1
    received = mails(smtp_server)
    assert set(received) == {world["reviewer"].email} and admin.email not in received  # nor who turned mail off
    mail = received[world["reviewer"].email]
    assert mail["Subject"] == "1 visit waiting for review, 1 dispute"
    text = body(mail)
    assert "1 submitted visit has waited for review for 2 days or more." in text
    assert "- Vilnius Akropolis (VLN-01): visited 4 Dec 2026, submitted 5 Dec 2026" in text
    assert f"https://audits.chain.example/visits/{waiting.id}" in text and f"/visits/{fresh.id}" not in text
    assert "https://audits.chain.example/review" in text
    assert "1 dispute has waited for a decision for 2 days or more." in text
    assert "The camera shows eye contact." in text and "Did the staff member make eye contact with you?" in text
    assert send_reminders(WEDNESDAY).reviewers == 0  # once a day


def test_no_backlog_no_mail_for_reviewers(world, smtp_server, make_visit):
    from datetime import datetime

    place = db.session.scalar(select(Location).where(Location.code == "VLN-01"))
    fresh = make_visit(place, world["auditor"], {"eye_contact": "no"}, status="submitted")
    fresh.submitted_at = datetime(2026, 12, 8, 9, 0)
    db.session.commit()
    assert send_reminders(WEDNESDAY).reviewers == 0
