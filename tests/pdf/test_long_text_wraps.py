"""Whatever people typed stays on the page: a pasted link of thousands of characters without a
space, in an auditor's comment, a dispute's reason and decision, a corrective action, a scenario
or a name, wraps inside its column of the visit, location and chain PDFs.

The reviewer's 5000-character reason ran past the right edge of the page and was cut off, and
the question column beside it shrank to a dozen letters a line. The text itself was still in the
PDF (drawn beyond the page), so its text alone proves nothing: each report is checked in the
layout WeasyPrint made the PDF from (every box within the page's content area, every line within
its table cell), and the PDF's text must hold each string whole.
"""
from __future__ import annotations

import hashlib
import re
from datetime import datetime, time, timedelta

import pytest
from weasyprint.formatting_structure import boxes

from audit.extensions import db
from audit.services.actions import complete_action, plan_action
from audit.services.locations import rename_region, update_location
from audit.services.review import approve_visit, decide_dispute, raise_dispute
from audit.services.visits import VisitContent, start_visit, submit_visit
from audit.times import local_today
from tests.pdf.helpers import pdf_reader
from tests.pdf.layout import off_the_page, text_of
from tests.pdf.test_visit_pdf import PLAIN, chain  # noqa: F401 – the demo chain fixture

def unbroken(label: str, length: int) -> str:
    """``length`` letters and digits with no break opportunity, unique to ``label``."""
    digits = "".join(hashlib.sha256(f"{label}{n}".encode()).hexdigest() for n in range(length // 64 + 1))
    return (label + digits)[:length]


LINK = "https://tickets.example.com/" + unbroken("reason", 2972)  # 3000 characters
TEXTS = {
    "comment": unbroken("comment", 3000),
    "reason": LINK,
    "decision": unbroken("decision", 3000),
    "action": unbroken("action", 2000),  # the longest an action may be
    "done note": unbroken("donenote", 2000),
    "visit action": unbroken("visitaction", 2000),
    "responsible": unbroken("responsible", 200),
    "scenario": unbroken("scenario", 200),
    "auditor": unbroken("Auditor", 200),
    "branch": unbroken("Branch", 200),
    "region": unbroken("Region", 120),
}
#: What each report prints of them (the auditor's name: the reports made by the CLI show it).
SHOWN = {
    "visit": ["comment", "reason", "decision", "action", "responsible", "visit action", "done note",
              "auditor", "branch", "region"],
    "location": ["scenario", "action", "visit action", "done note", "responsible", "auditor", "branch"],
    "chain": ["branch", "region"],
}


@pytest.fixture
def typed(app, chain, make_user):  # noqa: F811
    """A visit of the demo chain's first branch, all of whose typed text is one long string:
    a failed answer's comment, the scenario, the auditor's and the branch's and region's names,
    a dispute upheld, an action done on the failed item and one open on the visit as a whole."""
    location = chain["location"]
    update_location(location, code=location.code, name=TEXTS["branch"], region_id=location.region_id,
                    city=location.city, address=location.address, format=location.format)
    rename_region(location.region, TEXTS["region"])
    auditor = make_user("auditor", name=TEXTS["auditor"])
    manager = make_user("manager", locations=[location.code])
    visit = start_visit(auditor, "77777777-7777-4777-8777-777777777777", location=location,
                        checklist_key="store-visit", scenario=TEXTS["scenario"])
    visited = datetime.combine(chain["end"] - timedelta(days=5), time(11, 0))
    submit_visit(visit, auditor, VisitContent(answers={**chain["answers"], PLAIN: "no"},
                                              comments={PLAIN: TEXTS["comment"]}, visited_at=visited))
    approve_visit(visit, chain["reviewer"])
    dispute = raise_dispute(visit, manager, PLAIN, TEXTS["reason"])
    decide_dispute(dispute, chain["reviewer"], overturn=False, note=TEXTS["decision"])
    today = local_today()
    done = plan_action(visit, manager, PLAIN, TEXTS["action"], TEXTS["responsible"], today + timedelta(days=7), today)
    complete_action(done, manager, TEXTS["done note"])
    plan_action(visit, manager, None, TEXTS["visit action"], "", today + timedelta(days=7), today)
    db.session.commit()
    return visit


def cell_lines(document, text: str) -> list[list[str]]:
    """The lines of each table cell that holds ``text``, as laid out."""
    def bare(value: str) -> str:
        return re.sub(r"\s+", "", value)

    return [[text_of(line).strip() for line in cell.descendants() if isinstance(line, boxes.LineBox)]
            for page in document.pages for cell in page._page_box.descendants()
            if isinstance(cell, boxes.TableCellBox) and bare(text_of(cell)) == bare(text)]


def printed_lines(data: bytes) -> list[str]:
    """The PDF's lines of text, each without white space, in the order they are drawn."""
    return [re.sub(r"\s+", "", line) for page in pdf_reader(data).pages for line in page.extract_text().splitlines()]


def reads_whole(string: str, lines: list[str]) -> bool:
    """``string`` is printed whole: a line holds it, or a line ends with its start and the lines
    after it go on with it to its end. Other lines may come between the pieces: the page's footer
    and the table's header row where it runs on over a page, the other cells of its row."""
    for number, line in enumerate(lines):
        if string in line:
            return True
        for start in range(len(line)):
            if string.startswith(line[start:]) and _goes_on(string, len(line) - start, lines[number + 1:]):
                return True
    return False


def _goes_on(string: str, printed: int, lines: list[str]) -> bool:
    for line in lines:
        rest = string[printed:]
        if line.startswith(rest):
            return True
        if line and rest.startswith(line):
            printed += len(line)
    return False


@pytest.mark.parametrize("report", ["visit", "location", "chain"])
def test_long_typed_text_wraps_inside_the_page(app, runner, tmp_path, typed, layouts, report):
    out = tmp_path / f"{report}.pdf"
    args = {"visit": [str(typed.id)], "location": [typed.location.code], "chain": ["--checklist", "store-visit"]}
    result = runner.invoke(args=["report", report, *args[report], "--out", str(out)])
    assert result.exit_code == 0, result.output
    (document,) = layouts

    problems = off_the_page(document)
    assert not problems, "\n".join(problems[:10])
    if report == "visit":  # the disputed question keeps its column beside the reason (squeezed, it took six lines)
        question = typed.checklist_version.parsed.item(PLAIN).text.en
        (lines,) = cell_lines(document, question)
        assert " ".join(lines) == question and len(lines) <= 3, lines

    lines = printed_lines(out.read_bytes())
    for name in SHOWN[report]:
        assert reads_whole(TEXTS[name], lines), f"the {name} is not printed whole"
