"""The admin screens in real chromium at tablet sizes: every control big enough to tap,
errors shown next to their field, and screenshots in tests/artifacts/."""
from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot, small_targets
from tests.conftest import CHECKLIST_DIR
from tests.browser.test_first_screens import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def admin(make_user, make_location):
    for code, name, region, city, fmt in (
        ("RIX-01", "Rīga Alfa", "Rīga", "Rīga", "mall"), ("RIX-02", "Rīga Galerija Centrs", "Rīga", "Rīga", "mall"),
        ("VLN-01", "Vilnius Akropolis", "Vilnius", "Vilnius", "flagship"),
        ("VLN-02", "Vilnius Gedimino prospektas", "Vilnius", "Vilnius", "high_street"),
        ("TLL-01", "Tallinn Viru Keskus", "Tallinn", "Tallinn", "kiosk"),
    ):
        make_location(code, name, region=region, city=city, format=fmt)
    make_user("manager", name="Rita Bērziņa", email="rita.berzina@volta-retail.example", locations=["RIX-01", "RIX-02"])
    make_user("auditor", name="Ilze Kalniņa")
    make_user("reviewer", name="Jonas Petrauskas")
    return make_user("admin", name="Head Office")


def follow(page, selector: str) -> None:
    """Click a link or submit button and wait until the next page has loaded, styles and all."""
    with page.expect_navigation(wait_until="load"):
        page.click(selector)


def test_admin_manages_users_locations_and_regions(page, live_server, admin):
    sign_in(page, live_server, admin.email)
    follow(page, "nav.admin-links >> text=Users")
    assert page.locator("h1").inner_text() == "Users"
    assert page.locator("text=Rita Bērziņa").is_visible()
    assert small_targets(page) == []
    screenshot(page, "admin-users")

    follow(page, "text=New user")
    page.fill("input[name=email]", "rita.berzina@volta-retail.example")  # taken
    page.fill("input[name=name]", "Second Rita")
    page.select_option("select[name=role]", "auditor")
    page.check("input[value=VLN-01]")
    follow(page, "button[type=submit].primary")
    assert page.locator(".field.has-error .error").first.inner_text() == "Another user already has this e-mail address."
    assert page.input_value("input[name=name]") == "Second Rita"  # what was typed is kept
    assert page.is_checked("input[value=VLN-01]")
    assert small_targets(page) == []
    screenshot(page, "admin-user-form-error")

    page.fill("input[name=email]", "second.rita@volta-retail.example")
    page.select_option("select[name=role]", "manager")
    page.fill("input[name=password]", "long enough secret")
    page.fill("input[name=password_again]", "long enough secret")
    follow(page, "button[type=submit].primary")
    assert page.locator(".flash").inner_text() == "User Second Rita created."

    follow(page, "text=Rita Bērziņa")
    assert page.input_value("input[name=email]") == "rita.berzina@volta-retail.example"
    assert page.is_checked("input[value=RIX-02]")
    assert small_targets(page) == []
    screenshot(page, "admin-user-edit")

    follow(page, "nav.admin-tabs >> text=Locations")
    assert page.locator("text=Tallinn Viru Keskus").is_visible()
    assert small_targets(page) == []
    screenshot(page, "admin-locations")
    follow(page, "text=VLN-02")
    page.fill("input[name=code]", "rix-01")  # taken
    follow(page, "button[type=submit].primary")
    assert page.locator(".field.has-error .error").inner_text() == "Another location already has this code."
    assert small_targets(page) == []
    screenshot(page, "admin-location-form-error")

    follow(page, "nav.admin-tabs >> text=Regions")
    page.fill("input[name=name]", "Kaunas")
    follow(page, "button[type=submit].primary")
    assert page.locator(".flash").inner_text() == "Region Kaunas created."
    assert small_targets(page) == []
    screenshot(page, "admin-regions")
    # Deleting asks first; saying no keeps the region, saying yes deletes it.
    questions = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    page.click("tr:has-text('Kaunas') button:has-text('Delete')")
    page.wait_for_timeout(300)
    assert questions == ["Delete the region Kaunas?"] and page.locator("tr:has-text('Kaunas')").count() == 1
    page.once("dialog", lambda dialog: dialog.accept())
    follow(page, "tr:has-text('Kaunas') button:has-text('Delete')")
    assert page.locator(".flash").inner_text() == "Region Kaunas deleted."


