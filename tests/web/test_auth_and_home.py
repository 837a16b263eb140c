"""Signing in and out, the home page of each role, language choice and visit access."""
from __future__ import annotations

import re
from html import unescape

import pytest

from tests.conftest import PASSWORD, csrf_token, login

STORE_ANSWERS = {"greeted_promptly": "yes"}


def test_sign_in_page_and_wrong_password(client, make_user):
    user = make_user("admin")
    page = client.get("/login")
    assert page.status_code == 200 and "csrf_token" in page.get_data(as_text=True)
    wrong = login(client, user.email, "not the password")
    assert "Wrong e-mail or password." in wrong.get_data(as_text=True)
    assert client.get("/").status_code == 302  # still signed out
    unknown = login(client, "nobody@example.com")
    assert "Wrong e-mail or password." in unknown.get_data(as_text=True)


@pytest.mark.parametrize("typed", ["rasa@grožionamai.lt", "rasa@xn--groionamai-6jc.lt", "Rasa@GROŽIONAMAI.lt"])
def test_an_address_with_accented_domain_signs_in_however_the_browser_sends_it(client, make_user, typed):
    """Chromium's e-mail field sends the domain of ``rasa@grožionamai.lt`` as ``xn--…`` (IDNA):
    the account was stored with the domain as typed, and nobody could sign in to it."""
    make_user("auditor", email="rasa@grožionamai.lt")
    assert "Wrong e-mail" not in login(client, typed).get_data(as_text=True)
    assert client.get("/").status_code == 200


def test_login_form_without_csrf_token_is_refused(client, make_user):
    user = make_user("admin")
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/").status_code == 302


def test_rejected_login_keeps_the_typed_email(client):
    page = login(client, "typed.by.hand@example.com", "bad password")
    assert 'value="typed.by.hand@example.com"' in page.get_data(as_text=True)


def test_user_without_password_or_inactive_cannot_sign_in(client, make_user, app):
    from audit.extensions import db

    imported = make_user("auditor", password=None)
    assert "Wrong e-mail or password." in login(client, imported.email, "anything at all").get_data(as_text=True)
    assert client.get("/").status_code == 302
    blocked = make_user("reviewer")
    blocked.active = False
    db.session.commit()
    login(client, blocked.email)
    assert client.get("/").status_code == 302


