"""`audit import-visits`: typos that would make duplicates are refused, the summary names what
the import creates, `--dry-run` changes nothing, and Excel's Latvian, Lithuanian and Russian
habits (dotted dates, answers in the app's four languages) are understood."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from audit.extensions import db
from audit.models import Answer, AuditLogEntry, Location, Region, User, Visit
from tests.web.test_import import (  # noqa: F401
    HEADER, VALID, count, mini, run_import, table_counts, utc, visit_rows, write,
)

pytestmark = pytest.mark.usefixtures("mini")  # the small phone checklist of test_import.py

GALERIJA = "Skaistums Galerija Centrs"
NOTHING = {"Region": 0, "Location": 0, "User": 0, "Visit": 0, "Answer": 0, "VisitSectionScore": 0}


@pytest.fixture
def riga(make_location, make_user):
    """The customer's database: RIX-01 in Rīga, Šiauliai, and the auditor janis.ozols."""
    make_location("RIX-01", name=GALERIJA, region="Rīga")
    make_location("SIA-01", name="Skaistums Saulės miestas", region="Šiauliai")
    make_user("auditor", email="janis.ozols@example.lv")
    return table_counts()


def refused(result, path) -> list[str]:
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert lines[-1] == f"{path}: {len(lines) - 1} problem(s); nothing was imported"
    return lines[:-1]


# --- duplicates by typo ------------------------------------------------------------------------


def test_the_customers_typos_are_refused_naming_what_exists(runner, tmp_path, riga):
    """RIX-1 for RIX-01, Riga for Rīga: the import used to create a second branch and region."""
    path = write(tmp_path, HEADER + "\n" + visit_rows(code="RIX-1", name=GALERIJA, region="Riga",
                                                      auditor="janis.ozols@example.lv"))
    assert refused(run_import(runner, path), path) == [
        f"line 2: location_code: RIX-1 is not a branch here, but '{GALERIJA}' is RIX-01: use that code, "
        "or give the new branch a name of its own",
        "line 2: region: 'Riga' is not a region here, but 'Rīga' is: use that name, "
        "or give the new region a name of its own"]
    assert table_counts() == riga


@pytest.mark.parametrize("name", ["skaistums galerija centrs", "Skaistums  Galērija Centrs ",
                                  "SKAISTUMS GALERIJA\tCENTRS"])
def test_a_new_code_under_an_existing_name_is_refused_whatever_the_case_accents_and_spaces(
        runner, tmp_path, riga, name):
    path = write(tmp_path, HEADER + "\n" + visit_rows(code="RIX-05", name=f'"{name}"', region="Rīga")
                 + visit_rows("V-2", code="RIX-05", name=f'"{name}"', region="Rīga"))
    assert refused(run_import(runner, path), path) == [
        f"line 2: location_code: RIX-05 is not a branch here, but '{GALERIJA}' is RIX-01: use that code, "
        "or give the new branch a name of its own"]
    assert table_counts() == riga


def test_two_new_codes_with_one_name_in_a_file_are_refused(runner, tmp_path):
    path = write(tmp_path, HEADER + "\n" + visit_rows(code="KNS-01", name="Volta Mega", region="Kaunas")
                 + visit_rows("V-2", code="KNS-1", name="Volta Mega", region="Kaunas")
                 + visit_rows("V-3", code="KNS-1", name="Volta Mega", region="Kaunas"))
    assert refused(run_import(runner, path), path) == [
        "line 6: location_code: KNS-1 is a new branch called 'Volta Mega', and so is KNS-01 on line 2: "
        "use one code, or give each branch a name of its own"]
    assert table_counts() == NOTHING


@pytest.mark.parametrize("typo, existing", [("Siauliai", "Šiauliai"), ("SIAULIAI", "Šiauliai"), ("riga", "Rīga")])
def test_a_new_region_spelt_like_an_existing_one_but_for_accents_is_refused(
        runner, tmp_path, riga, typo, existing):
    path = write(tmp_path, HEADER + "\n" + visit_rows(code="NEW-01", name="Skaistums Jauns", region=typo))
    assert refused(run_import(runner, path), path) == [
        f"line 2: region: '{typo}' is not a region here, but '{existing}' is: use that name, "
        "or give the new region a name of its own"]
    assert table_counts() == riga


