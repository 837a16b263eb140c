"""The visit report PDF: what a branch manager reads, checked in the PDF itself (pypdf), made
through the CLI and the download route, on a demo chain plus visits recorded the way an
auditor records them (draft, photo, submit, approve)."""
from __future__ import annotations

import calendar
import io
import re
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from babel.numbers import format_decimal
from PIL import Image, ImageDraw
from sqlalchemy import select, text

from audit.extensions import db
from audit.models import Location, User, Visit
from audit.reports.charts import GREY
from audit.reports.common import ReportError
from audit.reports.visit_report import MIN_OTHER_CHAIN_VISITS, visit_report_context
from audit.services.evidence import store_photo
from audit.services.review import approve_visit
from audit.services.visits import VisitContent, start_visit, submit_visit
from audit.times import local_today
from tests.conftest import login
from tests.pdf.helpers import build_demo, pdf_reader, pdf_text, squash

CRITICAL, PLAIN = "info_accurate", "entrance_clean"  # a critical and an ordinary yes/no item
CRITICAL_COMMENT = "Told me the warranty was five years; the leaflet says two."
PLAIN_COMMENT = "Leaflets all over the floor by the door."


def en(value: float) -> str:
    """A score as the English report prints it."""
    return format_decimal(value, "0.0", locale="en_GB")


def jpeg() -> bytes:
    img = Image.new("RGB", (640, 480), (200, 40, 40))
    ImageDraw.Draw(img).rectangle((80, 80, 400, 300), fill=(240, 240, 240))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=90)
    return out.getvalue()


@pytest.fixture
def chain(app, runner, checklists):
    """A demo chain up to a few days ago, and the answers of one of its clean approved visits."""
    end = local_today() - timedelta(days=3)
    build_demo(runner, locations=12, months=4, end=end)
    template = db.session.scalars(
        select(Visit).join(Visit.checklist_version)
        .where(Visit.status == "approved", Visit.critical_failed.is_(False),
               Visit.checklist_version_id == checklists["store-visit"].id)
        .order_by(Visit.id)
    ).first()
    answers = {a.item_id: a.value for a in template.answers}
    comments = {a.item_id: a.comment for a in template.answers if a.comment}
    for item in checklists["store-visit"].parsed.items:
        if item.critical and item.id in answers:
            answers[item.id] = "yes"
    return {"end": end, "answers": answers, "comments": comments,
            "location": db.session.scalar(select(Location).order_by(Location.code)),
            "auditor": db.session.scalar(select(User).where(User.role == "auditor").order_by(User.id)),
            "reviewer": db.session.scalar(select(User).where(User.role == "reviewer").order_by(User.id))}


def record(app, chain, uuid: str, visited_at: datetime, changes: dict, comments: dict, photo_on: str | None = None):
    """A visit as an auditor makes it: a draft, maybe a photo, submitted, then approved."""
    visit = start_visit(chain["auditor"], uuid, location=chain["location"], checklist_key="store-visit")
    if photo_on:
        store_photo(visit, photo_on, io.BytesIO(jpeg()), chain["auditor"], app.config["UPLOAD_DIR"])
    content = VisitContent(answers={**chain["answers"], **changes}, comments={**chain["comments"], **comments},
                           visited_at=visited_at, scenario="Buy a kettle")
    submit_visit(visit, chain["auditor"], content)
    approve_visit(visit, chain["reviewer"])
    db.session.commit()
    return visit


@pytest.fixture
def visits(app, chain):
    day = chain["end"] - timedelta(days=5)
    failed = record(app, chain, "11111111-1111-4111-8111-111111111111", datetime.combine(day, time(10, 30)),
                    {CRITICAL: "no", PLAIN: "no"}, {CRITICAL: CRITICAL_COMMENT, PLAIN: PLAIN_COMMENT}, photo_on=PLAIN)
    clean = record(app, chain, "22222222-2222-4222-8222-222222222222", datetime.combine(day, time(15, 0)),
                   {PLAIN: "no"}, {PLAIN: PLAIN_COMMENT})
    assert failed.critical_failed and failed.score == 0 and not clean.critical_failed and 0 < clean.score < 100
    return {"failed": failed, "clean": clean}


def cli_pdf(runner, tmp_path, visit_id: int, lang: str = "en") -> bytes:
    out = tmp_path / f"visit-{visit_id}-{lang}.pdf"
    result = runner.invoke(args=["report", "visit", str(visit_id), "--out", str(out), "--lang", lang])
    assert result.exit_code == 0, result.output
    return out.read_bytes()


