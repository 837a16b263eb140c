"""`audit import-visits FILE.csv`: past audits from real files, all or nothing, idempotent."""
from __future__ import annotations

import csv
import hashlib
import io
import random
import textwrap
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from audit.checklist import Checklist as ChecklistDefinition
from audit.checklist import load_checklist_file
from audit.extensions import db
from audit.models import Answer, AuditLogEntry, Location, Region, User, Visit, VisitSectionScore
from audit.services.import_writer import IMPORT_NAMESPACE
from tests.conftest import CHECKLIST_DIR

HEADER = "external_id,location_code,location_name,region,auditor,visited_at,checklist,item,answer,comment"

# A small checklist, so scores can be checked by hand.
MINI = textwrap.dedent("""\
    id: import-mini
    title: {en: Phone check, lt: Skambučio patikra, lv: Zvana pārbaude, ru: Проверка звонка}
    channel: phone
    sections:
      - id: greeting
        title: {en: Greeting}
        weight: 2
        items:
          - id: greeted
            text: {en: Did they answer with the company name?}
            type: yes_no_na
            principle: greeting
          - id: friendly
            text: {en: How friendly was the agent?}
            type: scale
            min: 1
            max: 5
            weight: 2
            principle: courtesy
      - id: advice
        title: {en: Advice}
        items:
          - id: advice
            text: {en: How good was the advice?}
            type: choice
            principle: advice
            options:
              - {id: expert, label: {en: Expert}, score: 1}
              - {id: basic, label: {en: Basic}, score: 0.5}
              - {id: none, label: {en: None}, score: 0}
          - id: advice_note
            text: {en: What was missing?}
            type: text
            show_if: {item: advice, in: [basic, none]}
          - id: wait
            text: {en: Minutes on hold}
            type: number
            principle: speed
            bands: [{max: 2, score: 1}, {max: 5, score: 0.5}, {score: 0}]
          - id: call_log
            text: {en: Screenshot of the call log}
            type: photo
            required: true
    """)

# Four visits: Lithuanian, Latvian and Cyrillic names; a quoted comma, a decimal comma,
# a multi-line comment, a date alone and times with and without an offset.
VALID = HEADER + "\r\n" + textwrap.dedent('''\
    V-1,VLN-01,Volta Šeškinė,Vilnius,Agnė.Petrauskienė@Example.LT,2025-03-14T10:30,import-mini,greeted,yes,
    V-1,VLN-01,Volta Šeškinė,Vilnius,Agnė.Petrauskienė@Example.LT,2025-03-14T10:30,import-mini,friendly,4,
    V-1,VLN-01,Volta Šeškinė,Vilnius,Agnė.Petrauskienė@Example.LT,2025-03-14T10:30,import-mini,advice,basic,"Konsultantė nežinojo kainų, teko klausti kitos"
    V-1,VLN-01,Volta Šeškinė,Vilnius,Agnė.Petrauskienė@Example.LT,2025-03-14T10:30,import-mini,advice_note,"Не предложил альтернативу, «без гарантии»",
    V-1,VLN-01,Volta Šeškinė,Vilnius,Agnė.Petrauskienė@Example.LT,2025-03-14T10:30,import-mini,wait,"3,5",
    V-1,VLN-01,Volta Šeškinė,Vilnius,Agnė.Petrauskienė@Example.LT,2025-03-14T10:30,import-mini,call_log,,
    V-2,RIX-01,"Rīgas Centrs, Brīvības iela 40",Rīga,janis.berzins@example.lv,2025-07-01T10:00:00+03:00,import-mini,greeted,na,
    V-2,RIX-01,"Rīgas Centrs, Brīvības iela 40",Rīga,janis.berzins@example.lv,2025-07-01T10:00:00+03:00,import-mini,friendly,5,"Ļoti laipna, ""paldies"""
    V-2,RIX-01,"Rīgas Centrs, Brīvības iela 40",Rīga,janis.berzins@example.lv,2025-07-01T10:00:00+03:00,import-mini,advice,expert,
    V-2,RIX-01,"Rīgas Centrs, Brīvības iela 40",Rīga,janis.berzins@example.lv,2025-07-01T10:00:00+03:00,import-mini,wait,1,
    V-3,DGP-01,Даугавпилс Центр,Латгалия,olga.smirnova@example.lv,2025-04-02,import-mini,greeted,no,"Ответили ""алло"",
    без названия компании"
    V-3,DGP-01,Даугавпилс Центр,Латгалия,olga.smirnova@example.lv,2025-04-02,import-mini,friendly,3,
    V-3,DGP-01,Даугавпилс Центр,Латгалия,olga.smirnova@example.lv,2025-04-02,import-mini,advice,expert,
    V-3,DGP-01,Даугавпилс Центр,Латгалия,olga.smirnova@example.lv,2025-04-02,import-mini,wait,6,
    V-4,VLN-01,Volta Šeškinė,Vilnius,agnė.petrauskienė@example.lt,2025-03-20 18:05,import-mini,greeted,Yes,
    V-4,VLN-01,Volta Šeškinė,Vilnius,agnė.petrauskienė@example.lt,2025-03-20 18:05,import-mini,friendly,5,
    V-4,VLN-01,Volta Šeškinė,Vilnius,agnė.petrauskienė@example.lt,2025-03-20 18:05,import-mini,advice,expert,
    V-4,VLN-01,Volta Šeškinė,Vilnius,agnė.petrauskienė@example.lt,2025-03-20 18:05,import-mini,wait,0,

    ''').replace("\n", "\r\n")


