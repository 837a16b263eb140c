"""Error pages: in the user's language, inside the layout, with a way back; the JSON API keeps
JSON errors; switching language on a page that answered a form goes to a page that exists."""
from __future__ import annotations

import pytest

from tests.conftest import csrf_token, login


@pytest.fixture
def admin(app, make_user, client):
    user = make_user("admin")
    login(client, user.email)
    return user


@pytest.mark.parametrize("lang, title", [("en", "Not found"), ("ru", "Не найдено"), ("lt", "Nerasta"),
                                         ("lv", "Nav atrasts")])
def test_a_missing_page_is_explained_in_the_user_s_language(client, admin, lang, title):
    client.post("/language", data={"lang": lang, "csrf_token": csrf_token(client.get("/").get_data(as_text=True))})
    answer = client.get("/visits/99999")
    assert answer.status_code == 404
    html = answer.get_data(as_text=True)
    assert f"<h1>{title}</h1>" in html and 'class="topbar"' in html  # our layout, not werkzeug's
    assert 'href="/"' in html and "Not Found" not in html


def test_a_form_only_address_opened_directly_is_405_with_a_way_back(client, admin):
    answer = client.get("/assignments/import")
    assert answer.status_code == 405 and "POST" in answer.headers["Allow"]
    assert "<h1>This page cannot be opened directly</h1>" in answer.get_data(as_text=True)


def test_an_expired_form_says_so(client, admin):
    answer = client.post("/assignments", data={"location": "x"})  # no CSRF token
    assert answer.status_code == 400
    assert "<h1>The page has expired</h1>" in answer.get_data(as_text=True)


def test_the_api_answers_json_even_for_unknown_addresses(client):
    answer = client.get("/api/v1/no-such-thing")
    assert answer.status_code == 404 and answer.is_json and answer.get_json()["error"] == "not found"


@pytest.mark.parametrize("page, lands_on", [("/assignments/import", "/assignments"),
                                            ("/office?region=Kaunas", "/office?region=Kaunas"),
                                            ("/assignments/7/cancel", "/assignments")])
def test_switching_language_after_a_form_goes_to_a_page_that_opens(client, admin, page, lands_on):
    token = csrf_token(client.get("/").get_data(as_text=True))
    answer = client.post("/language", data={"lang": "lt", "next": page, "csrf_token": token})
    assert answer.status_code == 302 and answer.headers["Location"] == lands_on
    assert client.get(lands_on).status_code == 200


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)  # one writer at a time is SQLite's own limit
def test_a_request_that_waits_too_long_for_a_busy_sqlite_file_says_so_and_saves_nothing(app, client, admin):
    """`audit import-visits` holds the embedded database's write lock for the whole import; a
    form sent meanwhile waited 5 s and got "Something went wrong on our side"."""
    import sqlite3

    from sqlalchemy import func, select

    from audit.extensions import db
    from audit.models import Region

    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: the error page, not a traceback
    token = csrf_token(client.get("/admin/regions").get_data(as_text=True))
    other = sqlite3.connect(db.engine.url.database, timeout=1)
    other.execute("BEGIN IMMEDIATE")  # another process writing, as an import does
    try:
        response = client.post("/admin/regions", data={"name": "Kaunas", "csrf_token": token})
    finally:
        other.rollback()
        other.close()
    assert response.status_code == 503 and response.headers["Retry-After"] == "30"
    page = response.get_data(as_text=True)
    assert "The database is busy" in page and "Nothing was saved by this request" in page
    db.session.remove()
    assert db.session.scalar(select(func.count(Region.id))) == 0
    # once the other writer is done, the same form goes through
    assert client.post("/admin/regions", data={"name": "Kaunas", "csrf_token": token}).status_code == 302
    db.session.remove()
    assert db.session.scalar(select(Region.name)) == "Kaunas"


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_language_switch_the_busy_database_refused_leaves_the_pages_in_their_language(app, client, admin):
    """The switch saves the user's language; when that write fails, the browser's pages stayed
    switched while the user's setting did not (and the error page came in the new language)."""
    import sqlite3

    from audit.extensions import db

    app.config["PROPAGATE_EXCEPTIONS"] = False
    token = csrf_token(client.get("/").get_data(as_text=True))
    other = sqlite3.connect(db.engine.url.database, timeout=1)
    other.execute("BEGIN IMMEDIATE")
    try:
        response = client.post("/language", data={"lang": "lt", "next": "/admin/regions", "csrf_token": token})
    finally:
        other.rollback()
        other.close()
    assert response.status_code == 503
    assert "The database is busy" in response.get_data(as_text=True)
    assert "Regions" in client.get("/admin/regions").get_data(as_text=True)  # still English
    db.session.remove()
    admin = db.session.merge(admin)
    db.session.refresh(admin)
    assert admin.locale != "lt"


def test_an_id_too_large_for_the_database_is_a_missing_page_not_a_server_error(app, client, admin, make_user):
    """Every address with a number in it, given 20 nines: SQLite cannot hold such a number and
    answered 500 (OverflowError); now no page matches it. The API's cursors alike."""
    from audit.services.tokens import create_token

    app.config["PROPAGATE_EXCEPTIONS"] = False
    huge = "9" * 20
    tried = 0
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or not any(kind == "RowIdConverter" for kind in
                                                 (type(c).__name__ for c in rule._converters.values())):
            continue
        path = rule.rule
        for name in rule.arguments:
            path = path.replace(f"<int:{name}>", huge).replace(f"<{name}>", "x")
        assert client.get(path).status_code == 404, path
        tried += 1
    assert tried >= 8
    from audit.extensions import db

    token = create_token(make_user("reviewer"), label="bench")
    db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get(f"/api/v1/visits/{huge}", headers=headers).status_code == 404
    answer = client.get("/api/v1/visits", query_string={"after": f"2026-01-01T00:00:00~{huge}"}, headers=headers)
    assert answer.status_code == 400 and "after" in answer.get_json()["details"]
