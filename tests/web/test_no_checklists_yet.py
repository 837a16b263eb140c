"""Before any checklist is loaded, the checklists' list says so: the admin, who can load them, is
told the command that does; auditors and reviewers, who cannot run commands, read a plain sentence.
Managers never see the list."""
from __future__ import annotations

import pytest

from tests.conftest import csrf_token, login

COMMAND_HINT = "No checklists loaded. Run “audit load-checklists”."
PLAIN = "No checklists yet: the head office has not published any."
PLAIN_IN = {"ru": "Чек-листов пока нет: головной офис ещё не опубликовал ни одного.",
            "lt": "Klausimynų dar nėra: centrinė būstinė dar nepaskelbė nė vieno.",
            "lv": "Kontrolsarakstu vēl nav: galvenais birojs vēl nav publicējis nevienu."}


def pages_of(app, user) -> dict[str, tuple[int, str]]:
    client = app.test_client()
    login(client, user.email)
    return {page: (response.status_code, response.get_data(as_text=True))
            for page in ("/", "/checklists") for response in [client.get(page)]}


def test_only_the_admin_is_told_to_run_the_command(app, make_user):
    for page, (status, html) in pages_of(app, make_user("admin")).items():
        assert status == 200 and COMMAND_HINT in html and PLAIN not in html, page
    for role in ("reviewer", "auditor"):
        for page, (status, html) in pages_of(app, make_user(role)).items():
            assert status == 200, (role, page)
            assert PLAIN in html, (role, page)
            assert "audit load-checklists" not in html, (role, page)
    manager_pages = pages_of(app, make_user("manager"))
    assert manager_pages["/checklists"][0] == 404
    assert "load-checklists" not in manager_pages["/"][1] and PLAIN not in manager_pages["/"][1]


@pytest.mark.parametrize("lang", sorted(PLAIN_IN))
def test_the_auditor_reads_it_in_their_language(client, make_user, lang):
    login(client, make_user("auditor").email)
    client.post("/language", data={"lang": lang, "next": "/",
                                   "csrf_token": csrf_token(client.get("/").get_data(as_text=True))})
    html = client.get("/").get_data(as_text=True)
    assert PLAIN_IN[lang] in html and "load-checklists" not in html