@pytest.fixture
def mini(runner, tmp_path):
    folder = tmp_path / "checklists"
    folder.mkdir()
    (folder / "mini.yaml").write_text(MINI, encoding="utf-8")
    result = runner.invoke(args=["load-checklists", str(folder)])
    assert result.exit_code == 0, result.output


def run_import(runner, path: Path):
    return runner.invoke(args=["import-visits", str(path)])


def write(tmp_path: Path, content: str | bytes, name: str = "visits.csv", bom: bool = True) -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        content = ("\ufeff" if bom else "") + content
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def table_counts() -> dict[str, int]:
    return {m.__name__: count(m) for m in (Region, Location, User, Visit, Answer, VisitSectionScore)}


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text)


# --- a valid file ------------------------------------------------------------------------


@pytest.mark.parametrize("separator", [",", ";"], ids=["comma", "semicolon"])
def test_a_valid_file_creates_the_chain_and_approved_scored_visits(runner, mini, tmp_path, separator):
    content = VALID
    if separator == ";":  # Excel in Lithuanian, Latvian and Russian locales separates with semicolons
        out = io.StringIO()
        csv.writer(out, delimiter=";", lineterminator="\r\n").writerows(csv.reader(io.StringIO(VALID, newline="")))
        content = out.getvalue()
        assert content.count(";") > 100 and '"Rīgas Centrs, Brīvības iela 40"' not in content
    path = write(tmp_path, content, bom=separator == ",")  # with and without a BOM
    result = run_import(runner, path)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"{path}: 18 rows, 4 visits",
        "  4 visits imported (approved and scored), 0 unchanged",
        "  created 3 regions: 'Vilnius', 'Rīga', 'Латгалия'",
        "  created 3 branches: VLN-01 'Volta Šeškinė', RIX-01 'Rīgas Centrs, Brīvības iela 40', "
        "DGP-01 'Даугавпилс Центр'",
        "  created 3 auditors: agnė.petrauskienė@example.lt, janis.berzins@example.lv, olga.smirnova@example.lv",
    ]

    assert sorted(db.session.scalars(select(Region.name))) == sorted(["Vilnius", "Rīga", "Латгалия"])
    locations = {loc.code: (loc.name, loc.region.name) for loc in db.session.scalars(select(Location))}
    assert locations == {
        "VLN-01": ("Volta Šeškinė", "Vilnius"),
        "RIX-01": ("Rīgas Centrs, Brīvības iela 40", "Rīga"),
        "DGP-01": ("Даугавпилс Центр", "Латгалия"),
    }
    auditors = {u.email: u for u in db.session.scalars(select(User))}
    assert set(auditors) == {"agnė.petrauskienė@example.lt", "janis.berzins@example.lv", "olga.smirnova@example.lv"}
    agne = auditors["agnė.petrauskienė@example.lt"]
    assert (agne.role, agne.name, agne.password_hash) == ("auditor", "agnė.petrauskienė", None)

    visits = {v.external_id: v for v in db.session.scalars(select(Visit))}
    assert set(visits) == {"V-1", "V-2", "V-3", "V-4"}
    for external_id, visit in visits.items():
        assert visit.status == "approved" and visit.channel == "phone" and visit.scenario == ""
        assert visit.uuid == str(uuid.uuid5(IMPORT_NAMESPACE, external_id))
        assert visit.approved_at == visit.submitted_at is not None
        assert visit.checklist_version.checklist.key == "import-mini"
    assert visits["V-1"].auditor is visits["V-4"].auditor is agne

    # Stored as naive UTC; without an offset the time is Vilnius time, a date alone is noon.
    assert visits["V-1"].visited_at == utc("2025-03-14 08:30")  # EET, UTC+2
    assert visits["V-2"].visited_at == utc("2025-07-01 07:00")  # the offset given
    assert visits["V-3"].visited_at == utc("2025-04-02 09:00")  # EEST, UTC+3
    assert visits["V-4"].visited_at == utc("2025-03-20 16:05")

    # Scores by hand. Greeting weighs 2, advice 1; friendly weighs 2 within greeting.
    # V-1: greeted yes 1, friendly 4 → (4−1)/(5−1) = 0.75, advice basic 0.5, wait 3.5 → band ≤5: 0.5
    #      greeting (1 + 2×0.75)/3 = 83.33, advice (0.5 + 0.5)/2 = 50, visit (2×2.5 + 1)/(2×3 + 2) = 75
    # V-2: greeted N/A leaves both sums; everything else 1 → 100
    # V-3: greeted no 0, friendly 3 → 0.5, advice expert 1, wait 6 → 0
    #      greeting (0 + 2×0.5)/3 = 33.33, advice 1/2 = 50, visit (2×1 + 1)/(6 + 2) = 37.5
    assert visits["V-1"].score == pytest.approx(75.0)
    assert visits["V-2"].score == pytest.approx(100.0)
    assert visits["V-3"].score == pytest.approx(37.5)
    assert visits["V-4"].score == pytest.approx(100.0)
    sections = {s.section_id: s.score for s in visits["V-1"].section_scores}
    assert sections == {"greeting": pytest.approx(250 / 3), "advice": pytest.approx(50.0)}
    assert {s.section_id: s.score for s in visits["V-3"].section_scores} == {
        "greeting": pytest.approx(100 / 3), "advice": pytest.approx(50.0)}

    answers = {a.item_id: a for a in visits["V-1"].answers}
    assert set(answers) == {"greeted", "friendly", "advice", "advice_note", "wait"}  # empty photo row skipped
    assert (answers["wait"].value, answers["wait"].score) == ("3.5", 0.5)
    assert answers["advice"].comment == "Konsultantė nežinojo kainų, teko klausti kitos"
    assert answers["advice_note"].value == "Не предложил альтернативу, «без гарантии»"
    v3 = {a.item_id: a for a in visits["V-3"].answers}
    assert v3["greeted"].comment == 'Ответили "алло",\nбез названия компании'
    v2 = {a.item_id: a for a in visits["V-2"].answers}
    assert v2["greeted"].is_na and v2["greeted"].score is None
    assert v2["friendly"].comment == 'Ļoti laipna, "paldies"'
    assert {a.item_id: a.value for a in visits["V-4"].answers}["greeted"] == "yes"

    log = db.session.scalars(select(AuditLogEntry).where(AuditLogEntry.action == "visits.imported")).one()
    assert log.details == {"file": "visits.csv", "rows": 18, "visits_created": 4, "visits_unchanged": 0,
                           "locations_created": 3, "regions_created": 3, "auditors_created": 3}
    assert count(AuditLogEntry, AuditLogEntry.action == "user.created") == 3


