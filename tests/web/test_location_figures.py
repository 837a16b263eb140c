"""The branch page and PDF show the same figures as the dashboard: the branch's 95 % interval is
the chain statistics' one (not one from the branch's own few visits), and each difference is the
difference of the two numbers printed beside it."""
from __future__ import annotations

import re
from html import unescape
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from audit.reports.location_report import location_report_context
from audit.services.chain_stats import StatsFilter, chain_statistics
from audit.times import local_today
from tests.conftest import login
from tests.pdf.helpers import build_demo


def _period(runner):
    end = local_today() - timedelta(days=3)
    build_demo(runner, locations=12, months=4, end=end)
    return end - timedelta(days=91), end


def test_the_branch_interval_is_the_dashboard_interval(app, runner, checklists):
    since, until = _period(runner)
    chain = chain_statistics(StatsFilter("store-visit", since, until))
    checked = 0
    for record in chain["locations"]:
        if record["ci_low"] is None:
            continue
        own = chain_statistics(StatsFilter("store-visit", since, until, location_code=record["code"]))["locations"][0]
        summary = location_report_context(record["code"], since, until, "store-visit", "en")["summary"]
        assert (summary["ci_low"], summary["ci_high"]) == (record["ci_low"], record["ci_high"])
        if (own["ci_low"], own["ci_high"]) != (record["ci_low"], record["ci_high"]):
            checked += 1  # a branch whose own-visits interval differs: the case the page got wrong
    assert checked, "the demo chain should have a branch whose own spread differs from the chain's"


def _number(text: str) -> Decimal:
    return Decimal(text.replace("\u2212", "-").replace("+", "").replace(",", "."))


def test_each_difference_is_that_of_the_numbers_shown(app, client, runner, checklists, make_user):
    since, until = _period(runner)
    make_user("reviewer", email="office@example.com")
    login(client, "office@example.com")
    compared = 0
    for record in chain_statistics(StatsFilter("store-visit", since, until))["locations"][:6]:
        html = client.get(f"/office/locations/{record['code']}?since={since}&until={until}").get_data(as_text=True)
        table = html[html.index('id="sections"'):]
        table = table[:table.index("</table>")]
        for row in re.findall(r"<tr><td>.*?</tr>", table, re.S):
            cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            mean, chain_mean, difference = cells[1:4]
            if "–" in (mean, chain_mean):
                continue
            assert _number(difference) == _number(mean) - _number(chain_mean), row
            compared += 1
    assert compared >= 20


def test_shown_difference_rounds_like_the_figures(app):
    from audit.web.numbers import shown_difference

    assert shown_difference(51.74, 76.15, 1) == -24.5  # 51.7 − 76.2, where the unrounded −24.41 shows −24.4
    assert shown_difference(51.66, 76.14, 1) == -24.4  # 51.7 − 76.1, not −24.48 → −24.5
    assert shown_difference(84.25, 80.0, 1) == 4.3  # half up, as the figures are shown
    assert shown_difference(None, 80.0) is None
    assert Decimal("84.25").quantize(Decimal("0.1"), rounding=ROUND_HALF_UP) == Decimal("84.3")


def test_a_branch_below_the_chain_everywhere_has_no_strongest_questions(app, make_location, make_user, make_visit):
    """With few questions the two lists split them all: "strongest" showed 67 against the chain's 82."""
    from datetime import datetime

    weak, strong = make_location("VLN-01"), make_location("VLN-02")
    auditor = make_user("auditor")
    for day in (3, 4, 5):
        make_visit(weak, auditor, {"greeted_promptly": "no", "eye_contact": "yes", "smiled": "no",
                                   "staff_respectful": "yes"}, visited_at=datetime(2026, 10, day, 12))
        make_visit(strong, auditor, {"greeted_promptly": "yes", "eye_contact": "yes", "smiled": "yes",
                                     "staff_respectful": "yes"}, visited_at=datetime(2026, 10, day, 13))
    context = location_report_context("VLN-01", date(2026, 10, 1), date(2026, 10, 31), "store-visit", "en")
    assert {i["id"] for i in context["weakest"]} == {"greeted_promptly", "smiled"}
    assert all(i["difference"] < 0 for i in context["weakest"])
    assert context["strongest"] == []  # equal to the chain is not a strength


