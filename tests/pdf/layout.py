"""The layout WeasyPrint writes a PDF from, read by the PDF tests: what lies off the page."""
from __future__ import annotations

from weasyprint.formatting_structure import boxes

TOLERANCE = 1  # CSS px: rounding, half a collapsed border


def text_of(box) -> str:
    if isinstance(box, boxes.TextBox):
        return box.text
    return "".join(text_of(child) for child in getattr(box, "children", ()))


def off_the_page(document) -> list[str]:
    """Every box laid out beyond the right edge of its page's content area (the margins are
    the page boxes' own: footer and page numbers), and every line beyond its table cell.
    ``_page_box`` is WeasyPrint's laid-out page: it has no public name."""
    found = []
    for number, page in enumerate(document.pages, 1):
        page_box = page._page_box
        right = page_box.content_box_x() + page_box.width
        for root in page_box.children:
            if isinstance(root, boxes.MarginBox):
                continue
            for box in root.descendants():
                if box.position_x + box.margin_width() > right + TOLERANCE:
                    found.append(f"page {number}: {type(box).__name__} to x={box.position_x + box.margin_width():.0f}"
                                 f" > {right:.0f}: {text_of(box)[:50]!r}")
                if isinstance(box, boxes.TableCellBox):
                    cell_right = box.border_box_x() + box.border_width()
                    found.extend(f"page {number}: {text.text[:50]!r} runs out of its cell"
                                 for text in box.descendants() if isinstance(text, boxes.TextBox)
                                 and text.position_x + text.width > cell_right + TOLERANCE)
    return found
