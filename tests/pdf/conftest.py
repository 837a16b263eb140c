"""Fixtures of the PDF tests."""
from __future__ import annotations

import pytest
import weasyprint


@pytest.fixture
def layouts(monkeypatch) -> list:
    """The documents WeasyPrint lays out while the test runs, each as the PDF is written from it."""
    documents = []
    render = weasyprint.HTML.render

    def keep(self, *args, **kwargs):
        document = render(self, *args, **kwargs)
        documents.append(document)
        return document

    monkeypatch.setattr(weasyprint.HTML, "render", keep)
    return documents
