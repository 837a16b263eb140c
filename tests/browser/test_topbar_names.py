"""The top bar with a signed-in user's long name, on a tablet both ways round and in every
language: at 820 px the name was cut ("Simona Stankevičie…") and the role hidden. The name and
role are read whole; the language buttons and Sign out keep a finger's size, none of them
overlaps another, nothing sticks out of the bar."""
from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot
from tests.browser.test_first_screens import sign_in

pytestmark = pytest.mark.browser

BAR_JS = """
() => {
  const bar = document.querySelector('header.topbar').getBoundingClientRect();
  const parts = [...document.querySelectorAll('.topbar a.brand, .topbar button.lang, .topbar a.who, #logout-form button')];
  const boxes = parts.map(el => ({text: el.innerText.trim(), box: el.getBoundingClientRect()}));
  const problems = [];
  for (const {text, box} of boxes) {
    if (box.left < bar.left - 0.5 || box.right > bar.right + 0.5 || box.top < bar.top - 0.5 || box.bottom > bar.bottom + 0.5)
      problems.push(`${text} sticks out of the bar`);
    if (box.height < 44 || (box.width < 44)) problems.push(`${text} is ${Math.round(box.width)}x${Math.round(box.height)}`);
  }
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const a = boxes[i].box, b = boxes[j].box;
    if (a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5)
      problems.push(`${boxes[i].text} overlaps ${boxes[j].text}`);
  }
  const cut = el => el.scrollWidth > el.clientWidth + 0.5 || getComputedStyle(el).display === 'none';
  const who = document.querySelector('.topbar a.who');
  for (const el of [who, ...who.querySelectorAll('.name, .role')]) if (cut(el)) problems.push(`"${el.textContent}" is cut or hidden`);
  // Sign out stays on the row of the language buttons; the bar is two rows at most.
  const out = document.querySelector('#logout-form button').getBoundingClientRect();
  const lang = document.querySelector('.topbar button.lang').getBoundingClientRect();
  if (Math.abs(out.top - lang.top) > 1) problems.push('Sign out is not on the row of the language buttons');
  if (bar.height > 2 * 44 + 30) problems.push(`the bar is ${Math.round(bar.height)} px tall`);
  if (document.documentElement.scrollWidth > document.documentElement.clientWidth) problems.push('the page is wider than the screen');
  return problems;
}
"""


@pytest.mark.parametrize("lang", ["en", "ru", "lt", "lv"])
def test_a_long_name_and_its_role_are_read_whole_in_the_top_bar(page, lang, live_server, make_user, make_location):
    make_location("VLN-01")
    user = make_user("manager", name="Simona Stankevičienė", locations=["VLN-01"])
    sign_in(page, live_server, user.email)
    page.wait_for_selector(".topbar a.who")  # signed in before a language is chosen
    with page.expect_navigation():
        page.click(f"button.lang[value={lang}]")
    page.wait_for_selector(f"html[lang={lang}]")
    who = page.locator(".topbar a.who")
    assert who.locator(".name").inner_text() == "Simona Stankevičienė"
    assert who.locator(".role").is_visible()
    assert page.evaluate(BAR_JS) == []
    screenshot(page, f"topbar-long-name-{lang}")


@pytest.mark.parametrize("lang", ["ru", "lt"])
def test_a_name_too_long_for_the_bar_keeps_the_first_name_and_the_role(page, lang, live_server, make_user, make_location):
    make_location("VLN-01")
    user = make_user("manager", name="Aleksandra Konstantinovna Preobrazhenskaya-Rimskaya-Korsakova",
                     locations=["VLN-01"])
    sign_in(page, live_server, user.email)
    page.wait_for_selector(".topbar a.who")  # signed in before a language is chosen
    with page.expect_navigation():
        page.click(f"button.lang[value={lang}]")
    page.wait_for_selector(f"html[lang={lang}]")
    problems = [p for p in page.evaluate(BAR_JS) if "is cut" not in p or "Aleksandra" not in p]
    assert problems == []
    name = page.locator(".topbar a.who .name")
    shown = name.evaluate("el => el.clientWidth")
    first = name.evaluate("""el => { const r = document.createRange(); r.setStart(el.firstChild, 0);
                                     r.setEnd(el.firstChild, 'Aleksandra'.length); return r.getBoundingClientRect().width; }""")
    assert shown >= first, "the first name is cut"
    assert page.locator(".topbar a.who .role").is_visible()
    screenshot(page, f"topbar-very-long-name-{lang}")
