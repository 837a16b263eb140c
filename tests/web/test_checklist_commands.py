"""`audit check-checklists` and `audit load-checklists`: precise errors, immutable versions."""
from __future__ import annotations

from sqlalchemy import func, select

from audit.extensions import db
from audit.models import AuditLogEntry, ChecklistVersion
from tests.unit.test_checklist_validation import VALID


def test_check_checklists_accepts_the_shipped_files(runner):
    result = runner.invoke(args=["check-checklists"])
    assert result.exit_code == 0, result.output
    assert "ok: 3 checklist file(s)" in result.output
    assert "note:" not in result.output  # every text in Russian, Lithuanian and Latvian too
    strict = runner.invoke(args=["check-checklists", "--all-languages"])
    assert strict.exit_code == 0, strict.output


def test_check_checklists_prints_file_line_path_and_exits_1(runner, tmp_path):
    bad = tmp_path / "store.yaml"
    bad.write_text(VALID.replace("weight: 2", "weight: 0").replace("max: 5\n", "max: 1\n"))
    good = tmp_path / "good.yaml"
    good.write_text(VALID)
    result = runner.invoke(args=["check-checklists", str(tmp_path)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert f"{bad}:7: sections[0].weight: must be greater than 0" in lines
    assert f"{bad}:27: sections[0].items[3].max: must be greater than min (1)" in lines
    assert "2 problem(s) in 1 of 2 file(s)" in lines
    assert "Traceback" not in result.output


def test_check_checklists_reports_invalid_yaml_without_traceback(runner, tmp_path):
    bad = tmp_path / "broken.yaml"
    bad.write_text("id: x\ntitle: {en: [unclosed\n")
    result = runner.invoke(args=["check-checklists", str(bad)])
    assert result.exit_code == 1
    assert result.output.startswith(f"{bad}:2: a list in square brackets [ opened on this line is not closed")
    assert "Traceback" not in result.output


def versions(key: str) -> list[tuple[int, str]]:
    return [tuple(row) for row in db.session.execute(
        select(ChecklistVersion.number, ChecklistVersion.content_hash)
        .where(ChecklistVersion.checklist.has(key=key)).order_by(ChecklistVersion.number)
    )]


def test_versions_follow_content_not_formatting(runner, tmp_path):
    path = tmp_path / "mini.yaml"
    path.write_text(VALID)
    assert runner.invoke(args=["load-checklists", str(tmp_path)]).exit_code == 0
    first = versions("mini")
    assert [n for n, _ in first] == [1]

    # Comments and re-formatting are not content: no new version.
    path.write_text("# reviewed by head office\n" + VALID.replace("title: {en: Greeting}", "title:\n      en: Greeting"))
    result = runner.invoke(args=["load-checklists", str(tmp_path)])
    assert "mini: version 1 (unchanged)" in result.output
    assert versions("mini") == first

    # A changed weight is content: version 2, version 1 untouched.
    path.write_text(VALID.replace("weight: 2", "weight: 3"))
    result = runner.invoke(args=["load-checklists", str(tmp_path)])
    assert "mini: version 2 (new version)" in result.output
    after = versions("mini")
    assert after[0] == first[0] and after[1][0] == 2 and after[1][1] != first[0][1]
    assert db.session.scalar(select(func.count()).select_from(AuditLogEntry)
                             .where(AuditLogEntry.action == "checklist.version_created")) == 2


def test_a_broken_file_loads_nothing_and_exits_1(runner, tmp_path):
    (tmp_path / "mini.yaml").write_text(VALID.replace("weight: 2", "weight: -2"))
    result = runner.invoke(args=["load-checklists", str(tmp_path)])
    assert result.exit_code == 1
    assert "sections[0].weight: must be greater than 0" in result.output
    assert db.session.scalar(select(func.count()).select_from(ChecklistVersion)) == 0


def test_visits_keep_the_version_they_were_scored_against(runner, tmp_path, make_location, make_user):
    from audit.models import Answer, Visit
    from audit.services.checklists import current_version
    from audit.services.scores import store_visit_scores

    path = tmp_path / "mini.yaml"
    path.write_text(VALID)
    runner.invoke(args=["load-checklists", str(tmp_path)])
    v1 = current_version("mini")
    visit = Visit(uuid="11111111-1111-4111-8111-111111111111", location=make_location(), auditor=make_user(),
                  checklist_version=v1, channel="in_person", status="approved",
                  visited_at=v1.created_at, answers=[Answer(item_id="friendly", value="3"),
                                                      Answer(item_id="greeted", value="yes")])
    db.session.add(visit)
    store_visit_scores(visit)
    db.session.commit()
    assert visit.score == 100 * (1 + 0.5) / 2

    # Make "friendly" count three times as much: only new visits are scored that way.
    path.write_text(VALID.replace("min: 1\n        max: 5", "min: 1\n        max: 5\n        weight: 3"))
    runner.invoke(args=["load-checklists", str(tmp_path)])
    assert current_version("mini").number == 2
    result = runner.invoke(args=["rescore"])
    assert "rescored 1 visit(s); 0 visit score(s) changed" in result.output
    db.session.expire_all()
    assert db.session.get(Visit, visit.id).checklist_version.number == 1
    assert db.session.get(Visit, visit.id).score == 75.0


def test_stored_versions_cannot_be_edited(checklists):
    import pytest

    version = checklists["store-visit"]
    version.content_hash = "0" * 64
    with pytest.raises(ValueError, match="immutable"):
        db.session.flush()
    db.session.rollback()


def test_load_checklists_default_folder_loads_the_shipped_files(runner):
    result = runner.invoke(args=["load-checklists"])
    assert result.exit_code == 0, result.output
    assert {line.split(":")[0] for line in result.output.splitlines()} == {
        "store-visit", "phone-enquiry", "email-enquiry"}


def test_two_files_with_one_id_are_both_refused_and_nothing_is_stored(runner, tmp_path):
    """A copied file whose id was not changed made two new versions on every load, the one whose
    name sorts last winning."""
    (tmp_path / "a-branch.yaml").write_text(VALID)
    (tmp_path / "b-phone.yaml").write_text(VALID.replace("title: {en: Mini visit", "title: {en: Phone call"))
    (tmp_path / "c-other.yaml").write_text(VALID.replace("id: mini", "id: other", 1))
    check = runner.invoke(args=["check-checklists", str(tmp_path)])
    assert check.exit_code == 1
    assert f"{tmp_path / 'a-branch.yaml'}:1: id: 'mini' is also the id of {tmp_path / 'b-phone.yaml'}; " \
           "give each checklist its own id" in check.output
    assert "2 problem(s) in 2 of 3 file(s)" in check.output
    load = runner.invoke(args=["load-checklists", str(tmp_path)])
    assert load.exit_code == 1 and "other: version 1 (new version)" in load.output
    assert versions("mini") == []


def test_untranslated_texts_are_noted_and_refused_with_all_languages(runner, tmp_path):
    path = tmp_path / "mini.yaml"
    path.write_text(VALID)
    noted = runner.invoke(args=["check-checklists", str(path)])
    assert noted.exit_code == 0
    assert f"note: {path}: no Latvian (lv) text for " in noted.output
    assert "shown in English: line 2 (title), " in noted.output  # where, as every other problem is named
    strict = runner.invoke(args=["check-checklists", "--all-languages", str(path)])
    assert strict.exit_code == 1
    assert f"{path}:2: title: no Lithuanian (lt) or Latvian (lv) text: shown in English" in strict.output


def test_a_missing_translation_names_its_line_and_field(runner, tmp_path):
    path = tmp_path / "mini.yaml"
    lines = VALID.splitlines()
    path.write_text(VALID)
    strict = runner.invoke(args=["check-checklists", "--all-languages", str(path)]).output
    line = next(n for n, text in enumerate(lines, 1) if "Minutes until served" in text)
    assert f"{path}:{line}: sections[0].items[1].text: no Russian (ru), Lithuanian (lt) or Latvian (lv) text: " \
           "shown in English" in strict


def test_a_question_removed_in_a_new_version_keeps_its_text_in_the_statistics(runner, tmp_path, make_location,
                                                                              make_user):
    """Its visits still count; the statistics (and the reports made from them) showed its raw id."""
    from audit.models import Answer, Visit
    from audit.services.chain_stats import StatsFilter, chain_statistics
    from audit.services.checklists import current_version
    from audit.services.scores import store_visit_scores

    path = tmp_path / "mini.yaml"
    path.write_text(VALID)
    runner.invoke(args=["load-checklists", str(tmp_path)])
    v1 = current_version("mini")
    location, auditor = make_location(), make_user()
    for n in range(3):
        visit = Visit(uuid=f"11111111-1111-4111-8111-11111111111{n}", location=location, auditor=auditor,
                      checklist_version=v1, channel="in_person", status="approved", visited_at=v1.created_at,
                      answers=[Answer(item_id="friendly", value=str(3 + n)), Answer(item_id="greeted", value="yes")])
        db.session.add(visit)
        store_visit_scores(visit)
    db.session.commit()
    start = VALID.index("      - id: friendly")
    path.write_text(VALID[:start] + VALID[VALID.index("      - id: advice_note"):])
    assert "version 2 (new version)" in runner.invoke(args=["load-checklists", str(tmp_path)]).output
    items = {item["id"]: item for item in chain_statistics(StatsFilter("mini"))["items"]}
    assert items["friendly"]["text"] == "Friendliness" and items["friendly"]["section"] == "greeting"
    assert items["greeted"]["text"] == "Were you greeted within 30 seconds of entering?"


def test_a_file_named_twice_is_read_once(runner, tmp_path):
    (tmp_path / "mini.yaml").write_text(VALID)
    result = runner.invoke(args=["check-checklists", str(tmp_path), str(tmp_path / "mini.yaml")])
    assert result.exit_code == 0 and "ok: 1 checklist file(s)" in result.output