def sql_average(visit: Visit, region: bool = False) -> tuple[float, int]:
    """Independently: AVG over approved store visits of the 3 calendar months ending with the visit's
    day (from the day after the same day 3 months earlier), as the location report counts them."""
    mean, count = sql_rows(visit, "AVG(v.score), COUNT(v.score)", region)[0]
    return float(mean), count


def sql_rows(visit: Visit, columns: str, region: bool = False) -> list:
    """``columns`` over the approved store visits the visit report compares a visit with (see sql_average)."""
    day = visit.visited_at.date()
    year, month = divmod(day.year * 12 + day.month - 1 - 3, 12)
    since = date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1])) + timedelta(days=1)
    sql = (f"SELECT {columns} FROM visit v"
           " JOIN checklist_version cv ON cv.id = v.checklist_version_id JOIN checklist c ON c.id = cv.checklist_id"
           " JOIN location l ON l.id = v.location_id WHERE v.status = 'approved' AND c.key = 'store-visit'"
           " AND v.visited_at >= :since AND v.visited_at < :until")
    params = {"since": datetime.combine(since, time.min),
              "until": datetime.combine(day + timedelta(days=1), time.min)}
    if region:
        sql += " AND l.region_id = :region"
        params["region"] = visit.location.region_id
    return db.session.execute(text(sql), params).all()


def test_cli_report_compares_the_score_and_lists_critical_failures_first(app, runner, tmp_path, visits):
    failed, clean = visits["failed"], visits["clean"]
    body = pdf_text(cli_pdf(runner, tmp_path, failed.id))
    assert failed.location.name in body and failed.location.code in body
    assert re.search(r"score of this visit\s*0\.0", body, re.I)
    chain_mean, chain_n = sql_average(failed)
    region_mean, _ = sql_average(failed, region=True)
    assert re.search(rf"chain average\s*{re.escape(en(chain_mean))}\s*{chain_n} visits", body, re.I), body[:600]
    assert re.search(rf"region average\s*{re.escape(en(region_mean))}", body, re.I)

    failures = body[body.index("What went wrong"):]
    critical_text = failed.checklist_version.parsed.item(CRITICAL).text.en
    plain_text = failed.checklist_version.parsed.item(PLAIN).text.en
    assert failures.index(squash(critical_text)) < failures.index(squash(plain_text))
    assert failures.index(CRITICAL_COMMENT) < failures.index(PLAIN_COMMENT)
    assert failures.index("Critical") < failures.index(squash(plain_text))

    clean_body = pdf_text(cli_pdf(runner, tmp_path, clean.id))
    assert re.search(rf"score of this visit\s*{re.escape(en(clean.score))}", clean_body, re.I)
    assert PLAIN_COMMENT in clean_body and "critical failure" not in clean_body.lower()


def test_the_chain_average_is_the_sql_average_of_the_three_months_before(app, visits):
    for visit in visits.values():
        context = visit_report_context(visit.id, "en")
        mean, count = sql_average(visit)
        assert context["chain"]["mean"] == pytest.approx(mean) and context["chain"]["visits"] == count
        assert context["region"]["mean"] == pytest.approx(sql_average(visit, region=True)[0])
        history = context["history"]
        assert history[-1]["id"] == visit.id and len(history) <= 6
        assert [h["visited_at"] for h in history] == sorted(h["visited_at"] for h in history)


def test_the_photo_of_a_failed_item_is_embedded(app, runner, tmp_path, visits):
    reader = pdf_reader(cli_pdf(runner, tmp_path, visits["failed"].id))
    images = [image for page in reader.pages for image in page.images]
    assert images, "no image in the PDF"
    assert min(images[0].image.size) > 50  # the thumbnail itself, not an icon
    assert not any(page.images for page in pdf_reader(cli_pdf(runner, tmp_path, visits["clean"].id)).pages)


