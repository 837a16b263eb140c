"""A malformed checklist gets a `file:line: path: message` for every problem, and nothing loads."""
from __future__ import annotations

import textwrap

import pytest

from audit.checklist import ChecklistError, load_checklist_file, parse_checklist

VALID = textwrap.dedent("""\
    id: mini
    title: {en: Mini visit, ru: Мини-визит}
    channel: in_person
    sections:
      - id: greeting
        title: {en: Greeting}
        weight: 2
        items:
          - id: greeted
            text: {en: Were you greeted within 30 seconds of entering?}
            type: yes_no_na
            principle: greeting
          - id: wait
            text: {en: Minutes until served}
            type: number
            principle: speed
            bands: [{max: 2, score: 1}, {max: 5, score: 0.5}, {score: 0}]
          - id: advice
            text: {en: Advice}
            type: choice
            principle: advice
            options: [{id: expert, label: {en: Expert}, score: 1}, {id: basic, label: {en: Basic}, score: 0.5}]
          - id: friendly
            text: {en: Friendliness}
            type: scale
            min: 1
            max: 5
            principle: courtesy
          - id: advice_note
            text: {en: What was missing?}
            type: text
            show_if: {item: advice, equals: basic}
    """)


def test_valid_example_loads_with_all_fields():
    checklist = parse_checklist(VALID, "mini.yaml")
    assert checklist.id == "mini"
    assert [i.id for i in checklist.items] == ["greeted", "wait", "advice", "friendly", "advice_note"]
    assert checklist.title.get("ru") == "Мини-визит"
    assert checklist.title.get("lv") == "Mini visit"  # falls back to English
    assert checklist.item("advice_note").show_if.values == ("basic",)
    assert checklist.sections[0].weight == 2


def broken(old: str, new: str) -> str:
    assert old in VALID, old
    return VALID.replace(old, new, 1)