def test_reimporting_the_same_file_changes_nothing(runner, mini, tmp_path):
    path = write(tmp_path, VALID)
    assert run_import(runner, path).exit_code == 0
    before = table_counts()
    rows_before = db.session.execute(
        select(Visit.id, Visit.uuid, Visit.score, Visit.visited_at, Visit.approved_at).order_by(Visit.id)).all()

    # A new checklist version since the first import does not make the old visits "different".
    (tmp_path / "checklists" / "mini.yaml").write_text(MINI.replace("weight: 2\n    items", "weight: 3\n    items"))
    assert "version 2 (new version)" in runner.invoke(args=["load-checklists", str(tmp_path / "checklists")]).output

    again = run_import(runner, path)
    assert again.exit_code == 0, again.output
    assert again.output.strip() == (f"{path}: 18 rows, 4 visits; nothing changed: every visit is already "
                                    "here with the same content")
    assert table_counts() == before
    assert db.session.execute(
        select(Visit.id, Visit.uuid, Visit.score, Visit.visited_at, Visit.approved_at).order_by(Visit.id)
    ).all() == rows_before
    summaries = db.session.scalars(select(AuditLogEntry.details).where(AuditLogEntry.action == "visits.imported")
                                   .order_by(AuditLogEntry.id)).all()
    assert summaries[1]["visits_created"] == 0 and summaries[1]["visits_unchanged"] == 4


def test_a_file_adding_visits_to_an_earlier_import_imports_only_the_new_ones(runner, mini, tmp_path):
    first = [line for line in VALID.splitlines(keepends=True) if not line.startswith("V-4")]
    assert run_import(runner, write(tmp_path, "".join(first), "first.csv")).exit_code == 0
    result = run_import(runner, write(tmp_path, VALID, "all.csv"))
    assert result.exit_code == 0, result.output
    assert "  1 visit imported (approved and scored), 3 unchanged" in result.output
    assert "  created no regions, branches or auditors" in result.output
    assert count(Visit) == 4 and count(User) == 3


