"""The auditor's home page without the head office's technical details: its checklists by their
titles (each leading to its questions), without the versions' fingerprints ("30cbdbf007"), the
checklists' keys ("email-enquiry") or visit counts; its recent visits without an Auditor column
(always the auditor themselves). The admin's and reviewer's pages keep them."""
from __future__ import annotations

import re

from tests.conftest import login

STORE_ANSWERS = {"greeted_promptly": "yes", "staff_respectful": "yes"}


def section(html: str, heading: str) -> str:
    """The <section> under an <h2> of ``heading``."""
    start = html.index(f"<h2>{heading}</h2>")
    return html[html.rindex("<section", 0, start):html.index("</section>", start)]


def test_the_auditors_home_shows_checklists_by_title_and_no_auditor_column(client, checklists, make_location,
                                                                            make_user, make_visit):
    auditor = make_user("auditor", name="Ina Auditor")
    make_visit(make_location("RIX-01", "Rīga Alfa", region="Rīga"), auditor, STORE_ANSWERS)
    hashes = [v.content_hash[:10] for v in checklists.values()]
    keys = list(checklists)  # "store-visit", "email-enquiry", …

    html = login(client, auditor.email).get_data(as_text=True)
    listed = section(html, "Checklists")
    for key in keys:  # each by its title, still leading to its questions
        assert re.search(rf'<a href="/checklists/{key}"><strong>[^<]+</strong></a>', listed), key
    assert not [h for h in hashes if h in html], "a version's fingerprint on the auditor's page"
    assert not [k for k in keys if re.search(rf">\s*{re.escape(k)}\s*<", html)], "a checklist's key shown"
    assert "Version 1" not in listed and not re.search(r"\d+ visits?\b", listed)
    visits = section(html, "Recent visits")
    assert "Rīga Alfa" in visits
    assert "<th>Auditor</th>" not in visits and "Ina Auditor" not in visits


def test_the_head_office_still_sees_versions_keys_and_auditors(app, checklists, make_location, make_user,
                                                               make_visit):
    auditor = make_user("auditor", name="Ina Auditor")
    make_visit(make_location("RIX-01", "Rīga Alfa", region="Rīga"), auditor, STORE_ANSWERS)
    version = checklists["store-visit"]
    for role, page in [("admin", "/checklists"), ("admin", "/"), ("reviewer", "/")]:
        client = app.test_client()
        login(client, make_user(role).email)
        html = client.get(page).get_data(as_text=True)
        assert version.content_hash[:10] in html and ">store-visit<" in html and "Version 1" in html, (role, page)
        assert re.search(r"\d+ visits?\b", html), (role, page)
        if page == "/":
            assert "<th>Auditor</th>" in html and "Ina Auditor" in html, role


def test_the_auditors_recent_visits_name_the_checklist_without_its_version(app, checklists, make_location,
                                                                           make_user, make_visit):
    """The auditor's recent visits read "Store visit v1": the version is the head office's concern;
    the admin's and reviewer's recent visits keep it."""
    auditor = make_user("auditor", name="Ina Auditor")
    make_visit(make_location("RIX-01", "Rīga Alfa", region="Rīga"), auditor, STORE_ANSWERS)
    title = checklists["store-visit"].parsed.title.get("en")

    client = app.test_client()
    visits = section(login(client, auditor.email).get_data(as_text=True), "Recent visits")
    assert f"<td>{title} </td>" in visits or f"<td>{title}</td>" in visits
    assert not re.search(r">\s*v\d+\s*<", visits), "a checklist version on the auditor's recent visits"
    for role in ("admin", "reviewer"):
        client = app.test_client()
        visits = section(login(client, make_user(role).email).get_data(as_text=True), "Recent visits")
        assert f'{title} <span class="muted">v1</span>' in visits, role


def test_managers_and_auditors_see_checklists_by_title_on_every_page(app, checklists, make_location, make_user,
                                                                    make_visit):
    """The branch manager's approved visits and a visit's page name the checklist without "v1", and
    the auditor's list of checklists (/checklists) by titles alone; head office keeps the versions."""
    location = make_location("RIX-01", "Rīga Alfa", region="Rīga")
    auditor, manager = make_user("auditor"), make_user("manager", locations=["RIX-01"])
    visit = make_visit(location, auditor, STORE_ANSWERS)
    version = checklists["store-visit"]
    version_mark = '<span class="muted">v1</span>'

    client = app.test_client()
    home = login(client, manager.email).get_data(as_text=True)
    assert "Rīga Alfa" in section(home, "Approved visits") and version_mark not in home
    assert version_mark not in client.get(f"/visits/{visit.id}").get_data(as_text=True)

    client = app.test_client()
    login(client, auditor.email)
    assert version_mark not in client.get(f"/visits/{visit.id}").get_data(as_text=True)
    listed = client.get("/checklists").get_data(as_text=True)
    assert '<a href="/checklists/store-visit"><strong>' in listed
    assert version.content_hash[:10] not in listed and ">store-visit<" not in listed
    assert not re.search(r"\d+ visits?\b", listed)

    client = app.test_client()
    login(client, make_user("reviewer").email)
    assert version_mark in client.get(f"/visits/{visit.id}").get_data(as_text=True)