def test_long_lists_narrow_as_one_types_and_codes_sort_in_number_order(page, live_server, admin, make_location):
    """A chain of 300: finding a branch or a person meant Ctrl+F, and KNS-104 came before KNS-14."""
    for code in ("KNS-104", "KNS-14", "KNS-2"):
        make_location(code, f"Kaunas {code}", region="Kaunas", city="Kaunas")
    sign_in(page, live_server, admin.email)
    page.goto(f"{live_server}/admin/locations")
    codes = [c.strip() for c in page.locator("#admin-locations tbody tr td:first-child").all_inner_texts()]
    kaunas = [c for c in codes if c.startswith("KNS")]
    assert kaunas == ["KNS-2", "KNS-14", "KNS-104"]
    page.fill("input[data-filter-for='admin-locations']", "riga")  # without its ī, as typed on a tablet
    shown = page.locator("#admin-locations tbody tr:not([hidden]) td:first-child").all_inner_texts()
    assert sorted(c.strip() for c in shown) == ["RIX-01", "RIX-02"]
    assert page.locator("#admin-locations-count").inner_text() == "2 shown"
    page.goto(f"{live_server}/admin/users")
    page.fill("input[data-filter-for='admin-users']", "bērziņa")
    assert page.locator("#admin-users tbody tr:not([hidden])").count() == 1
    assert small_targets(page) == []
    # The manager's form says which branches are chosen, and finds the others.
    page.locator("#admin-users tbody tr:not([hidden]) a").first.click()
    assert page.locator("#chosen-locations").inner_text() == "Chosen: RIX-01, RIX-02"
    page.fill("input[data-filter-for='location-choices']", "kns-1")
    assert page.locator("#location-choices label:not([hidden])").count() == 2
    screenshot(page, "admin-user-location-filter")


def test_scheduling_a_visit_finds_the_branch_and_the_auditor_by_typing(page, live_server, admin, make_location,
                                                                      make_user, checklists):
    """300 branches in one select was a long scroll on a tablet: typing narrows it to the matches."""
    from sqlalchemy import select

    from audit.extensions import db
    from audit.models import Assignment

    for n in range(1, 40):
        make_location(f"KNS-{n:02d}", f"Kaunas {n}", region="Kaunas", city="Kaunas")
    make_location("SIA-07", "Saulės miestas Šiauliai", region="Šiauliai", city="Šiauliai")
    make_user("auditor", name="Ona Auditorė")
    make_user("auditor", name="Jonas Jonaitis")
    sign_in(page, live_server, admin.email)
    page.goto(f"{live_server}/assignments")
    # Each list's name stands above its search box, the box above the list it narrows (the box
    # stood above the name, as if it belonged to the field before); the list keeps its name.
    for name, select_id in (("Location", "one-location"), ("Auditor", "one-auditor")):
        field = page.locator(f".field-with-filter:has(#{select_id})")
        tops = [field.locator(selector).bounding_box()["y"] for selector in
                (f".filter-title:text-is('{name}')", f"input[data-filter-for='{select_id}']", f"#{select_id}")]
        assert tops == sorted(tops) and len(set(tops)) == 3, (name, tops)
        assert page.eval_on_selector(f"#{select_id}", "s => s.labels[0].querySelector('span').textContent") == name
    page.fill("input[data-filter-for='one-location']", "siaul")  # without its Š and ė
    assert page.eval_on_selector("#one-location", "s => [s.options.length, s.value]") == [1, "SIA-07"]
    assert page.locator("#one-location-count").inner_text() == "1 shown"
    page.fill("input[data-filter-for='one-auditor']", "jona")
    assert page.locator("#one-auditor option").all_inner_texts() == ["Jonas Jonaitis"]
    screenshot(page, "schedule-find-branch")
    page.fill("input[data-filter-for='one-location']", "")  # cleared: every branch again, the choice kept
    assert page.eval_on_selector("#one-location", "s => [s.options.length > 40, s.value]") == [True, "SIA-07"]
    page.click("form.grid-form button.primary")
    page.wait_for_load_state()
    db.session.expire_all()
    scheduled = db.session.scalars(select(Assignment)).all()
    assert [(a.location.code, a.auditor.name) for a in scheduled] == [("SIA-07", "Jonas Jonaitis")]


