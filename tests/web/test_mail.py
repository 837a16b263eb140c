"""E-mail about people's own work, sent to a real SMTP server on localhost (aiosmtpd): who is told
what, in whose language, with links on BASE_URL; what happens when the server refuses, is busy
or away; and that a failed request sends nothing."""
from __future__ import annotations

import io
import socket
import threading
import time
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select, update

from audit import create_app
from audit.extensions import db
from audit.models import Dispute, Location, OutgoingMail, Visit, utcnow
from audit.services.mail_delivery import deliver_due
from audit.times import local_today
from tests.conftest import csrf_token, login

ANSWERS = {"greeted_promptly": "yes", "staff_respectful": "yes", "eye_contact": "no", "tone_friendly": "4"}
NOT_IN_BACKGROUND = pytest.mark.app_config(MAIL_SEND_IN_BACKGROUND=False)


@pytest.fixture
def chain(app, checklists, make_location, make_user):
    make_location("VLN-01", "Vilnius Akropolis", address="Ozo g. 25", city="Vilnius")
    make_location("KNS-01", "Kaunas Mega", region="Kaunas")
    people = {"reviewer": make_user("reviewer"), "admin": make_user("admin", name="Ada Admin"),
              "auditor": make_user("auditor", name="Ona Pirkėja"),
              "manager": make_user("manager", name="Rasa Vadovė", locations=["VLN-01"]),
              "manager_en": make_user("manager", name="Mark Manager", locations=["VLN-01"]),
              "other_manager": make_user("manager", locations=["KNS-01"])}
    people["manager"].locale = "lt"
    db.session.commit()
    return people


def branch(code: str = "VLN-01") -> Location:
    return db.session.scalar(select(Location).where(Location.code == code))


def as_user(client, user) -> str:
    client.delete_cookie("session")
    return login(client, user.email).get_data(as_text=True)


def approve(client, visit):
    page = client.get(f"/visits/{visit.id}").get_data(as_text=True)
    return client.post(f"/visits/{visit.id}/approve", data={"csrf_token": csrf_token(page)})


def by_recipient(messages) -> dict[str, object]:
    return {rcpt[0]: message for rcpt, message in messages}


def outbox(**where) -> list[OutgoingMail]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutgoingMail).filter_by(**where).order_by(OutgoingMail.id)))


def settled_outbox(seconds: float = 15.0) -> list[OutgoingMail]:
    """The outbox once the app's sender has marked what it sent (the server may have a mail a
    moment before the sender writes that it went)."""
    deadline = time.monotonic() + seconds
    while any(m.status == "waiting" for m in outbox()) and time.monotonic() < deadline:
        time.sleep(0.05)
    return outbox()


def test_an_approved_visit_is_mailed_to_its_branch_managers_in_their_language(client, chain, smtp_server, make_visit):
    visit = make_visit(branch(), chain["auditor"], ANSWERS, status="submitted")
    as_user(client, chain["reviewer"])
    approve(client, visit)
    mails = by_recipient(smtp_server.wait_for(2))  # sent by the app's own thread, after the commit
    assert set(mails) == {chain["manager"].email, chain["manager_en"].email}  # not the other branch's, nor the shopper
    english, lithuanian = mails[chain["manager_en"].email], mails[chain["manager"].email]
    score = f"{visit.score:.1f}"
    assert english["Subject"] == f"Visit report for Vilnius Akropolis: {score}"
    body = english.get_content().replace('\r\n', '\n')
    assert "Hello Mark Manager," in body and "(VLN-01)" in body and "Questions failed: 1" in body
    assert f"https://audits.chain.example/visits/{visit.id}\n" in body
    assert f"https://audits.chain.example/visits/{visit.id}/report.pdf" in body
    assert "https://audits.chain.example/account/mail" in body
    assert "Ona" not in body and chain["auditor"].email not in body  # the shopper stays anonymous
    assert lithuanian["Subject"] == f"Apsilankymo ataskaita: Vilnius Akropolis, {score.replace('.', ',')}"
    assert "Sveiki, Rasa Vadovė," in lithuanian.get_content().replace('\r\n', '\n')
    assert english["From"] == "Service audits <audits@chain.example>"
    assert english["To"] == f"Mark Manager <{chain['manager_en'].email}>"
    assert english["Auto-Submitted"] == "auto-generated"
    assert [m.status for m in settled_outbox()] == ["sent", "sent"]