def test_changed_content_under_an_imported_external_id_is_refused(runner, mini, tmp_path):
    assert run_import(runner, write(tmp_path, VALID)).exit_code == 0
    changed = VALID.replace("import-mini,friendly,5,\r\nV-4", "import-mini,friendly,4,\r\nV-4")
    assert changed != VALID
    result = run_import(runner, write(tmp_path, changed, "changed.csv"))
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == (
        "line 17: external_id: V-4 was imported before with different content (answers or comments); "
        "imported visits are not changed by re-importing")
    assert {a.value for a in db.session.scalars(
        select(Answer).join(Visit).where(Visit.external_id == "V-4", Answer.item_id == "friendly"))} == {"5"}


# --- bad files: every problem, exactly, and nothing written ---------------------------------


GOOD_ANSWERS = {"greeted": "yes", "friendly": "4", "advice": "expert", "wait": "1"}


def visit_rows(external_id="V-1", code="VLN-01", name="Volta Šeškinė", region="Vilnius",
               auditor="agne@example.lt", at="2025-03-14T10:30", checklist="import-mini",
               answers: dict | None = None, **changes) -> str:
    """CSV rows of one visit: ``answers`` (default: a complete good visit) with ``changes``
    (an item set to None is left out)."""
    answers = dict(GOOD_ANSWERS if answers is None else answers) | changes
    return "".join(f"{external_id},{code},{name},{region},{auditor},{at},{checklist},{item},{answer},\n"
                   for item, answer in answers.items() if answer is not None)
COLUMN_LIST = "external_id,location_code,location_name,region,auditor,visited_at,checklist,item,answer,comment"

