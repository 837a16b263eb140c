"""Line charts of scores over time (0–100): the trend by month of the dashboard and the chain
and location reports, and a branch's recent visits in the visit report.

Points stand at their position in time (a month without visits keeps its space and breaks the
line), the legend sits above the plot, and the newest values are printed. Shared drawing helpers
and colours come from :mod:`.charts`.
"""
from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

from .charts import BLUE, GREY, INK, LIGHT, _fmt, _overlap, _svg, text_width


def _room_for_end_labels(labels: Sequence[str], left: float, right: float) -> tuple[float, float]:
    """Margins wide enough for the first and last x labels, which are centred on the plot's ends
    ("gruod. 2026" used to lose its last digit at the right edge)."""
    if not labels:
        return left, right
    return max(left, text_width(labels[0]) / 2 + 4), max(right, text_width(labels[-1]) / 2 + 4)


def _x_positions(positions: Sequence[float] | None, count: int, left: float, plot: float) -> list[float]:
    """The x of each point: in proportion to ``positions`` (months, days …) when given, so a gap in
    time leaves its space; evenly spaced otherwise. A single point (or all at one time) sits in
    the middle."""
    where = list(positions) if positions is not None else list(range(count))
    if len(where) != count:
        raise ValueError(f"{len(where)} positions for {count} labels")
    low, high = (min(where), max(where)) if where else (0, 0)
    if high == low:
        return [left + plot / 2] * count
    return [left + plot * (p - low) / (high - low) for p in where]


def _runs(values: Sequence[float | None], positions: Sequence[float] | None,
          join_within: float | None) -> list[list[int]]:
    """The points to join by a line, run by run: a missing value, or (with ``join_within``) a step
    between neighbouring positions longer than it, ends a run. A line over a gap would draw
    months without visits as if they had been measured."""
    runs: list[list[int]] = []
    previous = None
    for i, value in enumerate(values):
        if value is None:
            previous = None
            continue
        gap = (previous is not None and positions is not None and join_within is not None
               and positions[i] - positions[previous] > join_within)
        if previous is None or gap:
            runs.append([])
        runs[-1].append(i)
        previous = i
    return runs


def _lines_and_dots(xs: Sequence[float], ys: Sequence[float | None], values: Sequence[float | None],
                    positions: Sequence[float] | None, join_within: float | None, colour: str, stroke: float,
                    value_left: float | None) -> list[str]:
    """One series: a path of one sub-path per run of joined points, a dot on every point (a lone
    point between gaps is a dot alone), and the values printed when ``value_left`` is given.

    Values are placed from the last point back and one that would cover an already printed
    value is left out: points spaced by date crowd together ("85", "77", "76" printed on one
    another), and the newest is the one the reader looks for.
    """
    body = []
    runs = _runs(values, positions, join_within)
    points = [i for run in runs for i in run]
    path = " ".join("M" + " L".join(f"{xs[i]:.1f},{ys[i]:.1f}" for i in run) for run in runs if len(run) > 1)
    if path:
        body.append(f'<path d="{path}" fill="none" stroke="{colour}" stroke-width="{stroke}"/>')
    body += [f'<circle cx="{xs[i]:.1f}" cy="{ys[i]:.1f}" r="3" fill="{colour}"/>' for i in points]
    if value_left is not None:
        printed: list[tuple[float, float, float, float]] = []
        for i in reversed(points):
            label = _value_label(xs[i], ys[i], values[i], value_left)
            if not any(_overlap(label[1], box) for box in printed):
                printed.append(label[1])
                body.append(label[0])
    return body


def _shown_labels(xs: Sequence[float], labels: Sequence[str]) -> list[int]:
    """Which x labels to print: the first, then each one at least the widest label (+8 px) right of
    the last printed ("Jan 2026Feb 2026…" ran together). On evenly spaced points that is every
    k-th label, k as small as keeps them apart; on points spaced by time it skips crowded ones.
    The last label (the newest month, this visit) takes the place of the one before it when
    they would touch, unless that one is the first."""
    room = max([text_width(text) for text in labels] + [1.0]) + 8
    shown: list[int] = []
    for i, x in enumerate(xs):
        if not shown or x - xs[shown[-1]] >= room - 1e-6:
            shown.append(i)
    last = len(xs) - 1
    if shown and shown[-1] != last and len(shown) > 1:
        shown[-1] = last
    return shown


