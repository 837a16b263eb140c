"""The admin's activity page and the account's sign-ins page in real chromium at tablet sizes:
every control big enough to tap, nothing wider than the screen, screenshots in tests/artifacts/."""
from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot, small_targets
from tests.browser.test_first_screens import sign_in

pytestmark = pytest.mark.browser

WIDER_THAN_THE_PAGE = "() => document.documentElement.scrollWidth > document.documentElement.clientWidth"


def test_the_activity_page_lists_an_admin_s_changes_and_fits_the_tablet(page, live_server, make_user, make_location):
    admin = make_user("admin", name="Head Office")
    make_location("VLN-01", "Vilnius Gedimino prospektas 9, prie Katedros aikštės")
    person = make_user("auditor", name="Ilze Kalniņa-Bērziņa")
    sign_in(page, live_server, admin.email)
    page.wait_for_url(f"{live_server}/")
    page.goto(f"{live_server}/admin/users/{person.id}")
    page.select_option("select[name=role]", "reviewer")
    with page.expect_navigation(wait_until="load"):
        page.click("button[type=submit].primary")
    page.goto(f"{live_server}/admin/users/{person.id}", wait_until="load")
    assert small_targets(page) == []  # the two links to the person's history

    with page.expect_navigation(wait_until="load"):
        page.click("#user-activity >> text=History of this account")
    rows = page.locator("#activity tbody tr")
    assert rows.first.locator("td").nth(2).inner_text() == "changed the account"
    assert rows.first.locator("td").nth(4).inner_text() == "Role: Auditor → Reviewer"
    assert small_targets(page) == [] and not page.evaluate(WIDER_THAN_THE_PAGE)
    screenshot(page, "admin-activity")

    page.goto(f"{live_server}/admin/activity?since=2026-13-01", wait_until="load")
    assert page.locator(".field.has-error .error").inner_text() == "“2026-13-01” is not a date; this filter is left out."



@pytest.mark.parametrize("page", ["portrait"], indirect=True)
def test_a_new_account_s_e_mail_in_the_details_wraps_in_russian(page, live_server, make_user):
    """In Russian on a portrait tablet "Аудитор · wolfeschlegel@x.lv" (an address too short to
    be cut into pieces) kept the details column from wrapping: the table scrolled sideways."""
    admin = make_user("admin", name="Konstantinopolskaja Administratorė")
    sign_in(page, live_server, admin.email)
    page.click("button.lang[value=ru]")
    page.goto(f"{live_server}/admin/users/new", wait_until="load")
    page.fill("input[name=email]", "wolfeschlegel@x.lv")
    page.fill("input[name=name]", "Hubert Wolfeschlegelsteinhausen")
    page.select_option("select[name=role]", "auditor")
    with page.expect_navigation(wait_until="load"):
        page.click("button[type=submit].primary")
    page.goto(f"{live_server}/admin/activity", wait_until="load")
    assert "wolfeschlegel@x.lv" in page.locator("#activity tbody").inner_text()
    wrap = page.locator("#activity").locator("xpath=..")
    overflow = wrap.evaluate("el => el.scrollWidth - el.clientWidth")
    assert overflow <= 1, f"the activity table is {overflow} px wider than the card"


#: The text of an element line by line, as the browser laid it out (a line ends where the next
#: character's box starts lower down).
LINES_JS = """
el => {
  const lines = [];
  let top = null;
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (let i = 0; i < node.length; i++) {
      const range = document.createRange();
      range.setStart(node, i);
      range.setEnd(node, i + 1);
      const box = range.getClientRects()[0];
      if (!box) continue;
      if (top === null || box.top > top + 2) { lines.push(''); top = box.top; }
      lines[lines.length - 1] += node.data[i];
    }
  }
  return lines;
}
"""


@pytest.mark.parametrize("page", ["portrait"], indirect=True)
def test_a_long_e_mail_in_the_details_breaks_after_its_at_sign_and_before_its_dots(page, live_server, make_user):
    """A long address in the activity log broke every 12 characters ("aleksandra.j|ankauskiene@|sl…"): at 820 px it
    now wraps only after its "@" and before a dot, and the table stays within the card."""
    address = "aleksandra.jankauskiene@slaptasis.pirkejas.parduotuviu.example.lt"
    admin = make_user("admin", name="Head Office")
    sign_in(page, live_server, admin.email)
    page.goto(f"{live_server}/admin/users/new", wait_until="load")
    page.fill("input[name=email]", address)
    page.fill("input[name=name]", "Aleksandra Jankauskienė")
    page.select_option("select[name=role]", "auditor")
    with page.expect_navigation(wait_until="load"):
        page.click("button[type=submit].primary")
    page.goto(f"{live_server}/admin/activity", wait_until="load")

    details = page.locator("#activity tr[data-action='user.created']").first.locator("td").nth(4)
    lines = details.evaluate(LINES_JS)
    text = "".join(lines)
    assert address in text
    start = text.index(address)
    ends, end = [], 0  # where each line break falls within the address
    for line in lines[:-1]:
        end += len(line)
        if start < end < start + len(address):
            ends.append(end - start)
    assert ends, f"the address did not wrap at 820 px: {lines}"
    wrong = [f"{address[:at]}|{address[at:]}" for at in ends
             if address[at - 1] != "@" and address[at] != "."]
    assert wrong == [], f"the address broke inside a word: {lines}"
    overflow = page.locator("#activity").locator("xpath=..").evaluate("el => el.scrollWidth - el.clientWidth")
    assert overflow <= 1, f"the activity table is {overflow} px wider than the card"
    assert small_targets(page) == []
    screenshot(page, "activity-long-e-mail")


def test_the_sign_ins_page_fits_the_tablet(page, live_server, make_user):
    auditor = make_user("auditor", name="Ilze Kalniņa")
    sign_in(page, live_server, auditor.email)
    page.wait_for_url(f"{live_server}/")
    page.goto(f"{live_server}/account/password", wait_until="load")
    with page.expect_navigation(wait_until="load"):
        page.click("text=Where you are signed in")
    assert page.locator("#sign-ins li").count() == 1
    assert "This device" in page.locator("#sign-ins li").inner_text()
    assert small_targets(page) == [] and not page.evaluate(WIDER_THAN_THE_PAGE)
    screenshot(page, "account-sign-ins")