BAD_FILES = {
    "empty file": ("", [f"line 1: header: the file is empty; the first line must name the columns {COLUMN_LIST}"]),
    "unknown and missing columns": (
        HEADER.replace(",answer,", ",answr,").replace("region", "Region") + "\n" + visit_rows(),
        [f"line 1: answr: unknown column; the columns are {COLUMN_LIST} (and, if you have them, "
          "scenario,location_format,auditor_name)", "line 1: answer: missing column"]),
    "a column twice": (HEADER + ",item\n", ["line 1: item: the column appears twice"]),
    "no header": (visit_rows(), ["line 1: header: no column on the first line has a known name (V-1, VLN-01, "
                                 f"Volta Šeškinė, Vilnius, …); the first line must name the columns {COLUMN_LIST}"]),
    "too few values and an unquoted comma": (
        HEADER + "\n" + visit_rows().replace("friendly,4,\n", "friendly,4\n")
        .replace("wait,1,\n", "wait,1,Waited, then left\n"),
        ["line 3: row: 9 values, but the header has 10 columns",
         "line 5: row: a value in column 11, which has no name in the header; "
         "put values that contain the separator in double quotes"]),
    "empty and too long cells": (
        HEADER + "\n" + visit_rows().replace("V-1,VLN-01,Volta Šeškinė", ",VLN-01,Volta Šeškinė", 1)
        .replace("friendly", "", 1) + visit_rows("V-2", code="X" * 33),
        ["line 2: external_id: must not be empty", "line 3: item: must not be empty",
         f"line 6: location_code: '{'X' * 33}' is not a location code: 1 to 32 letters, digits, '-', '_' or '.', "
         "starting with a letter or digit"]),
    "unknown checklist and item": (
        HEADER + "\n" + visit_rows(checklist="import-maxi")
        + visit_rows("V-2", answers={"greeting": "yes", **GOOD_ANSWERS}),
        ["line 2: checklist: unknown checklist 'import-maxi' (loaded: import-mini)",
         "line 6: item: unknown item 'greeting' in checklist import-mini"]),
    "answers that do not fit their items": (
        HEADER + "\n" + visit_rows(greeted="ja", friendly="7", advice="great", wait="-1")
        + visit_rows("V-2", greeted="yes", friendly='"4,5"', advice="na", wait="soon"),
        ["line 2: answer: answer yes, no or na, not 'ja'; also accepted: jā, taip, да (yes); "
         "nē, ne, нет (no); n/a, neattiecas, netaikoma, неприменимо (na)",
         "line 3: answer: answer a whole number from 1 to 5, not '7'",
         "line 4: answer: unknown option 'great'; use one of: expert, basic, none",
         "line 5: answer: must not be negative, not '-1'",
         "line 7: answer: answer a whole number from 1 to 5, not '4,5'",
         "line 8: answer: N/A is not allowed for this item",
         "line 9: answer: must be a number, not 'soon'"]),
    "an item answered twice": (
        HEADER + "\n" + visit_rows() + visit_rows(answers={"wait": "2"}),
        ["line 6: item: 'wait' is answered twice for external_id V-1 (also on line 5)"]),
    "rows of one visit disagree": (
        HEADER + "\n" + visit_rows().replace("Vilnius,agne@example.lt,2025-03-14T10:30,import-mini,advice",
                                             "Kaunas,AGNE@example.lt,2025-03-14T10:31,import-mini,advice")
        + visit_rows("V-1", region="Kaunas", answers={"wait": "1"}),
        ["line 4: region: 'Kaunas' differs from 'Vilnius' on line 2; every row of external_id V-1 "
         "must repeat the same region",
         "line 4: visited_at: '2025-03-14T10:31' differs from '2025-03-14T10:30' on line 2; every row of "
         "external_id V-1 must repeat the same visited_at",
         "line 6: item: 'wait' is answered twice for external_id V-1 (also on line 5)"]),
    "one location with two names": (
        HEADER + "\n" + visit_rows() + visit_rows("V-2", name="Volta Seskine", region="vilnius"),
        ["line 6: location_name: location VLN-01 is called 'Volta Šeškinė' on line 2"]),
    "dates": (
        HEADER + "\n" + visit_rows(at="03/14/2025 10:30") + visit_rows("V-2", at="2099-01-01")
        + visit_rows("V-3", at="0026-11-05") + visit_rows("V-4", at="14-03-2025")
        + visit_rows("V-5", at="31.02.2025") + visit_rows("V-6", at="14.03.25 10:30")
        + visit_rows("V-7", at="01.01.2099 10:00"),
        ["line 2: visited_at: '03/14/2025 10:30' is not a date or date-time; "
         "write 2026-03-01, 2026-03-01T14:30, 2026-03-01T14:30+02:00, 01.03.2026 or 01.03.2026 14:30",
         "line 6: visited_at: '2099-01-01' is in the future",
         "line 10: visited_at: '0026-11-05' is before 2000-01-01: a typing mistake?",
         "line 14: visited_at: '14-03-2025' is not a date or date-time; "
         "write 2026-03-01, 2026-03-01T14:30, 2026-03-01T14:30+02:00, 01.03.2026 or 01.03.2026 14:30",
         "line 18: visited_at: '31.02.2025' is not a real date or time (day is out of range for month)",
         "line 22: visited_at: '14.03.25 10:30' is not a date or date-time; "
         "write 2026-03-01, 2026-03-01T14:30, 2026-03-01T14:30+02:00, 01.03.2026 or 01.03.2026 14:30",
         "line 26: visited_at: '01.01.2099 10:00' is in the future"]),
    "auditor is not an e-mail address": (
        HEADER + "\n" + visit_rows(auditor="Agnė Petrauskienė"),
        ["line 2: auditor: 'Agnė Petrauskienė' is not a valid e-mail address: An email address must have an @-sign."]),
    "required answers missing": (
        HEADER + "\n" + visit_rows(greeted="na", advice="basic", friendly="", wait=None)
        + visit_rows("V-2", answers={"friendly": "9"}),
        ["line 2: item: external_id V-1 has no answer to the required item(s) friendly, wait",
         "line 5: answer: answer a whole number from 1 to 5, not '9'",
         "line 5: item: external_id V-2 has no answer to the required item(s) greeted, advice, wait"]),
    "an answer to an item the checklist hides": (
        HEADER + "\n" + visit_rows(advice_note="fine"),
        ["line 6: answer: the checklist shows advice_note only when advice is basic or none; "
         "leave its answer and comment empty"]),
    "a photo typed as an answer": (
        HEADER + "\n" + visit_rows(answers={"call_log": "IMG_0042.jpg", **GOOD_ANSWERS}),
        ["line 2: answer: photos are uploaded as evidence, not typed as an answer"]),
    # A double quote left open takes the rows after it into one value: not "imported 0 answers".
    "a double quote left open in a branch's name": (
        HEADER + "\n" + visit_rows().replace("Volta Šeškinė", '"Volta Šeškinė', 1),
        ['line 2: location_name: the value goes on to line 5: close the double quote (") it starts with, '
         "or remove it"]),
    "a comment that takes in the rows after it": (
        HEADER + "\n" + visit_rows().replace("greeted,yes,\n", 'greeted,yes,"Waited\n', 1),
        ['line 2: comment: the value goes on to line 5: close the double quote (") it starts with, '
         "or remove it"]),
    "not UTF-8 (saved as Windows-1257)": (
        (HEADER + "\n" + visit_rows()).encode("cp1257"),
        ['line 2: location_name: not UTF-8 text (byte 0xD0); save the file as "CSV UTF-8" and import it again']),
}


@pytest.mark.parametrize("content, expected", BAD_FILES.values(), ids=BAD_FILES.keys())
def test_a_bad_file_gets_every_problem_as_line_column_message_and_imports_nothing(
        runner, mini, tmp_path, content, expected):
    result = run_import(runner, write(tmp_path, content))
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    lines = result.output.splitlines()
    assert lines[:-1] == expected
    assert lines[-1] == f"{tmp_path / 'visits.csv'}: {len(expected)} problem(s); nothing was imported"
    assert table_counts() == {"Region": 0, "Location": 0, "User": 0, "Visit": 0, "Answer": 0,
                              "VisitSectionScore": 0}
    assert count(AuditLogEntry, AuditLogEntry.action == "visits.imported") == 0


