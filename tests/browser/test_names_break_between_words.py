"""A person's name or an ordinary word in a narrow table column breaks only between words: on
/actions at 820 px in Russian the "Who" column showed "Aistė Jankauskien / ė" (the column's
``overflow-wrap: anywhere`` let the table squeeze it below its longest word). A run of letters
longer than the column can hold (a pasted code) still wraps, the table within the card."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from audit.extensions import db
from audit.services.actions import plan_action
from audit.times import local_today
from tests.browser.conftest import screenshot
from tests.browser.test_first_screens import sign_in

pytestmark = pytest.mark.browser

# The words of an element's text that the browser split over two lines (a word's Range has a box
# on each line it covers).
SPLIT_WORDS_JS = r"""
el => {
  const split = [];
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (const m of node.data.matchAll(/\S+/g)) {
      const range = document.createRange();
      range.setStart(node, m.index);
      range.setEnd(node, m.index + m[0].length);
      const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
      if (tops.size > 1) split.push(m[0]);
    }
  }
  return split;
}
"""

NAMES = ["Aistė Jankauskienė", "Александра Константиновна Преображенская", "Simona Stankevičienė"]
TEXT = ("Провести повторное обучение сотрудников смены; руководство филиала проверяет выполнение "
        "в течение трёх дней.")


def split_words(locator) -> list[str]:
    return [word for i in range(locator.count()) for word in locator.nth(i).evaluate(SPLIT_WORDS_JS)]


@pytest.mark.parametrize("page", ["portrait", "landscape"], indirect=True)
@pytest.mark.parametrize("lang", ["ru", "lv"])
def test_names_in_the_actions_table_break_only_between_words(page, lang, live_server, make_user, make_location,
                                                              make_visit):
    location = make_location("KUR-05", "Volta Liepāja Lielā iela", region="Kurzeme", city="Liepāja")
    manager = make_user("manager", name="Aleksandrs Kuzņecovs", locations=["KUR-05"])
    visit = make_visit(location, make_user("auditor"), {"entrance_clean": "no", "smiled": "no", "eye_contact": "no"})
    for item, name in zip(["entrance_clean", "smiled", "eye_contact"], NAMES):
        plan_action(visit, manager, item, TEXT, name, local_today() - timedelta(days=3),
                    local_today() - timedelta(days=20))
    code = "X" * 60  # one "word" wider than any column: it must still wrap
    plan_action(visit, manager, None, f"Код {code}", code, local_today() + timedelta(days=3), local_today())
    db.session.commit()
    sign_in(page, live_server, make_user("admin").email)
    page.wait_for_selector(".topbar a.who")  # signed in before a language is chosen
    with page.expect_navigation():
        page.click(f"button.lang[value={lang}]")
    page.goto(f"{live_server}/actions")
    page.wait_for_selector("table.action-table")

    who = page.locator("table.action-table td.responsible")
    assert set(NAMES) <= set(who.all_inner_texts())
    ordinary = [w for w in split_words(who) + split_words(page.locator("table.action-table td.action-cell"))
                if not re.fullmatch(r"X+", w)]
    assert ordinary == [], f"words broken inside: {ordinary}"
    overflow = page.locator("table.action-table").locator("xpath=..").evaluate("el => el.scrollWidth - el.clientWidth")
    assert overflow <= 1, f"the actions' table is {overflow} px wider than the card"
    screenshot(page, f"actions-names-{lang}")


@pytest.mark.parametrize("page", ["portrait"], indirect=True)
def test_the_activity_details_break_between_words_and_still_fit(page, live_server, make_user):
    """The activity log's details ("Аудитор · wolfeschlegel@x.lv") had ``overflow-wrap: anywhere``
    so that the address could wrap at 820 px in Russian: it broke words too. An address may break
    after its "@"; words only between them; the table stays within the card."""
    admin = make_user("admin", name="Konstantinopolskaja Administratorė")
    sign_in(page, live_server, admin.email)
    page.wait_for_selector(".topbar a.who")  # signed in before a language is chosen
    with page.expect_navigation():
        page.click("button.lang[value=ru]")
    for email, name in [("wolfeschlegel@x.lv", "Hubert Wolfeschlegelsteinhausen"),
                        ("aiste.jankauskiene@example.lt", "Aistė Jankauskienė")]:
        page.goto(f"{live_server}/admin/users/new", wait_until="load")
        page.fill("input[name=email]", email)
        page.fill("input[name=name]", name)
        page.select_option("select[name=role]", "manager")
        with page.expect_navigation(wait_until="load"):
            page.click("button[type=submit].primary")
    page.goto(f"{live_server}/admin/activity", wait_until="load")
    details = page.locator("#activity td.wrap")
    assert "wolfeschlegel@x.lv" in page.locator("#activity tbody").inner_text()
    assert split_words(details) == [], details.all_inner_texts()
    overflow = page.locator("#activity").locator("xpath=..").evaluate("el => el.scrollWidth - el.clientWidth")
    assert overflow <= 1, f"the activity table is {overflow} px wider than the card"
    screenshot(page, "activity-details-ru")
