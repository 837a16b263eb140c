"""Heat maps: locations (or regions) × sections, each cell a viridis-coloured 0–100 score that
prints its number in a contrasting colour. Built like the charts of :mod:`.charts` (plain values
in, escaped SVG ``Markup`` out) and shared by the dashboard and the PDF reports.
"""
from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

from .charts import INK, LIGHT, _fmt, _svg, text_width
from .headings import LEGIBLE, fit_heading

# viridis at 0, 0.25, 0.5, 0.75, 1 (perceptually even and readable in grey and by colour-blind readers)
VIRIDIS = ["#440154", "#3b528b", "#21918c", "#5ec962", "#fde725"]


def _mix(a: str, b: str, t: float) -> str:
    ra, ga, ba = (int(a[i:i + 2], 16) for i in (1, 3, 5))
    rb, gb, bb = (int(b[i:i + 2], 16) for i in (1, 3, 5))
    return "#" + "".join(f"{round(x + (y - x) * t):02x}" for x, y in ((ra, rb), (ga, gb), (ba, bb)))


def viridis(t: float) -> str:
    """Colour for ``t`` in [0, 1]."""
    t = min(max(t, 0.0), 1.0) * (len(VIRIDIS) - 1)
    i = min(int(t), len(VIRIDIS) - 2)
    return _mix(VIRIDIS[i], VIRIDIS[i + 1], t - i)


