"""Small hand-built SVG charts, shared by the HTML pages and the PDF reports.

Every function takes plain values and returns ``Markup`` (an ``<svg>`` element with a
``viewBox``, so it scales to its container). Colours come from colour-blind-safe palettes
(blue/orange for above/below here, viridis for the heat maps of :mod:`.heat_maps`); numbers are
printed on the charts so nothing depends on colour alone. All text is escaped.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from functools import lru_cache

from markupsafe import Markup, escape
from PIL import ImageFont

FONT = "font-family=\"DejaVu Sans, sans-serif\""
BLUE, ORANGE, GREY, INK, LIGHT = "#2166ac", "#d95f02", "#8a96a6", "#1d2430", "#e9edf2"


def _fmt(value: float | None, digits: int = 1) -> str:
    """A number as the reader writes it: "93,7" in ru/lt/lv, "93.7" in English.

    Uses the active Flask-Babel locale when there is one (pages, and PDFs built inside
    ``force_locale``); plain digits otherwise, so the builders still work without Flask.
    """
    if value is None:
        return "–"
    try:
        from ..web.numbers import decimal_text

        return decimal_text(value, "0." + "0" * digits if digits else "0")
    except (RuntimeError, AttributeError, KeyError):  # no app or request context
        return f"{value:.{digits}f}"


def _svg(width: float, height: float, body: list[str], label: str, natural: bool = False,
         font_px: float = 11, css_class: str = "natural") -> Markup:
    """The picture, as wide as its box; or, ``natural``, at its own size (``class="natural"``: the
    page's CSS lets it shrink to fit its box but never grow, see :func:`.heat_maps.labelled_heat_map`;
    another ``css_class`` for other rules). Without a ``label`` the picture is one part of a larger
    one named around it, and hidden from screen readers."""
    size = (f'width="{width:.0f}" height="{height:.0f}" class="{css_class}"' if natural else 'width="100%"')
    name = f'role="img" aria-label="{escape(label)}"' if label else 'aria-hidden="true"'
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'{size} {name} {FONT} font-size="{font_px:g}">'
        + "".join(body) + "</svg>"
    )


def ranking_chart(rows: Sequence[dict], chain_mean: float | None, label: str = "Ranking",
                  name: Callable[[dict], str] = lambda r: f"{r['code']} {r['name']}") -> Markup:
    """Locations as dots with their 95 % interval on a 0–100 axis; a line at the chain mean.

    ``rows``: dicts with ``mean``, ``ci_low``, ``ci_high``, ``visits``, ``funnel`` (best first).
    """
    left, right, row_h, top = 210, 70, 18, 22
    width, plot = 720, 720 - left - right
    height = top + row_h * len(rows) + 10

    def x(value: float) -> float:
        return left + plot * min(max(value, 0.0), 100.0) / 100.0

    body = [f'<text x="{left}" y="12" fill="{GREY}">0</text>',
            f'<text x="{left + plot}" y="12" fill="{GREY}" text-anchor="end">100</text>']
    for tick in (25, 50, 75):
        body.append(f'<line x1="{x(tick):.1f}" x2="{x(tick):.1f}" y1="{top - 6}" y2="{height - 6}" stroke="{LIGHT}"/>')
    if chain_mean is not None:
        body.append(f'<line x1="{x(chain_mean):.1f}" x2="{x(chain_mean):.1f}" y1="{top - 8}" y2="{height - 4}" '
                    f'stroke="{INK}" stroke-dasharray="3 3"/>')
    for n, row in enumerate(rows):
        y = top + n * row_h + row_h / 2
        colour = BLUE if row["funnel"].startswith("above") else ORANGE if row["funnel"].startswith("below") else GREY
        # Cut to the room left of the axis (34 Cyrillic letters ran off the picture's left edge).
        body.append(f'<text x="{left - 8}" y="{y + 4:.1f}" text-anchor="end">{escape(shorten(name(row), left - 14, 34))}</text>')
        if row.get("ci_low") is not None:
            body.append(f'<line x1="{x(row["ci_low"]):.1f}" x2="{x(row["ci_high"]):.1f}" y1="{y:.1f}" y2="{y:.1f}" '
                        f'stroke="{colour}" stroke-width="2"/>')
        if row.get("mean") is not None:
            body.append(f'<circle cx="{x(row["mean"]):.1f}" cy="{y:.1f}" r="4" fill="{colour}"/>')
        body.append(f'<text x="{left + plot + 8}" y="{y + 4:.1f}">{_fmt(row.get("mean"))} '
                    f'<tspan fill="{GREY}">n={row["visits"]}</tspan></text>')
    return _svg(width, height, body, label)


FUNNEL_NAMED_PER_SIDE = 5  # beyond-99.8 % branches named in the funnel plot, per side


def funnel_plot(points: Sequence[dict], curve: dict, label: str = "Funnel plot",
                axis_label: str = "visits") -> Markup:
    """Location means against their number of visits, inside the chain's 95 % and 99.8 % limits.

    ``points``: dicts with ``visits``, ``mean``, ``funnel``, ``code``; ``curve``: the chain mean
    ``centre`` and lists ``n``, ``lower_95``, ``upper_95``, ``lower_998``, ``upper_998``
    (``funnel_curve`` of ``audit stats``). Only the branches furthest beyond the 99.8 % limits
    are named (``FUNNEL_NAMED_PER_SIDE`` above and below): with hundreds of branches, naming
    every one outside the limits would pile the codes on top of each other.
    """
    width, height, left, bottom, top, right = FUNNEL_FRAME
    max_n, x, y = _funnel_scales(points, curve)

    body = []
    for tick in (0, 25, 50, 75, 100):
        body.append(f'<line x1="{left}" x2="{width - right}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" stroke="{LIGHT}"/>'
                    f'<text x="{left - 6}" y="{y(tick) + 4:.1f}" text-anchor="end" fill="{GREY}">{tick}</text>')
    for tick in _axis_ticks(max_n):
        body.append(f'<text x="{x(tick):.1f}" y="{height - bottom + 14}" text-anchor="middle" '
                    f'fill="{GREY}">{tick}</text>')
    body.append(f'<text x="{(left + width) / 2:.0f}" y="{height - 4}" text-anchor="middle" '
                f'fill="{GREY}">{escape(axis_label)}</text>')
    for key, dash in (("lower_998", ""), ("upper_998", ""), ("lower_95", "4 3"), ("upper_95", "4 3")):
        path = " ".join(f"{'M' if i == 0 else 'L'}{x(n):.1f},{y(v):.1f}"
                        for i, (n, v) in enumerate(zip(curve["n"], curve[key])) if v is not None)
        body.append(f'<path d="{path}" fill="none" stroke="{GREY}" stroke-dasharray="{dash}"/>')
    centre = y(curve["centre"])
    body.append(f'<line x1="{left}" x2="{width - right}" y1="{centre:.1f}" y2="{centre:.1f}" stroke="{INK}"/>')
    # Branches with the same number of visits and the same mean (a yes/no question answered twice
    # and passed once, at a dozen branches) share one dot, larger by their number, named together.
    spots = _funnel_spots(points, x, y)
    radius = {n: min(4 * math.sqrt(len(same)), 10) for same in spots.values() for n in same}
    for (cx, cy), same in spots.items():
        first = points[same[0]]
        band = first["funnel"]
        colour = BLUE if band.startswith("above") else ORANGE if band.startswith("below") else GREY
        # Named on hover in the browser (a PDF ignores it): 300 dots cannot all carry a label.
        if len(same) == 1:
            who = f'{first.get("code", "")} {first.get("name", "")}'.strip()
        else:
            codes = [str(points[n].get("code", "")) for n in same]
            who = ", ".join(codes[:12]) + (" …" if len(codes) > 12 else "")
        title = f'{who}: {_fmt(first["mean"])} (n={first["visits"]})'
        body.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{radius[same[0]]:.1f}" fill="{colour}" '
                    f'fill-opacity=".85"><title>{escape(title)}</title></circle>')
    sharing = {n: len(same) for same in spots.values() for n in same}
    taken: list[tuple[float, float, float, float]] = []
    named: set[tuple[float, float]] = set()
    dots = {n: (x(p["visits"]) - radius[n], y(p["mean"]) - radius[n], x(p["visits"]) + radius[n],
                y(p["mean"]) + radius[n]) for n, p in enumerate(points) if p.get("mean") is not None}
    for n in _most_extreme(points, curve["centre"], FUNNEL_NAMED_PER_SIDE):
        cx, cy = x(points[n]["visits"]), y(points[n]["mean"])
        code = str(points[n]["code"]) + (f" +{sharing[n] - 1}" if sharing[n] > 1 else "")
        if (cx, cy) in named:
            continue  # the dot's other branches are already named with it
        text_w = text_width(code)
        gap = radius[n] + 2
        others = [box for m, box in dots.items() if (x(points[m]["visits"]), y(points[m]["mean"])) != (cx, cy)]
        # Right of the point, else left of it; a name that would cover another name or another
        # branch's dot is left out (the dot is still there, and the ranking names it).
        for left_x, anchor in ((cx + gap, ""), (cx - gap - text_w, ' text-anchor="end"')):
            box = (left_x, cy - 7, left_x + text_w, cy + 5)
            if box[2] <= width - 2 and box[0] >= left and not any(_overlap(box, other) for other in taken + others):
                taken.append(box)
                named.add((cx, cy))
                shown_x = left_x if not anchor else left_x + text_w
                body.append(f'<text x="{shown_x:.1f}" y="{cy + 4:.1f}"{anchor}>{escape(code)}</text>')
                break
    return _svg(width, height, body, label)


FUNNEL_FRAME = (640, 320, 44, 34, 12, 16)  # width, height, then the left, bottom, top and right margins


def _funnel_scales(points: Sequence[dict], curve: dict):
    """``(max_n, x, y)``: the visits axis' end and the functions placing a visit count and a mean."""
    width, height, left, bottom, top, right = FUNNEL_FRAME
    max_n = _axis_end(max([p["visits"] for p in points] + [max(curve["n"])] + [2]))

    def x(n: float) -> float:
        return left + (width - left - right) * n / max_n

    def y(value: float) -> float:
        return top + (height - top - bottom) * (1 - min(max(value, 0.0), 100.0) / 100.0)

    return max_n, x, y


