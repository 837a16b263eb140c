"""The location page in real chromium at tablet sizes: charts and tables fit, every control is
big enough to tap, and a screenshot goes to tests/artifacts/."""
from __future__ import annotations

from datetime import timedelta

import pytest

from audit.services.chain_stats import StatsFilter, chain_statistics
from audit.times import local_today
from tests.browser.conftest import screenshot, small_targets
from tests.browser.test_first_screens import sign_in
from tests.pdf.helpers import build_demo

pytestmark = pytest.mark.browser


@pytest.fixture
def manager(runner, checklists, make_user):
    end = local_today() - timedelta(days=3)
    build_demo(runner, locations=8, months=4, end=end)
    repeats = chain_statistics(StatsFilter("store-visit", end - timedelta(days=91), end))["repeat_failures"]
    code = repeats[0]["location"] if repeats else "VLN-01"
    return make_user("manager", name="Rasa Jankauskienė", email="rasa@volta-retail.example", locations=[code]), code


def test_manager_opens_the_location_page_from_home(page, live_server, manager):
    user, code = manager
    sign_in(page, live_server, user.email)
    with page.expect_navigation(wait_until="load"):
        page.click(f"table.data a:text-is('{code}')")
    assert page.url.split("?")[0].endswith(f"/office/locations/{code}")
    assert page.locator("#location-mean").inner_text() not in ("", "–")
    assert page.locator("#repeat-failures tbody tr").count() >= 1
    assert page.locator("#location-pdf").is_visible()
    # Nothing sticks out sideways on a tablet: the page is no wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    assert small_targets(page) == []
    screenshot(page, "location-page")

    with page.expect_navigation(wait_until="load"):
        page.locator("#visits tbody a").first.click()
    assert "/visits/" in page.url
    assert page.locator("#visit-pdf").is_visible()
    assert small_targets(page) == []


@pytest.mark.parametrize("lang", ["ru", "lt"])
def test_a_long_answer_wraps_instead_of_pushing_the_visit_page_sideways(page, live_server, manager, lang, make_user):
    """The complaint solution's options are a whole sentence; in Russian and Lithuanian the
    answer column used to stay on one line and push the score column off the card."""
    from sqlalchemy import select

    from audit.extensions import db
    from audit.models import Answer, Location, Visit

    # Any branch's complaint visit with the full solution, seen by that branch's manager (which
    # branch has one depends on the demo's draws).
    found = db.session.execute(
        select(Visit.id, Location.code).join(Answer).join(Location)
        .where(Visit.status == "approved", Answer.item_id == "complaint_solution", Answer.value == "full")
        .order_by(Visit.id)).first()
    if found is None:
        pytest.fail("the demo chain has no complaint visit with the full solution")
    visit_id, code = found
    user = make_user("manager", name="Oksana Petrova", email="oksana@volta-retail.example", locations=[code])
    sign_in(page, live_server, user.email)
    page.goto(f"{live_server}/visits/{visit_id}")
    with page.expect_navigation(wait_until="load"):
        page.click(f"button.lang[value={lang}]")
    assert page.get_attribute("html", "lang") == lang
    answer = page.locator("td.answer", has_text="(").first  # "… (возврат денег, обмен или ремонт)"
    assert answer.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    # every score cell lies inside its card
    outside = page.evaluate("""() => [...document.querySelectorAll('table.answers td.num')].filter(td => {
        const card = td.closest('.card, section').getBoundingClientRect(), box = td.getBoundingClientRect();
        return box.right > card.right + 1; }).length""")
    assert outside == 0
    screenshot(page, f"visit-page-long-answer-{lang}")


def test_long_corrective_actions_wrap_instead_of_pushing_pages_sideways(page, live_server, manager):
    """A 200-character name without a space in "who" made the visit page 2189 px wide, and a long
    task with a long name pushed the home page's Visit link off a portrait tablet."""
    from sqlalchemy import select

    from audit.extensions import db
    from audit.models import CorrectiveAction, Location, Visit
    from audit.services.actions import failed_items

    user, code = manager
    visits = db.session.scalars(select(Visit).join(Location).where(Location.code == code, Visit.status == "approved")
                                .order_by(Visit.visited_at.desc())).all()
    visit = next(v for v in visits if failed_items(v))
    task = "Провести повторное обучение всех сотрудников отдела по стандартам ответа на письма клиентов. " * 4
    for responsible in ("Заместитель управляющего филиалом Анна-Мария Константинопольская", "Ж" * 200):
        db.session.add(CorrectiveAction(visit_id=visit.id, location_id=visit.location_id,
                                        item_id=sorted(failed_items(visit))[0], text=task, responsible=responsible,
                                        due_on=local_today() + timedelta(days=10), created_by_id=user.id))
    db.session.commit()
    sign_in(page, live_server, user.email)
    for url in ("/", f"/visits/{visit.id}", f"/office/locations/{code}"):
        page.goto(live_server + url)
        assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"], url
    page.goto(live_server + "/")
    visit_link = page.locator(f"#open-actions a[href*='/visits/{visit.id}']").first
    box = visit_link.bounding_box()
    assert box and box["x"] + box["width"] <= page.viewport_size["width"]


#: Width a select's option text has: the select's inner width less its padding and the arrow.
OPTION_ROOM_JS = """select => {
  const style = getComputedStyle(select);
  const context = document.createElement('canvas').getContext('2d');
  context.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
  const room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - 20;
  return [...select.options].filter(o => context.measureText(o.text).width > room)
    .map(o => `${o.text}: ${Math.round(context.measureText(o.text).width)} px in ${Math.round(room)}`);
}"""


@pytest.mark.parametrize("lang", ["ru", "lt"])
def test_the_checklist_filter_shows_each_checklist_name_whole(page, live_server, manager, lang):
    """"Apsilankymas parduotuvėje" was cut to "Apsilankymas pard…" in the period filter's
    select at 820 px (and short by a few letters at 1024 px): the row now wraps instead."""
    user, code = manager
    sign_in(page, live_server, user.email)
    with page.expect_navigation(wait_until="load"):
        page.click(f"button.lang[value={lang}]")
    page.goto(f"{live_server}/office/locations/{code}")
    select = page.locator("form.period-filters select[name=checklist]")
    assert select.locator("option").count() >= 2
    assert select.evaluate(OPTION_ROOM_JS) == []
    # the row still fits the card, every control in it big enough to tap
    form = page.locator("form.period-filters")
    assert form.evaluate("f => f.scrollWidth <= f.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    assert small_targets(page) == []
    screenshot(page, f"location-filters-{lang}")
