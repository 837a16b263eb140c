"""A branch manager may dispute an answer for AUDIT_DISPUTE_DAYS days after the visit's approval
(the report reached the branch that day); after that the score stands. The visit page, its PDF
and the approval e-mail name the last day; a dispute sent too late, or about a question nobody
answered, is refused with the reason and stores nothing."""
from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest
from sqlalchemy import func, select

from audit import create_app
from audit.extensions import db
from audit.models import Dispute, Visit, utcnow
from audit.times import local_date, local_today
from tests.conftest import csrf_token, login
from tests.pdf.helpers import pdf_text, squash

ANSWERS = {"greeted_promptly": "yes", "staff_respectful": "yes", "tone_friendly": "4"}
REASON = "The greeting came within a minute; the camera shows it."


@pytest.fixture
def branch(app, make_location, make_user):
    location = make_location("VLN-01")
    return {"location": location, "auditor": make_user("auditor"), "reviewer": make_user("reviewer"),
            "manager": make_user("manager", locations=["VLN-01"])}


def approved(make_visit, branch, days_ago: int) -> Visit:
    """A visit approved ``days_ago`` days ago (at noon UTC, a day that is the same day in Vilnius)."""
    visit = make_visit(branch["location"], branch["auditor"], ANSWERS)
    moment = utcnow().replace(hour=10, minute=0, second=0, microsecond=0) - timedelta(days=days_ago)
    visit.approved_at = moment
    db.session.commit()
    assert local_date(moment) == local_today() - timedelta(days=days_ago)
    return visit


def numeric(day) -> str:
    return day.strftime("%d/%m/%Y")  # English (en_GB) numeric dates


def dispute(client, visit, item_id: str = "greeted_promptly") -> str:
    page = client.get(f"/visits/{visit.id}").get_data(as_text=True)
    response = client.post(f"/visits/{visit.id}/disputes", follow_redirects=True,
                           data={"csrf_token": csrf_token(page), "item_id": item_id, "reason": REASON})
    return unescape(response.get_data(as_text=True))


def dispute_forms(html: str) -> list[str]:
    return re.findall(r'name="item_id" value="([^"]+)"', html)


def stored_disputes() -> int:
    return db.session.scalar(select(func.count()).select_from(Dispute))


def test_on_the_last_day_a_dispute_is_taken_and_the_page_names_the_day(app, branch, make_visit):
    visit = approved(make_visit, branch, days_ago=14)
    client = app.test_client()
    login(client, branch["manager"].email)
    html = unescape(client.get(f"/visits/{visit.id}").get_data(as_text=True))
    deadline = re.search(r'<dd id="dispute-deadline">(.*?)</dd>', html, re.S).group(1)
    assert deadline.strip() == numeric(local_today())
    assert "Last day for disputes" in html and "can no longer be disputed" not in html
    assert "greeted_promptly" in dispute_forms(html)
    assert "Your dispute was sent to the reviewers." in dispute(client, visit)
    assert stored_disputes() == 1


def test_the_day_after_the_last_day_a_dispute_is_refused_and_nothing_is_stored(app, branch, make_visit):
    visit = approved(make_visit, branch, days_ago=15)
    client = app.test_client()
    login(client, branch["manager"].email)
    html = unescape(client.get(f"/visits/{visit.id}").get_data(as_text=True))
    last_day = numeric(local_today() - timedelta(days=1))
    assert re.search(r'<dd id="dispute-deadline">\s*' + re.escape(last_day) + r' <span class="muted">\(over: '
                     r'answers can no longer be disputed\)</span></dd>', html)
    assert dispute_forms(html) == [] and "Dispute this answer" not in html
    # A page opened before the day ended and sent after it: refused, with the day, the reason kept.
    refused = dispute(client, visit)
    assert f"The time for disputes of this visit is over. The last day for them: {last_day}" in refused
    assert "Your dispute was sent" not in refused
    assert stored_disputes() == 0


def test_the_refusal_and_the_last_day_in_the_managers_language(app, branch, make_visit):
    visit = approved(make_visit, branch, days_ago=20)
    branch["manager"].locale = "ru"
    db.session.commit()
    client = app.test_client()
    login(client, branch["manager"].email)
    last_day = (local_today() - timedelta(days=6)).strftime("%d.%m.%Y")
    html = unescape(client.get(f"/visits/{visit.id}").get_data(as_text=True))
    assert "Последний день для апелляций" in html and last_day in html
    assert f"Срок подачи апелляций по этому визиту истёк. Последний день для них: {last_day}" in dispute(client, visit)