def test_a_difference_below_the_chain_has_a_true_minus_sign(app, client, runner, checklists, make_user):
    """The branch page wrote "-36.4" (a hyphen, from the number format) where the dashboard and the
    sentences write "−36.4"; in the branch and visit PDFs too."""
    since, until = _period(runner)
    make_user("reviewer", email="office@example.com")
    login(client, "office@example.com")
    differences = []
    for record in chain_statistics(StatsFilter("store-visit", since, until))["locations"][-4:]:
        html = client.get(f"/office/locations/{record['code']}?since={since}&until={until}").get_data(as_text=True)
        cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r'<td class="num[^"]*">(.*?)</td>', html, re.S)]
        differences += [c for c in cells if c[:1] in "+-\u2212" and c[1:2].isdigit()]
    assert any(d.startswith("\u2212") for d in differences), differences
    assert not [d for d in differences if d.startswith("-")]


def test_against_the_chain_is_coloured_by_the_funnel_not_by_the_sign(app, client, runner, checklists, make_user):
    """A branch −0.5 "not clearly different from the chain" was printed as a large red figure."""
    since, until = _period(runner)
    make_user("reviewer", email="office@example.com")
    login(client, "office@example.com")
    seen = set()
    for record in chain_statistics(StatsFilter("store-visit", since, until))["locations"]:
        html = client.get(f"/office/locations/{record['code']}?since={since}&until={until}").get_data(as_text=True)
        box = html[html.index(">Against the chain<"):]
        value_class, value, note = re.search(
            r'<div class="value ?([a-z]*)">([^<]*)</div>\s*<div class="note">([^<]*)</div>', box).groups()
        expected = {"above": "up", "below": "down"}.get(record["funnel"].split("_")[0], "")
        assert value_class == expected, (record["code"], record["funnel"], value, note)
        seen.add((record["funnel"] == "inside", value.startswith("\u2212")))
    assert (True, True) in seen, "no branch below the chain mean yet inside the funnel: the case that was red"
    assert any(not inside for inside, _below in seen), "no branch outside the funnel: its colour is not checked"


def test_a_difference_in_the_tables_is_coloured_only_beyond_the_funnel_limits(app, client, runner, checklists,
                                                                              make_user):
    """The sections' and questions' differences were red or blue by their sign: "−1.2" in red."""
    since, until = _period(runner)
    make_user("reviewer", email="office@example.com")
    login(client, "office@example.com")
    chain = chain_statistics(StatsFilter("store-visit", since, until))
    bands = {(part["text"], o["location"]): o["band"] for part in chain["sections"] + chain["items"]
             for o in part["outliers"]}
    seen = {"coloured": 0, "plain": 0}
    for record in chain["locations"]:
        html = client.get(f"/office/locations/{record['code']}?since={since}&until={until}").get_data(as_text=True)
        rows = []
        for table in ("sections", "weakest", "strongest"):
            if f'id="{table}"' not in html:
                continue
            part = html[html.index(f'id="{table}"'):]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", part[part.index("<tbody>"):part.index("</table>")], re.S):
                cells = re.findall(r'<td( class="[^"]*")?>(.*?)</td>', row, re.S)
                text = re.sub(r"<[^>]+>", "", cells[0][1]).strip()
                colour = cells[3][0].replace(' class="', "").rstrip('"').replace("num", "").strip()
                rows.append((text, colour, cells[3][1].strip()))
        assert rows, record["code"]
        for text, colour, difference in rows:
            band = bands.get((unescape(text), record["code"]), "")
            assert colour == {"above": "up", "below": "down"}.get(band.split("_")[0], ""), (record["code"], text, band)
            if difference.strip("–0.") and difference != "–":
                seen["coloured" if colour else "plain"] += 1
    assert seen["coloured"] and seen["plain"], seen
