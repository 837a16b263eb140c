"""`audit export-visits` and the dashboard's "Answers (CSV)": approved visits in the import
format, which `audit import-visits` reads back — unchanged into the same installation, whole
into a new one."""
from __future__ import annotations

import csv
import io
from contextlib import contextmanager
from datetime import datetime

import pytest
from sqlalchemy import func, select

from audit import create_app
from audit.extensions import db
from audit.models import Answer, AuditLogEntry, Visit
from audit.services.chain_stats import StatsFilter, chain_statistics
from audit.services.checklists import load_checklist_files
from audit.services.import_csv import EXPORT_COLUMNS
from tests.conftest import CHECKLIST_DIR, csrf_token, login

DEMO = ["demo", "--locations", "6", "--months", "2", "--seed", "3", "--end", "2026-10-31"]
HEADER = ",".join(EXPORT_COLUMNS)


def rows_of(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def counts() -> tuple[int, int]:
    return (db.session.scalar(select(func.count()).select_from(Visit)),
            db.session.scalar(select(func.count()).select_from(Answer)))


@contextmanager
def new_installation(tmp_path, checklist_files=(CHECKLIST_DIR,)):
    """Another installation (an empty SQLite file) with its checklists loaded, inside its app
    context; closed afterwards. Yields its command runner."""
    target = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'new.db'}",
                         "SECRET_KEY": "tests-only-secret", "INSTANCE_PATH": str(tmp_path / "new-instance")})
    with target.app_context():
        db.create_all()
        load_checklist_files(list(checklist_files))
        db.session.commit()
        try:
            yield target.test_cli_runner()
        finally:
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def demo(runner, checklists):
    result = runner.invoke(args=DEMO)
    assert result.exit_code == 0, result.output