def test_reloading_after_a_new_user_opens_their_page_instead_of_sending_the_form_again(page, live_server, admin):
    """The one-time set-password link is shown on the answer to the New user form; a reload sent
    the form again ("Another user already has this e-mail address") and the link was gone."""
    sign_in(page, live_server, admin.email)
    page.goto(f"{live_server}/admin/users/new")
    page.fill("input[name=email]", "ona.petraitiene@volta-retail.example")
    page.fill("input[name=name]", "Ona Petraitienė")
    page.select_option("select[name=role]", "auditor")
    follow(page, "button[type=submit].primary")
    link = page.input_value("#password-link-url")
    assert "/set-password/" in link
    assert page.evaluate("location.pathname").startswith("/admin/users/") and "new" not in page.url
    page.reload(wait_until="load")
    assert page.locator("h1").inner_text() == "Ona Petraitienė"
    assert page.locator(".error").count() == 0 and page.locator("#password-link-url").count() == 0
    assert "has not been used yet" in page.inner_text("body")  # and a lost one is replaced here:
    assert page.locator("text=Make a set-password link").count() == 1


def test_the_checklist_file_pages_links_are_big_enough_to_tap(page, live_server, admin, checklists):
    """The link to the file format guide sat inside a small grey paragraph (18 px tall on a
    portrait tablet), the guide's way back was a 20 px line of text, and so was "See the
    checklist" after a file the same as the newest version."""
    sign_in(page, live_server, admin.email)
    page.goto(f"{live_server}/checklist-files")
    assert page.locator("a[href$='/checklist-files/format']").is_visible()
    assert small_targets(page) == []
    follow(page, "a[href$='/checklist-files/format']")
    assert small_targets(page) == []
    follow(page, "a[href$='/checklist-files']")
    assert page.locator("input[type=file]").is_visible()
    page.set_input_files("input[type=file]", str(CHECKLIST_DIR / "phone-enquiry.yaml"))
    follow(page, "#upload button[type=submit]")
    assert "nothing to store" in page.locator("main").inner_text()
    assert small_targets(page) == []


@pytest.mark.parametrize("path, csv", [
    ("/admin/users", "email,name,role\nnot-an-email,Rita,auditor\nok@volta-retail.example,Ok,wizard\n"),
    ("/admin/locations", "code,name,region,city\nbad code!,Rīga,Rīga,Rīga\nNEW-1,,Rīga,Rīga\n"),
    ("/assignments", "location,checklist,auditor,from,until\nNOPE-1,store-visit,nobody@example.com,2026-02-30,2026-13-01\n"),
])
def test_a_refused_import_says_so_with_a_show_link_big_enough_to_tap(page, live_server, admin, checklists, path, csv):
    """"Show" (go down to the import's problems) in the red message was a 20 px tall word."""
    sign_in(page, live_server, admin.email)
    page.goto(f"{live_server}{path}")
    page.set_input_files("#csv-import input[type=file]",
                         files=[{"name": "rows.csv", "mimeType": "text/csv", "buffer": csv.encode()}])
    follow(page, "#csv-import button[type=submit]")
    assert page.locator(".flash.error a[href='#csv-import']").is_visible()
    assert small_targets(page) == []


#: Each visible select of ``scope`` whose chosen option is wider than the closed select shows.
CUT_SELECTS_JS = """scope => [...document.querySelectorAll(scope + ' select')].filter(s => s.offsetParent).map(s => {
  const context = document.createElement('canvas').getContext('2d'), style = getComputedStyle(s);
  context.font = style.font;
  const text = s.options[s.selectedIndex] ? s.options[s.selectedIndex].text : '';
  const room = s.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - 20;
  return context.measureText(text).width > room ? `${s.name}: ${text}` : null;
}).filter(Boolean)"""


@pytest.mark.parametrize("lang", ["ru", "lt"])
def test_the_scheduled_visits_list_s_choice_is_not_cut(page, live_server, admin, lang):
    """The list's choice "To do: not started, drafts and returned visits (most urgent first)" was
    a select, shown cut on a tablet in every language ("К выполнению: не начатые, черновики и"
    in Russian on a portrait tablet); its two choices are radio buttons whose text wraps."""
    sign_in(page, live_server, admin.email)
    page.click(f"button.lang[value={lang}]")
    page.goto(f"{live_server}/assignments", wait_until="load")
    assert page.evaluate(CUT_SELECTS_JS, "#scheduled") == []
    assert page.is_checked("#scheduled input[name=view][value=open]")
    page.check("#scheduled input[name=view][value=all]")
    follow(page, "#scheduled button[type=submit]")
    assert "view=all" in page.url
    assert page.is_checked("#scheduled input[name=view][value=all]")
    assert small_targets(page) == []
