"""WTForms' own messages in the user's language: WTForms ships Russian but not Lithuanian or
Latvian, so a Lithuanian login form used to say "Invalid email address."."""
from __future__ import annotations

from html import unescape

import pytest

from tests.conftest import csrf_token, login


@pytest.mark.parametrize("lang, required, bad_email", [
    ("lt", "Šis laukas privalomas.", "Neteisingas el. pašto adresas."),
    ("lv", "Šis lauks ir obligāts.", "Nederīga e-pasta adrese."),
    ("ru", "Обязательное поле.", "Неверный адрес электронной почты."),
    ("en", "This field is required.", "Invalid email address."),
])
def test_the_login_form_explains_in_the_user_s_language(client, lang, required, bad_email):
    page = client.get("/login", headers={"Accept-Language": lang}).get_data(as_text=True)
    answer = client.post("/login", data={"email": "not-an-address", "password": "", "csrf_token": csrf_token(page)},
                         headers={"Accept-Language": lang})
    html = unescape(answer.get_data(as_text=True))
    assert required in html and bad_email in html
    assert 'value="not-an-address"' in html  # what was typed stays


@pytest.mark.parametrize("lang, invalid_choice, invalid_date", [
    ("lt", "Regiono „Atlantis“ nėra; rodomi visi regionai.", "„2026-13-01“ nėra data; šis filtras netaikomas."),
    ("lv", "Reģiona „Atlantis“ nav; tiek rādīti visi reģioni.", "„2026-13-01“ nav datums; šis filtrs netiek lietots."),
    ("ru", "Региона «Atlantis» нет; показаны все регионы.", "«2026-13-01» — не дата; этот фильтр не применён."),
])
def test_dashboard_filters_explain_in_the_user_s_language(client, make_user, checklists, lang, invalid_choice,
                                                          invalid_date):
    login(client, make_user("reviewer").email)
    html = unescape(client.get("/office?region=Atlantis&since=2026-13-01",
                               headers={"Accept-Language": lang}).get_data(as_text=True))
    assert invalid_choice in html and invalid_date in html
    assert "Not a valid" not in html


@pytest.mark.parametrize("lang, message", [
    ("lv", "„99999“ — nederīga šī lauka vērtība."),
    ("lt", "„99999“ – netinkama šio lauko reikšmė."),
    ("ru", "«99999» — недопустимое значение для этого поля."),
])
def test_a_branch_that_does_not_exist_is_refused_in_the_user_s_language(client, make_user, make_location, lang,
                                                                        message):
    """A hand-made request (the form offers only existing branches) used to get WTForms' English."""
    make_location("VLN-01")
    login(client, make_user("admin").email)
    page = client.get("/admin/users/new", headers={"Accept-Language": lang}).get_data(as_text=True)
    html = unescape(client.post("/admin/users/new", headers={"Accept-Language": lang}, data={
        "csrf_token": csrf_token(page), "email": "rita@example.com", "name": "Rita", "role": "manager",
        "locations": ["99999"]}).get_data(as_text=True))
    assert message in html and "not a valid choice" not in html


@pytest.mark.parametrize("lang, new_value, message", [
    ("ru", "maybe", "Ответьте «Да» или «Нет»."),
    ("lv", "maybe", "Atbildiet „Jā“ vai „Nē“."),
    ("lt", "1e1", "Įveskite skaičių."),  # on the 1–5 scale: digits only, no exponent
])
def test_a_corrected_answer_that_cannot_be_is_refused_in_the_user_s_language(client, make_user, make_location,
                                                                             make_visit, lang, new_value, message):
    from audit.extensions import db
    from audit.models import Dispute

    make_location("VLN-01")
    location = make_location("VLN-02")
    visit = make_visit(location, make_user("auditor"), {"greeted_promptly": "no", "staff_respectful": "yes",
                                                        "tone_friendly": "4"})
    item = "greeted_promptly" if new_value == "maybe" else "tone_friendly"
    dispute = Dispute(visit_id=visit.id, item_id=item, raised_by_id=make_user("manager", locations=["VLN-02"]).id,
                      reason="Wrong.", old_value="no")
    db.session.add(dispute)
    db.session.commit()
    login(client, make_user("reviewer").email)
    page = client.get(f"/visits/{visit.id}", headers={"Accept-Language": lang}).get_data(as_text=True)
    html = unescape(client.post(f"/disputes/{dispute.id}/decide", headers={"Accept-Language": lang}, data={
        "csrf_token": csrf_token(page), "decision": "overturn", "new_value": new_value}).get_data(as_text=True))
    assert message in html and "answer yes" not in html and "must be a number" not in html
    db.session.expire_all()
    assert db.session.get(Dispute, dispute.id).status == "open"


def test_a_decision_that_is_neither_uphold_nor_overturn_is_refused(client, make_user, make_location, make_visit):
    """The form always sends one of the two; anything else used to count as upholding."""
    from audit.extensions import db
    from audit.models import Dispute

    location = make_location("VLN-01")
    visit = make_visit(location, make_user("auditor"), {"greeted_promptly": "no"})
    dispute = Dispute(visit_id=visit.id, item_id="greeted_promptly", reason="Wrong.", old_value="no",
                      raised_by_id=make_user("manager", locations=["VLN-01"]).id)
    db.session.add(dispute)
    db.session.commit()
    login(client, make_user("reviewer").email)
    page = client.get(f"/visits/{visit.id}").get_data(as_text=True)
    for decision in ("zzz", None):
        data = {"csrf_token": csrf_token(page), "note": "Checked."} | ({"decision": decision} if decision else {})
        html = unescape(client.post(f"/disputes/{dispute.id}/decide", data=data).get_data(as_text=True))
        assert "Choose: keep the answer or change it." in html and "Dispute rejected" not in html
        db.session.expire_all()
        assert db.session.get(Dispute, dispute.id).status == "open"
