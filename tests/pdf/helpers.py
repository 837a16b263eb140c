"""Shared by the PDF and location-page tests: a demo chain built through the CLI, and the
text of a PDF as a reader sees it."""
from __future__ import annotations

import io
import re
from datetime import date

from pypdf import PdfReader

DEMO_END = "2026-10-31"


def build_demo(runner, locations: int = 12, months: int = 4, end: date | None = None) -> None:
    result = runner.invoke(args=["demo", "--locations", str(locations), "--months", str(months),
                                 "--seed", "3", "--end", end.isoformat() if end else DEMO_END])
    assert result.exit_code == 0, result.output


def pdf_reader(data: bytes) -> PdfReader:
    assert data.startswith(b"%PDF-"), data[:40]
    return PdfReader(io.BytesIO(data))


def pdf_text(data: bytes) -> str:
    """All pages' text with every run of white space (line breaks too) made one space."""
    return squash(" ".join(page.extract_text() for page in pdf_reader(data).pages))


def squash(text: str) -> str:
    """White space made single spaces; word joiners (invisible, kept out of the PDF's text) removed."""
    return re.sub(r"\s+", " ", text.replace("\u2060", "")).strip()


def _times(m: list[float], n: list[float]) -> list[float]:
    """The PDF matrix product m × n (matrices as their six numbers a b c d e f)."""
    return [m[0] * n[0] + m[1] * n[2], m[0] * n[1] + m[1] * n[3], m[2] * n[0] + m[3] * n[2],
            m[2] * n[1] + m[3] * n[3], m[4] * n[0] + m[5] * n[2] + n[4], m[4] * n[1] + m[5] * n[3] + n[5]]


def placed(page) -> tuple[list[tuple[str, float]], list[dict]]:
    """Where a PDF page draws its text and its raster images, in points from the page's foot:
    ``([(text, baseline y), …], [{"pixels": (w, h), "x", "y" (top), "width", "height"}, …])``."""
    texts, images = [], []
    xobjects = page["/Resources"].get("/XObject", {})

    def on_text(text, cm, tm, font, size):
        if text.strip():
            texts.append((squash(text), _times(tm, cm)[5]))

    def on_operator(operator, operands, cm, tm):
        if operator == b"Do":
            xobject = xobjects[operands[0]].get_object()
            if xobject.get("/Subtype") == "/Image":  # a unit square drawn through the matrix cm
                a, _, _, d, e, f = (float(v) for v in cm)
                images.append({"pixels": (int(xobject["/Width"]), int(xobject["/Height"])), "x": e,
                               "y": f + d, "width": a, "height": d})

    page.extract_text(visitor_text=on_text, visitor_operand_before=on_operator)
    return texts, images
