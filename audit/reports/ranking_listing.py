"""The PDF's list of all branches for a large chain: monospaced lines, several branches per line.

A table of 300 branches has some 1,500 cells, and WeasyPrint lays each one out as a box of
its own: that table took half the render time of the whole chain report. Here a page is a
few dozen lines of text in DejaVu Sans Mono, padded so that the columns line up, read down
each column group. Same figures, about a third of the render time (``bench/chain_bench.py``).
"""
from __future__ import annotations

import textwrap
from dataclasses import dataclass

from flask_babel import gettext as _

from .wording import count

#: Usable width of an A4 page between the report margins, and DejaVu Sans Mono's advance.
LINE_WIDTH_MM = 182.0
MONO_ADVANCE_EM = 0.602
MAX_FONT_PT = 6.8
MIN_FONT_PT = 4.5
MAX_CODE_CHARS = 14
GAP = "   "  # between the branches of one line
LOW_DATA_MARK = "⚠"
SIGNIFICANT_MARK = "●"  # a change beyond chance, as on the dashboard


@dataclass(frozen=True)
class Fragment:
    """A run of one line; ``css`` colours a funnel band (empty: plain text)."""

    text: str
    css: str = ""


def listing_blocks(ranking: list[dict], columns: int, rows: int) -> list[dict]:
    """Blocks of ``rows`` lines × ``columns`` branches (a page each), read down each column.

    Each block: ``header`` (lines of str), ``lines`` (lists of :class:`Fragment`) and
    ``font_pt``, the largest size at which a line fits the page width. With a period chosen
    (rows with ``change``), each branch also has its change against the period before, as the
    dashboard's ranking: "+7.7●", ● where it is beyond chance.
    """
    changes = any(row.get("change") is not None for row in ranking)
    entries = [_entry(row, changes) for row in ranking]
    titles = ["#", _("Code"), _("Mean"), _("95%% interval") % {}, "n"]  # % {}: the template's msgid, '%%' → '%'
    if changes:
        titles.append(_("Change"))
    widths = [max([len(e[k]) for e in entries] + [_longest_word(t)]) for k, t in enumerate(titles)]
    header = _header(titles, widths)
    line_chars = columns * (sum(widths) + len(widths) - 1) + (columns - 1) * len(GAP)
    font_pt = max(MIN_FONT_PT, min(MAX_FONT_PT, LINE_WIDTH_MM / 25.4 * 72 / (line_chars * MONO_ADVANCE_EM)))
    per_block = rows * columns
    blocks = []
    for start in range(0, len(ranking), per_block):
        chunk = list(zip(ranking[start:start + per_block], entries[start:start + per_block]))
        depth = -(-len(chunk) // columns)
        lines = []
        for r in range(depth):
            line: list[Fragment] = []
            for c in range(columns):
                at = c * depth + r
                if at >= len(chunk):
                    break
                if c:
                    line.append(Fragment(GAP))
                line.extend(_fragments(*chunk[at], widths))
            lines.append(_merged(line))
        blocks.append({"header": [GAP.join([h] * columns).rstrip() for h in header], "lines": lines,
                       "font_pt": round(font_pt, 2)})
    return blocks


def _symbol(row: dict) -> str:
    """▲/▼ beside the code; nothing for a branch within the limits (300 "–" would crowd the lines)."""
    return "" if row.get("band") == "inside" else row.get("band_symbol") or ""


def _entry(row: dict, changes: bool = False) -> list[str]:
    code = row["code"] if len(row["code"]) <= MAX_CODE_CHARS else row["code"][:MAX_CODE_CHARS - 1] + "…"
    symbol = _symbol(row)
    visits = count(row["visits"]) + (" " + LOW_DATA_MARK if row.get("low_data") else "")
    entry = [count(row["rank"]) if row["rank"] else "–", code + (" " + symbol if symbol else ""), row["mean"], row["interval"], visits]
    if changes:
        entry.append((row.get("change") or "–") + (SIGNIFICANT_MARK if row.get("change_significant") else " "))
    return entry


def _fragments(row: dict, entry: list[str], widths: list[int]) -> list[Fragment]:
    """One branch: rank, code (and band symbol, coloured), mean, interval, visits (and change),
    padded to ``widths``."""
    rank, code, mean, interval, visits = entry[:5]
    symbol = _symbol(row)
    css = "band-below" if row["band"].startswith("below") else "band-above" if row["band"].startswith("above") else ""
    plain_code = code.removesuffix(symbol)  # the code column ends in the symbol, which is coloured
    tail = " " * (widths[1] - len(code))
    parts = [Fragment(rank.rjust(widths[0]) + " " + plain_code)]
    if symbol:
        parts.append(Fragment(symbol, css))
    parts.append(Fragment(tail + " " + mean.rjust(widths[2]) + " " + interval.rjust(widths[3]) + " "
                          + visits.rjust(widths[4]) + "".join(" " + e.rjust(w) for e, w in zip(entry[5:], widths[5:]))))
    return parts


def _merged(line: list[Fragment]) -> list[Fragment]:
    """Neighbouring plain runs joined: fewer text boxes, which is what WeasyPrint spends time on."""
    merged: list[Fragment] = []
    for part in line:
        if merged and not part.css and not merged[-1].css:
            merged[-1] = Fragment(merged[-1].text + part.text)
        else:
            merged.append(part)
    if merged and not merged[-1].css:
        merged[-1] = Fragment(merged[-1].text.rstrip())
    return merged


def _longest_word(title: str) -> int:
    return max(len(word) for word in title.split())


def _header(titles: list[str], widths: list[int]) -> list[str]:
    """The column titles of one branch, wrapped into as many lines as the longest one needs,
    aligned like the values (numbers right, the code left)."""
    wrapped = [textwrap.wrap(title, width) or [""] for title, width in zip(titles, widths)]
    height = max(len(w) for w in wrapped)
    lines = []
    for n in range(height):
        cells = []
        for k, (parts, width) in enumerate(zip(wrapped, widths)):
            text = parts[n - (height - len(parts))] if n >= height - len(parts) else ""  # bottom-aligned
            cells.append(text.ljust(width) if k == 1 else text.rjust(width))
        lines.append(" ".join(cells))
    return lines