@pytest.mark.app_config(DISPUTE_DAYS=0)
def test_with_no_limit_set_a_visit_of_last_year_can_be_disputed(app, branch, make_visit):
    visit = approved(make_visit, branch, days_ago=300)
    client = app.test_client()
    login(client, branch["manager"].email)
    html = client.get(f"/visits/{visit.id}").get_data(as_text=True)
    assert "Last day for disputes" not in html and "greeted_promptly" in dispute_forms(html)
    assert "Your dispute was sent to the reviewers." in dispute(client, visit)
    assert stored_disputes() == 1


def test_a_question_nobody_answered_cannot_be_disputed(app, branch, make_visit):
    visit = approved(make_visit, branch, days_ago=1)
    client = app.test_client()
    login(client, branch["manager"].email)
    html = client.get(f"/visits/{visit.id}").get_data(as_text=True)
    assert "eye_contact" not in dispute_forms(html)  # shown, scored, but left unanswered
    assert 'data-item="eye_contact"' in html
    assert sorted(dispute_forms(html)) == sorted(ANSWERS)
    refused = dispute(client, visit, item_id="eye_contact")
    assert "Only answered questions can be disputed." in refused
    assert stored_disputes() == 0


def test_the_reviewer_sees_the_last_day_and_the_auditor_does_not(app, branch, make_visit):
    visit = approved(make_visit, branch, days_ago=3)
    reviewer, auditor = app.test_client(), app.test_client()
    login(reviewer, branch["reviewer"].email)
    login(auditor, branch["auditor"].email)
    expected = numeric(local_today() + timedelta(days=11))
    assert expected in reviewer.get(f"/visits/{visit.id}").get_data(as_text=True)
    assert "Last day for disputes" not in auditor.get(f"/visits/{visit.id}").get_data(as_text=True)


def test_the_visit_pdf_names_the_last_day_while_disputes_are_open(app, branch, make_visit):
    open_visit, closed_visit = approved(make_visit, branch, days_ago=2), approved(make_visit, branch, days_ago=30)
    client = app.test_client()
    login(client, branch["manager"].email)
    text = squash(pdf_text(client.get(f"/visits/{open_visit.id}/report.pdf").data))
    assert f"Last day for disputes: {numeric(local_today() + timedelta(days=12))}" in text
    assert "Last day for disputes" not in squash(pdf_text(client.get(f"/visits/{closed_visit.id}/report.pdf").data))


@pytest.mark.parametrize("value", ["two weeks", "-1", "1.5", "99999"])
def test_a_dispute_period_that_is_not_a_number_of_days_stops_the_app_named(tmp_path, value):
    with pytest.raises(ValueError, match=r"AUDIT_DISPUTE_DAYS=.*write a number of days from 0 to 3650"):
        create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'a.db'}",
                    "SECRET_KEY": "x", "DISPUTE_DAYS": value})


@pytest.mark.app_config(DISPUTE_DAYS="30")
def test_the_period_is_read_from_text_as_the_environment_gives_it(app, branch, make_visit):
    visit = approved(make_visit, branch, days_ago=20)
    client = app.test_client()
    login(client, branch["manager"].email)
    assert "Your dispute was sent to the reviewers." in dispute(client, visit)


def test_the_approval_mail_names_the_last_day(app, branch, make_visit, smtp_server):
    visit = make_visit(branch["location"], branch["auditor"], ANSWERS, status="submitted")
    client = app.test_client()
    login(client, branch["reviewer"].email)
    page = client.get(f"/visits/{visit.id}").get_data(as_text=True)
    client.post(f"/visits/{visit.id}/approve", data={"csrf_token": csrf_token(page)})
    (recipients, mail), = smtp_server.wait_for(1)
    assert recipients == [branch["manager"].email]
    body = mail.get_content().replace("\r\n", "\n")
    assert f"Last day for disputes: {numeric(local_today() + timedelta(days=14))}\n" in body


def test_the_pdf_names_the_last_day_and_the_version_only_to_those_concerned(app, branch, make_visit):
    """The manager and head office read the last day for disputes in the PDF, the auditor (who
    neither raises nor decides them) does not; the checklist's version is head office's alone."""
    visit = approved(make_visit, branch, days_ago=2)
    shown = {}
    for role in ("manager", "reviewer", "auditor"):
        client = app.test_client()
        login(client, branch[role].email)
        shown[role] = squash(pdf_text(client.get(f"/visits/{visit.id}/report.pdf").data))
    assert ["Last day for disputes" in shown[role] for role in ("manager", "reviewer", "auditor")] == [True, True, False]
    assert [re.search(r"Checklist: [^\n]*? v1\b", shown[role]) is not None
            for role in ("manager", "reviewer", "auditor")] == [False, True, False]