@pytest.mark.parametrize("lang, letters, quoted", [("lt", "ąėū", "„{}“"), ("lv", "āēī", "„{}“"), ("ru", "абвгд", "«{}»")])
def test_the_report_speaks_the_chosen_language(app, runner, tmp_path, visits, checklists, lang, letters, quoted):
    body = pdf_text(cli_pdf(runner, tmp_path, visits["failed"].id, lang))
    assert quoted.format(CRITICAL_COMMENT) in body  # the auditor's words, in the language's own quotes
    definition = checklists["store-visit"].parsed
    assert definition.title.get(lang) in body
    for section in definition.sections:
        assert squash(section.title.get(lang)) in body
    assert squash(definition.item(CRITICAL).text.get(lang)) in body
    assert any(ch in body for ch in letters)
    assert definition.item(CRITICAL).text.en not in body
    # The visit's time with a four-digit year (CLDR's short Latvian and Lithuanian dates have two).
    year = str(visits["failed"].visited_at.year)
    assert re.search(rf"\b{year}\b.*\d{{1,2}}:\d{{2}}|\d{{1,2}}:\d{{2}}.*\b{year}\b", body), body[:400]
    assert not re.search(rf"\b\d{{2}}\.\d{{2}}\.{year[2:]}\b", body)


def test_download_route_serves_the_report_to_who_may_see_the_visit(app, client, make_user, visits):
    visit = visits["failed"]
    make_user("manager", email="own@example.com", locations=[visit.location.code])
    other_code = db.session.scalar(select(Location.code).where(Location.id != visit.location_id))
    make_user("manager", email="other@example.com", locations=[other_code])
    make_user("auditor", email="stranger@example.com")
    url = f"/visits/{visit.id}/report.pdf"

    login(client, "own@example.com")
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    body = pdf_text(response.data)
    assert visit.location.name in body and CRITICAL_COMMENT in body
    for email in ("other@example.com", "stranger@example.com"):
        other = app.test_client()
        login(other, email)
        assert other.get(url).status_code == 404, email


def test_unknown_visit(app, runner, tmp_path, checklists):
    with pytest.raises(ReportError):
        visit_report_context(999_999, "en")
    result = runner.invoke(args=["report", "visit", "999999", "--out", str(tmp_path / "x.pdf")])
    assert result.exit_code == 1 and "no visit" in result.output


def test_a_visit_just_after_local_midnight_belongs_to_the_new_day(app, chain):
    """00:30 in Vilnius is 22:30 UTC the day before: the report's period ends on the local day,
    and the chain average includes the visit itself."""
    zone = ZoneInfo("Europe/Vilnius")
    local_day = chain["end"] - timedelta(days=2)
    moment = datetime.combine(local_day, time(0, 30), tzinfo=zone).astimezone(UTC).replace(tzinfo=None)
    assert moment.date() == local_day - timedelta(days=1)  # stored on the previous UTC day
    visit = record(app, chain, "33333333-3333-4333-8333-333333333333", moment, {}, {})
    context = visit_report_context(visit.id, "en")
    assert context["period"]["until"] == local_day
    since = context["period"]["since"]

    def stored(day: date) -> datetime:
        return datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC).replace(tzinfo=None)

    count, total = db.session.execute(text(
        "SELECT COUNT(v.score), SUM(v.score) FROM visit v JOIN checklist_version cv ON cv.id = v.checklist_version_id"
        " JOIN checklist c ON c.id = cv.checklist_id WHERE v.status = 'approved' AND c.key = 'store-visit'"
        " AND v.visited_at >= :since AND v.visited_at < :until"),
        {"since": stored(since), "until": stored(local_day + timedelta(days=1))}).one()
    assert context["chain"]["visits"] == count
    assert context["chain"]["mean"] == pytest.approx(float(total) / count)


def figure(body: str, label: str) -> str:
    """The text of the figure box ``label`` (printed in capitals) up to the note on the averages."""
    return body[body.lower().index(label):body.index("Averages:")]


def history_labels(context: dict) -> list[str]:
    root = ET.fromstring(str(context["history_chart"]))
    return [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")  # the x axis's grey, centred labels
            if t.text and t.get("text-anchor") == "middle" and t.get("fill") == GREY]