def test_a_manager_who_turned_mail_off_gets_none_until_they_turn_it_on(client, chain, smtp_server, make_visit):
    manager = chain["manager_en"]
    page = as_user(client, manager)
    page = client.get("/account/mail").get_data(as_text=True)
    assert 'name="wants_mail" type="checkbox" value="y" checked' in page or "checked" in page
    html = client.post("/account/mail", data={"csrf_token": csrf_token(page)}, follow_redirects=True).get_data(as_text=True)
    assert "You will no longer receive e-mail about your work." in html
    first = make_visit(branch(), chain["auditor"], ANSWERS, status="submitted")
    as_user(client, chain["reviewer"])
    approve(client, first)
    assert [rcpt for rcpt, _ in smtp_server.wait_for(1)] == [[chain["manager"].email]]
    as_user(client, manager)
    page = client.get("/account/mail").get_data(as_text=True)
    client.post("/account/mail", data={"csrf_token": csrf_token(page), "wants_mail": "y"})
    second = make_visit(branch(), chain["auditor"], ANSWERS, status="submitted")
    as_user(client, chain["reviewer"])
    approve(client, second)
    received = [rcpt[0] for rcpt, _ in smtp_server.wait_for(3)]
    assert received.count(manager.email) == 1 and len(received) == 3


def test_scheduled_visits_are_listed_to_each_auditor_in_one_mail(client, chain, smtp_server, make_user):
    other = make_user("auditor", name="Jonas Kitas")
    as_user(client, chain["reviewer"])
    page = client.get("/assignments").get_data(as_text=True)
    start, end = local_today() + timedelta(days=1), local_today() + timedelta(days=5)
    rows = [f"VLN-01,store-visit,{chain['auditor'].email},Buy a gift,{start},{end},Ask for the manager",
            f"KNS-01,store-visit,{chain['auditor'].email},,{start},{end},",
            f"KNS-01,store-visit,{other.email},,{start},{end},"]
    csv_text = "location_code,checklist,auditor,scenario,due_from,due_until,notes\n" + "\n".join(rows) + "\n"
    html = client.post("/assignments/import", data={"csv-csrf_token": csrf_token(page),
                                                    "csv-file": (io.BytesIO(csv_text.encode()), "plan.csv")},
                       content_type="multipart/form-data", follow_redirects=True).get_data(as_text=True)
    assert "3 visits scheduled" in html, html
    mails = by_recipient(smtp_server.wait_for(2))
    assert set(mails) == {chain["auditor"].email, other.email}
    assert mails[chain["auditor"].email]["Subject"] == "2 new visits for you"
    body = mails[chain["auditor"].email].get_content().replace('\r\n', '\n')
    assert "- Vilnius Akropolis (VLN-01), Ozo g. 25, Vilnius" in body and "- Kaunas Mega (KNS-01)" in body
    assert "Scenario: Buy a gift" in body and "Notes: Ask for the manager" in body
    # dates as the pages write them: day first in English (en_GB), a one-day window as one day
    assert f"{start.day} {start.strftime('%b')} {start.year} to {end.day} {end.strftime('%b')} {end.year}" in body
    assert "https://audits.chain.example/\n" in body
    assert mails[other.email]["Subject"] == "1 new visit for you"