def _funnel_spots(points: Sequence[dict], x, y) -> dict[tuple[float, float], list[int]]:
    """Positions in ``points`` by the spot of the funnel plot they are drawn at."""
    spots: dict[tuple[float, float], list[int]] = {}
    for n, point in enumerate(points):
        if point.get("mean") is not None:
            spots.setdefault((round(x(point["visits"]), 1), round(y(point["mean"]), 1)), []).append(n)
    return spots


def funnel_shares_dots(points: Sequence[dict], curve: dict) -> bool:
    """Whether :func:`funnel_plot` draws several branches as one dot (the caption then says so)."""
    _, x, y = _funnel_scales(points, curve)
    return any(len(same) > 1 for same in _funnel_spots(points, x, y).values())


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _axis_end(maximum: int) -> int:
    """``maximum`` rounded up to the next tick, so the last tick labels the axis's end and the
    branch with the most visits does not sit on the edge (9 visits on an axis labelled up to 8)."""
    end = int(maximum)
    while True:  # a longer axis may take a longer step: round again until the end is a tick
        ticks = _axis_ticks(end)
        step = ticks[1] - ticks[0] if len(ticks) > 1 else 1
        if end % step == 0:
            return end
        end = -(-end // step) * step


def _axis_ticks(maximum: float, most: int = 6) -> list[int]:
    """Round whole-number ticks from 0 to ``maximum``: steps of 1, 2 or 5 × 10ᵏ, at most ``most``."""
    step = 1
    while maximum / step >= most:
        for factor in (2, 2.5, 2):
            step = int(step * factor)
            if maximum / step < most:
                break
    return list(range(0, int(maximum) + 1, step))


def _most_extreme(points: Sequence[dict], centre: float, per_side: int) -> list[int]:
    """Positions in ``points`` of the branches beyond the 99.8 % limits furthest from ``centre``
    (by |mean − centre| · √visits, their distance in standard errors), ``per_side`` above and
    below, the furthest first."""
    chosen: list[tuple[float, int]] = []
    for side in ("above", "below"):
        beyond = [(abs(p["mean"] - centre) * p["visits"] ** 0.5, n) for n, p in enumerate(points)
                  if p.get("mean") is not None and p["funnel"] == f"{side}_998"]
        chosen += sorted(beyond, reverse=True)[:per_side]
    return [n for _, n in sorted(chosen, reverse=True)]


def compared_bars(rows: Sequence[tuple[str, float | None, float | None]], label: str = "Sections",
                  own: str = "", reference: str = "") -> Markup:
    """Horizontal bars (0–100) of ``(label, own value, reference value)``; the reference as a tick."""
    left, right, top = 200, 60, 20
    width, plot = 640, 640 - left - right
    names = [_label_lines(name, left - 12) for name, _, _ in rows]
    row_h = 30 if any(len(lines) > 1 for lines in names) else 22  # room for section names on two lines
    bar_h, bar_top = 14, (row_h - 14) // 2
    height = top + row_h * len(rows) + 6
    body = []
    if own or reference:
        body.append(f'<text x="{left}" y="12" fill="{BLUE}">■ {escape(own)}</text>')
    if reference:
        body.append(f'<text x="{left + 160}" y="12" fill="{INK}">| {escape(reference)}</text>')
    for n, ((_, value, ref), lines) in enumerate(zip(rows, names)):
        y = top + n * row_h
        middle = y + bar_top + bar_h / 2 + 4  # text baseline level with the bar's middle
        for k, line in enumerate(lines):
            body.append(f'<text x="{left - 8}" y="{middle + (k - (len(lines) - 1) / 2) * 12:.1f}" '
                        f'text-anchor="end">{escape(line)}</text>')
        if value is None:  # not asked: an outline only, unlike a track scored 0 (the two looked the same)
            body.append(f'<rect x="{left + 0.5}" y="{y + bar_top + 0.5}" width="{plot - 1}" height="{bar_h - 1}" '
                        f'fill="none" stroke="{GREY}" stroke-dasharray="4 3"/>')
        else:
            body.append(f'<rect x="{left}" y="{y + bar_top}" width="{plot}" height="{bar_h}" fill="{LIGHT}"/>')
            colour = ORANGE if ref is not None and value < ref - 5 else BLUE
            # At least a sliver: a 0 is a result, drawn in its colour.
            body.append(f'<rect x="{left}" y="{y + bar_top}" width="{max(plot * value / 100, 3):.1f}" '
                        f'height="{bar_h}" fill="{colour}"/>')
        if ref is not None:
            rx = left + plot * ref / 100
            body.append(f'<line x1="{rx:.1f}" x2="{rx:.1f}" y1="{y + bar_top - 3}" y2="{y + bar_top + bar_h + 3}" '
                        f'stroke="{INK}" stroke-width="2"/>')
        body.append(f'<text x="{left + plot + 8}" y="{middle:.1f}">{_fmt(value, 0)}'
                    f'{"" if ref is None else f" / {_fmt(ref, 0)}"}</text>')
    return _svg(width, height, body, label)


def _label_lines(text: str, width: float) -> list[str]:
    """A label on one line, or on two split at a space; only a second line still too long is cut."""
    if text_width(text) <= width:
        return [text]
    words, first = text.split(), ""
    while words and text_width((first + " " + words[0]).strip()) <= width:
        first = (first + " " + words.pop(0)).strip()
    if not first:  # one word longer than the room
        return [shorten(text, width, limit=200)]
    return [first, shorten(" ".join(words), width, limit=200)]


def offsets_chart(rows: Sequence[tuple[str, float | None, int]], label: str = "Auditor offsets") -> Markup:
    """Auditors' offsets (points above/below the average auditor) as bars around zero."""
    left, row_h, top = 180, 20, 8
    # Room for the longest "+12.3 n=1025" right of the bars (four-digit counts were cut off).
    right = max(80, 12 + max([text_width(f"+{_fmt(v)} n={visits}") for _, v, visits in rows] + [0.0]))
    width = 600
    plot = width - left - right
    span = max([abs(v) for _, v, _ in rows if v is not None] + [5.0])
    height = top + row_h * len(rows) + 8
    zero = left + plot / 2
    body = [f'<line x1="{zero}" x2="{zero}" y1="{top}" y2="{height - 4}" stroke="{INK}"/>']
    for n, (name, value, visits) in enumerate(rows):
        y = top + n * row_h
        body.append(f'<text x="{left - 8}" y="{y + 14}" text-anchor="end">{escape(name[:28])}</text>')
        if value is not None:
            w = plot / 2 * value / span
            colour = BLUE if value >= 0 else ORANGE
            body.append(f'<rect x="{min(zero, zero + w):.1f}" y="{y + 4}" width="{abs(w):.1f}" height="{row_h - 8}" fill="{colour}"/>')
        body.append(f'<text x="{left + plot + 8}" y="{y + 14}">{"+" if (value or 0) > 0 else ""}{_fmt(value)} '
                    f'<tspan fill="{GREY}">n={visits}</tspan></text>')
    return _svg(width, height, body, label)


#: The charts' font, measured for the label widths (the Debian package fonts-dejavu-core).
DEJAVU_SANS = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


@lru_cache(maxsize=1)
def _chart_font():
    try:
        return ImageFont.truetype(DEJAVU_SANS, 11)
    except OSError:  # not installed: the estimate below
        return None


def text_width(text: str) -> float:
    """Width in px of ``text`` in DejaVu Sans at the charts' 11 px, measured with the font; the
    one figure every chart and heat map lays its labels out with. (A per-letter estimate was
    7 px short of "VLN-01 Grožio namai Gedimino", whose first letter was cut off.) Without the
    font, that estimate (Cyrillic is wider)."""
    font = _chart_font()
    if font is not None:
        return font.getlength(text)

    def width(ch: str) -> float:
        if ch in " ilj.,:;'!|ftI()[]":
            return 3.6
        if "\u0400" <= ch <= "\u04ff":
            return 8.4 if ch.isupper() else 7.4
        return 7.4 if ch.isupper() or ch.isdigit() else 6.3
    return sum(width(ch) for ch in text)


def shorten(text: str, width: float = 185.0, limit: int = 30) -> str:
    """``text`` cut with an ellipsis to fit ``width`` px and ``limit`` characters, for chart
    labels (``compared_bars`` and ``heat_maps.heat_map`` cut theirs silently at a number of characters)."""
    if text_width(text) <= width and len(text) <= limit:
        return text
    while text and (text_width(text + "…") > width or len(text) + 1 > limit):
        text = text[:-1]
    return text.rstrip() + "…"
