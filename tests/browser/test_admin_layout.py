"""Admin pages at tablet size: table cells do not break words in the middle ("Paulauskien|ė" in
the branches' managers column at 820 px), and a message under one field of a grid form does not
lift that field above its neighbours ("Due until" stood above "Due from")."""
from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot, watch_csp
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

# Words of the cells of ``selector`` drawn on more than one line (a Range over a word broken in
# the middle has client rectangles on two lines).
BROKEN_WORDS_JS = """
(selector) => {
  const broken = [];
  document.querySelectorAll(selector).forEach((cell) => {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const re = /\\S+/g;
      let match;
      while ((match = re.exec(node.textContent))) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const tops = new Set(Array.from(range.getClientRects()).map((r) => Math.round(r.top)));
        if (tops.size > 1) broken.push(match[0]);
      }
    }
  });
  return broken;
}
"""


def sign_in_admin(browser, page, live_server, make_user):
    admin = make_user("admin", name="Ada Admin")
    context = browser.new_context(viewport=page.viewport_size, locale="en-GB")
    tab = watch_csp(context.new_page())
    tab.size_name = "landscape" if page.viewport_size["width"] > page.viewport_size["height"] else "portrait"
    tab.goto(f"{live_server}/login")
    tab.fill("input[name=email]", admin.email)
    tab.fill("input[name=password]", PASSWORD)
    tab.click("button[type=submit].primary")
    tab.wait_for_selector("h1")
    return context, tab


def test_branch_and_manager_names_are_not_broken_mid_word(page, browser, live_server, make_user, make_location):
    for n, (surname, region) in enumerate([("Paulauskienė", "Kaunas"), ("Kazlauskienė", "Kaunas"),
                                           ("Vasiliauskaitė", "Klaipėda"), ("Jankauskienė", "Latgale")]):
        code = f"KNS-{n:02d}"
        make_location(code, f"Volta Akropolis Herkaus Manto gatvė {n}", region=region, city=f"{region} rajonas",
                      address="Brīvības iela 40", format="mall")
        make_user("manager", name=f"Gintarė {surname}", locations=[code])
    context, admin = sign_in_admin(browser, page, live_server, make_user)
    admin.goto(f"{live_server}/admin/locations")
    admin.click("form.languages button[value=lv]")
    admin.wait_for_selector("html[lang=lv]")
    assert admin.evaluate(BROKEN_WORDS_JS, ".admin-list td") == []
    assert admin.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(admin, "admin-locations-lv")
    context.close()


def test_a_message_under_one_field_keeps_the_fields_beside_it_in_line(page, browser, live_server, make_user,
                                                                       make_location, checklists):
    make_location("VLN-01")
    make_user("auditor", name="Ona Auditorė")
    context, admin = sign_in_admin(browser, page, live_server, make_user)
    admin.goto(f"{live_server}/assignments")
    dates = admin.locator("form.grid-form input[type=date]")
    dates.nth(0).fill("2027-01-20")
    dates.nth(1).fill("2027-01-10")
    admin.click("form.grid-form button.primary")
    admin.wait_for_selector("form.grid-form .error")
    dates = admin.locator("form.grid-form input[type=date]")
    first, second = dates.nth(0).bounding_box(), dates.nth(1).bounding_box()
    if second["x"] > first["x"]:  # side by side (both tablet sizes have two columns)
        assert abs(first["y"] - second["y"]) < 1, (first, second)
    assert dates.nth(1).input_value() == "2027-01-10"  # what was typed stays
    screenshot(admin, "assignments-date-error")
    context.close()


# Where the schedule form's fields start and how much room each select has for its longest
# option (the option's text measured in the select's font on a canvas, the select's arrow and
# padding taken off its width).
SCHEDULE_FIELDS_JS = """
() => {
  const form = document.querySelector('form.schedule-form');
  const labelTop = (name) => {
    const control = form.querySelector(`[name=one-${name}]`);
    const field = control.closest('.field-with-filter') || control.closest('.field');
    const title = field.querySelector('.filter-title') || field.querySelector('span');
    const box = title.getBoundingClientRect();
    return {name, top: box.top, left: box.left};
  };
  const canvas = document.createElement('canvas').getContext('2d');
  const room = (name) => {
    const select = form.querySelector(`select[name=one-${name}]`);
    const style = getComputedStyle(select);
    canvas.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    const widest = Math.max(...Array.from(select.options).map((o) => canvas.measureText(o.text).width));
    const usable = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - 20;
    return {widest, usable};
  };
  return {labels: ['location', 'checklist', 'auditor'].map(labelTop), location: room('location')};
}
"""


def test_the_schedule_form_s_labels_line_up_and_the_branch_list_shows_whole_names(
        page, browser, live_server, make_user, make_location, checklists):
    """At 1024 px in Latvian "Kontrolsaraksts" sat lower than "Filiāle" and "Auditors" beside it,
    and the branch list cut "KLP-01 · Volta Akropolis Klaipėd…"."""
    for n, name in enumerate(["Volta Akropolis Klaipėda", "Volta Daugavpils Cietokšņa iela", "Volta BIG Klaipėda"]):
        make_location(f"KLP-{n:02d}", name, region="Klaipėda")
    make_user("auditor", name="Gintarė Vasiliauskaitė-Jankauskienė")
    context, admin = sign_in_admin(browser, page, live_server, make_user)
    admin.goto(f"{live_server}/assignments")
    admin.click("form.languages button[value=lv]")
    admin.wait_for_selector("html[lang=lv]")
    shown = admin.evaluate(SCHEDULE_FIELDS_JS)
    side_by_side = [(one, other) for one, other in zip(shown["labels"], shown["labels"][1:])
                    if other["left"] > one["left"]]
    assert side_by_side, shown  # at both sizes at least two of the three share a row
    for one, other in side_by_side:
        assert abs(one["top"] - other["top"]) < 1, (one, other)
    assert shown["location"]["usable"] >= shown["location"]["widest"], shown
    assert admin.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(admin, "assignments-schedule-form-lv")
    context.close()