# (edit to the valid file, expected line, expected path, expected message fragment)
CASES = [
    # The line that opened the bracket, not the next one, where the YAML reader noticed.
    ("invalid yaml", broken("channel: in_person", "channel: [in_person"), 3, "",
     "a list in square brackets [ opened on this line is not closed with ]"),
    ("unknown top key", broken("channel: in_person", "channel: in_person\nchanel: phone"), 4, "chanel",
     "unknown key; did you mean 'channel'?"),
    ("unknown item key", broken("type: yes_no_na", "type: yes_no_na\n        wieght: 2"), 12,
     "sections[0].items[0].wieght", "did you mean 'weight'"),
    ("unknown type", broken("type: yes_no_na", "type: yes_or_no"), 11, "sections[0].items[0].type",
     "unknown type 'yes_or_no'"),
    ("unknown channel", broken("channel: in_person", "channel: fax"), 3, "channel", "'fax' is not one of"),
    ("duplicate item id", broken("- id: wait", "- id: greeted"), 13, "sections[0].items[1].id",
     "duplicate item id 'greeted' (first used on line 9)"),
    ("duplicate key", broken("type: yes_no_na", "type: yes_no_na\n        type: yes_no"), 12, "",
     "the key 'type' is written twice at the same level: keep one (YAML: found duplicate key"),
    ("zero weight", broken("weight: 2", "weight: 0"), 7, "sections[0].weight", "must be greater than 0"),
    ("comma in a flow text", broken("text: {en: Minutes until served}", "text: {en: Minutes, until served}"), 14,
     "sections[0].items[1].text.until served", "a comma in a text written as {en: …, ru: …} ends it: put such texts in quotes"),
    ("negative item weight", broken("principle: greeting", "principle: greeting\n        weight: -1"), 13,
     "sections[0].items[0].weight", "must be greater than 0"),
    ("weight not a number", broken("weight: 2", "weight: heavy"), 7, "sections[0].weight", "must be a number"),
    ("scale min >= max", broken("min: 1\n        max: 5", "min: 1\n        max: 1"), 27, "sections[0].items[3].max", "must be greater than min (1)"),
    ("unsorted bands", broken("{max: 2, score: 1}, {max: 5", "{max: 5, score: 1}, {max: 2"), 17,
     "sections[0].items[1].bands[1].max", "sorted by increasing max"),
    ("overlapping bands", broken("{max: 5, score: 0.5}", "{max: 2, score: 0.5}"), 17,
     "sections[0].items[1].bands[1].max", "2 is not above 2"),
    ("last band with max", broken("{score: 0}]", "{max: 9, score: 0}]"), 17,
     "sections[0].items[1].bands[2].max", "the last band must have no max"),
    ("choice score out of range", broken("score: 0.5}]", "score: 1.5}]"), 22,
     "sections[0].items[2].options[1].score", "from 0 to 1, not 1.5"),
    ("choice option na", broken("{id: basic,", "{id: na,"), 22, "sections[0].items[2].options[1].id",
     "'na' is reserved"),
    ("show_if unknown item", broken("item: advice, equals", "item: advise, equals"), 32,
     "sections[0].items[4].show_if.item", "unknown item 'advise'"),
    ("show_if later item", broken("principle: greeting", "principle: greeting\n        show_if: {item: wait, equals: yes}"),
     13, "sections[0].items[0].show_if.item", "does not come before this item"),
    ("show_if impossible answer", broken("equals: basic", "equals: superb"), 32,
     "sections[0].items[4].show_if.equals", "'superb' is not an answer of item 'advice' (expert, basic)"),
    ("missing en", broken("text: {en: Advice}", "text: {ru: Совет}"), 19, "sections[0].items[2].text.en",
     "the English text is required"),
    ("unknown language", broken("title: {en: Greeting}", "title: {en: Greeting, de: Gruß}"), 6,
     "sections[0].title.de", "unknown language"),
    ("missing principle", broken("\n        principle: courtesy", ""), 23, "sections[0].items[3].principle", "is required"),
    ("unknown principle", broken("principle: courtesy", "principle: kindness"), 28,
     "sections[0].items[3].principle", "unknown principle 'kindness'"),
    ("weight on text item", broken("type: text", "type: text\n        weight: 1"), 32,
     "sections[0].items[4].weight", "not allowed for a 'text' item"),
    ("missing sections", VALID[:VALID.index("sections:")], 1, "sections", "is required"),
    ("empty items", broken("weight: 2\n    items:", "weight: 2\n    items: []\n    old_items:"), 8,
     "sections[0].items", "non-empty list"),
    ("bad id", broken("id: mini", "id: Mini Visit"), 1, "id", "is not a valid id"),
    ("critical not boolean", broken("principle: greeting", "principle: greeting\n        critical: yes"), 13,
     "sections[0].items[0].critical", "must be true or false"),
    # A blank value was skipped without a word, and its question, section or option left out.
    ("blank item id", broken("- id: wait", "- id:"), 13, "sections[0].items[1].id", "is empty; write its value"),
    ("blank item text", broken("text: {en: Minutes until served}", "text:"), 14, "sections[0].items[1].text",
     "is empty"),
    ("blank section title", broken("title: {en: Greeting}", "title:"), 6, "sections[0].title", "is empty"),
    ("blank items", broken("weight: 2\n    items:", "weight: 2\n    items:\n    old_items:"), 8,
     "sections[0].items", "is empty"),
    ("blank checklist id", broken("id: mini", "id:"), 1, "id", "is empty"),
    ("blank option label", broken("{id: basic, label: {en: Basic}", "{id: basic, label: "), 22,
     "sections[0].items[2].options[1].label", "is empty"),
    ("blank type", broken("type: yes_no_na", "type:"), 11, "sections[0].items[0].type", "is empty; use one of"),
    ("blank critical", broken("principle: greeting", "principle: greeting\n        critical:"), 13,
     "sections[0].items[0].critical", "must be true or false, not nothing"),
    ("infinite weight", broken("weight: 2", "weight: .inf"), 7, "sections[0].weight", "must be a number"),
    ("critical but optional", broken("principle: greeting", "principle: greeting\n        critical: true\n"
                                     "        required: false"), 14, "sections[0].items[0].required",
     "a critical item must be required"),
    ("colon inside a text", broken("text: {en: What was missing?}", "text:\n          en: Missing: what?"), 31, "",
     "put the whole text in quotes"),
    ("tab", broken("type: text", "type:\ttext\n\tshow: 1"), 31, "", "a tab character: indent with spaces only"),
    # A list entry indented with a tab, the lines under it with spaces: the YAML reader stumbles on
    # the next line, and the colon-in-a-text hint sent the author looking for a colon that is not there.
    ("tab before the first entry of a list", broken("sections:\n  - id: greeting", "sections:\n\n\t- id: greeting"), 6,
     "", "a tab character: indent with spaces only"),
]


@pytest.mark.parametrize("name, text, line, path, message", CASES, ids=[c[0] for c in CASES])
def test_malformed_checklist_names_line_path_and_fix(name, text, line, path, message):
    with pytest.raises(ChecklistError) as caught:
        parse_checklist(text, "checklists/mini.yaml")
    problems = caught.value.problems
    matching = [p for p in problems if p.line == line and p.path == path and message in p.message]
    assert matching, "\n".join(map(str, problems))
    rendered = str(matching[0])
    assert rendered.startswith(f"checklists/mini.yaml:{line}: ")
    assert "Traceback" not in str(caught.value)


def test_every_problem_is_reported_not_just_the_first():
    text = broken("weight: 2", "weight: 0")
    text = text.replace("min: 1\n        max: 5", "min: 1\n        max: 1")
    text = text.replace("equals: basic", "equals: superb")
    with pytest.raises(ChecklistError) as caught:
        parse_checklist(text, "mini.yaml")
    paths = {p.path for p in caught.value.problems}
    assert {"sections[0].weight", "sections[0].items[3].max", "sections[0].items[4].show_if.equals"} <= paths