def test_sign_out_needs_post_with_csrf(client, make_user):
    user = make_user("admin")
    home = login(client, user.email).get_data(as_text=True)
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400  # no token
    response = client.post("/logout", data={"csrf_token": csrf_token(home)}, follow_redirects=True)
    assert "You are signed out." in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_next_parameter_cannot_redirect_off_site(client, make_user):
    user = make_user("admin")
    page = client.get("/login?next=https://evil.example.org/")
    token = csrf_token(page.get_data(as_text=True))
    response = client.post("/login?next=https://evil.example.org/",
                           data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == "/"


@pytest.fixture
def chain(make_location, make_user, make_visit):
    """Two branches, one visit each, and a user of every role."""
    north = make_location("RIX-01", "Rīga Alfa", region="Rīga")
    south = make_location("VLN-01", "Vilnius Akropolis", region="Vilnius")
    auditor, other_auditor = make_user("auditor", name="Ina Auditor"), make_user("auditor", name="Other Auditor")
    visits = {
        "north": make_visit(north, auditor, STORE_ANSWERS),
        "south": make_visit(south, other_auditor, STORE_ANSWERS),
        "north_submitted": make_visit(north, other_auditor, STORE_ANSWERS, status="submitted"),
    }
    users = {
        "admin": make_user("admin"), "reviewer": make_user("reviewer"), "auditor": auditor,
        "manager": make_user("manager", locations=["RIX-01"], name="Rita Manager"),
    }
    return users, visits


def test_each_role_gets_its_own_home_page(client, chain):
    users, _ = chain
    expectations = {
        "admin": ["Administration", "Rīga Alfa", "Vilnius Akropolis", "In-store", "Version 1", "Waiting for review",
                  "Open disputes", 'href="/assignments"'],
        "reviewer": ["Waiting for review", "Rīga Alfa", "Vilnius Akropolis"],
        "auditor": ["My visits", "Rīga Alfa", "Checklists"],
        "manager": ["My branches", "Rīga Alfa"],
    }
    for role, texts in expectations.items():
        html = login(client, users[role].email).get_data(as_text=True)
        for text in texts:
            assert text in html, (role, text)
        if role == "auditor":
            assert "Vilnius Akropolis" not in html  # another auditor's visit
            # The list holds every status, drafts and returned visits too: its title says no more
            # than it holds (it read "Submitted and approved").
            assert "<h2>Recent visits</h2>" in html and "Submitted and approved" not in html
        if role == "manager":
            assert "Vilnius Akropolis" not in html and "Version 1" not in html
        client.post("/logout", data={"csrf_token": csrf_token(html)})


def test_an_empty_review_queue_says_so(client, make_user):
    html = login(client, make_user("reviewer").email).get_data(as_text=True)
    queue = html[html.index("Waiting for review"):html.index("Open disputes")]
    assert "Nothing is waiting for review." in queue and "No visits yet." not in queue


@pytest.mark.parametrize("role, visible", [
    ("admin", {"north", "south", "north_submitted"}),
    ("reviewer", {"north", "south", "north_submitted"}),
    ("auditor", {"north"}),
    ("manager", {"north"}),  # approved visits of own branch only
])
def test_visit_pages_answer_404_to_whoever_may_not_see_them(client, chain, role, visible):
    users, visits = chain
    login(client, users[role].email)
    for name, visit in visits.items():
        response = client.get(f"/visits/{visit.id}")
        assert response.status_code == (200 if name in visible else 404), (role, name)
        if name in visible:
            assert visit.location.name in response.get_data(as_text=True)


def test_language_switch_translates_the_page_and_is_remembered(client, chain):
    users, _ = chain
    html = login(client, users["admin"].email).get_data(as_text=True)
    for lang, word in (("ru", "Администрирование"), ("lt", "Administravimas"), ("lv", "Administrēšana"),
                       ("en", "Administration")):
        response = client.post("/language", data={"lang": lang, "next": "/", "csrf_token": csrf_token(html)},
                               follow_redirects=True)
        html = response.get_data(as_text=True)
        assert word in html, lang
        assert f'<html lang="{lang}">' in html


def test_browser_language_is_used_before_a_choice(client, make_user):
    page = client.get("/login", headers={"Accept-Language": "lv-LV,lv;q=0.9,en;q=0.5"})
    assert '<html lang="lv">' in page.get_data(as_text=True)
    assert "Pieteikties" in page.get_data(as_text=True)


def test_checklist_page_shows_items_in_the_chosen_language(app, client, chain, checklists):
    users, _ = chain
    definition = checklists["store-visit"].parsed
    html = login(client, users["admin"].email).get_data(as_text=True)
    client.post("/language", data={"lang": "lt", "next": "/", "csrf_token": csrf_token(html)})
    page = client.get("/checklists/store-visit").get_data(as_text=True)
    assert definition.title.lt in page
    assert definition.items[0].text.lt in page
    assert definition.items[0].text.en not in page
    # each scored item names its service principle in words, not by its tag
    assert "· Patalpos" in page and "Problemų sprendimas" in page
    assert "· premises" not in page and "problem_resolution" not in page
    # a question shown only after some answers names that question and those answers, not their ids
    advice = definition.item("advice_quality")
    labels = [advice.option(v).label.lt for v in ("left_alone", "unsuitable")]
    assert unescape(f"rodomas, kai „{advice.text.lt}“ yra {labels[0]} arba {labels[1]}") in unescape(page)
    assert "left_alone" not in page and "«advice_quality»" not in page
    assert client.get("/checklists/no-such-list").status_code == 404
    # A version that does not exist is not answered with another one; the list has its own page.
    assert client.get("/checklists/store-visit?version=99").status_code == 404
    assert client.get("/checklists/store-visit?version=1").status_code == 200
    listing = client.get("/checklists").get_data(as_text=True)
    assert definition.title.lt in listing and 'href="/checklists/store-visit?version=1"' in listing
    # The file's fingerprint is for the admin who loads checklists, not for the auditor reading one.
    fingerprint = checklists["store-visit"].content_hash[:10]
    assert fingerprint in page
    auditor = app.test_client()
    login(auditor, users["auditor"].email)
    assert fingerprint not in auditor.get("/checklists/store-visit").get_data(as_text=True)


def test_a_managers_branch_figures_are_per_checklist_not_one_mixed_mean(app, client, make_location, make_user,
                                                                          make_visit):
    """18 store visits and 1 phone call made one "mean score" before: it compared nothing."""
    location = make_location("VLN-01", "Vilnius Akropolis")
    auditor, manager = make_user("auditor"), make_user("manager", locations=["VLN-01"])
    for _ in range(2):
        make_visit(location, auditor, {"greeted_promptly": "yes", "staff_respectful": "yes"})
    make_visit(location, auditor, {"menu_clear": "no"}, checklist="phone-enquiry")
    html = login(client, manager.email).get_data(as_text=True)
    cell = html.split('class="by-checklist"')[1].split("</td>")[0]
    assert re.search(r"In-store visit:\s*<span class=\"num\">2 · \d", cell)
    assert re.search(r"Phone enquiry:\s*<span class=\"num\">1 · \d", cell)