def _luminance(colour: str) -> float:
    """WCAG relative luminance of ``#rrggbb``."""
    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (linear(int(colour[i:i + 2], 16)) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two colours (1 to 21)."""
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def text_colour(background: str) -> str:
    """Black or white, whichever stands out more on ``background``: at least 4.58:1 on any colour
    (white on mid-green was 2.6:1; the page's softer ink falls short on viridis' teal)."""
    return "#000000" if contrast(background, "#000000") >= contrast(background, "#ffffff") else "#ffffff"


def heat_map(row_labels: Sequence[str], column_labels: Sequence[str], values: Sequence[Sequence[float | None]],
             label: str = "Heat map") -> Markup:
    """A table of 0–100 scores coloured with viridis, each cell showing its number."""
    left, top, cell_w, cell_h = 190, 92, 54, 20
    width = left + cell_w * len(column_labels) + 10
    height = top + cell_h * len(row_labels) + 6
    body = []
    for c, title in enumerate(column_labels):
        cx = left + c * cell_w + cell_w / 2
        body.append(f'<text transform="translate({cx + 4:.1f},{top - 6}) rotate(-45)">{escape(title[:22])}</text>')
    for r, title in enumerate(row_labels):
        y = top + r * cell_h
        body.append(f'<text x="{left - 6}" y="{y + 14}" text-anchor="end">{escape(title[:32])}</text>')
        for c, value in enumerate(values[r]):
            fill = LIGHT if value is None else viridis(value / 100.0)
            body.append(f'<rect x="{left + c * cell_w}" y="{y}" width="{cell_w - 2}" height="{cell_h - 2}" fill="{fill}"/>')
            body.append(f'<text x="{left + c * cell_w + cell_w / 2 - 1:.1f}" y="{y + 14}" text-anchor="middle" '
                        f'fill="{INK if value is None else text_colour(fill)}">{_fmt(value, 0)}</text>')
    return _svg(width, height, body, label)


def _n(value: float) -> str:
    """A coordinate with at most one decimal ("172", "260.5")."""
    return f"{value:.1f}".removesuffix(".0")


def _clip(text: str, chars: int) -> str:
    """``text`` cut to ``chars`` characters, the last of them an ellipsis."""
    return text if len(text) <= chars else text[:chars - 1].rstrip() + "…"


def _wrap_words(text: str, width: int, max_lines: int) -> list[str]:
    """``text`` in lines of about ``width`` characters (long words stay whole), at most ``max_lines``."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = _clip(lines[-1] + " …", width + 1)
    return lines or [""]


def _fit_words(text: str, max_lines: int = 3, widths: range = range(12, 25)) -> list[str]:
    """``text`` in at most ``max_lines`` lines, as narrow as that allows (12 to 24 characters).

    Every word is kept while some width fits ("Atsisveikinimas ir aptarnavimas po pardavimo" in
    three lines of 15); the caller shrinks the font to the longest line. Only a title too long
    for three lines of 24 characters ends in "…".
    """
    for width in widths:
        lines = _wrap_words(text, width, max_lines + 1)
        if len(lines) <= max_lines:
            return lines
    return _wrap_words(text, widths[-1], max_lines)


def _heading(title: str, room: float, language: str | None, legible: float = LEGIBLE) -> tuple[list[str], float]:
    """The lines and font size (px) of a column heading ``room`` px wide (whole words kept down to
    ``legible`` px, see :func:`.headings.fit_heading`)."""
    fitted = fit_heading(title, room, lambda line: text_width(line) * 10 / 11, language, legible)
    if fitted is not None:
        return fitted.lines, fitted.size
    lines = _fit_words(title)
    return lines, max(6.5, min(10.0, 10.0 * room / max(text_width(line) * 10 / 11 for line in lines)))


def heat_label_px(labels: Sequence[str], chars: int = 40) -> float:
    """The label column :func:`labelled_heat_map` needs for ``labels`` (to give several maps one)."""
    return max([text_width(_clip(text, chars)) for text in labels] + [30.0]) + 14


#: The dashboard draws its heat maps at the size they are shown: names and numbers at 13 px, column
#: headings at 12 px at least. (The PDF's drawing, shrunk to a portrait tablet's card, printed them
#: at 8–9 px.)
SCREEN_TEXT_PX, SCREEN_HEADING_PX = 13.0, 12.0
#: A column heading's font over the size :func:`.headings.fit_heading` gives it (10 px at most):
#: on the screen the largest heading is as large as the names.
SCREEN_HEADING_SCALE = SCREEN_TEXT_PX / 10


def _screen_columns(titles: Sequence[str], language: str | None) -> tuple[int, list[tuple[list[str], float]]]:
    """The narrowest cell (px) in which every column heading is :data:`SCREEN_HEADING_PX` or larger,
    with the headings' lines and fitted sizes (to be scaled by :data:`SCREEN_HEADING_SCALE`)."""
    least = SCREEN_HEADING_PX / SCREEN_HEADING_SCALE
    for cell_w in range(64, 257, 4):
        heads = [_heading(title, (cell_w - 6) / SCREEN_HEADING_SCALE, language, least) for title in titles]
        if all(size >= least - 1e-6 for _, size in heads):
            break
    return cell_w, heads


def labelled_heat_map(row_labels: Sequence[str], column_labels: Sequence[str],
                      values: Sequence[Sequence[float | None]], label: str = "Heat map",
                      chars: int = 40, label_px: float | None = None, language: str | None = None,
                      screen: bool = False) -> Markup:
    """:func:`heat_map` sized to its labels, so no label is cut off at the edge of the picture.

    Column titles are wrapped on up to three horizontal lines above their column (four where a long
    word is broken with a hyphen in ``language``, see :func:`.headings.fit_heading`); the label
    column is as wide as the longest row label (up to ``chars`` characters, longer ones end in
    "…"), or ``label_px`` wide (measured at 11 px, :func:`heat_label_px`), so that maps shown
    together share one scale.
    Cells are viridis-coloured 0–100 scores, each printing its number in a contrasting colour.

    The map keeps its own size (its width grows with the number of sections): stretched to the
    width of the page, a map of four sections was drawn a third larger, too tall to share a PDF page
    with the regions' map. A map wider than the page is shrunk to fit it in the PDF.

    ``screen`` (the dashboard): drawn at the size it is shown, its text at :data:`SCREEN_TEXT_PX`
    and headings at :data:`SCREEN_HEADING_PX` or more, in two pictures side by side: the row
    labels, and the headings with the cells in a ``.heat-cells`` box that scrolls sideways when
    the card is narrower, the labels staying in view. (Shrunk to fit a portrait tablet's card,
    the PDF's drawing printed names and numbers at 9 px and headings at 8 px.)
    """
    if screen:
        scale, heading_scale = SCREEN_TEXT_PX / 11, SCREEN_HEADING_SCALE
        cell_w, heads = _screen_columns(column_labels, language)
    else:
        scale, heading_scale, cell_w = 1.0, 1.0, 76
        heads = [_heading(title, cell_w - 6, language) for title in column_labels]
    cell_h, line_h, baseline = 20 * scale, 12 * heading_scale, 14 * scale
    rows = [_clip(text, chars) for text in row_labels]
    left = round((label_px if label_px is not None else heat_label_px(rows, chars)) * scale)
    top = round(max([len(lines) for lines, _ in heads] + [1]) * line_h + 8 * scale)
    width = left + cell_w * len(column_labels) + 4
    height = top + cell_h * len(rows) + 4
    x0 = 0 if screen else left  # where the cells begin in the picture that holds them
    labels, cells = [], []
    for c, (lines, size) in enumerate(heads):
        cx = x0 + c * cell_w + (cell_w - 2) / 2
        for n, line in enumerate(lines):
            cells.append(f'<text x="{cx:.1f}" y="{_n(top - 6 * scale - (len(lines) - 1 - n) * line_h)}" '
                         f'text-anchor="middle" font-size="{size * heading_scale:.1f}">{escape(line)}</text>')
    for r, text in enumerate(rows):
        y = top + r * cell_h
        labels.append(f'<text x="{_n(left - 8 * scale)}" y="{_n(y + baseline)}" text-anchor="end">{escape(text)}</text>')
        for c, value in enumerate(values[r]):
            fill = LIGHT if value is None else viridis(value / 100.0)
            cells.append(f'<rect x="{x0 + c * cell_w}" y="{_n(y)}" width="{cell_w - 2}" height="{_n(cell_h - 2)}" fill="{fill}"/>'
                         f'<text x="{x0 + c * cell_w + (cell_w - 2) / 2:.1f}" y="{_n(y + baseline)}" text-anchor="middle" '
                         f'fill="{INK if value is None else text_colour(fill)}">{_fmt(value, 0)}</text>')
    if not screen:
        return _svg(width, height, labels + cells, label, natural=True)
    names = _svg(left, height, labels, "", natural=True, font_px=SCREEN_TEXT_PX, css_class="heat-labels")
    grid = _svg(width - left, height, cells, "", natural=True, font_px=SCREEN_TEXT_PX, css_class="heat-grid")
    return Markup('<div class="heat-map" role="img" aria-label="{}">{}<div class="heat-cells">{}</div></div>').format(
        label, names, grid)