def test_an_imported_visit_alone_in_its_period_is_not_compared_with_itself(app, runner, tmp_path, chain):
    """Two audits imported from before the demo chain's months: the chain's "last 3 months" of
    the second hold only itself. The PDF said "chain average 80.8 · 1 visit" and "+0.0 against
    the chain"; it now says the chain has too few other visits, and prints no difference."""
    end = chain["end"]
    older = record(app, chain, "44444444-4444-4444-8444-444444444444",
                   datetime(end.year - 2, 12, 5, 10, 0), {PLAIN: "no"}, {PLAIN: PLAIN_COMMENT})
    old = record(app, chain, "55555555-5555-4555-8555-555555555555",
                 datetime(end.year - 1, 6, 5, 10, 0), {PLAIN: "no"}, {PLAIN: PLAIN_COMMENT})
    context = visit_report_context(old.id, "en")
    assert context["chain"]["visits"] == 1 and context["chain"]["others"] == 0
    assert not context["chain"]["comparable"] and MIN_OTHER_CHAIN_VISITS == 5
    # Nor with its region, which holds the same one visit: the sections' region column stays empty.
    assert not context["region"]["comparable"]
    assert all(section["region"] is None and section["chain"] is None for section in context["sections"])

    body = pdf_text(cli_pdf(runner, tmp_path, old.id))
    # Nor is this visit alone printed as the chain's or the region's average (it was: 80.8 · 1 visit).
    assert re.search(r"chain average\s*–\s*1 visit · too few to compare", body, re.I), body[:600]
    assert re.search(r"region average\s*–\s*\S+ · 1 visit · too few to compare", body, re.I), body[:600]
    against = figure(body, "against the chain")
    assert "Too few other visits in the chain in this period to compare" in against, against
    assert not re.search(r"[+-]?\d+\.\d", against), against  # no "0.0" difference
    assert "passed" not in body[body.index("What went wrong"):]  # no "Chain: 0% passed"

    # The branch's history runs over two years: dated labels, spaced by date.
    labels = history_labels(context)
    assert labels[0] == f"5 Dec {end.year - 2}" and labels[-1] == f"5 Jun {end.year - 1}", labels
    assert history_labels(visit_report_context(older.id, "en")) == ["5 Dec"]  # one year: no year printed


def test_a_visit_with_enough_chain_visits_is_compared(app, runner, tmp_path, visits):
    clean = visits["clean"]
    context = visit_report_context(clean.id, "en")
    assert context["chain"]["comparable"] and context["chain"]["others"] >= MIN_OTHER_CHAIN_VISITS
    if context["region"]["comparable"]:
        assert all(section["region"] is not None for section in context["sections"])
    body = pdf_text(cli_pdf(runner, tmp_path, clean.id))
    difference = clean.score - context["chain"]["mean"]
    against = figure(body, "against the chain")
    assert en(abs(difference)) in against and "Too few" not in against
    assert "passed" in body[body.index("What went wrong"):]


def test_the_history_chart_spaces_visits_by_date(app, chain):
    """Visits on 5 Nov, 5 Jun, 3 Aug, 8 Oct, 12 Dec and 1 Dec a year later were drawn evenly."""
    end = chain["end"]
    days = [date(end.year - 2, 11, 5), date(end.year - 1, 6, 5), date(end.year - 1, 8, 3),
            date(end.year - 1, 10, 8), date(end.year - 1, 12, 12), date(end.year, 1, 1)]
    made = [record(app, chain, f"6666666{n}-6666-4666-8666-666666666666", datetime.combine(day, time(9, 0)),
                   {}, {}) for n, day in enumerate(days)]
    context = visit_report_context(made[-1].id, "en")
    assert [h["id"] for h in context["history"]] == [v.id for v in made]
    root = ET.fromstring(str(context["history_chart"]))
    xs = [float(c.get("cx")) for c in root.iter("{http://www.w3.org/2000/svg}circle")]
    per_day = (xs[-1] - xs[0]) / (days[-1] - days[0]).days
    for x, day in zip(xs, days):
        assert x - xs[0] == pytest.approx((day - days[0]).days * per_day, abs=0.2)
    labels = history_labels(context)
    assert labels[0] == f"5 Nov {end.year - 2}" and all(label[-4:].isdigit() for label in labels), labels
    # Latvian writes the day as an ordinal ("5 nov." read as a typo).
    latvian = history_labels(visit_report_context(made[-1].id, "lv"))
    assert latvian[0] == f"5. nov. {end.year - 2}", latvian


