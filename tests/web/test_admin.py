"""Admin screens: users, locations and regions – created, changed, refused, and logged."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from audit.extensions import db
from audit.models import AuditLogEntry, Location, Region, User
from audit.passwords import verify_password
from tests.conftest import PASSWORD, csrf_token, login

NEW_PASSWORD = "a brand new secret"


def form_of(client, url: str) -> str:
    return csrf_token(client.get(url).get_data(as_text=True))


def field_error(html: str, name: str) -> str:
    """The error text shown inside the label of field ``name``."""
    match = re.search(rf'<label class="field has-error">(?:(?!</label>).)*name="{name}"(?:(?!</label>).)*'
                      r'<span class="error">([^<]+)</span>', html, re.S)
    assert match, f"no error next to {name}"
    return match.group(1)


def log_entries(action: str) -> list[AuditLogEntry]:
    return db.session.scalars(select(AuditLogEntry).where(AuditLogEntry.action == action)
                              .order_by(AuditLogEntry.id)).all()


def test_admin_home_links_to_the_admin_screens(admin_client):
    html = admin_client.get("/").get_data(as_text=True)
    for path in ("/admin/users", "/admin/locations", "/admin/regions"):
        assert f'href="{path}"' in html


def test_admin_creates_a_manager_who_can_then_sign_in(admin_client, admin, make_location, app):
    make_location("VLN-01", "Vilnius Akropolis")
    make_location("VLN-02", "Vilnius Ozas")
    token = form_of(admin_client, "/admin/users/new")
    response = admin_client.post("/admin/users/new", data={
        "csrf_token": token, "email": "Rita.Manager@Example.com", "name": "Rita Manager", "role": "manager",
        "locations": ["VLN-02"], "password": NEW_PASSWORD, "password_again": NEW_PASSWORD,
    }, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "User Rita Manager created." in html
    assert "rita.manager@example.com" in html and "VLN-02" in html
    rita = db.session.scalar(select(User).where(User.email == "rita.manager@example.com"))
    assert rita.role == "manager" and [loc.code for loc in rita.locations] == ["VLN-02"]
    assert "$argon2" not in html  # hashes are never shown
    entry = log_entries("user.created")[-1]
    assert entry.user_id == admin.id and entry.object_id == str(rita.id)
    assert entry.details["locations"] == ["VLN-02"] and NEW_PASSWORD not in str(entry.details)

    other = app.test_client()
    assert "My branches" in login(other, "rita.manager@example.com", NEW_PASSWORD).get_data(as_text=True)


def test_rejected_user_form_keeps_what_was_typed_and_says_what_is_wrong(admin_client, make_user, make_location):
    make_user("auditor", email="taken@example.com")
    make_location("RIX-01")
    token = form_of(admin_client, "/admin/users/new")
    typed = {"csrf_token": token, "email": "TAKEN@example.com", "name": "Second Person", "role": "auditor",
             "password": "", "password_again": ""}
    html = admin_client.post("/admin/users/new", data=typed).get_data(as_text=True)
    assert field_error(html, "email") == "Another user already has this e-mail address."
    assert 'value="TAKEN@example.com"' in html and 'value="Second Person"' in html

    typed.update(email="new.person@example.com", locations=["RIX-01"])
    html = admin_client.post("/admin/users/new", data=typed).get_data(as_text=True)
    assert "Only branch managers look after locations" in html
    assert re.search(r'value="RIX-01"[^>]*checked|checked[^>]*value="RIX-01"', html)  # still ticked
    assert '<option selected value="auditor">' in html

    typed.update(locations=[], password="short", password_again="short")
    html = admin_client.post("/admin/users/new", data=typed).get_data(as_text=True)
    assert "at least 8 characters" in field_error(html, "password")

    typed.update(password="x" * 5000, password_again="x" * 5000)
    html = admin_client.post("/admin/users/new", data=typed).get_data(as_text=True)
    assert field_error(html, "password") == "The password may have at most 1000 characters."

    typed.update(password=NEW_PASSWORD, password_again="something else")
    html = admin_client.post("/admin/users/new", data=typed).get_data(as_text=True)
    assert field_error(html, "password_again") == "The passwords do not match."
    # A refused form never sends a password back; it says so, rather than saving the user without one.
    typed.update(email="taken@example.com", password=NEW_PASSWORD, password_again=NEW_PASSWORD)
    html = admin_client.post("/admin/users/new", data=typed).get_data(as_text=True)
    assert "the password fields are empty again: type the password twice once more" in html
    assert NEW_PASSWORD not in html
    typed.update(password="", password_again="")
    html = admin_client.post("/admin/users/new", data=typed).get_data(as_text=True)
    assert "the password fields are empty again" not in html  # nothing typed, nothing to retype
    assert db.session.scalar(select(func.count()).select_from(User)) == 2  # admin + taken
    assert [e.user_id for e in log_entries("user.created")] == [None, None]  # only the fixtures' users


def test_a_new_password_signs_the_account_out_everywhere_else(app, admin_client, admin, make_user):
    """An admin resets a password (say the old one leaked): every session signed in with the old one
    ends at its next request; the admin's own session survives a change of their own password."""
    person = make_user("reviewer", email="rita@example.com", name="Rita")
    ritas_tablet, admins_laptop = app.test_client(), app.test_client()
    login(ritas_tablet, person.email)
    login(admins_laptop, admin.email)
    assert ritas_tablet.get("/").status_code == 200 and admins_laptop.get("/").status_code == 200

    def set_password(user, password):
        url = f"/admin/users/{user.id}"
        data = {"csrf_token": form_of(admin_client, url), "email": user.email, "name": user.name, "role": user.role,
                "active": "y", "password": password, "password_again": password}
        assert "saved" in admin_client.post(url, data=data, follow_redirects=True).get_data(as_text=True)

    set_password(person, NEW_PASSWORD)
    assert ritas_tablet.get("/").status_code == 302  # back to the sign-in page
    assert "/login" in ritas_tablet.get("/").headers["Location"]
    login(ritas_tablet, person.email, NEW_PASSWORD)
    assert ritas_tablet.get("/").status_code == 200

    set_password(admin, NEW_PASSWORD)
    assert admin_client.get("/admin/users").status_code == 200  # the session that changed it
    assert admins_laptop.get("/").status_code == 302  # the admin's other device