def test_an_email_of_a_user_who_is_not_an_auditor_is_refused(runner, mini, tmp_path, make_user):
    make_user("reviewer", email="rasa@example.lt")
    make_user("auditor", email="agne@example.lt")
    content = (HEADER + "\n" + visit_rows(auditor="Rasa@Example.lt") + visit_rows("V-2", auditor="rasa@example.lt")
               + visit_rows("V-3", auditor="AGNE@example.lt"))
    result = run_import(runner, write(tmp_path, content))
    assert result.exit_code == 1
    assert result.output.splitlines()[:-1] == [
        "line 2: auditor: rasa@example.lt belongs to a user with the role reviewer; "
        "visits can only be imported for auditors"]
    assert count(Visit) == 0

    # The existing auditor is used, whatever the case of the address.
    result = run_import(runner, write(tmp_path, HEADER + "\n" + visit_rows("V-3", auditor="AGNE@example.lt")))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[2:] == ["  created 1 region: 'Vilnius'",
                                              "  created 1 branch: VLN-01 'Volta Šeškinė'"]
    assert db.session.scalar(select(Visit)).auditor.email == "agne@example.lt"


def test_an_existing_location_must_keep_its_name_and_region(runner, mini, tmp_path, make_location):
    make_location("VLN-01", name="Volta Šeškinė", region="Vilnius")
    content = (HEADER + "\n" + visit_rows(name="Volta Seskine") + visit_rows("V-2", name="Volta Seskine")
               + visit_rows("V-3", region="Kaunas"))
    result = run_import(runner, write(tmp_path, content))
    assert result.output.splitlines()[:-1] == [
        "line 2: location_name: location VLN-01 is called 'Volta Šeškinė' in the database, not 'Volta Seskine'",
        "line 10: region: location VLN-01 is in region 'Vilnius' in the database, not 'Kaunas'"]

    # Codes are matched whatever their case (as everywhere in the app), region names too.
    result = run_import(runner, write(tmp_path, HEADER + "\n" + visit_rows(code="vln-01", region="VILNIUS")))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[2:] == ["  created 1 auditor: agne@example.lt"]
    assert count(Location) == 1 and count(Region) == 1