def test_a_disputed_answer_is_marked_and_listed_with_its_decision(app, runner, tmp_path, chain, visits, make_user):
    """The manager disputed an answer; their PDF said nothing of it (the score may still change)."""
    from audit.services.review import decide_dispute, raise_dispute

    visit = visits["failed"]
    manager = make_user("manager", locations=[visit.location.code])
    raise_dispute(visit, manager, PLAIN, "The mat was cleaned at 10:00; photo from our camera attached to the ticket.")
    db.session.commit()
    body = pdf_text(cli_pdf(runner, tmp_path, visit.id))
    assert "1 answer is disputed and awaits a reviewer’s decision: the score may still change." in body
    assert "Awaiting the reviewer's decision." in body and "Disputed answers" in body
    assert "The mat was cleaned at 10:00" in body

    dispute = visit.disputes[0]
    decide_dispute(dispute, chain["reviewer"], overturn=True, new_value="yes", note="Camera footage confirms it.")
    db.session.commit()
    body = pdf_text(cli_pdf(runner, tmp_path, visit.id))
    assert "awaits a reviewer" not in body  # decided: nothing open is announced
    assert "Overturned" in body and "Camera footage confirms it." in body
    assert "No → Yes" in body  # the answer before and after


def test_a_visit_without_disputes_says_nothing_of_them(app, runner, tmp_path, visits):
    body = pdf_text(cli_pdf(runner, tmp_path, visits["clean"].id))
    assert "disputed" not in body.lower()


def test_the_branch_copy_lists_corrective_actions_and_the_auditor_copy_does_not(app, client, make_user, visits, chain):
    """A manager planned what the branch will do and marked part of it done: the PDF they print
    for the team meeting says so under each failed item; the auditor's copy of the same visit
    never learns what the branch does about it."""
    from audit.times import local_today
    from tests.conftest import csrf_token

    visit = visits["failed"]
    make_user("manager", email="own@example.com", locations=[visit.location.code])
    login(client, "own@example.com")
    due = (local_today() + timedelta(days=9)).isoformat()
    for item_id, what in ((PLAIN, "Sweep the entrance every hour"), ("", "Repeat the whole visit checklist at the team meeting")):
        token = csrf_token(client.get(f"/visits/{visit.id}").get_data(as_text=True))
        response = client.post(f"/visits/{visit.id}/actions", data={
            "csrf_token": token, "item_id": item_id, "text": what, "responsible": "Rasa, shift lead", "due_on": due})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
    from audit.models import CorrectiveAction
    swept = db.session.scalar(select(CorrectiveAction).where(CorrectiveAction.item_id == PLAIN,
                                                             CorrectiveAction.visit_id == visit.id))
    token = csrf_token(client.get(f"/visits/{visit.id}").get_data(as_text=True))
    assert client.post(f"/actions/{swept.id}/done", data={"csrf_token": token, "note": "Rota on the door"}).status_code == 302

    body = pdf_text(client.get(f"/visits/{visit.id}/report.pdf").data)
    entrance = body[body.index(PLAIN_COMMENT):]
    assert re.search(r"Corrective action: Sweep the entrance every hour \(Rasa, shift lead\) – done on \d+ \w{3} \d{4}: "
                     r"Rota on the door", entrance), entrance[:400]
    other = body[body.index("Other corrective actions"):]
    assert "The visit as a whole" in other and "Repeat the whole visit checklist at the team meeting" in other
    assert "due " in other and "done on" not in other

    from audit.passwords import hash_password
    from tests.conftest import PASSWORD

    chain["auditor"].password_hash = hash_password(PASSWORD)  # the demo's auditor, who made the visit
    db.session.commit()
    auditor = app.test_client()
    login(auditor, chain["auditor"].email)
    response = auditor.get(f"/visits/{visit.id}/report.pdf")
    assert response.status_code == 200
    auditor_copy = pdf_text(response.data)
    assert PLAIN_COMMENT in auditor_copy
    assert "Sweep the entrance" not in auditor_copy and "Corrective action" not in auditor_copy
    assert "Other corrective actions" not in auditor_copy


def dispute_day(moment: datetime, lang: str) -> str:
    """A dispute's day as the report prints it in ``lang`` (the branch's local day)."""
    from babel.dates import format_date

    from audit.config import format_locale
    from audit.times import local_date

    return format_date(local_date(moment), "medium", locale=format_locale(lang))


def in_its_place(body: str, lang: str, question: str, following: str) -> str:
    """The text of ``question``'s block in "What went wrong": from the question to ``following``."""
    went_wrong = body[body.index(SAID[lang]["what went wrong"]):]
    start = went_wrong.index(squash(question))
    return went_wrong[start:went_wrong.index(squash(following), start + 1)]