def test_a_forged_or_outdated_session_identity_is_refused(app, make_user):
    person = make_user("reviewer", email="rita@example.com")
    browser = app.test_client()
    for forged in (str(person.id), f"{person.id}:", f"{person.id}:{'0' * 32}", "x:y"):
        with browser.session_transaction() as session:
            session["_user_id"], session["_fresh"] = forged, True
        assert browser.get("/").status_code == 302, forged


def test_admin_edits_a_user_and_sets_a_new_password(admin_client, admin, make_user, make_location, app):
    make_location("RIX-01")
    person = make_user("auditor", email="ina@example.com", name="Ina")
    url = f"/admin/users/{person.id}"
    page = admin_client.get(url).get_data(as_text=True)
    assert 'value="ina@example.com"' in page and "$argon2" not in page and person.password_hash not in page
    data = {"csrf_token": csrf_token(page), "email": "ina@example.com", "name": "Ina Bērziņa", "role": "manager",
            "active": "y", "locations": ["RIX-01"], "password": NEW_PASSWORD, "password_again": NEW_PASSWORD}
    response = admin_client.post(url, data=data, follow_redirects=True)
    assert "Changes to Ina Bērziņa saved." in response.get_data(as_text=True)
    db.session.expire_all()
    person = db.session.get(User, person.id)
    assert person.role == "manager" and [loc.code for loc in person.locations] == ["RIX-01"]
    assert verify_password(person.password_hash, NEW_PASSWORD) and not verify_password(person.password_hash, PASSWORD)
    (entry,) = log_entries("user.updated")
    assert entry.user_id == admin.id
    assert entry.details["changes"] == {"name": ["Ina", "Ina Bērziņa"], "role": ["auditor", "manager"],
                                        "locations": [[], ["RIX-01"]], "password": "changed"}

    # Empty password fields keep the password.
    data.update(name="Ina B.", password="", password_again="")
    admin_client.post(url, data=data)
    db.session.expire_all()
    assert verify_password(db.session.get(User, person.id).password_hash, NEW_PASSWORD)
    assert "password" not in log_entries("user.updated")[-1].details["changes"]


def test_deactivated_user_is_signed_out_and_cannot_sign_in_again(admin_client, admin, make_user, app):
    person = make_user("reviewer")
    theirs = app.test_client()
    login(theirs, person.email)
    assert theirs.get("/").status_code == 200
    token = form_of(admin_client, "/admin/users")
    response = admin_client.post(f"/admin/users/{person.id}/deactivate", data={"csrf_token": token},
                                 follow_redirects=True)
    assert f"{person.name} can no longer sign in." in response.get_data(as_text=True)
    assert theirs.get("/").status_code == 302  # the open session ends
    assert login(theirs, person.email).request.path == "/login"
    assert [e.user_id for e in log_entries("user.deactivated")] == [admin.id]

    admin_client.post(f"/admin/users/{person.id}/reactivate", data={"csrf_token": token})
    assert login(app.test_client(), person.email).request.path == "/"
    assert len(log_entries("user.reactivated")) == 1


