"""A checklist file with an unclosed bracket or quote names the line that opened it (the YAML
reader noticed a line later: `type: [yes_no` on line 54 was reported on line 55, a line with
nothing wrong), and a file saved in another encoding names the line of its first foreign byte
(it gave a byte number only) — on the upload page, in its language, and in
`audit check-checklists`."""
from __future__ import annotations

import pytest

from audit.checklist import ChecklistError, load_checklist_file, parse_checklist
from tests.conftest import csrf_token
from tests.web.test_checklist_upload import HEAVIER, admin, check, text_of  # noqa: F401 (admin: a fixture)

LINES = HEAVIER.splitlines()
TYPE_LINE = next(n for n, line in enumerate(LINES, start=1) if line.strip() == "type: yes_no")
UNCLOSED = "\n".join(line.replace("type: yes_no", "type: [yes_no") if n == TYPE_LINE else line
                     for n, line in enumerate(LINES, start=1)) + "\n"


@pytest.mark.parametrize("text, line, message", [
    (UNCLOSED, TYPE_LINE, "a list in square brackets [ opened on this line is not closed with ] "
                          f"(YAML: expected ',' or ']', but got ':', line {TYPE_LINE + 1})"),
    ("id: x\nchannel: {a: 1\ntitle: x\n", 2, "a mapping in braces { opened on this line is not closed with }"),
    ('id: x\ntitle: "Visit\nchannel: phone\n', 2, "a text in quotes opened on this line has no closing quote"),
])
def test_the_line_that_opened_it_is_named(text, line, message):
    with pytest.raises(ChecklistError) as caught:
        parse_checklist(text, "phone-enquiry.yaml")
    [problem] = caught.value.problems
    assert problem.line == line and problem.message.startswith(message), problem


def test_the_upload_page_names_the_line_in_its_language(client, admin):  # noqa: F811
    client.post("/language", data={"lang": "lt", "csrf_token": csrf_token(client.get("/").get_data(as_text=True))})
    page = text_of(check(client, UNCLOSED))
    assert (f"eilutė {TYPE_LINE} šioje eilutėje atidarytas sąrašas laužtiniuose skliaustuose [ neuždarytas "
            f"skliaustu ] (YAML: expected ',' or ']', but got ':', line {TYPE_LINE + 1})") in page


def test_a_file_saved_as_cp1257_names_the_line_of_its_first_foreign_letter(client, admin, tmp_path, runner):  # noqa: F811
    data = HEAVIER.encode("cp1257", errors="replace")  # as an editor saves it: Russian becomes "?"
    line = next(n for n, text in enumerate(data.splitlines(), start=1) if not text.isascii())
    response = check(client, data)
    assert response.status_code == 400
    assert f"line {line} The file is not UTF-8 text (byte " in text_of(response)

    path = tmp_path / "phone-enquiry.yaml"
    path.write_bytes(data)
    with pytest.raises(ChecklistError) as caught:
        load_checklist_file(path)
    assert caught.value.problems[0].line == line
    result = runner.invoke(args=["check-checklists", str(tmp_path)])
    assert result.exit_code != 0 and f"phone-enquiry.yaml:{line}: not UTF-8 text" in result.output
