"""The location page /office/locations/<code>: the location report as HTML, the same figures
as the PDF, reachable from the home pages, and hidden from who may not see the branch."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo
from html import unescape

import pytest
from babel.dates import format_date
from babel.numbers import format_decimal
from sqlalchemy import select

from audit.extensions import db
from audit.models import Location, Visit
from audit.services.chain_stats import StatsFilter, chain_statistics
from audit.times import local_today
from tests.conftest import login
from tests.pdf.helpers import build_demo, pdf_text, squash


def en(value: float) -> str:
    return format_decimal(value, "0.0", locale="en_GB")


def text_of(html: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}"[^>]*>(.*?)</', html, re.S)
    assert match, element_id
    return unescape(match.group(1)).strip()


def section(html: str, element_id: str) -> str:
    start = html.index(f'id="{element_id}"')
    return html[start:html.index("</section>", start)]


@pytest.fixture
def scene(app, runner, checklists, make_user):
    end = local_today() - timedelta(days=3)
    build_demo(runner, locations=10, months=4, end=end)
    since = end - timedelta(days=91)
    repeats = chain_statistics(StatsFilter("store-visit", since, end))["repeat_failures"]
    assert repeats
    code = repeats[0]["location"]
    other = db.session.scalar(select(Location.code).where(Location.code != code).order_by(Location.code))
    users = {
        "admin": make_user("admin", email="admin@example.com"),
        "reviewer": make_user("reviewer", email="reviewer@example.com"),
        "manager": make_user("manager", email="manager@example.com", locations=[code]),
        "other_manager": make_user("manager", email="other@example.com", locations=[other]),
        "auditor": make_user("auditor", email="auditor@example.com"),
    }
    return {"code": code, "other": other, "since": since, "until": end, "users": users}


def signed_in(app, email: str):
    client = app.test_client()
    login(client, email)
    return client


def page_url(scene, code=None, **args) -> str:
    query = "&".join(f"{k}={v}" for k, v in {"since": scene["since"], "until": scene["until"], **args}.items())
    return f"/office/locations/{code or scene['code']}?{query}"


def test_page_and_pdf_show_the_figures_of_the_chain_statistics(app, scene):
    own = chain_statistics(StatsFilter("store-visit", scene["since"], scene["until"], location_code=scene["code"]))
    mean = own["locations"][0]["mean"]
    client = signed_in(app, "manager@example.com")
    html = client.get(page_url(scene)).get_data(as_text=True)
    assert text_of(html, "location-mean") == en(mean)

    pdf_href = unescape(re.search(r'id="location-pdf"\s+href="([^"]+)"', html).group(1))
    assert f"since={scene['since']}" in pdf_href and f"until={scene['until']}" in pdf_href
    response = client.get(pdf_href)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    body = pdf_text(response.data)
    pdf_mean = re.search(r"mean score\s*([0-9]+\.[0-9])", body, re.I).group(1)
    assert pdf_mean == text_of(html, "location-mean") == en(mean)

    repeat = unescape(section(html, "repeat-failures"))
    texts = {i["id"]: i["text"] for i in own["items"]}
    assert own["repeat_failures"]
    for r in own["repeat_failures"]:
        assert texts[r["item"]] in repeat and f'data-item="{r["item"]}"' in repeat
        assert squash(texts[r["item"]]) in body

    visit_ids = db.session.scalars(
        select(Visit.id).join(Location).where(Location.code == scene["code"], Visit.status == "approved")
    ).all()
    linked = {int(v) for v in re.findall(r'href="/visits/(\d+)[?"]', section(html, "visits"))}
    assert len(linked) == own["visits"] and linked <= set(visit_ids)


@pytest.mark.parametrize("who, status", [
    ("admin", 200), ("reviewer", 200), ("manager", 200), ("other_manager", 404), ("auditor", 404),
])
def test_who_may_see_the_page(app, scene, who, status):
    client = signed_in(app, scene["users"][who].email)
    response = client.get(page_url(scene))
    assert response.status_code == status
    pdf = client.get(f"/locations/{scene['code']}/report.pdf?since={scene['since']}&until={scene['until']}")
    assert pdf.status_code == status
    if status == 404:
        location = db.session.scalar(select(Location).where(Location.code == scene["code"]))
        assert location.name not in response.get_data(as_text=True)


def test_unknown_location_and_anonymous_visitors(app, scene):
    assert signed_in(app, "admin@example.com").get("/office/locations/NOPE-9").status_code == 404
    anonymous = app.test_client().get(page_url(scene))
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


def test_period_filters(app, scene):
    client = signed_in(app, "admin@example.com")
    html = client.get(page_url(scene, since="2026-13-01")).get_data(as_text=True)
    assert "is not a date" in unescape(html)
    html = client.get(page_url(scene, since=scene["until"], until=scene["since"])).get_data(as_text=True)
    assert "The period ends before it starts" in html
    after_today = client.get(page_url(scene, since="2030-01-01", until=""))  # until: today, before the start
    assert after_today.status_code == 200  # was "Not found"
    assert "The period ends before it starts; the default period is shown." in after_today.get_data(as_text=True)
    default = client.get(f"/office/locations/{scene['code']}").get_data(as_text=True)
    vilnius_today = datetime.now(ZoneInfo("Europe/Vilnius")).date()  # not the server's date: 2 h apart at night
    assert f'name="until" value="{vilnius_today.isoformat()}"' in default
    narrow = client.get(page_url(scene, since=scene["until"] - timedelta(days=6))).get_data(as_text=True)
    assert len(re.findall(r'href="/visits/\d+[?"]', section(narrow, "visits"))) <= \
        len(re.findall(r'href="/visits/\d+[?"]', section(client.get(page_url(scene)).get_data(as_text=True), "visits")))
    assert client.get(page_url(scene, checklist="nope")).status_code == 404
    future = scene["until"] + timedelta(days=4)  # after the demo's last visit: nobody had one then
    empty = client.get(page_url(scene, since=future, until=future + timedelta(days=10))).get_data(as_text=True)
    assert "no branch had approved visits with this checklist: choose a longer period." in text_of(empty, "period-branches")
    assert "only 0 branches" not in empty
    phone = client.get(page_url(scene, checklist="phone-enquiry"))
    assert phone.status_code == 200 and 'value="phone-enquiry" selected' in phone.get_data(as_text=True)


def test_home_pages_and_the_visit_page_lead_to_the_reports(app, scene):
    manager = signed_in(app, "manager@example.com")
    home = manager.get("/").get_data(as_text=True)
    assert f'href="/office/locations/{scene["code"]}"' in home
    assert f'href="/office/locations/{scene["other"]}"' not in home
    admin_home = signed_in(app, "admin@example.com").get("/").get_data(as_text=True)
    assert f'href="/office/locations/{scene["other"]}"' in admin_home

    visit_id = db.session.scalar(
        select(Visit.id).join(Location).where(Location.code == scene["code"], Visit.status == "approved"))
    visit_page = manager.get(f"/visits/{visit_id}").get_data(as_text=True)
    assert f'href="/visits/{visit_id}/report.pdf"' in visit_page
    assert manager.get(f"/visits/{visit_id}/report.pdf").mimetype == "application/pdf"


def test_the_visit_and_location_pages_lead_back_up(app, scene):
    visit_id = db.session.scalar(
        select(Visit.id).join(Location).where(Location.code == scene["code"], Visit.status == "approved"))
    manager = signed_in(app, "manager@example.com")
    crumbs = section_of(manager.get(f"/visits/{visit_id}").get_data(as_text=True), "crumbs")
    assert 'href="/"' in crumbs and f'href="/office/locations/{scene["code"]}"' in crumbs
    assert 'href="/office"' not in crumbs  # the dashboard is head office's
    admin = signed_in(app, "admin@example.com")
    crumbs = section_of(admin.get(f"/office/locations/{scene['code']}").get_data(as_text=True), "crumbs")
    assert 'href="/"' in crumbs and 'href="/office"' in crumbs


def section_of(html: str, css_class: str) -> str:
    start = html.index(f'<nav class="{css_class}"')
    return html[start:html.index("</nav>", start)]


def test_the_page_says_what_differs_from_the_dashboard_row_that_led_here(app, scene):
    """A dashboard row filtered by region, format or scenario, or counting every visit, links
    to a page that compares the branch's visits of a period with the whole chain: said on the page."""
    admin = signed_in(app, "admin@example.com")
    html = unescape(admin.get(f"/office/locations/{scene['code']}?checklist=store-visit&region=North"
                              "&format=mall&scenario=Buying a kettle").get_data(as_text=True))
    assert ("The dashboard’s filters (region: North; format: Shopping centre; scenario: Buying a kettle) do not "
            "apply here") in html.replace("'", "’")
    assert "No period was chosen, so the last 3 months are shown" in html
    with_period = unescape(admin.get(page_url(scene)).get_data(as_text=True))
    assert "No period was chosen" not in with_period and "do not apply here" not in with_period
    # The branch manager has no dashboard: no talk of it.
    manager = unescape(signed_in(app, "manager@example.com").get(
        f"/office/locations/{scene['code']}?region=North").get_data(as_text=True))
    assert "dashboard" not in manager.lower() and "No period was chosen" not in manager


def test_the_visit_report_and_the_location_report_mean_the_same_three_months(app, scene):
    from audit.reports.location_report import default_period
    from audit.reports.periods import months_up_to

    assert months_up_to(date(2026, 11, 30), 3) == date(2026, 8, 31) == default_period(None, date(2026, 11, 30))[0]
    assert months_up_to(date(2026, 5, 31), 3) == date(2026, 3, 1)  # 28 Feb + 1 day
    visit = db.session.scalar(select(Visit).where(Visit.status == "approved").order_by(Visit.visited_at.desc()))
    text = squash(pdf_text(signed_in(app, "admin@example.com").get(f"/visits/{visit.id}/report.pdf").data))
    until = visit.visited_at.replace(tzinfo=ZoneInfo("UTC")).astimezone(ZoneInfo("Europe/Vilnius")).date()
    since = months_up_to(until, 3)
    assert f"from {format_date(since, 'medium', locale='en_GB')} to" in text