def test_admin_cannot_lock_themselves_out(admin_client, admin):
    page = admin_client.get(f"/admin/users/{admin.id}").get_data(as_text=True)
    data = {"csrf_token": csrf_token(page), "email": admin.email, "name": admin.name, "role": "reviewer",
            "active": "y"}
    html = admin_client.post(f"/admin/users/{admin.id}", data=data).get_data(as_text=True)
    assert field_error(html, "role") == "You cannot change your own role; ask another administrator."
    data.update(role="admin", active="")
    html = admin_client.post(f"/admin/users/{admin.id}", data=data).get_data(as_text=True)
    assert "You cannot deactivate your own account." in html
    response = admin_client.post(f"/admin/users/{admin.id}/deactivate", data={"csrf_token": data["csrf_token"]},
                                 follow_redirects=True)
    assert "You cannot deactivate your own account." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, admin.id).active and db.session.get(User, admin.id).role == "admin"
    assert log_entries("user.updated") == [] and log_entries("user.deactivated") == []


def test_the_user_page_shows_and_changes_the_person_s_language(admin_client, make_user):
    """The user import sets a person's language (their pages, their set-password link), but the
    user page neither showed it nor let an admin change it."""
    person = make_user("auditor", email="olga@example.com", name="Olga")
    person.locale = "ru"
    db.session.commit()
    url = f"/admin/users/{person.id}"
    page = admin_client.get(url).get_data(as_text=True)
    assert re.search(r'<option selected value="ru">Русский</option>', page), page[page.find('name="language"'):][:400]
    data = {"csrf_token": csrf_token(page), "email": person.email, "name": "Olga", "role": "auditor", "active": "y",
            "language": "lv"}
    assert admin_client.post(url, data=data).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, person.id).locale == "lv"
    (entry,) = log_entries("user.updated")
    assert entry.details["changes"] == {"locale": ["ru", "lv"]}
    refused = admin_client.post(url, data={**data, "language": "de"}).get_data(as_text=True)
    assert field_error(refused, "language") == "Not a valid choice."
    page = admin_client.get("/admin/users/new").get_data(as_text=True)
    new = {"csrf_token": csrf_token(page), "email": "rasa@example.com", "name": "Rasa", "role": "auditor",
           "language": "lt"}
    created = admin_client.post("/admin/users/new", data=new).get_data(as_text=True)  # the set-password link page
    assert "User Rasa created." in created and '<option selected value="lt">Lietuvių</option>' in created
    assert db.session.scalar(select(User.locale).where(User.email == "rasa@example.com")) == "lt"


def test_admin_creates_and_edits_locations(admin_client, admin, make_location):
    make_location("VLN-01", "Vilnius Akropolis", region="Vilnius")
    riga = Region(name="Rīga")
    db.session.add(riga)
    db.session.commit()
    token = form_of(admin_client, "/admin/locations/new")
    data = {"csrf_token": token, "code": "vln-01", "name": "Duplicate", "region": str(riga.id), "city": "Rīga",
            "address": "Brīvības iela 1", "format": "mall", "active": "y"}
    html = admin_client.post("/admin/locations/new", data=data).get_data(as_text=True)
    assert field_error(html, "code") == "Another location already has this code."
    assert 'value="Brīvības iela 1"' in html and f'<option selected value="{riga.id}">' in html

    data.update(code="RIX-09", name="Rīga Galerija")
    response = admin_client.post("/admin/locations/new", data=data, follow_redirects=True)
    assert "Location RIX-09 created." in response.get_data(as_text=True)
    location = db.session.scalar(select(Location).where(Location.code == "RIX-09"))
    assert (location.region.name, location.city, location.format, location.active) == ("Rīga", "Rīga", "mall", True)

    data.update(format="outlet", region="0", active="")
    response = admin_client.post(f"/admin/locations/{location.id}", data=data, follow_redirects=True)
    assert "Changes to RIX-09 saved." in response.get_data(as_text=True)
    db.session.expire_all()
    location = db.session.get(Location, location.id)
    assert location.region is None and location.format == "outlet" and not location.active
    (created,), (updated,) = log_entries("location.created"), log_entries("location.updated")
    assert created.user_id == updated.user_id == admin.id
    assert updated.details["changes"] == {"region": ["Rīga", None], "format": ["mall", "outlet"],
                                          "active": [True, False]}


