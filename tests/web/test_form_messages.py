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