def export(runner, tmp_path, *options: str) -> str:
    out = tmp_path / "export.csv"
    result = runner.invoke(args=["export-visits", "--checklist", "store-visit", *options, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert f"wrote {out}" in result.output
    return out.read_bytes().decode("utf-8")


def test_the_export_is_one_row_per_answer_of_every_approved_visit(runner, demo, tmp_path):
    text = export(runner, tmp_path)
    assert text.startswith("\ufeff" + HEADER + "\r\n")  # Excel reads a BOM-marked file as UTF-8
    rows = rows_of(text)
    visits = {row["external_id"] for row in rows}
    stats = chain_statistics(StatsFilter("store-visit"))
    assert len(visits) == stats["visits"]
    assert all(v.startswith("app:") for v in visits)
    answered = db.session.scalar(
        select(func.count()).select_from(Answer).join(Visit)
        .where(Visit.status == "approved", Visit.id.in_(
            select(Visit.id).where(*StatsFilter("store-visit").conditions())),
            Answer.value.is_not(None) | (Answer.comment != "")))
    assert len(rows) == answered
    # Local time with its offset: 31 October is winter time in Vilnius (+02:00), August summer time.
    moments = [datetime.fromisoformat(row["visited_at"]) for row in rows]
    assert {m.utcoffset().total_seconds() / 3600 for m in moments} == {2.0, 3.0}
    assert any("ą" in row["comment"] or "ж" in row["comment"] or "ā" in row["comment"] for row in rows)


def test_importing_the_export_into_the_same_installation_changes_nothing(runner, demo, tmp_path):
    before = counts()
    text = export(runner, tmp_path)
    result = runner.invoke(args=["import-visits", str(tmp_path / "export.csv")])
    assert result.exit_code == 0, result.output
    visits = len({row["external_id"] for row in rows_of(text)})
    assert f"{visits} visits; nothing changed: every visit is already here with the same content" in result.output
    assert counts() == before


def test_a_new_installation_gets_the_same_visits_and_the_same_statistics(runner, demo, tmp_path, app):
    text = export(runner, tmp_path)
    source = chain_statistics(StatsFilter("store-visit"))
    with new_installation(tmp_path) as target:
        result = target.invoke(args=["import-visits", str(tmp_path / "export.csv")])
        assert result.exit_code == 0, result.output
        copied = chain_statistics(StatsFilter("store-visit"))
        again = target.invoke(args=["export-visits", "--checklist", "store-visit", "--out", "-"])
    assert copied["visits"] == source["visits"]
    assert [(r["code"], round(r["mean"], 6)) for r in copied["locations"]] == \
        [(r["code"], round(r["mean"], 6)) for r in source["locations"]]
    assert copied["consistency"]["icc_location"] == pytest.approx(source["consistency"]["icc_location"])
    # Exported there, the visits keep their ids: the file is the same.
    assert again.stdout_bytes.decode("utf-8") == text


def test_a_comment_that_looks_like_a_formula_is_shown_not_run_and_comes_back_as_typed(runner, demo, tmp_path):
    store_visits = select(Visit.id).where(*StatsFilter("store-visit").conditions())
    answer = db.session.scalars(select(Answer).where(Answer.visit_id.in_(store_visits), Answer.value == "no")).first()
    answer.comment = '=HYPERLINK("http://evil.example","click")'
    # An e-mail address may start with "=" too (validate_email allows it); so may an imported id.
    answer.visit.auditor.email = "=cmd|'/Ccalc'!A0@demo.example"
    answer.visit.external_id = "+SUM(1,2)"
    db.session.commit()
    rows = rows_of(export(runner, tmp_path))
    written = next(row for row in rows if "HYPERLINK" in row["comment"])
    assert written["comment"] == "'" + answer.comment
    assert written["auditor"] == "'=cmd|'/Ccalc'!A0@demo.example" and written["external_id"] == "'+SUM(1,2)"
    result = runner.invoke(args=["import-visits", str(tmp_path / "export.csv")])
    assert result.exit_code == 0, result.output  # unchanged: the apostrophe is the export's, not the text's
    assert "nothing changed" in result.output


def test_filters_choose_the_visits(runner, demo, tmp_path):
    everything = rows_of(export(runner, tmp_path))
    region = everything[0]["region"]
    only_region = rows_of(export(runner, tmp_path, "--region", region))
    assert {row["region"] for row in only_region} == {region}
    assert len(only_region) == sum(row["region"] == region for row in everything)
    october = rows_of(export(runner, tmp_path, "--since", "2026-10-01", "--until", "2026-10-31"))
    assert october and all(row["visited_at"].startswith("2026-10") for row in october)


@pytest.mark.parametrize(("options", "message"), [
    (["--checklist", "nope"], "error: unknown checklist 'nope'"),
    (["--checklist", "store-visit", "--since", "2026-10-02", "--until", "2026-10-01"], "error: --until is before --since"),
    (["--checklist", "store-visit", "--region", "Atlantis"], "error: --region 'Atlantis' is not one of the chain's"),
])
def test_bad_options_are_refused_and_write_no_file(runner, demo, tmp_path, options, message):
    out = tmp_path / "never.csv"
    result = runner.invoke(args=["export-visits", *options, "--out", str(out)])
    assert result.exit_code == 1
    assert message in result.output
    assert not out.exists()


def test_head_office_downloads_the_dashboards_visits(runner, demo, client, make_user, tmp_path):
    reviewer = make_user("reviewer")
    login(client, reviewer.email)
    dashboard = client.get("/office?checklist=store-visit&since=2026-10-01").get_data(as_text=True)
    assert 'href="/office/visits.csv?checklist=store-visit&amp;since=2026-10-01"' in dashboard
    response = client.get("/office/visits.csv?checklist=store-visit&since=2026-10-01")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert 'filename="visits-store-visit-from-2026-10-01.csv"' in response.headers["Content-Disposition"]
    body = response.get_data(as_text=True)
    assert body == export(runner, tmp_path, "--since", "2026-10-01")
    assert client.get("/office/visits.csv?checklist=nope").status_code == 400  # named, see test_office
    logged = db.session.scalars(select(AuditLogEntry).where(AuditLogEntry.action == "visits.exported")
                                .order_by(AuditLogEntry.id)).all()
    assert [(e.user_id, e.details["filters"]) for e in logged] == [(reviewer.id, {"since": "2026-10-01"}),
                                                                   (None, {"since": "2026-10-01"})]  # the CLI's
    # In Russian (Lithuanian, Latvian) semicolons, as Excel set to that language opens a file in columns.
    client.post("/language", data={"lang": "ru", "csrf_token": csrf_token(dashboard)})
    russian = client.get("/office/visits.csv?checklist=store-visit&since=2026-10-01").get_data(as_text=True)
    assert list(csv.reader(io.StringIO(russian), delimiter=";")) == list(csv.reader(io.StringIO(body)))


def test_the_export_goes_back_in_after_the_checklist_gained_a_required_question(runner, demo, tmp_path, app):
    """A chain that adds a required question can still re-import its export and move its history
    to a new installation: its old visits were complete under their own version."""
    source = (CHECKLIST_DIR / "store-visit.yaml").read_text(encoding="utf-8")
    added = ("      - id: name_badge\n        text: {en: Did the staff member wear a name badge?, ru: Был ли бейдж?, "
             "lt: Ar buvo kortelė?, lv: Vai bija vārda zīme?}\n        type: yes_no\n        principle: courtesy\n\n")
    newer = tmp_path / "store-visit.yaml"
    newer.write_text(source.replace("      - id: entrance_clean\n", added + "      - id: entrance_clean\n", 1),
                     encoding="utf-8")
    assert runner.invoke(args=["load-checklists", str(newer)]).exit_code == 0
    before = counts()
    text = export(runner, tmp_path)
    same = runner.invoke(args=["import-visits", str(tmp_path / "export.csv")])
    assert same.exit_code == 0, same.output
    assert "nothing changed" in same.output and counts() == before
    with new_installation(tmp_path, [newer, CHECKLIST_DIR / "phone-enquiry.yaml"]) as target:
        moved = target.invoke(args=["import-visits", str(tmp_path / "export.csv")])
        stored = db.session.scalar(select(func.count()).select_from(Visit))
    assert moved.exit_code == 0, moved.output
    assert stored == len({row["external_id"] for row in rows_of(text)})
    # A file from elsewhere ("V-1", not "app:…") still has to answer every required question.
    other = text.replace("app:", "OLD-")
    (tmp_path / "other.csv").write_text(other, encoding="utf-8")
    refused = runner.invoke(args=["import-visits", str(tmp_path / "other.csv")])
    assert refused.exit_code == 1 and "required item(s) name_badge" in refused.output


def test_a_visit_stored_with_a_hidden_answer_exports_and_imports_back(runner, demo, tmp_path):
    """Before submissions dropped them, a follow-up answered and then hidden (the tablet) or sent
    anyway (the API) was stored; the export wrote it and the import refused the whole file."""
    visit = db.session.scalar(select(Visit).join(Answer).where(
        Visit.status == "approved", Answer.item_id == "related_offer", Answer.value == "no").limit(1))
    assert visit is not None and "offer_no_pressure" not in {a.item_id for a in visit.answers}
    visit.answers.append(Answer(item_id="offer_no_pressure", value="yes", comment="kept by an older version"))
    db.session.commit()
    before = counts()
    text = export(runner, tmp_path)
    assert f"app:{visit.uuid}" in text and "kept by an older version" in text
    same = runner.invoke(args=["import-visits", str(tmp_path / "export.csv")])
    assert same.exit_code == 0, same.output
    assert "nothing changed" in same.output and counts() == before
    # Under a new id (here: a visit this installation has not seen) it is imported without it.
    fresh = "00000000-0000-4000-8000-00000000abcd"
    one = [line for line in text.splitlines(keepends=True) if line.startswith(f"app:{visit.uuid},")]
    (tmp_path / "fresh.csv").write_text(text.splitlines(keepends=True)[0]
                                        + "".join(one).replace(visit.uuid, fresh), encoding="utf-8")
    added = runner.invoke(args=["import-visits", str(tmp_path / "fresh.csv")])
    assert added.exit_code == 0, added.output
    copied = db.session.scalar(select(Visit).where(Visit.uuid == fresh))
    assert "related_offer" in {a.item_id for a in copied.answers}
    assert "offer_no_pressure" not in {a.item_id for a in copied.answers}
    # A file from elsewhere must still leave hidden questions empty.
    (tmp_path / "other.csv").write_text(text.replace("app:", "OLD-"), encoding="utf-8")
    refused = runner.invoke(args=["import-visits", str(tmp_path / "other.csv")])
    assert refused.exit_code == 1
    assert "the checklist shows offer_no_pressure only when related_offer is yes" in refused.output


def test_scenarios_formats_and_auditor_names_move_with_the_visits(runner, demo, tmp_path, app):
    """They were lost on the way (every branch became high_street, "Gintarė Vasiliauskaitė"
    became "auditor4"), and statistics filtered by scenario or format no longer agreed."""
    from audit.models import Location, User

    export(runner, tmp_path)
    scenario = db.session.scalar(select(Visit.scenario).where(*StatsFilter("store-visit").conditions(),
                                                              Visit.scenario != "").limit(1))
    form = db.session.scalar(select(Location.format).where(Location.format != "high_street").limit(1))
    by_scenario = chain_statistics(StatsFilter("store-visit", scenario=scenario))
    by_format = chain_statistics(StatsFilter("store-visit", location_format=form))
    names = dict(db.session.execute(select(User.email, User.name).where(User.role == "auditor")).all())
    formats = dict(db.session.execute(select(Location.code, Location.format)).all())
    with new_installation(tmp_path) as target:
        result = target.invoke(args=["import-visits", str(tmp_path / "export.csv")])
        assert result.exit_code == 0, result.output
        assert chain_statistics(StatsFilter("store-visit", scenario=scenario))["visits"] == by_scenario["visits"] > 0
        assert chain_statistics(StatsFilter("store-visit", location_format=form))["visits"] == by_format["visits"] > 0
        moved_names = dict(db.session.execute(select(User.email, User.name)).all())
        moved_formats = dict(db.session.execute(select(Location.code, Location.format)).all())
    assert {email: moved_names[email] for email in moved_names} == {email: names[email] for email in moved_names}
    assert moved_formats == {code: formats[code] for code in moved_formats}


def test_the_optional_columns_are_checked_like_the_others(runner, demo, tmp_path):
    from audit.models import Location

    text = export(runner, tmp_path)
    code, form = db.session.execute(select(Location.code, Location.format).limit(1)).one()
    other = next(f for f in ("mall", "kiosk") if f != form)
    rows = rows_of(text)
    first = next(row for row in rows if row["location_code"] == code)
    lines = [HEADER]
    for row in rows:
        if row["external_id"] == first["external_id"]:
            row = {**row, "external_id": "NEW-1", "location_format": other}
            lines.append(",".join(f'"{row[c]}"' for c in EXPORT_COLUMNS))
    lines.append(",".join(f'"{value}"' for value in {**first, "external_id": "NEW-2", "location_code": "NEW-01",
                                                     "location_format": "supermarket"}.values()))
    (tmp_path / "changed.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    refused = runner.invoke(args=["import-visits", str(tmp_path / "changed.csv")])
    assert refused.exit_code == 1
    assert f"location {code} has the format '{form}' in the database, not '{other}'" in refused.output
    assert "'supermarket' is not a location format; use one of flagship, mall, high_street, outlet, kiosk" \
        in refused.output
