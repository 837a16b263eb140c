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


#: What a heading introduces: a table, a list, a chart, the ranking's listing, a note. Paragraphs
#: of plain text under a heading (its caption, a legend) are not enough to stand under it alone.
CONTENT_TAGS = {"table", "ul", "ol", "img", "svg", "dl"}
CONTENT_CLASSES = {"listing", "note", "keyfigures", "none"}  # "none": "No open actions …"


def _classes(box) -> set[str]:
    element = getattr(box, "element", None)
    return set((element.get("class") or "").split()) if element is not None else set()


def headings_left_alone(document) -> list[str]:
    """Every heading (h2, h3) at the foot of a page with nothing of its section's content after
    it on that page: only the heading, or the heading and its caption, and the table or chart it
    introduces on the next page. ``_page_box`` is WeasyPrint's laid-out page."""
    found = []
    for number, page in enumerate(document.pages, 1):
        waiting = None
        for root in page._page_box.children:
            if isinstance(root, boxes.MarginBox):
                continue
            for box in root.descendants():
                tag = getattr(box, "element_tag", None)
                if tag in ("h2", "h3") and isinstance(box, boxes.BlockBox):
                    waiting = text_of(box).strip()
                elif waiting and (tag in CONTENT_TAGS or _classes(box) & CONTENT_CLASSES):
                    waiting = None
        if waiting and number < len(document.pages):
            found.append(f"page {number}: {waiting!r}")
    return found