def test_one_bad_row_among_many_good_ones_imports_nothing(runner, checklists, tmp_path):
    path = tmp_path / "visits.csv"
    visits, rows = write_store_visit_csv(path, visits=60, seed=3)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        records = list(csv.reader(handle))
    target = [n for n, row in enumerate(records) if row[7] == "sales_floor_clean"][visits // 2]
    records[target][8] = "6"  # the scale goes from 1 to 5
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(records)
    text = path.read_text(encoding="utf-8-sig")
    line = text[:text.index(",sales_floor_clean,6,")].count("\n") + 1
    result = run_import(runner, path)
    assert result.exit_code == 1
    assert result.output.splitlines() == [f"line {line}: answer: answer a whole number from 1 to 5, not '6'",
                                          f"{path}: 1 problem(s); nothing was imported"]
    assert table_counts() == {"Region": 0, "Location": 0, "User": 0, "Visit": 0, "Answer": 0,
                              "VisitSectionScore": 0}


def test_the_error_list_is_capped(runner, mini, tmp_path):
    content = HEADER + "\n" + "".join(visit_rows(f"V-{n}", friendly="0") for n in range(1, 251))
    result = run_import(runner, write(tmp_path, content))
    lines = result.output.splitlines()
    assert result.exit_code == 1
    assert len(lines) == 202
    assert lines[0] == "line 3: answer: answer a whole number from 1 to 5, not '0'"
    assert lines[199] == "line 799: answer: answer a whole number from 1 to 5, not '0'"
    assert lines[200:] == ["... and 50 more", f"{tmp_path / 'visits.csv'}: 250 problem(s); nothing was imported"]


def test_a_failure_while_writing_leaves_nothing_behind(runner, mini, tmp_path, monkeypatch):
    """Rows already flushed are rolled back with the rest (one transaction per import)."""
    import audit.services.import_writer as writer

    calls = []

    def crash_on_the_third(visit):
        calls.append(visit)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return real(visit)

    real = writer.store_visit_scores
    monkeypatch.setattr(writer, "BATCH", 1)  # flush after every visit, so two are in the database
    monkeypatch.setattr(writer, "store_visit_scores", crash_on_the_third)
    result = run_import(runner, write(tmp_path, VALID))
    assert result.exit_code != 0 and isinstance(result.exception, RuntimeError)
    assert table_counts() == {"Region": 0, "Location": 0, "User": 0, "Visit": 0, "Answer": 0,
                              "VisitSectionScore": 0}


def test_a_missing_file_is_a_clear_error(runner, tmp_path):
    result = run_import(runner, tmp_path / "nowhere.csv")
    assert result.exit_code == 1
    assert result.output == f"error: cannot read {tmp_path / 'nowhere.csv'}: No such file or directory\n"


def test_a_file_with_only_the_header_imports_nothing(runner, mini, tmp_path):
    result = run_import(runner, write(tmp_path, HEADER + "\r\n,,,,,,,,,\r\n"))
    assert result.exit_code == 0, result.output
    assert result.output == f"{tmp_path / 'visits.csv'}: no rows; nothing was imported\n"


def test_the_service_reads_open_files_and_records_who_imported(app, mini, tmp_path, make_user):
    from audit.services.imports import ImportSummary, import_visits

    admin = make_user("admin")
    path = write(tmp_path, VALID)
    with path.open("rb") as handle:
        summary = import_visits(handle, importer=admin)
    db.session.commit()
    assert summary == ImportSummary(
        rows=18, visits_created=4, visits_unchanged=0, new_regions=("Vilnius", "Rīga", "Латгалия"),
        new_locations=(("VLN-01", "Volta Šeškinė"), ("RIX-01", "Rīgas Centrs, Brīvības iela 40"),
                       ("DGP-01", "Даугавпилс Центр")),
        new_auditors=("agnė.petrauskienė@example.lt", "janis.berzins@example.lv", "olga.smirnova@example.lv"))
    again = import_visits(io.StringIO(path.read_text(encoding="utf-8")))  # text, BOM included
    assert (again.visits_created, again.visits_unchanged) == (0, 4)
    log = db.session.scalars(select(AuditLogEntry).where(AuditLogEntry.action == "visits.imported")
                             .order_by(AuditLogEntry.id)).all()
    assert [entry.user_id for entry in log] == [admin.id, None]
    assert log[0].object_id == hashlib.sha256(path.read_bytes()).hexdigest()  # which file it was


# --- a realistic file for the shipped store-visit checklist ---------------------------------

BRANCHES = [
    ("VLN-01", "Volta Akropolis Vilnius", "Vilnius"), ("VLN-02", "Volta Šeškinė", "Vilnius"),
    ("KNS-01", "Volta Mega, Kaunas", "Kaunas"), ("KLP-01", "Volta Akropolis Klaipėda", "Klaipėda"),
    ("SIA-01", "Volta Saulės miestas", "Šiauliai"), ("RIX-01", "Volta Galerija Centrs", "Rīga"),
    ("RIX-02", "Volta Spice, Lielirbes iela 29", "Rīga"), ("DGP-01", "Вольта Даугавпилс, ул. Ригас 22", "Latgale"),
]
AUDITORS = ["agne.petrauskiene@mystery.example", "jonas.kazlauskas@mystery.example",
            "janis.berzins@mystery.example", "olga.smirnova@mystery.example", "ilze.kalnina@mystery.example"]
TEXTS = ["Konsultantas Tomas, apie 30 m., mėlyni marškiniai", "Pārdevēja Ilze, gaišie mati, zaļa veste",
         "Продавец Дмитрий, около 40 лет, в очках", 'Said "no idea", then went to ask a colleague',
         "Kasos eilėje laukiau ilgiau nei 5 min.,\nniekas neatidarė antros kasos"]
COMMENTS = ["Netvarkinga vitrina, dulkės", "Cenas zīmes trūka pie televizoriem",
            "Сотрудник разговаривал по телефону", "No receipt until I asked, twice"]
NUMBERS = ["0", "1", "2", "2,5", "4", "6", "12"]


def write_store_visit_csv(path: Path, visits: int, seed: int = 1,
                          definition: ChecklistDefinition | None = None) -> tuple[int, int]:
    """A realistic export of ``visits`` past store visits (one row per answer, BOM, CRLF):
    every shown item answered except photos, text items sometimes left empty, comments on
    some failures, decimal commas, quoted commas and line breaks. Returns (visits, rows)."""
    definition = definition or load_checklist_file(CHECKLIST_DIR / "store-visit.yaml")
    rng = random.Random(seed)
    first_day = date(2025, 1, 6)
    rows = 0
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(HEADER.split(","))
        for n in range(visits):
            code, name, region = rng.choice(BRANCHES)
            auditor = rng.choice(AUDITORS)
            day = first_day + timedelta(days=rng.randrange(300))
            at = rng.choice([f"{day}T{rng.randint(10, 19):02d}:{rng.randrange(60):02d}",
                             f"{day} {rng.randint(10, 19):02d}:{rng.randrange(60):02d}:00+02:00", f"{day}"])
            values: dict[str, str] = {}
            skill = rng.random()
            for item in definition.items:
                rule = item.show_if
                if rule is not None and values.get(rule.item) not in rule.values:
                    continue
                if item.type == "photo":
                    continue
                passes = rng.random() < 0.55 + 0.4 * skill
                comment = ""
                if item.type == "text":
                    answer = rng.choice(TEXTS) if rng.random() < 0.6 else ""
                elif item.type in ("yes_no", "yes_no_na"):
                    answer = "na" if item.na_allowed and rng.random() < 0.1 else ("yes" if passes else "no")
                elif item.type == "scale":
                    answer = str(rng.randint((item.min + item.max) // 2, item.max) if passes
                                 else rng.randint(item.min, (item.min + item.max) // 2))
                elif item.type == "choice":
                    answer = rng.choice([o.id for o in item.options])
                else:
                    answer = rng.choice(NUMBERS)
                if item.scored and not passes and (item.comment_required_on_fail or rng.random() < 0.2):
                    comment = rng.choice(COMMENTS)
                values[item.id] = answer
                out.writerow([f"ST-{seed}-{n + 1:05d}", code, name, region, auditor, at, definition.id,
                              item.id, answer, comment])
                rows += 1
    return visits, rows


def test_a_generated_store_visit_export_imports_and_reimports_unchanged(runner, checklists, tmp_path):
    path = tmp_path / "store.csv"
    visits, rows = write_store_visit_csv(path, visits=40, seed=7)
    result = run_import(runner, path)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[:2] == [f"{path}: {rows} rows, 40 visits",
                                              "  40 visits imported (approved and scored), 0 unchanged"]
    assert count(Visit, Visit.status == "approved", Visit.score.is_not(None)) == 40
    assert set(db.session.scalars(select(Location.code))) <= {code for code, _, _ in BRANCHES}
    assert {u.role for u in db.session.scalars(select(User))} == {"auditor"}
    assert db.session.scalar(select(func.count(VisitSectionScore.visit_id.distinct()))) == 40
    before = table_counts()
    again = run_import(runner, path)
    assert again.exit_code == 0 and "nothing changed" in again.output
    assert table_counts() == before


def test_times_with_fractions_of_a_second_reimport_unchanged(runner, mini, tmp_path):
    """KoBoToolbox and ODK write milliseconds; they were kept on the first import and then made
    every later import of the growing file fail ("imported before with different content")."""
    path = write(tmp_path, HEADER + "\n" + visit_rows(at="2025-03-04T10:15:30.123+02:00"))
    assert run_import(runner, path).exit_code == 0
    assert db.session.scalar(select(Visit.visited_at)) == utc("2025-03-04T08:15:30")
    again = run_import(runner, path)
    assert again.exit_code == 0, again.output
    assert "nothing changed" in again.output


def test_a_mistyped_checklist_in_a_reimport_is_one_problem_not_one_per_visit(runner, mini, tmp_path):
    """After a typo in the checklist column, the one real error was followed by a line of
    "imported before with different content (checklist)" for every visit."""
    path = write(tmp_path, VALID)
    assert run_import(runner, path).exit_code == 0
    typo = write(tmp_path, VALID.replace(",import-mini,", ",import-mnii,"), name="typo.csv")
    result = run_import(runner, typo)
    assert result.exit_code == 1
    assert result.output.count("unknown checklist 'import-mnii'") == 1
    assert "different content" not in result.output


def test_a_new_required_question_or_a_removed_one_does_not_stop_a_reimport(runner, mini, tmp_path):
    """After version 2 added a required question and dropped one, the same file (or the app's
    export) was refused for every visit: "has no answer to the required item(s) booked"."""
    path = write(tmp_path, VALID)
    assert run_import(runner, path).exit_code == 0
    before = table_counts()
    changed = MINI.replace(
        "      - id: wait\n        text: {en: Minutes on hold}\n        type: number\n        principle: speed\n"
        "        bands: [{max: 2, score: 1}, {max: 5, score: 0.5}, {score: 0}]\n",
        "      - id: booked\n        text: {en: Was a call-back booked?}\n        type: yes_no\n"
        "        principle: follow_up\n")
    assert changed != MINI
    (tmp_path / "checklists" / "mini.yaml").write_text(changed)
    assert "version 2 (new version)" in runner.invoke(args=["load-checklists", str(tmp_path / "checklists")]).output

    again = run_import(runner, path)
    assert again.exit_code == 0, again.output
    assert "nothing changed" in again.output and table_counts() == before
    exported = tmp_path / "export.csv"
    assert runner.invoke(args=["export-visits", "--checklist", "import-mini", "--out", str(exported)]).exit_code == 0
    assert "nothing changed" in run_import(runner, exported).output

    # A visit not imported before is read against the version in use now.
    newer = VALID.rstrip("\r\n") + "\r\n" + (
        "V-5,VLN-01,Volta Šeškinė,Vilnius,agnė.petrauskienė@example.lt,2025-03-21 18:05,import-mini,greeted,yes,\r\n")
    refused = run_import(runner, write(tmp_path, newer, name="newer.csv"))
    assert refused.exit_code != 0 and "V-5 has no answer to the required item(s) friendly, advice, booked" in refused.output