def test_a_refused_schedule_sends_nothing_and_leaves_no_mail(client, chain, smtp_server):
    as_user(client, chain["reviewer"])
    page = client.get("/assignments").get_data(as_text=True)
    start, end = local_today() + timedelta(days=1), local_today() + timedelta(days=5)
    csv_text = ("location_code,checklist,auditor,scenario,due_from,due_until,notes\n"
                f"VLN-01,store-visit,{chain['auditor'].email},,{start},{end},\n"
                f"NOPE-1,store-visit,{chain['auditor'].email},,{start},{end},\n")
    html = client.post("/assignments/import", data={"csv-csrf_token": csrf_token(page),
                                                    "csv-file": (io.BytesIO(csv_text.encode()), "plan.csv")},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "NOPE-1" in html
    assert outbox() == [] and smtp_server.wait_for(1, seconds=1) == []


def test_a_returned_visit_is_mailed_to_its_auditor_with_the_note(client, chain, smtp_server, make_visit):
    visit = make_visit(branch(), chain["auditor"], ANSWERS, status="submitted")
    as_user(client, chain["reviewer"])
    page = client.get(f"/visits/{visit.id}").get_data(as_text=True)
    client.post(f"/visits/{visit.id}/return", data={"csrf_token": csrf_token(page), "note": "Add the receipt photo.",
                                                   "note-eye_contact": "Was there really no eye contact?"})
    (recipients, mail), = smtp_server.wait_for(1)
    assert recipients == [chain["auditor"].email]
    assert mail["Subject"] == "Visit returned to you: Vilnius Akropolis"
    body = mail.get_content().replace('\r\n', '\n')
    assert "The reviewer's note:\nAdd the receipt photo." in body
    assert "The reviewer also left a note on 1 question." in body
    assert f"https://audits.chain.example/visits/{visit.uuid}/fill" in body


def test_a_decided_dispute_is_mailed_to_the_manager_who_raised_it(client, chain, smtp_server, make_visit):
    visit = make_visit(branch(), chain["auditor"], ANSWERS)
    db.session.add(Dispute(visit_id=visit.id, item_id="eye_contact", raised_by_id=chain["manager_en"].id,
                           reason="She looked at the customer.", old_value="no"))
    db.session.commit()
    before = visit.score
    as_user(client, chain["reviewer"])
    page = client.get(f"/visits/{visit.id}").get_data(as_text=True)
    dispute = db.session.scalar(select(Dispute.id))
    client.post(f"/disputes/{dispute}/decide", data={"csrf_token": csrf_token(page), "decision": "overturn",
                                                     "new_value": "yes", "note": "The video shows a polite answer."})
    (recipients, mail), = smtp_server.wait_for(1)
    assert recipients == [chain["manager_en"].email]  # the one who raised it, not every manager of the branch
    assert mail["Subject"] == "Dispute decided for Vilnius Akropolis: the answer was corrected"
    db.session.expire_all()
    after = db.session.get(Visit, visit.id).score
    body = mail.get_content().replace('\r\n', '\n')
    assert f"went from {before:.1f} to {after:.1f}" in body and "The video shows a polite answer." in body


@NOT_IN_BACKGROUND
def test_a_busy_server_is_tried_again_later_and_the_mail_then_arrives(chain, smtp_server, make_visit):
    from audit.services.review import approve_visit

    smtp_server.busy = 1  # the first manager's mail is answered "451 try later"
    approve_visit(make_visit(branch(), chain["auditor"], ANSWERS, status="submitted"), chain["reviewer"])
    db.session.commit()
    assert smtp_server.wait_for(1, seconds=0.5) == []  # not in the background here: nothing until asked
    done = deliver_due()
    assert (done.sent, done.retrying) == (1, 1)
    first, second = outbox()
    assert first.status == "waiting" and first.attempts == 1 and first.last_error.startswith("451 4.3.0 Busy")
    assert timedelta(seconds=50) < first.next_attempt_at - utcnow() <= timedelta(minutes=1)
    assert second.status == "sent"
    assert deliver_due().sent == 0  # the first is not due yet
    db.session.execute(update(OutgoingMail).values(next_attempt_at=utcnow()))  # a minute later
    db.session.commit()
    assert deliver_due().sent == 1
    assert [m.status for m in outbox()] == ["sent", "sent"] and len(smtp_server.messages) == 2


@NOT_IN_BACKGROUND
def test_an_address_the_server_refuses_is_given_up_at_once_and_can_be_sent_again(client, chain, smtp_server, make_visit):
    from audit.services.review import approve_visit

    smtp_server.refuse.add(chain["manager"].email.lower())
    approve_visit(make_visit(branch(), chain["auditor"], ANSWERS, status="submitted"), chain["reviewer"])
    db.session.commit()
    done = deliver_due()
    assert (done.sent, done.failed) == (1, 1)  # the other manager's mail still went
    failed, = outbox(to_address=chain["manager"].email)
    assert failed.status == "failed" and failed.last_error == "550 5.1.1 No such mailbox here"
    as_user(client, chain["admin"])
    page = client.get("/admin/mail?show=failed").get_data(as_text=True)
    assert "550 5.1.1 No such mailbox here" in page and "Send again" in page and "Mark Manager" not in page
    smtp_server.refuse.clear()  # the mailbox exists now
    html = client.post(f"/admin/mail/{failed.id}/again?show=failed", data={"csrf_token": csrf_token(page)},
                       follow_redirects=True).get_data(as_text=True)
    assert f"The e-mail to {chain['manager'].email} is in the outbox again." in html
    assert deliver_due().sent == 1
    assert [m.status for m in outbox()] == ["sent", "sent"]


@NOT_IN_BACKGROUND
def test_a_server_that_cannot_be_reached_leaves_every_mail_waiting(chain, smtp_server, make_visit, app):
    from audit.services.review import approve_visit

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        app.config["MAIL_PORT"] = probe.getsockname()[1]  # nothing listens there
    approve_visit(make_visit(branch(), chain["auditor"], ANSWERS, status="submitted"), chain["reviewer"])
    db.session.commit()
    done = deliver_due()
    assert (done.sent, done.retrying, done.failed) == (0, 1, 0)
    first, second = outbox()
    assert "ConnectionRefusedError" in first.last_error and first.status == "waiting"
    assert second.attempts == 0  # not tried against a server known to be away


@NOT_IN_BACKGROUND
def test_two_senders_at_once_send_each_mail_exactly_once(app, chain, smtp_server, make_user):
    from audit.services.mail_queue import queue_mail

    people = [make_user("auditor") for _ in range(12)]
    for person in people:
        queue_mail(person, "test", sent_by="Ada Admin")
    db.session.commit()
    results = []

    def send():
        with app.app_context():
            results.append(deliver_due())
            db.session.remove()

    threads = [threading.Thread(target=send) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(r.sent for r in results) == 12
    assert sorted(rcpt[0] for rcpt, _ in smtp_server.messages) == sorted(p.email for p in people)


def test_a_failed_approval_sends_nothing(client, chain, smtp_server, make_visit):
    visit = make_visit(branch(), chain["auditor"], ANSWERS)  # approved already
    as_user(client, chain["reviewer"])
    approve(client, visit)
    assert outbox() == []


def test_links_use_base_url_whatever_host_the_request_came_by(client, chain, smtp_server, make_visit):
    visit = make_visit(branch(), chain["auditor"], ANSWERS, status="submitted")
    as_user(client, chain["reviewer"])
    page = client.get(f"/visits/{visit.id}").get_data(as_text=True)
    client.post(f"/visits/{visit.id}/approve", data={"csrf_token": csrf_token(page)},
                headers={"Host": "evil.example"})
    for _, mail in smtp_server.wait_for(2):
        assert "evil.example" not in mail.get_content().replace('\r\n', '\n') and "https://audits.chain.example/" in mail.get_content().replace('\r\n', '\n')


@pytest.mark.app_config(BASE_URL="https://intranet.chain.example/audits/", MAIL_SEND_IN_BACKGROUND=False)
def test_links_keep_the_path_the_app_lives_under(chain, smtp_server, make_visit):
    from audit.services.review import approve_visit

    visit = make_visit(branch(), chain["auditor"], ANSWERS, status="submitted")
    approve_visit(visit, chain["reviewer"])
    db.session.commit()
    deliver_due()
    _, mail = smtp_server.messages[0]
    assert f"https://intranet.chain.example/audits/visits/{visit.id}\n" in mail.get_content().replace('\r\n', '\n')


@NOT_IN_BACKGROUND
def test_a_branch_name_with_a_line_break_cannot_add_a_header(chain, smtp_server, make_visit):
    from audit.services.review import approve_visit

    location = branch()
    location.name = "Akropolis\r\nBcc: everyone@example.com"
    db.session.commit()
    approve_visit(make_visit(location, chain["auditor"], ANSWERS, status="submitted"), chain["reviewer"])
    db.session.commit()
    deliver_due()
    for recipients, mail in smtp_server.messages:
        assert len(recipients) == 1 and mail["Bcc"] is None
        assert "Akropolis Bcc: everyone@example.com" in mail["Subject"]


def test_mail_is_off_without_a_server_and_the_pages_say_so(app, client, make_user, make_location, make_visit):
    make_location("VLN-01")
    admin, reviewer = make_user("admin"), make_user("reviewer")
    manager = make_user("manager", locations=["VLN-01"])
    from audit.services.review import approve_visit

    approve_visit(make_visit(branch(), make_user("auditor"), ANSWERS, status="submitted"), reviewer)
    db.session.commit()
    assert outbox() == []  # nothing piles up for a server that may never be set up
    as_user(client, manager)
    assert "This app does not send e-mail yet" in client.get("/account/mail").get_data(as_text=True)
    as_user(client, admin)
    page = client.get("/admin/mail").get_data(as_text=True)
    assert "No mail server is set up" in page and "AUDIT_BASE_URL" in page
    html = client.post("/admin/mail/test", data={"csrf_token": csrf_token(page)},
                       follow_redirects=True).get_data(as_text=True)
    assert "No mail server is set up: nothing can be sent." in html and outbox() == []


@NOT_IN_BACKGROUND
def test_the_admin_s_test_mail_arrives_even_with_notifications_off(client, chain, smtp_server, runner):
    admin = chain["admin"]
    admin.wants_mail = False
    db.session.commit()
    page = as_user(client, admin)
    page = client.get("/admin/mail").get_data(as_text=True)
    assert "127.0.0.1" in page and "audits@chain.example" in page and "https://audits.chain.example" in page
    html = client.post("/admin/mail/test", data={"csrf_token": csrf_token(page)},
                       follow_redirects=True).get_data(as_text=True)
    assert f"A test e-mail to {admin.email} is on its way" in html
    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 0 and result.output.strip() == "1 sent, 0 to be tried again later, 0 given up; 0 waiting in all"
    (recipients, mail), = smtp_server.messages
    assert recipients == [admin.email] and mail["Subject"] == "Test e-mail from Service audits"
    page = client.get("/admin/mail?show=sent").get_data(as_text=True)
    assert "Test e-mail from Service audits" in page and 'data-status="sent"' in page


def test_send_mail_without_a_server_says_what_to_set(runner):
    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 1 and "AUDIT_MAIL_SERVER" in result.output


@pytest.mark.parametrize("settings, named", [
    ({"MAIL_FROM": "a@b.lt"}, "AUDIT_BASE_URL"),
    ({"BASE_URL": "https://audits.chain.lt"}, "AUDIT_MAIL_FROM"),
    ({"MAIL_FROM": "a@b.lt", "BASE_URL": "audits.chain.lt"}, "AUDIT_BASE_URL"),
    ({"MAIL_FROM": "a@b.lt", "BASE_URL": "https://audits.chain.lt", "MAIL_SECURITY": "tls"}, "AUDIT_MAIL_SECURITY"),
    ({"MAIL_FROM": "a@b.lt", "BASE_URL": "https://audits.chain.lt", "MAIL_PORT": "smtp"}, "AUDIT_MAIL_PORT"),
])
def test_mail_settings_that_cannot_work_stop_the_app_at_start(tmp_path, settings, named):
    with pytest.raises(ValueError, match=named):
        create_app({"TESTING": True, "SECRET_KEY": "x" * 32, "INSTANCE_PATH": str(tmp_path),
                    "MAIL_SERVER": "smtp.chain.lt", **settings})


def test_check_setup_says_whether_the_mail_server_answers(app, smtp_server, runner):
    result = runner.invoke(args=["check-setup"])
    assert f"ok      e-mail: 127.0.0.1:{smtp_server.port} (none) answers; links lead to https://audits.chain.example" \
        in result.output
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        app.config["MAIL_PORT"] = probe.getsockname()[1]  # nothing listens there
    result = runner.invoke(args=["check-setup"])
    assert result.exit_code == 1
    assert f"problem e-mail: 127.0.0.1:{app.config['MAIL_PORT']} (none) cannot be used: ConnectionRefusedError" \
        in result.output


def test_check_setup_says_mail_is_off(runner):
    assert "ok      e-mail: off (no AUDIT_MAIL_SERVER)" in runner.invoke(args=["check-setup"]).output


def test_a_manager_moved_to_another_branch_is_not_told_of_the_old_branch_s_dispute(client, chain, smtp_server,
                                                                                  make_visit, make_location):
    from audit.services.review import decide_dispute
    from audit.services.users import update_user

    visit = make_visit(branch(), chain["auditor"], ANSWERS)
    manager = chain["manager_en"]
    dispute = Dispute(visit_id=visit.id, item_id="eye_contact", raised_by_id=manager.id, reason="-", old_value="no")
    db.session.add(dispute)
    db.session.commit()
    update_user(manager, email=manager.email, name=manager.name, role="manager", active=True,
                location_codes=["KNS-01"], password=None)
    db.session.commit()
    decide_dispute(dispute, chain["reviewer"], overturn=False, note="The video shows no eye contact.")
    db.session.commit()
    assert outbox() == [] and smtp_server.wait_for(1, seconds=1) == []


@NOT_IN_BACKGROUND
def test_the_dispute_mail_names_the_answer_before_and_after(chain, smtp_server, make_visit):
    from audit.services.review import decide_dispute

    visit = make_visit(branch(), chain["auditor"], ANSWERS)
    dispute = Dispute(visit_id=visit.id, item_id="eye_contact", raised_by_id=chain["manager"].id, reason="-",
                      old_value="no")
    db.session.add(dispute)
    db.session.commit()
    decide_dispute(dispute, chain["reviewer"], overturn=True, new_value="yes")
    db.session.commit()
    deliver_due()
    (_, mail), = smtp_server.messages
    assert "Tikrintojas pataisė atsakymą iš „Ne“ į „Taip“." in mail.get_content().replace("\r\n", "\n")


@NOT_IN_BACKGROUND
def test_the_dispute_mail_ends_its_first_sentence_once_after_the_day(chain, smtp_server, make_visit):
    """A Russian medium date ends with "г.", and the day of the visit ended the sentence: "2026 г.."."""
    from babel.dates import format_date

    from audit.services.review import decide_dispute

    chain["manager"].locale = "ru"
    visit = make_visit(branch(), chain["auditor"], ANSWERS, visited_at=datetime(2026, 10, 1, 12, 0))
    dispute = Dispute(visit_id=visit.id, item_id="eye_contact", raised_by_id=chain["manager"].id, reason="-",
                      old_value="no")
    db.session.add(dispute)
    db.session.commit()
    decide_dispute(dispute, chain["reviewer"], overturn=False, note="The video shows no eye contact.")
    db.session.commit()
    deliver_due()
    (_, mail), = smtp_server.messages
    body = mail.get_content().replace("\r\n", "\n")
    assert format_date(date(2026, 10, 1), "medium", locale="ru") in body and ".." not in body


@NOT_IN_BACKGROUND
@pytest.mark.parametrize("smtputf8", [True, False])
def test_addresses_with_accents_go_as_the_server_can_take_them(app, chain, smtp_server, make_user, smtputf8):
    from aiosmtpd.controller import Controller

    from audit.services.mail_queue import queue_mail
    from tests.conftest import SmtpRecorder

    server = SmtpRecorder()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        server.port = probe.getsockname()[1]
    controller = Controller(server, hostname="127.0.0.1", port=server.port, enable_SMTPUTF8=smtputf8,
                            ready_timeout=30)
    controller.start()
    app.config["MAIL_PORT"] = server.port
    try:
        accented_domain = make_user("auditor", email="rasa@grožionamai.lt")
        accented_name = make_user("auditor", email="ilze.liepiņa@example.lv")
        for person in (accented_domain, accented_name):
            queue_mail(person, "test", sent_by="Ada Admin")
        db.session.commit()
        done = deliver_due()
    finally:
        controller.stop()
    received = [r for r, _ in server.messages]
    if smtputf8:
        assert done.sent == 2 and received == [["rasa@xn--groionamai-6jc.lt"], ["ilze.liepiņa@example.lv"]]
    else:
        assert (done.sent, done.failed) == (1, 1) and received == [["rasa@xn--groionamai-6jc.lt"]]
        failed, = outbox(to_address="ilze.liepiņa@example.lv")
        assert failed.status == "failed" and "SMTPUTF8" in failed.last_error


@NOT_IN_BACKGROUND
def test_a_mail_that_cannot_be_written_is_given_up_and_holds_up_no_other(chain, smtp_server, make_user):
    from audit.services.mail_queue import queue_mail

    db.session.add(OutgoingMail(kind="test", to_address="x@" + "ž" * 70 + ".lt", to_name="X", subject="-", body="-"))
    db.session.commit()
    queue_mail(make_user("auditor"), "test", sent_by="Ada Admin")
    db.session.commit()
    done = deliver_due()
    assert (done.sent, done.failed) == (1, 1)
    broken = outbox()[0]
    assert broken.status == "failed" and broken.last_error.startswith("the message could not be written: ")


@NOT_IN_BACKGROUND
def test_a_server_that_is_down_is_not_tried_once_per_mail(app, chain, smtp_server, make_user, runner):
    from audit.services.mail_queue import queue_mail

    port = app.config["MAIL_PORT"]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        app.config["MAIL_PORT"] = probe.getsockname()[1]
    for person in [make_user("auditor") for _ in range(3)]:
        queue_mail(person, "test", sent_by="Ada Admin")
    db.session.commit()
    assert (deliver_due().retrying, deliver_due().retrying) == (1, 0)  # the second run finds nothing due
    first, *rest = outbox()
    assert [m.attempts for m in rest] == [0, 0] and {m.next_attempt_at for m in rest} == {first.next_attempt_at}
    app.config["MAIL_PORT"] = port  # the server is back
    result = runner.invoke(args=["send-mail", "--now"])
    assert result.output.strip() == "3 sent, 0 to be tried again later, 0 given up; 0 waiting in all"


@NOT_IN_BACKGROUND
def test_send_again_goes_to_the_corrected_address_and_not_to_a_deactivated_user(client, chain, smtp_server, make_visit):
    from audit.services.review import approve_visit

    manager = chain["manager_en"]
    smtp_server.refuse.add(manager.email)
    approve_visit(make_visit(branch(), chain["auditor"], ANSWERS, status="submitted"), chain["reviewer"])
    db.session.commit()
    deliver_due()
    failed, = outbox(to_address=manager.email)
    manager.email = "mark.manager@example.com"  # corrected on the user's page
    db.session.commit()
    page = as_user(client, chain["admin"])
    page = client.get("/admin/mail?show=failed").get_data(as_text=True)
    client.post(f"/admin/mail/{failed.id}/again", data={"csrf_token": csrf_token(page)})
    chain["manager"].active = False  # deactivated while its mail waits
    db.session.add(OutgoingMail(kind="visit_approved", user_id=chain["manager"].id, to_address=chain["manager"].email,
                                to_name="Rasa", subject="-", body="-"))
    db.session.commit()
    deliver_due()
    assert [r for r, _ in smtp_server.messages][-1] == ["mark.manager@example.com"]
    stopped = outbox(user_id=chain["manager"].id)[-1]
    assert stopped.status == "failed" and stopped.last_error == "not sent: the account was deactivated after the mail was written"


def test_a_name_pasted_with_a_line_break_is_stored_on_one_line(app, make_user):
    from audit.services.users import create_user

    user = create_user("lina@example.com", "auditor", "Lina\r\nBcc: x@example.com\x07", None, [])
    assert user.name == "Lina Bcc: x@example.com"