def test_regions_differing_only_in_case_are_still_one_region(runner, tmp_path, riga):
    path = write(tmp_path, HEADER + "\n" + visit_rows(code="RIX-05", name="Skaistums Ogre", region="RĪGA")
                 + visit_rows("V-2", code="KNS-01", name="Volta Mega", region="Kaunas")
                 + visit_rows("V-3", code="KNS-02", name="Volta Akropolis", region="KAUNAS"))
    result = run_import(runner, path)
    assert result.exit_code == 0, result.output
    assert sorted(db.session.scalars(select(Region.name))) == ["Kaunas", "Rīga", "Šiauliai"]
    assert db.session.scalar(select(Location).where(Location.code == "RIX-05")).region.name == "Rīga"


def test_two_spellings_of_a_new_region_in_a_file_are_refused(runner, tmp_path):
    path = write(tmp_path, HEADER + "\n" + visit_rows(code="SIA-01", name="Saulės miestas", region="Šiauliai")
                 + visit_rows("V-2", code="SIA-02", name="Akropolis", region="Siauliai"))
    assert refused(run_import(runner, path), path) == [
        "line 6: region: 'Siauliai' is a new region spelt 'Šiauliai' on line 2: write one region one way"]
    assert table_counts() == NOTHING


# --- the summary names what is created ----------------------------------------------------------


def test_the_summary_names_the_new_regions_branches_and_auditors(runner, tmp_path, riga):
    """The auditor janis.ozol (for janis.ozols) is created, as any new one, but named as like janis.ozols."""
    path = write(tmp_path, HEADER + "\n" + visit_rows(code="RIX-05", name="Skaistums Ogre", region="Vidzeme",
                                                      auditor="janis.ozol@example.lv")
                 + visit_rows("V-2", code="RIX-01", name=GALERIJA, region="Rīga", auditor="janis.ozols@example.lv"))
    result = run_import(runner, path)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"{path}: 8 rows, 2 visits",
        "  2 visits imported (approved and scored), 0 unchanged",
        "  created 1 region: 'Vidzeme'",
        "  created 1 branch: RIX-05 'Skaistums Ogre'",
        "  created 1 auditor: janis.ozol@example.lv",
        "  new auditor 'janis.ozol@example.lv' — similar to existing 'janis.ozols@example.lv'"]


def test_a_long_summary_lists_the_first_ten_of_each_kind(runner, tmp_path):
    content = HEADER + "\n" + "".join(
        visit_rows(f"V-{n}", code=f"B-{n:03d}", name=f"Branch {n:03d}", region=f"Region {n:03d}",
                   auditor=f"auditor{n:03d}@example.lt") for n in range(1, 201))
    result = run_import(runner, write(tmp_path, content))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[2] == ("  created 200 regions: " + ", ".join(f"'Region {n:03d}'" for n in range(1, 11))
                        + " and 190 more")
    assert lines[3] == ("  created 200 branches: " + ", ".join(f"B-{n:03d} 'Branch {n:03d}'" for n in range(1, 11))
                        + " and 190 more")
    assert lines[4] == ("  created 200 auditors: " + ", ".join(f"auditor{n:03d}@example.lt" for n in range(1, 11))
                        + " and 190 more")
    assert len(lines) == 5 and count(Location) == 200


# --- --dry-run ----------------------------------------------------------------------------------


def test_a_dry_run_says_what_the_import_would_do_and_changes_nothing(runner, tmp_path):
    path = write(tmp_path, VALID)
    dry = runner.invoke(args=["import-visits", "--dry-run", str(path)])
    assert dry.exit_code == 0, dry.output
    assert dry.output.splitlines() == [
        f"{path}: 18 rows, 4 visits (dry run: nothing was changed)",
        "  would import 4 visits (approved and scored), 0 unchanged",
        "  would create 3 regions: 'Vilnius', 'Rīga', 'Латгалия'",
        "  would create 3 branches: VLN-01 'Volta Šeškinė', RIX-01 'Rīgas Centrs, Brīvības iela 40', "
        "DGP-01 'Даугавпилс Центр'",
        "  would create 3 auditors: agnė.petrauskienė@example.lt, janis.berzins@example.lv, olga.smirnova@example.lv"]
    assert table_counts() == NOTHING
    assert count(AuditLogEntry, AuditLogEntry.action.in_(["visits.imported", "user.created"])) == 0

    real = run_import(runner, path)
    assert real.exit_code == 0, real.output
    would = [line.replace("created", "would create") for line in real.output.splitlines()[2:]]
    assert would == dry.output.splitlines()[2:]
    assert count(Visit) == 4
    before = table_counts()
    again = runner.invoke(args=["import-visits", "--dry-run", str(path)])
    assert again.exit_code == 0, again.output
    assert again.output.strip() == (f"{path}: 18 rows, 4 visits; nothing would change: every visit is already "
                                    "here with the same content")
    assert table_counts() == before


