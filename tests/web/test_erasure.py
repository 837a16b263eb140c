"""Erasing a departed person's personal data (Admin → the user's page): name, address, password,
sign-ins, links, mails and the history's copies of the address go; their visits stay, under #id,
and the statistics do not change."""
from __future__ import annotations

import io
import json
from html import unescape

from sqlalchemy import String, cast, func, select

from audit.extensions import db
from audit.models import ApiToken, AuditLogEntry, OutgoingMail, SignIn, User, Visit
from audit.services.tokens import create_token
from audit.passwords import hash_password
from tests.conftest import PASSWORD, csrf_token, login

ANSWERS = {"greeted_promptly": "yes", "staff_respectful": "yes", "eye_contact": "no", "tone_friendly": "4"}


def admin_client(app, make_user):
    client = app.test_client()
    login(client, make_user("admin", email="ada@example.com").email)
    return client


def text_of(response) -> str:
    return unescape(response.get_data(as_text=True))


def test_erasing_a_departed_auditor_keeps_their_visits_under_a_number(app, make_user, make_location, make_visit):
    location = make_location("VLN-01")
    admin = admin_client(app, make_user)
    # Ona came in through the users CSV (her address is in that import's history), has a token,
    # a sign-in and a mail waiting, and made two visits.
    page = admin.get("/admin/users").get_data(as_text=True)
    admin.post("/admin/users/import", data={
        "csv-csrf_token": csrf_token(page),
        "csv-file": (io.BytesIO(b"email,name,role\nona.pirkeja@example.com,Ona Pirkeja,auditor\n"), "people.csv")},
        content_type="multipart/form-data")
    ona = db.session.scalar(select(User).where(User.email == "ona.pirkeja@example.com"))
    ona.password_hash = hash_password(PASSWORD)
    create_token(ona, label="Ona's tablet")
    db.session.commit()
    tablet = app.test_client()
    login(tablet, ona.email)
    assert db.session.scalar(select(func.count()).select_from(SignIn).where(SignIn.user_id == ona.id)) == 1
    db.session.add(OutgoingMail(kind="test", user_id=ona.id, to_address=ona.email, to_name=ona.name, subject="-",
                                body="Hello Ona Pirkeja"))
    visits = [make_visit(location, ona, ANSWERS) for _ in range(2)]
    db.session.commit()
    scores_before = sorted(v.score for v in visits)
    user_page = admin.get(f"/admin/users/{ona.id}").get_data(as_text=True)
    assert "Erase personal data" not in user_page  # an active account is deactivated first
    refused = admin.post(f"/admin/users/{ona.id}/erase", data={"csrf_token": csrf_token(user_page)},
                         follow_redirects=True)
    assert "Deactivate the account before erasing its personal data." in text_of(refused)
    admin.post(f"/admin/users/{ona.id}/deactivate", data={"csrf_token": csrf_token(user_page)})
    user_page = admin.get(f"/admin/users/{ona.id}").get_data(as_text=True)
    assert "Erase the personal data of Ona Pirkeja" in user_page
    done = admin.post(f"/admin/users/{ona.id}/erase", data={"csrf_token": csrf_token(user_page)},
                      follow_redirects=True)
    assert f"The personal data of Ona Pirkeja are erased; the account is now #{ona.id}." in text_of(done)
    assert "were erased on" in text_of(done) and 'name="email"' not in text_of(done)

    db.session.expire_all()
    ona = db.session.get(User, ona.id)
    assert (ona.name, ona.email, ona.password_hash, ona.active) == (f"#{ona.id}", f"erased-{ona.id}@erased.example",
                                                                  None, False)
    assert db.session.scalar(select(func.count()).select_from(SignIn).where(SignIn.user_id == ona.id)) == 0
    assert db.session.scalar(select(func.count()).select_from(OutgoingMail)) == 0
    token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == ona.id))
    assert token.label == "" and token.revoked_at is not None
    history = " ".join(str(e.details) for e in db.session.scalars(select(AuditLogEntry)))
    assert "ona.pirkeja" not in history and "Ona Pirkeja" not in history
    assert db.session.scalar(select(func.count()).select_from(AuditLogEntry)
                             .where(cast(AuditLogEntry.details, String).contains(ona.email))) >= 1
    kept = db.session.scalars(select(Visit).where(Visit.auditor_id == ona.id)).all()
    assert sorted(v.score for v in kept) == scores_before
    visit_page = admin.get(f"/visits/{kept[0].id}").get_data(as_text=True)
    assert f"#{ona.id}" in visit_page and "Ona" not in visit_page
    assert tablet.get("/").status_code == 302  # her tablet is signed out
    users = text_of(admin.get("/admin/users"))
    assert "Personal data erased" in users and "Ona" not in users


