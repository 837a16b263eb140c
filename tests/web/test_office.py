"""The head-office dashboard ``/office``: who sees it, what the filters do, and that its figures
are those of :func:`chain_statistics` – the same strings as in the chain PDF."""
from __future__ import annotations

import io
from decimal import ROUND_HALF_UP, localcontext
import re
from datetime import datetime
from html import unescape
from urllib.parse import quote

import pypdf
import pytest
from babel.numbers import format_decimal
from flask_babel import force_locale
from sqlalchemy import select

from audit.extensions import db
from audit.models import Region
from audit.reports.summary import executive_summary
from audit.services.chain_stats import StatsFilter, chain_statistics
from tests.conftest import login


def build_demo(runner, locations: int = 8, months: int = 2) -> None:
    result = runner.invoke(args=["demo", "--locations", str(locations), "--months", str(months),
                                 "--seed", "3", "--end", "2026-10-31"])
    assert result.exit_code == 0, result.output


@pytest.fixture
def demo(runner, checklists, make_user):
    build_demo(runner)
    return {role: make_user(role, locations=["VLN-01"] if role == "manager" else ())
            for role in ("admin", "reviewer", "auditor", "manager")}


def one_decimal(value: float) -> str:
    """One decimal rounded half up, as the app rounds (Babel's own half-even gave 31.2 for 31.25)."""
    with localcontext() as context:
        context.rounding = ROUND_HALF_UP
        return format_decimal(value, "0.0", locale="en_GB")


def text_of(html: str) -> str:
    """The text as read: tags out, white space single, invisible word joiners (kept out of PDF text) removed."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).replace("\u2060", "").split())


def ranking_rows(html: str) -> dict[str, str]:
    """``{code: row html}`` of the dashboard's ranking table."""
    return dict(re.findall(r'<tr data-code="([^"]+)">(.*?)</tr>', html, re.DOTALL))


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_head_office_sees_the_chain_with_the_figures_of_the_statistics(app, client, demo):
    login(client, demo["reviewer"].email)
    page = client.get("/office")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    stats = chain_statistics(StatsFilter("store-visit"), "en")
    rows = ranking_rows(html)
    assert list(rows) == [r["code"] for r in stats["locations"]]  # best first, as ranked
    for record in stats["locations"]:
        row = text_of(rows[record["code"]])
        assert one_decimal(record["mean"]) in row and record["name"] in row
        assert one_decimal(record["shrunk"]) in row
        assert f"{one_decimal(max(record['ci_low'], 0))}–{one_decimal(min(record['ci_high'], 100))}" in row
        # Drill-down: every branch links to its location page.
        assert f'href="/office/locations/{record["code"]}?checklist=store-visit"' in rows[record["code"]]
    page_text = text_of(html)
    assert f"{stats['visits']} approved visits" in page_text
    with app.test_request_context(), force_locale("en_GB"):
        sentences = executive_summary(stats)
    assert len(sentences) >= 4
    for sentence in sentences:
        assert text_of(sentence) in page_text
    for section in ("ranking", "heat-map", "funnel", "items", "auditors", "trend", "regions"):
        assert f'id="{section}"' in html
    assert html.count("<svg") >= 5
    auditors = stats["consistency"]["auditors"]
    assert auditors[0]["name"] in page_text and f"+{one_decimal(auditors[0]['offset'])}" in page_text
    assert 'href="/office/report.pdf?checklist=store-visit"' in html


@pytest.mark.parametrize("role", ["auditor", "manager"])
def test_the_dashboard_does_not_exist_for_auditors_and_managers(client, demo, role):
    login(client, demo[role].email)
    assert client.get("/office").status_code == 404
    assert client.get("/office/report.pdf").status_code == 404