def _value_label(px: float, py: float, value: float, left: float) -> tuple[str, tuple[float, float, float, float]]:
    """A point's value above it (at the left edge beside it, clear of the axis numbers), with the
    box it covers."""
    text = _fmt(value, 0)
    w = text_width(text)
    if px - left < 12:
        return (f'<text x="{px + 6:.1f}" y="{py - 7:.1f}">{text}</text>',
                (px + 6, py - 16, px + 6 + w, py - 5))
    return (f'<text x="{px:.1f}" y="{py - 7:.1f}" text-anchor="middle">{text}</text>',
            (px - w / 2, py - 16, px + w / 2, py - 5))


def legend_line_chart(labels: Sequence[str], series: dict[str, Sequence[float | None]], label: str = "Trend",
                      reference: tuple[str, float] | None = None, height: int = 200,
                      width: int = 640, positions: Sequence[float] | None = None,
                      join_within: float | None = None, marks: Sequence[tuple[float, str]] = ()) -> Markup:
    """Scores (0–100) over time as lines, with the legend above the plot so it never covers a point.

    The first series is drawn strongest, with its values printed; ``reference`` is an optional
    ``(name, value)`` drawn as a dashed horizontal line (e.g. the chain average of a period).
    ``positions`` (one number per label, e.g. :func:`.periods.month_index` or days) place the points
    in time, so a gap leaves its space; without them the points are evenly spaced. Neighbours
    more than ``join_within`` apart are not joined (a month without visits breaks the line), nor
    are points either side of a missing value. ``marks`` are ``(position, label)`` pairs drawn as
    dotted vertical lines (e.g. where a new checklist version came into use), with ``positions``
    only, and only inside the plotted span (its ends included).
    """
    left, right, top, bottom = 40, 30, 30, 28
    left, right = _room_for_end_labels(labels, left, right)
    xs = _x_positions(positions, len(labels), left, width - left - right)

    def y(value: float) -> float:
        return top + (height - top - bottom) * (1 - min(max(value, 0.0), 100.0) / 100.0)

    body = []
    for tick in (0, 50, 100):
        body.append(f'<line x1="{left}" x2="{width - right}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" stroke="{LIGHT}"/>'
                    f'<text x="{left - 6}" y="{y(tick) + 4:.1f}" text-anchor="end" fill="{GREY}">{tick}</text>')
    for i in _shown_labels(xs, labels):
        body.append(f'<text x="{xs[i]:.1f}" y="{height - 9}" text-anchor="middle" fill="{GREY}">{escape(labels[i])}</text>')
    if positions is not None and len(set(positions)) > 1:
        low, high = min(positions), max(positions)
        plot = width - left - right
        for where, text in marks:
            if low <= where <= high:
                mx = left + plot * (where - low) / (high - low)
                body.append(f'<line x1="{mx:.1f}" x2="{mx:.1f}" y1="{top - 8}" y2="{height - bottom}" stroke="{GREY}" '
                            f'stroke-dasharray="2 3"/><text x="{mx + 3:.1f}" y="{top - 1}" fill="{GREY}">'
                            f'{escape(text)}</text>')
    legend_x = left
    if reference is not None:
        name, value = reference
        body.append(f'<line x1="{left}" x2="{width - right}" y1="{y(value):.1f}" y2="{y(value):.1f}" '
                    f'stroke="{INK}" stroke-dasharray="4 3"/>')
    for s, (name, values) in enumerate(series.items()):
        colour, stroke = (BLUE, 2.5) if s == 0 else (GREY, 1.5)
        body += _lines_and_dots(xs, [None if v is None else y(v) for v in values], values, positions, join_within,
                                colour, stroke, left if s == 0 else None)
        body.append(f'<text x="{legend_x}" y="12" fill="{colour}">■ {escape(name)}</text>')
        legend_x += 30 + 7 * len(name)
    if reference is not None:
        body.append(f'<text x="{legend_x}" y="12" fill="{INK}">– – {escape(reference[0])} {_fmt(reference[1], 0)}</text>')
    return _svg(width, height, body, label)