def test_an_erased_account_cannot_be_reactivated_or_edited_or_erased_twice(app, make_user):
    from audit.services.erasure import erase_user
    from audit.services.users import UserError, reactivate_user

    admin = make_user("admin")
    person = make_user("auditor")
    person.active = False
    erase_user(person, admin)
    db.session.commit()
    for attempt in (lambda: reactivate_user(person, admin), lambda: erase_user(person, admin)):
        try:
            attempt()
        except UserError:
            pass
        else:
            raise AssertionError("an erased account was used again")
    client = app.test_client()
    login(client, admin.email)
    page = client.get(f"/admin/users/{person.id}").get_data(as_text=True)
    answer = client.post(f"/admin/users/{person.id}/reactivate", data={"csrf_token": csrf_token(page)},
                         follow_redirects=True)
    assert "This account's personal data were erased; it cannot be changed or used again." in text_of(answer)
    assert db.session.get(User, person.id).active is False


def test_no_one_erases_their_own_account(app, make_user):
    from audit.services.erasure import erase_user
    from audit.services.users import UserError

    admin = make_user("admin")
    admin.active = False
    try:
        erase_user(admin, admin)
    except UserError as exc:
        assert exc.message == "you cannot erase your own account"
    else:
        raise AssertionError("erased one's own account")


def test_every_former_name_and_address_goes_and_nothing_else_changes(app, make_user, make_location, make_visit):
    """Renamed once, with an accented address, named in a token's label, as responsible for an
    action and in a mail to someone else; a reviewer called "reviewer" keeps their role's word."""
    from email_validator import validate_email

    from audit.models import CorrectiveAction
    from audit.services.erasure import erase_user
    from audit.services.users import update_user

    location = make_location("VLN-01")
    admin = make_user("admin", name="Ada Admin")
    jurgita = make_user("manager", email="jurgita@grožio.lt", name="Jurgita Grožytė", locations=["VLN-01"])
    update_user(jurgita, email="jurgita.k@grožio.lt", name="Jurgita Kazlauskienė", role="manager", active=True,
                location_codes=["VLN-01"], actor=admin)
    create_token(jurgita, label="Jurgita Kazlauskienė planšetė", created_by=admin)
    visit = make_visit(location, make_user("auditor"), ANSWERS)
    db.session.add(CorrectiveAction(visit_id=visit.id, item_id="eye_contact", location_id=location.id,
                                    text="Train the team", responsible="Jurgita Kazlauskienė",
                                    due_on=visit.visited_at.date(), created_by_id=admin.id))
    newcomer = make_user("auditor", email="new@example.com")
    db.session.add(OutgoingMail(kind="password_link", user_id=newcomer.id, to_address=newcomer.email, to_name="New",
                                subject="-", body="Jurgita Kazlauskienė has made you a link (jurgita.k@grožio.lt)"))
    plain = make_user("reviewer", email="reviewer@example.com", name="reviewer")
    jurgita.active = plain.active = False
    db.session.commit()
    erase_user(jurgita, admin)
    erase_user(plain, admin)
    db.session.commit()

    stored = " ".join(json.dumps(e.details, ensure_ascii=False) for e in db.session.scalars(select(AuditLogEntry)))
    for trace in ("jurgita", "Jurgita", "Grožytė", "Kazlauskienė", "planšetė", "reviewer@example.com"):
        assert trace not in stored, trace
    assert '"role": "reviewer"' in stored  # a name equal to a role left the role alone
    action = db.session.scalar(select(CorrectiveAction))
    assert action.responsible == f"#{jurgita.id}"
    mail = db.session.scalar(select(OutgoingMail).where(OutgoingMail.user_id == newcomer.id))
    assert mail.body == f"#{jurgita.id} has made you a link ({jurgita.email})"
    validate_email(jurgita.email, check_deliverability=False)  # a CSV exported now imports again