def test_yes_and_no_stay_answers_not_booleans():
    text = broken("equals: basic", "in: [basic, expert]").replace(
        "- id: advice_note", "- id: greet_note\n        text: {en: Why not?}\n        type: text\n"
        "        show_if: {item: greeted, equals: no}\n      - id: advice_note")
    checklist = parse_checklist(text, "mini.yaml")
    assert checklist.item("greet_note").show_if.values == ("no",)


def test_file_errors_name_the_file(tmp_path):
    with pytest.raises(ChecklistError, match=r"missing.yaml: file not found"):
        load_checklist_file(tmp_path / "missing.yaml")
    latin1 = tmp_path / "latin1.yaml"
    latin1.write_bytes("id: x\ntitle: Pārbaude".encode("utf-16"))
    with pytest.raises(ChecklistError, match=r"latin1.yaml:1: not UTF-8"):
        load_checklist_file(latin1)
    empty = tmp_path / "empty.yaml"
    empty.write_text("# nothing here\n")
    with pytest.raises(ChecklistError, match="the file is empty"):
        load_checklist_file(empty)


def test_a_scale_with_a_broken_range_is_named_once_without_a_crash():
    """min: 0.5 made show_if on that scale a TypeError traceback."""
    text = broken("min: 1", "min: 0.5").replace(
        "- id: advice_note", "- id: friendly_note\n        text: {en: Why?}\n        type: text\n"
        "        show_if: {item: friendly, in: [1, 2]}\n      - id: advice_note")
    with pytest.raises(ChecklistError) as caught:
        parse_checklist(text, "mini.yaml")
    assert [(p.path, p.message) for p in caught.value.problems] == [
        ("sections[0].items[3].min", "must be a whole number, not 0.5")]


def test_an_unscored_choice_needs_no_option_scores():
    text = broken("""    options: [{id: expert, label: {en: Expert}, score: 1}, {id: basic, label: {en: Basic}, score: 0.5}]""",
                  """    scored: false
        options: [{id: expert, label: {en: Expert}}, {id: basic, label: {en: Basic}}]""").replace(
        "        principle: advice\n", "", 1)
    checklist = parse_checklist(text, "mini.yaml")
    assert not checklist.item("advice").scored and [o.id for o in checklist.item("advice").options] == ["expert", "basic"]


def test_a_stored_critical_optional_item_still_reads():
    """The rule is for files being written: a version stored before it must still open."""
    from audit.checklist import checklist_from_data, checklist_to_dict

    data = checklist_to_dict(parse_checklist(VALID, "mini.yaml"))
    data["sections"][0]["items"][0].update(critical=True, required=False)
    data["sections"][0]["weight"] = float("inf")
    assert checklist_from_data(data).item("greeted").critical


def test_untranslated_places_are_listed_by_language():
    from audit.checklist.model import untranslated

    missing = untranslated(parse_checklist(VALID, "mini.yaml"))
    assert set(missing) == {"ru", "lt", "lv"}
    assert "title" not in missing["ru"] and "title" in missing["lt"]
    assert "item advice option basic" in missing["lv"] and "section greeting" in missing["ru"]


def test_a_quote_left_open_is_named_on_its_own_line_not_where_the_reader_stumbled():
    """A Latvian text without its closing quote on line 11 went on, as one text, to the next
    quote 64 lines further, and the file was refused at line 75 with "mapping values are not
    allowed here": the author was sent to look for a colon in a text that was right."""
    questions = "".join(f"      - id: q{n}\n        text: {{en: Question {n}}}\n        type: yes_no\n"
                        f"        principle: courtesy\n" for n in range(15))
    text = ("id: mini\ntitle: {en: Mini visit}\nchannel: phone\nsections:\n  - id: call\n    title: {en: Call}\n"
            "    items:\n      - id: answered\n        text:\n          en: Mystery call. Call the branch\n"
            '          lv: "Slepenais zvans. Piezvaniet\n        type: yes_no\n        principle: greeting\n'
            + questions +
            '      - id: badge\n        text: {en: "Name: as on the badge"}\n        type: yes_no\n'
            "        principle: courtesy\n")
    assert text.splitlines()[10].endswith('lv: "Slepenais zvans. Piezvaniet')
    with pytest.raises(ChecklistError) as caught:
        parse_checklist(text, "checklists/mini.yaml")
    [problem] = caught.value.problems
    assert str(problem).startswith("checklists/mini.yaml:11: a text in quotes opened on this line has no closing "
                                   "quote (YAML: mapping values are not allowed here, line 75)"), str(problem)


def test_a_text_in_quotes_wrapped_over_two_lines_on_purpose_still_loads():
    text = broken("text: {en: What was missing?}", 'text:\n          en: "What was\n            missing?"')
    assert parse_checklist(text, "mini.yaml").item("advice_note").text.get("en") == "What was missing?"