def test_a_dry_run_of_a_bad_file_reports_every_problem_and_exits_1(runner, tmp_path, riga):
    path = write(tmp_path, HEADER + "\n" + visit_rows(code="RIX-1", name=GALERIJA, region="Rīga",
                                                      friendly="7"))
    result = runner.invoke(args=["import-visits", "--dry-run", str(path)])
    assert refused(result, path) == [
        f"line 2: location_code: RIX-1 is not a branch here, but '{GALERIJA}' is RIX-01: use that code, "
        "or give the new branch a name of its own",
        "line 3: answer: answer a whole number from 1 to 5, not '7'"]
    assert table_counts() == riga


# --- Latvian, Lithuanian and Russian Excel habits --------------------------------------------------


def test_dotted_day_first_dates_are_local_time_like_iso_ones(runner, tmp_path):
    path = write(tmp_path, HEADER + "\n" + visit_rows(at="14.03.2025 10:30") + visit_rows("V-2", at="02.04.2025")
                 + visit_rows("V-3", at="1.7.2025 9:05") + visit_rows("V-4", at="20.03.2025 18:05:30"))
    result = run_import(runner, path)
    assert result.exit_code == 0, result.output
    at = dict(db.session.execute(select(Visit.external_id, Visit.visited_at)).all())
    assert at == {"V-1": utc("2025-03-14 08:30"),  # EET, UTC+2
                  "V-2": utc("2025-04-02 09:00"),  # a date alone is noon; EEST, UTC+3
                  "V-3": utc("2025-07-01 06:05"),
                  "V-4": utc("2025-03-20 16:05:30")}
    again = run_import(runner, write(tmp_path, HEADER + "\n" + visit_rows(at="2025-03-14T10:30"), "iso.csv"))
    assert "nothing changed" in again.output  # the same moment as the ISO form


WORDS = {  # the app's own button labels, in its four languages, in any case
    "jā": "yes", "Nē": "no", "NEATTIECAS": "na",
    "Taip": "yes", "ne": "no", "netaikoma": "na",
    "да": "yes", "НЕТ": "no", "Неприменимо": "na",
    "YES": "yes", "no": "no", "N/A": "na", "n/a": "na", "Na": "na",
}


def test_yes_no_and_na_are_understood_in_the_apps_four_languages(runner, tmp_path):
    content = HEADER + "\n" + "".join(visit_rows(f"V-{n}", greeted=word) for n, word in enumerate(WORDS))
    result = run_import(runner, write(tmp_path, content))
    assert result.exit_code == 0, result.output
    stored = dict(db.session.execute(select(Visit.external_id, Answer.value).join(Answer)
                                     .where(Answer.item_id == "greeted")).all())
    assert stored == {f"V-{n}": value for n, value in enumerate(WORDS.values())}
    # N/A on an item that allows none, and a text item keeps the word as written
    content = (HEADER + "\n" + visit_rows("W-1", advice="Netaikoma")
               + visit_rows("W-2", advice="none", advice_note="Nē"))
    result = run_import(runner, write(tmp_path, content, "more.csv"))
    assert result.output.splitlines()[0] == "line 4: answer: N/A is not allowed for this item"
    assert run_import(runner, write(tmp_path, HEADER + "\n" + visit_rows("W-2", advice="none", advice_note="Nē"),
                                    "text.csv")).exit_code == 0
    assert db.session.scalar(select(Answer.value).where(Answer.item_id == "advice_note")) == "Nē"


@pytest.mark.parametrize("word", ["ja", "n.a.", "n.d.", "нэт", "jaa", "N / A"])
def test_other_words_are_still_refused(runner, tmp_path, word):
    path = write(tmp_path, HEADER + "\n" + visit_rows(greeted=word))
    # ... saying which words would do ("ja" alone did not say that "Jā" is read)
    assert refused(run_import(runner, path), path) == [
        f"line 2: answer: answer yes, no or na, not '{word}'; also accepted: jā, taip, да (yes); "
        "nē, ne, нет (no); n/a, neattiecas, netaikoma, неприменимо (na)"]
    assert count(User) == 0