def test_the_forms_refuse_the_near_duplicates_the_imports_refuse(admin_client, make_location):
    """/admin/regions created "Riga" beside "Rīga" (a later import's "riga" then went into the new
    one, splitting the region's statistics), and a new branch "Volta  mega" beside KNS-08's
    "Volta Mega" — both refused by the spreadsheet imports."""
    make_location("KNS-08", "Volta Mega", region="Rīga")
    html = admin_client.post("/admin/regions", data={"csrf_token": form_of(admin_client, "/admin/regions"),
                                                     "name": "Riga"}).get_data(as_text=True)
    assert field_error(html, "name") == "“Riga” is the region Rīga but for accents: write Rīga"
    assert db.session.scalar(select(func.count(Region.id))) == 1

    data = {"csrf_token": form_of(admin_client, "/admin/locations/new"), "code": "KNS-97", "name": "Volta  mega",
            "region": "0", "city": "", "address": "", "format": "mall", "active": "y"}
    html = admin_client.post("/admin/locations/new", data=data).get_data(as_text=True)
    assert field_error(html, "name") == "KNS-97 is new, but “Volta  mega” is the name of KNS-08: use that code or another name"
    assert 'value="KNS-97"' in html  # what was typed stays
    data["name"] = "Volta Mega Outlet"
    assert admin_client.post("/admin/locations/new", data=data).status_code == 302
    outlet = db.session.scalar(select(Location).where(Location.code == "KNS-97"))
    data.update(csrf_token=form_of(admin_client, f"/admin/locations/{outlet.id}"), name="VOLTA MEGA")
    html = admin_client.post(f"/admin/locations/{outlet.id}", data=data).get_data(as_text=True)
    assert field_error(html, "name") == "“VOLTA MEGA” is the name of KNS-08: give KNS-97 another name"
    # editing a branch without renaming it is never refused for its own name
    kns08 = db.session.scalar(select(Location).where(Location.code == "KNS-08"))
    data.update(csrf_token=form_of(admin_client, f"/admin/locations/{kns08.id}"), code="KNS-08", name="Volta Mega ")
    assert admin_client.post(f"/admin/locations/{kns08.id}", data=data).status_code == 302


def test_regions_are_created_renamed_and_only_empty_ones_deleted(admin_client, admin, make_location):
    make_location("VLN-01", region="Vilnius")
    vilnius = db.session.scalar(select(Region).where(Region.name == "Vilnius"))
    token = form_of(admin_client, "/admin/regions")
    html = admin_client.post("/admin/regions", data={"csrf_token": token, "name": "vilnius"}).get_data(as_text=True)
    assert field_error(html, "name") == "A region with this name already exists." and 'value="vilnius"' in html

    response = admin_client.post("/admin/regions", data={"csrf_token": token, "name": "Kaunas"}, follow_redirects=True)
    assert "Region Kaunas created." in response.get_data(as_text=True)
    kaunas = db.session.scalar(select(Region).where(Region.name == "Kaunas")).id

    response = admin_client.post(f"/admin/regions/{kaunas}", data={"csrf_token": token, "name": "Kaunas county"},
                                 follow_redirects=True)
    assert "Region renamed to Kaunas county." in response.get_data(as_text=True)

    refused = admin_client.post(f"/admin/regions/{vilnius.id}/delete", data={"csrf_token": token},
                                follow_redirects=True).get_data(as_text=True)
    assert "The region Vilnius still has 1 location. Move it to another region before deleting the region." in refused
    assert db.session.get(Region, vilnius.id) is not None
    assert "still has 1 location" in admin_client.get(f"/admin/regions/{vilnius.id}").get_data(as_text=True)

    deleted = admin_client.post(f"/admin/regions/{kaunas}/delete", data={"csrf_token": token},
                                follow_redirects=True).get_data(as_text=True)
    assert "Region Kaunas county deleted." in deleted
    db.session.expire_all()
    assert db.session.get(Region, kaunas) is None
    regions_log = db.session.scalars(select(AuditLogEntry).where(AuditLogEntry.object_type == "region")
                                     .order_by(AuditLogEntry.id)).all()
    assert [(e.action, e.object_id, e.user_id) for e in regions_log] == [
        ("region.created", str(kaunas), admin.id), ("region.renamed", str(kaunas), admin.id),
        ("region.deleted", str(kaunas), admin.id)]