#: What the report says of the two disputes, in English and in Lithuanian.
SAID = {
    "en": {"raised": "Disputed by Rasa Petraitienė on {day}: ", "rejected": "Rejected on {day}: the answer stays.",
           "changed": "Overturned on {day}: changed from “No” to “Yes”.", "note": "The reviewer's note: ",
           "open": "Awaiting the reviewer's decision.", "what went wrong": "What went wrong",
           "table": "Disputed answers"},
    "lt": {"raised": "Ginčą pateikė Rasa Petraitienė {day}: ", "rejected": "Atmestas {day}: atsakymas nekeičiamas.",
           "changed": "Patenkintas {day}: pakeista iš „Ne“ į „Taip“.", "note": "Tikrintojo pastaba: ",
           "open": "Laukiama tikrintojo sprendimo.", "what went wrong": "Kas buvo ne taip",
           "table": "Ginčijami atsakymai"},
}


@pytest.mark.parametrize("lang", ["en", "lt"])
def test_each_disputed_question_shows_the_dispute_and_its_outcome_in_its_place(app, runner, tmp_path, chain, visits,
                                                                             make_user, lang):
    """The manager's PDF said of a decided dispute only "Disputed: Rejected" under the failure,
    without who disputed, when, why or what was decided; an answer the reviewer changed left the
    failures (it passes now) and was found only in a table at the end. Each disputed question now
    tells the whole story where the question is listed: who disputed it on which day and why, the
    decision and the reviewer's note."""
    from audit.services.review import decide_dispute, raise_dispute

    visit = visits["failed"]
    definition = visit.checklist_version.parsed
    manager = make_user("manager", locations=[visit.location.code], name="Rasa Petraitienė")
    kept_reason = "The mat was cleaned at 10:00; photo from our camera attached to the ticket."
    changed_reason = "The consultant read the warranty from the leaflet: two years."
    kept = raise_dispute(visit, manager, PLAIN, kept_reason)
    changed = raise_dispute(visit, manager, CRITICAL, changed_reason)
    db.session.commit()
    said = {key: text.format(day=dispute_day(kept.created_at, lang)) for key, text in SAID[lang].items()}
    body = pdf_text(cli_pdf(runner, tmp_path, visit.id, lang))
    following = definition.item(PLAIN).text.get(lang)  # the critical question comes first
    block = in_its_place(body, lang, definition.item(CRITICAL).text.get(lang), following)
    assert said["raised"] + changed_reason in block and said["open"] in block

    decide_dispute(kept, chain["reviewer"], overturn=False, note="The photo in the visit shows leaflets at 11:40.")
    decide_dispute(changed, chain["reviewer"], overturn=True, new_value="yes", note="The recording confirms two years.")
    db.session.commit()
    said = {key: text.format(day=dispute_day(kept.created_at if key == "raised" else kept.decided_at, lang))
            for key, text in SAID[lang].items()}
    body = pdf_text(cli_pdf(runner, tmp_path, visit.id, lang))
    assert said["open"] not in body
    # The rejected dispute under its failed question.
    plain = in_its_place(body, lang, definition.item(PLAIN).text.get(lang), said["table"])
    assert said["raised"] + kept_reason in plain
    assert said["rejected"] + " " + said["note"] + "The photo in the visit shows leaflets at 11:40." in plain
    # The changed answer passes now; it is listed in its place all the same (the critical question
    # first), with the change.
    critical = in_its_place(body, lang, definition.item(CRITICAL).text.get(lang), definition.item(PLAIN).text.get(lang))
    assert said["raised"] + changed_reason in critical
    assert said["changed"] + " " + said["note"] + "The recording confirms two years." in critical
    assert said["rejected"] not in critical and said["changed"] not in plain


def test_the_visit_is_dated_alike_in_the_title_and_in_the_last_visits(app, runner, tmp_path, visits):
    """The title said "Visited: 28/11/2026, 15:00" and the table of the branch's last visits
    "28 Nov 2026" beside "this visit"; in Latvian "28.11.2026. 15:00" and "2026. gada 28. nov.".
    The table writes the days in numbers as the title does."""
    visit = visits["clean"]
    body = pdf_text(cli_pdf(runner, tmp_path, visit.id))
    day = re.search(r"Visited: (\d\d/\d\d/\d{4}), \d\d:\d\d", body).group(1)
    assert f"{day} {en(visit.score)} this visit" in body
    for lang in ("lv", "ru", "lt"):
        context = visit_report_context(visit.id, lang)
        (current,) = [h for h in context["history"] if h["current"]]
        assert context["visited_text"].startswith(current["visited_text"]), (lang, context["visited_text"], current)