def test_filters_narrow_the_data_and_follow_into_the_pdf_link(client, demo):
    region = chain_statistics(StatsFilter("store-visit"))["locations"][0]["region"]
    login(client, demo["admin"].email)
    html = client.get("/office", query_string={"region": region, "since": "2026-10-01",
                                               "until": "2026-10-31"}).get_data(as_text=True)
    stats = chain_statistics(StatsFilter("store-visit", region=region, since=_d("2026-10-01"),
                                         until=_d("2026-10-31")))
    assert 0 < stats["visits"] < chain_statistics(StatsFilter("store-visit"))["visits"]
    assert set(ranking_rows(html)) == {r["code"] for r in stats["locations"]}
    assert f"{stats['visits']} approved visits" in text_of(html)
    assert (f'href="/office/report.pdf?checklist=store-visit&amp;since=2026-10-01&amp;until=2026-10-31'
            f'&amp;region={quote(region)}"') in html
    assert f'<option selected value="{region}">' in html


def test_bad_filters_are_named_and_left_out(client, demo):
    login(client, demo["admin"].email)
    page = client.get("/office", query_string={"since": "31.10.2026", "until": "2026-12-31",
                                               "region": "Atlantis", "checklist": "nope"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.count('class="error"') == 3  # the date, the region, the checklist
    assert f"{chain_statistics(StatsFilter('store-visit'))['visits']} approved visits" in text_of(html)
    empty = client.get("/office", query_string={"since": "2030-01-01"}).get_data(as_text=True)
    assert 'id="no-visits"' in empty and "Download PDF" not in empty


def test_the_pdf_prints_the_same_numbers_as_the_dashboard(client, demo):
    login(client, demo["admin"].email)
    html = client.get("/office").get_data(as_text=True)
    response = client.get("/office/report.pdf?checklist=store-visit")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    stats = chain_statistics(StatsFilter("store-visit"), "en")
    rows = ranking_rows(html)
    for record in stats["locations"]:
        mean = one_decimal(record["mean"])
        assert mean in text_of(rows[record["code"]])
        assert re.search(rf"{re.escape(record['code'])} {re.escape(record['name'])} .*?{re.escape(mean)}", text)
    summary = re.search(r'<section class="card" id="summary">(.*?)</section>', html, re.DOTALL).group(1)
    for sentence in re.findall(r"<li>(.*?)</li>", summary, re.DOTALL):
        assert text_of(sentence) in text


def test_home_pages_of_head_office_link_to_the_dashboard(app, demo):
    for role in ("admin", "reviewer"):
        client = app.test_client()
        assert 'href="/office"' in login(client, demo[role].email).get_data(as_text=True)


def _d(text):
    from datetime import date

    return date.fromisoformat(text)


@pytest.mark.parametrize("query", [{"until": "9999-12-31"}, {"since": "0001-01-01"}])
def test_a_day_out_of_any_sensible_range_is_named_not_a_server_error(client, demo, query):
    """9999-12-31 is one keystroke in a date picker; it used to overflow into a 500 page."""
    login(client, demo["admin"].email)
    page = client.get("/office", query_string=query)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    day = next(iter(query.values()))
    assert f"“{day}” is not between 1970 and 2199; this filter is left out." in html
    assert f"{chain_statistics(StatsFilter('store-visit'))['visits']} approved visits" in text_of(html)
    # The downloads and the location page refuse or ignore such a day instead of failing.
    for url in ("/office/report.pdf", "/office/statistics.xlsx", "/office/visits.csv", "/locations/VLN-01/report.pdf"):
        assert client.get(url, query_string=query).status_code == 400, url
    location = client.get("/office/locations/VLN-01", query_string=query)
    assert location.status_code == 200
    assert "is not between 1970 and 2199; the default period is shown." in location.get_data(as_text=True)


def test_the_way_back_up_returns_to_the_same_filtered_dashboard(client, demo):
    login(client, demo["admin"].email)
    region = chain_statistics(StatsFilter("store-visit"))["locations"][0]["region"]
    query = {"checklist": "store-visit", "since": "2026-09-01", "until": "2026-10-31", "region": region}
    html = client.get("/office", query_string=query).get_data(as_text=True)
    link = re.search(r'href="(/office/locations/[^"]+)" class="branch-link"', html).group(1).replace("&amp;", "&")
    assert f"region={quote(region)}" in link and "since=2026-09-01" in link
    location = client.get(link).get_data(as_text=True)
    crumbs = location.split('class="crumbs"')[1].split("</nav>")[0].replace("&amp;", "&")
    assert "/office?checklist=store-visit&since=2026-09-01&until=2026-10-31&region=" in crumbs
    visit_link = re.search(r'href="(/visits/\d+\?[^"]+)"', location).group(1).replace("&amp;", "&")
    visit = client.get(visit_link).get_data(as_text=True)
    crumbs = visit.split('class="crumbs"')[1].split("</nav>")[0].replace("&amp;", "&")
    assert "/office?checklist=store-visit&since=2026-09-01&until=2026-10-31&region=" in crumbs
    assert "/office/locations/" in crumbs and "since=2026-09-01" in crumbs


def test_pages_open_on_the_checklist_the_chain_uses_not_the_shipped_store_one(app, make_location, make_user, make_visit):
    """A chain whose visits are all phone calls opened on an empty "In-store visit" dashboard,
    branch page and branch PDF ("No approved visits match these filters")."""
    location = make_location("VLN-01")
    auditor = make_user("auditor")
    for day in (1, 2, 3):
        make_visit(location, auditor, {"max_one_transfer": "yes", "company_and_name": "no" if day == 2 else "yes"},
                   checklist="phone-enquiry", visited_at=datetime(2026, 10, day, 12))
    client = app.test_client()
    login(client, make_user("admin").email)
    dashboard = client.get("/office").get_data(as_text=True)
    assert '<option selected value="phone-enquiry">' in dashboard and 'id="no-visits"' not in dashboard
    branch = client.get("/office/locations/VLN-01").get_data(as_text=True)
    assert 'value="phone-enquiry" selected' in branch
    pdf = client.get("/locations/VLN-01/report.pdf")
    assert pdf.status_code == 200 and "Phone enquiry" in pdf_text(pdf.data)


def test_a_chain_with_a_handful_of_visits_gets_no_auditor_offsets_or_advice(app, make_location, make_user, make_visit):
    """Four visits gave every auditor an offset of 0.0 and, at nine, the advice to compare the
    auditors' scoring: noise read as findings."""
    auditors = [make_user("auditor"), make_user("auditor")]
    for n, code in enumerate(("VLN-01", "VLN-02", "RIX-01", "RIX-02")):
        location = make_location(code)
        make_visit(location, auditors[n % 2], {"greeted_promptly": "yes" if n % 3 else "no", "staff_respectful": "yes"},
                   visited_at=datetime(2026, 10, n + 1, 12))
    client = app.test_client()
    login(client, make_user("admin").email)
    html = text_of(client.get("/office?checklist=store-visit").get_data(as_text=True))
    assert "With fewer than 20 approved visits auditor leniency cannot be estimated yet." in html
    assert "Offset (points)" not in html and "compare the auditors" not in html
    assert "never overlap" not in html  # each auditor saw other branches: no split to make with four visits


BAD_FILTERS = {
    "region=vilnius": "Region: There is no region “vilnius”",  # case-sensitive, as on the dashboard
    "region=Nowhere": "Region: There is no region “Nowhere”",
    "format=shop": "Format: There is no branch format “shop”",
    "since=2026-10-01&until=2026-09-01": "Until: The end date is before the start date",
    "checklist=nope": "Checklist: There is no checklist “nope”",
}


def test_a_download_with_a_filter_the_dashboard_would_ignore_is_refused_by_name(client, demo):
    """The dashboard shows such a filter as wrong and leaves it out; the CSV answered 200 with
    only its header and the workbook 404 – a nightly job took the empty file for the answer."""
    login(client, demo["reviewer"].email)
    for download in ("/office/visits.csv", "/office/statistics.xlsx", "/office/report.pdf"):
        for query, named in BAD_FILTERS.items():
            response = client.get(f"{download}?{query}")
            assert response.status_code == 400, (download, query)
            text = response.get_data(as_text=True)
            assert "These filters cannot be used" in text and named in text, (download, query)
    region = db.session.scalars(select(Region.name).order_by(Region.name)).first()
    assert client.get(f"/office/visits.csv?region={region}").status_code == 200


def test_the_heat_map_s_numbers_are_also_a_table_of_every_branch(client, demo):
    """The heat map is a picture: a screen reader heard its name only, and in a large chain the
    branches beyond the lowest twenty were only in a picture too wide to scan."""
    login(client, demo["reviewer"].email)
    html = client.get("/office").get_data(as_text=True)
    stats = chain_statistics(StatsFilter("store-visit"), "en")
    table = re.search(r'<details id="heat-table">(.*?)</details>', html, re.DOTALL).group(1)
    matrix = stats["section_matrix"]
    heads = [text_of(h) for h in re.findall(r"<th[^>]*>(.*?)</th>", table.split("<tbody>")[0], re.DOTALL)]
    assert heads == ["Branch", "Region", *matrix["section_titles"]]
    rows = re.findall(r"<tr><th scope=\"row\"[^>]*>(.*?)</th>(.*?)</tr>", table.split("<tbody>")[1], re.DOTALL)
    assert [re.search(r">([^<·]+) ·", branch).group(1) for branch, _ in rows] == [r["code"] for r in stats["locations"]]
    for (branch, cells), code in zip(rows, matrix["locations"] and [r["code"] for r in stats["locations"]]):
        values = dict(zip(matrix["locations"], matrix["values"]))[code]
        shown = [text_of(c) for c in re.findall(r'<td class="num"[^>]*>(.*?)</td>', cells)]
        assert shown == ["–" if v is None else one_decimal(v) for v in values], code


def _lithuanian_form(n: int, one: str, few: str, many: str) -> str:
    """Lithuanian's three plural forms, written out here rather than read from the catalogue."""
    if n % 10 == 1 and n % 100 != 11:
        return one
    return few if n % 10 >= 2 and not 10 <= n % 100 < 20 else many


def test_counts_of_visits_and_branches_agree_with_their_number_in_lithuanian_and_russian(client, demo):
    """"198 patvirtintų apsilankymų" (a fixed genitive after any number) is wrong Lithuanian: 198
    takes "patvirtinti apsilankymai". Home pages gave "42 Patvirtintas": the status now comes first."""
    login(client, demo["reviewer"].email)
    page = client.get("/office").get_data(as_text=True)
    visits = chain_statistics(StatsFilter("store-visit"))["visits"]
    client.post("/language", data={"lang": "lt", "csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)})
    text = text_of(client.get("/office").get_data(as_text=True))
    form = _lithuanian_form(visits, "patvirtintas apsilankymas", "patvirtinti apsilankymai", "patvirtintų apsilankymų")
    assert f"{visits} {form}" in text
    assert "8 padaliniai" in text  # eight branches: the "few" form
    home = text_of(client.get("/").get_data(as_text=True))
    assert re.search(r"Patvirtintas \d+", home)


def test_downloads_are_named_by_their_filters_and_branch_codes_work_in_any_case(client, demo):
    """Every chain PDF was chain-store-visit.pdf, so a region's report overwrote the chain's in
    Downloads; /office/locations/kns-224 was a 404."""
    login(client, demo["reviewer"].email)
    region = db.session.scalars(select(Region.name).order_by(Region.name)).first()
    pdf = client.get("/office/report.pdf", query_string={"checklist": "store-visit", "region": region,
                                                          "since": "2026-09-01", "until": "2026-10-31"})
    ascii_region = region.replace("ī", "i").replace("ē", "e").replace("ā", "a")
    assert pdf.headers["Content-Disposition"] == (
        f'attachment; filename="chain-store-visit-{ascii_region}-2026-09-01_2026-10-31.pdf"; '
        f"filename*=UTF-8''chain-store-visit-{quote(region)}-2026-09-01_2026-10-31.pdf")
    whole = client.get("/office/statistics.xlsx?checklist=store-visit")
    assert whole.headers["Content-Disposition"].startswith('attachment; filename="chain-store-visit.xlsx";')
    code = chain_statistics(StatsFilter("store-visit"))["locations"][0]["code"]
    lower = client.get(f"/office/locations/{code.lower()}?checklist=store-visit")
    assert lower.status_code == 302 and lower.headers["Location"] == f"/office/locations/{code}?checklist=store-visit"
    report = client.get(f"/locations/{code.lower()}/report.pdf?since=2026-10-01")
    assert report.status_code == 200
    assert report.headers["Content-Disposition"].startswith(f'attachment; filename="location-{code}-from-2026-10-01.pdf";')
    # Query values pass through the redirect as sent, whatever their names.
    odd = client.get(f"/office/locations/{code.lower()}?checklist=store-visit&code=x&_external=1")
    assert odd.status_code == 302 and odd.headers["Location"].endswith(f"/{code}?checklist=store-visit&code=x&_external=1")


def test_a_page_that_needs_signing_in_says_so_in_the_users_language(client, demo):
    page = client.get("/login").get_data(as_text=True)
    client.post("/language", data={"lang": "lt", "csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)})
    answer = client.get("/office", follow_redirects=True).get_data(as_text=True)
    assert "Please log in to access this page." not in answer and "Please sign in" not in answer
    assert 'class="flash info"' in answer


def test_shrunk_means_all_equal_to_the_chain_mean_are_explained(app, make_location, make_user, make_visit):
    """Branches no more different than chance: every shrunk mean is the chain mean, which read as
    a bug ("70.6 for all 16 branches"); the dashboard and the PDF now say why."""
    auditor = make_user("auditor")
    for n, code in enumerate(("VLN-01", "VLN-02", "RIX-01")):
        location = make_location(code)
        for day, greeted in ((1, "yes"), (2, "no"), (3, "yes"), (4, "no")):  # each branch: the same mix
            make_visit(location, auditor, {"greeted_promptly": greeted, "staff_respectful": "yes"},
                       visited_at=datetime(2026, 10, day + 4 * n, 12))
    client = app.test_client()
    login(client, make_user("admin").email)
    explained = "Every shrunk mean is the chain mean"
    html = text_of(client.get("/office?checklist=store-visit").get_data(as_text=True))
    assert explained in html
    pdf = client.get("/office/report.pdf?checklist=store-visit")
    assert pdf.status_code == 200 and explained in pdf_text(pdf.data).replace("\n", " ")


def test_shrunk_means_that_differ_need_no_explanation(client, demo):
    html = text_of(client.get("/office").get_data(as_text=True))
    assert "Every shrunk mean is the chain mean" not in html


def test_period_presets_set_the_period_and_keep_the_other_filters(client, demo):
    from audit.reports.periods import preset_periods
    from audit.times import local_today

    login(client, demo["reviewer"].email)
    region = db.session.scalars(select(Region)).first().name
    html = unescape(client.get(f"/office?checklist=store-visit&region={quote(region)}").get_data(as_text=True))
    presets = html[html.index('id="presets"'):html.index("</p>", html.index('id="presets"'))]
    links = re.findall(r'href="([^"]+)"[^>]*>([^<]+)</a>', presets)
    assert [name for _url, name in links] == ["Last month", "Last quarter", "Last 12 months", "This year"]
    _name, since, until = preset_periods(local_today())[1]
    url = links[1][0]
    assert f"since={since.isoformat()}" in url and f"until={until.isoformat()}" in url
    assert f"region={quote(region)}" in url or f"region={quote_plus_safe(region)}" in url
    chosen = client.get(url).get_data(as_text=True)
    assert 'aria-current="true">Last quarter</a>' in chosen
    assert f'value="{since.isoformat()}"' in chosen


def quote_plus_safe(text: str) -> str:
    from urllib.parse import quote_plus
    return quote_plus(text)


def test_with_a_period_the_ranking_shows_each_branchs_change(client, demo):
    login(client, demo["reviewer"].email)
    spec = StatsFilter("store-visit", since=datetime(2026, 10, 1).date(), until=datetime(2026, 10, 31).date())
    stats = chain_statistics(spec)
    changed = [r for r in stats["locations"] if r.get("change") and r["change"]["difference"] is not None]
    assert changed
    html = unescape(client.get("/office?checklist=store-visit&since=2026-10-01&until=2026-10-31")
                    .get_data(as_text=True))
    table = html[html.index('id="ranking-table"'):html.index("</table>", html.index('id="ranking-table"'))]
    assert ">Change<" in table
    for record in changed:
        row = table[table.index(f'data-code="{record["code"]}"'):]
        row = row[:row.index("</tr>")]
        difference = record["change"]["difference"]
        shown = ("+" if difference > 0 else "") + one_decimal(difference)
        assert f'data-value="{difference}"' in row and shown in row
        assert ("●" in row) == record["change"]["significant"]
    without = client.get("/office?checklist=store-visit").get_data(as_text=True)
    assert ">Change<" not in without[without.index('id="ranking-table"'):]


def test_a_period_with_a_single_visit_shows_no_spread_rather_than_nan(app, client, demo):
    """A day with one approved visit has no spread of scores: the tile read "NaN,0" (in Latvian,
    "NaN.0" in English) on the dashboard and in the chain PDF."""
    from audit.models import Checklist, ChecklistVersion, Visit
    from audit.times import local_date

    days = {}
    for (visited_at,) in db.session.execute(
            select(Visit.visited_at).join(ChecklistVersion).join(Checklist)
            .where(Checklist.key == "store-visit", Visit.status == "approved")):
        day = local_date(visited_at)
        days[day] = days.get(day, 0) + 1
    lonely = min(day for day, n in days.items() if n == 1).isoformat()
    stats = chain_statistics(StatsFilter("store-visit", since=_d(lonely), until=_d(lonely)))
    assert stats["visits"] == 1
    login(client, demo["reviewer"].email)
    query = f"checklist=store-visit&since={lonely}&until={lonely}"
    page = text_of(client.get(f"/office?{query}").get_data(as_text=True))
    assert "NaN" not in page and "– spread of visit scores (SD)" in page
    pdf = pdf_text(client.get(f"/office/report.pdf?{query}").data)
    assert "NaN" not in pdf and "– spread of visit scores (SD)" in pdf


def test_a_filter_that_cannot_be_used_says_what_was_asked_and_what_is_shown_instead(client, demo):
    """WTForms' "Not a valid choice." named neither (a bookmarked region since renamed)."""
    login(client, demo["admin"].email)
    query = {"checklist": "store-visit", "since": "2026-13-01", "region": "Atlantis", "format": "kiosk",
             "scenario": "Lost umbrella"}
    html = client.get("/office", query_string=query).get_data(as_text=True)
    for message in ("“2026-13-01” is not a date; this filter is left out.",
                    "There is no region “Atlantis”; every region is shown.",
                    "There is no branch format “kiosk”; every format is shown.",
                    "No visit of this checklist has the scenario “Lost umbrella”; every scenario is shown."):
        assert message in html
    assert "Not a valid" not in html
    assert f"{chain_statistics(StatsFilter('store-visit'))['visits']} approved visits" in text_of(html)
    refused = client.get("/office/report.pdf", query_string=query)
    assert refused.status_code == 400
    assert "Region: There is no region “Atlantis”; every region is shown." in refused.get_data(as_text=True)
    unknown = client.get("/office", query_string={"checklist": "nope"}).get_data(as_text=True)
    assert "There is no checklist “nope”; the most used one is shown." in unknown


def test_the_heat_maps_headings_are_hyphenated_in_the_dashboards_language(client, demo):
    """"Sasveicināšanās" is wider than its column: the Latvian dashboard set its heading in 8.5 px."""
    login(client, demo["reviewer"].email)
    page = client.get("/office").get_data(as_text=True)
    assert ">Sasveicināša-<" not in page
    client.post("/language", data={"lang": "lv", "csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)})
    # broken where Latvian allows, and drawn at the size the dashboard shows it: 12 px at least
    broken = re.search(r'font-size="([0-9.]+)">(Sasvei[a-zāčēģīķļņšūž]*)-</text>', client.get("/office").get_data(as_text=True))
    assert broken and float(broken.group(1)) >= 12 and "Sasveicināšanās".startswith(broken.group(2))