def test_region_names_differing_only_in_baltic_letter_case_are_duplicates_and_sort_by_letter(admin_client):
    """SQLite's lower() folds only A–Z: "žemaitija" passed as new beside "Žemaitija", and the list
    put "Šiaulių regionas" after "Vilnius"."""
    for name in ("Žemaitija", "Šiaulių regionas", "Vilnius", "Aukštaitija"):
        admin_client.post("/admin/regions", data={"csrf_token": form_of(admin_client, "/admin/regions"), "name": name})
    for twin in ("žemaitija", "ŠIAULIŲ REGIONAS", " vilnius "):
        html = admin_client.post("/admin/regions", data={"csrf_token": form_of(admin_client, "/admin/regions"),
                                                         "name": twin}).get_data(as_text=True)
        assert field_error(html, "name") == "A region with this name already exists.", twin
    assert db.session.scalar(select(func.count(Region.id))) == 4
    page = admin_client.get("/admin/regions").get_data(as_text=True)
    order = sorted(("Žemaitija", "Šiaulių regionas", "Vilnius", "Aukštaitija"), key=page.index)
    assert order == ["Aukštaitija", "Šiaulių regionas", "Vilnius", "Žemaitija"]


def test_deactivating_an_auditor_or_a_branch_says_what_scheduled_work_is_left(admin_client, make_user, make_location,
                                                                              checklists):
    from datetime import timedelta

    from audit.models import Assignment, Checklist, Location
    from audit.times import local_today

    auditor, other = make_user("auditor", name="Jānis Ozoliņš"), make_user("auditor", name="Ona")
    make_location("KNS-32", "Volta Vilniaus gatvė")
    location = db.session.scalar(select(Location).where(Location.code == "KNS-32"))
    store = db.session.scalar(select(Checklist).where(Checklist.key == "store-visit"))
    today = local_today()
    for who, until in ((auditor, today + timedelta(days=3)), (auditor, today + timedelta(days=9)),
                       (auditor, today - timedelta(days=1)), (other, today + timedelta(days=2))):
        db.session.add(Assignment(location=location, checklist=store, auditor=who, due_from=today - timedelta(days=5),
                                  due_until=until, created_by_id=auditor.id))
    db.session.commit()
    page = admin_client.post(f"/admin/users/{auditor.id}/deactivate", data={"csrf_token": form_of(admin_client, "/admin/users")},
                             follow_redirects=True).get_data(as_text=True)
    # the overdue one too: the most urgent to give someone else (Scheduled visits lists it as open)
    assert "Jānis Ozoliņš still has 3 scheduled visits not started" in page
    data = {"csrf_token": form_of(admin_client, f"/admin/locations/{location.id}"), "code": "KNS-32",
            "name": "Volta Vilniaus gatvė", "region": 0, "city": "", "address": "", "format": "mall"}  # no "active"
    page = admin_client.post(f"/admin/locations/{location.id}", data=data, follow_redirects=True).get_data(as_text=True)
    assert "KNS-32 is inactive but still has 4 scheduled visits not started" in page
    listing = admin_client.get("/assignments").get_data(as_text=True)
    assert listing.count(">deactivated<") == 3 and listing.count(">inactive<") == 4


def test_a_branch_manager_saved_without_branches_is_warned_about(admin_client):
    page = admin_client.post("/admin/users/new", data={
        "csrf_token": form_of(admin_client, "/admin/users/new"), "email": "ona@example.com", "name": "Ona",
        "role": "manager", "password": "", "password_again": ""}, follow_redirects=True).get_data(as_text=True)
    assert "User Ona created." in page
    assert "Ona manages no branch yet and will see no visits: tick their branches." in page


def test_the_users_list_sorts_names_with_baltic_letters_beside_their_base_letter(admin_client, make_user):
    """The list was ordered by the database's lower(name): "Šarūnas" came after "Zita", and
    SQLite's lower() left "Šarūnas" and "šarūnas" apart."""
    for name in ("Zita Kalniņa", "Šarūnas Petrauskas", "Sandra Ozola", "Ēriks Liepa", "Andris Bērziņš"):
        make_user("auditor", name=name)
    page = admin_client.get("/admin/users?role=auditor").get_data(as_text=True)
    names = ["Zita Kalniņa", "Šarūnas Petrauskas", "Sandra Ozola", "Ēriks Liepa", "Andris Bērziņš"]
    assert sorted(names, key=page.index) == ["Andris Bērziņš", "Ēriks Liepa", "Sandra Ozola", "Šarūnas Petrauskas",
                                             "Zita Kalniņa"]
