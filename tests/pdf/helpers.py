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
