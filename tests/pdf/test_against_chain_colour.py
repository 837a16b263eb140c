""""Against the chain" is red or blue only when the difference means something: for a visit,
beyond the usual spread of the chain's visit scores (one standard deviation, printed under it);
for a branch, outside the funnel limits its note names.

Before, the colour followed the sign alone: a visit 3.6 points under the chain's average, where
visits differ by ±15, and a branch −0.5 "not clearly different from the chain" were both printed
in large red figures, which a branch manager reads as bad news.
"""
from __future__ import annotations

import re
import statistics

import pytest
from sqlalchemy import select

from audit.extensions import db
from audit.models import Checklist, ChecklistVersion, Visit
from audit.reports.visit_report import visit_report_context
from tests.pdf.helpers import pdf_reader, squash
from tests.pdf.test_visit_pdf import chain, cli_pdf, sql_rows, visits  # noqa: F401 – fixtures

RED, BLUE = (0.702, 0.149, 0.118), (0.106, 0.369, 0.608)  # #b3261e, #1b5e9b


def coloured_texts(page) -> list[tuple[str, tuple]]:
    """Each text run of a PDF page with the fill colour it is drawn in."""
    state, found = [(0.0, 0.0, 0.0)], []

    def before(operator, operands, cm, tm):
        if operator == b"q":
            state.append(state[-1])
        elif operator == b"Q" and len(state) > 1:
            state.pop()
        elif operator in (b"rg", b"sc", b"scn") and len(operands) == 3:
            state[-1] = tuple(round(float(v), 3) for v in operands)

    def on_text(text, cm, tm, font, size):
        if text.strip():
            found.append((squash(text), state[-1]))

    page.extract_text(visitor_text=on_text, visitor_operand_before=before)
    return found


def against_the_chain(pdf: bytes) -> tuple[str, tuple, str]:
    """The difference printed in the "Against the chain" box, its colour, and the note under it."""
    runs = coloured_texts(pdf_reader(pdf).pages[0])
    texts = [text for text, _colour in runs]
    at = next(n for n, text in enumerate(texts) if text.lower() == "against the chain")
    value, colour = runs[at + 1]
    return value, colour, " ".join(texts[at + 2:at + 5])


def test_a_visit_is_red_only_beyond_the_usual_spread_of_the_chains_visits(app, runner, tmp_path, visits):  # noqa: F811
    inside = beyond = 0
    candidates = [visits["failed"], *db.session.scalars(  # the latest store visits (sql_rows counts only those)
        select(Visit).join(ChecklistVersion).join(Checklist)
        .where(Visit.status == "approved", Checklist.key == "store-visit").order_by(Visit.visited_at.desc()).limit(12))]
    for visit in candidates:
        scores = [float(score) for (score,) in sql_rows(visit, "v.score")]
        mean, spread = statistics.fmean(scores), statistics.stdev(scores)  # independently of the report
        context = visit_report_context(visit.id, "en")
        if not context["chain"]["comparable"]:
            continue
        assert context["chain"]["sd"] == pytest.approx(spread, rel=1e-6)
        value, colour, note = against_the_chain(cli_pdf(runner, tmp_path, visit.id))
        difference = visit.score - mean
        assert float(value.replace("\u2212", "-")) == round(difference, 1) or abs(difference) < 0.05, value
        assert re.search(rf"most visits lie within ±{round(spread)}\b", note), note
        if abs(difference) > spread:
            assert colour == (RED if difference < 0 else BLUE), (visit.id, value, colour)
            beyond += 1
        else:
            assert colour not in (RED, BLUE), (visit.id, value, colour)
            inside += 1
    assert inside and beyond, (inside, beyond)  # both cases met: the failed visit (0 points) and a usual one
