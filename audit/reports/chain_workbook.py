"""The chain statistics as an Excel workbook (openpyxl), for head office to sort, filter and
chart further: the same :func:`chain_statistics` as the dashboard and the chain PDF, with the
figures as numbers (shown to one decimal, stored in full) rather than formatted strings.

Sheets: summary (filters, key figures, the checklist versions when there are several, the
executive summary), branches, questions, sections, branches × sections (the heat map's figures),
auditors, trend by month and repeat failures. Texts come from users (branch, auditor and question
names), so every string is written as text: a name such as ``=HYPERLINK(…)`` is never a formula.
"""
from __future__ import annotations

from io import BytesIO

from flask_babel import force_locale, format_date
from flask_babel import gettext as _

from ..services.chain_stats import StatsFilter
from ..times import local_today
from ..web.labels import FORMAT_NAMES
from .chain_report import checklist_title, filter_labels, report_statistics
from .chain_view import band_text
from .periods import format_locale
from .summary import executive_summary
from .wording import narrowed

SCORE = "0.0"
SHARE = "0%"
HEADER_FILL = "EEF2F7"


def chain_workbook(spec: StatsFilter, lang: str) -> bytes:
    """The .xlsx bytes for the filters ``spec``, texts in ``lang``; ReportError when nothing matches."""
    from openpyxl import Workbook

    with force_locale(format_locale(lang)):
        stats = report_statistics(spec, lang)
        title = checklist_title(spec.checklist, lang)
        book = Workbook()
        _summary(book.active, stats, spec, title)
        _branches(book.create_sheet(), stats)
        section_titles = {section["id"]: section["text"] for section in stats["sections"]}
        _parts(book.create_sheet(), stats["items"], _("Questions"), section_titles)
        _parts(book.create_sheet(), stats["sections"], _("Sections"), None)
        _branch_sections(book.create_sheet(), stats)
        _auditors(book.create_sheet(), stats)
        _trend(book.create_sheet(), stats)
        _repeat_failures(book.create_sheet(), stats)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _summary(sheet, stats: dict, spec: StatsFilter, title: str) -> None:
    sheet.title = _("Summary")
    chain, consistency = stats["chain"], stats["consistency"] or {}
    _put(sheet, 1, [_("Chain comparison: %(checklist)s", checklist=title)], bold=True)
    row = 2
    for label in filter_labels(spec, title) + [{"label": _("Made on"), "value": format_date(local_today(), "long")}]:
        _put(sheet, row, [label["label"], label["value"]])
        row += 1
    row += 1
    figures = [
        (_("approved visits"), stats["visits"], "0"), (_("branches"), chain["locations"], "0"),
        (_("mean of the chosen visits (0–100)") if narrowed(stats) else _("chain mean (0–100)"), chain["mean"], SCORE),
        (_("spread of visit scores (SD)"), chain["sd"], SCORE),
        (_("of the variance lies between branches"), consistency.get("icc_location"), SHARE),
        (_("of what is left without auditor effects lies between branches"), consistency.get("icc_location_adjusted"),
         SHARE),
    ]
    for label, value, number_format in figures:
        _put(sheet, row, [label, value], formats={1: number_format})
        row += 1
    versions = stats.get("checklist_versions") or []
    if len(versions) > 1:  # visits scored against several versions: which, how many, and whether they score alike
        row += 1
        _put(sheet, row, [_("Checklist version"), _("Visits"), _("First visit"), _("Last visit"),
                          _("Scores differently from the version before")], bold=True)
        for version in versions:
            row += 1
            _put(sheet, row, [version["number"], version["visits"], version["first"], version["last"],
                              _("yes") if version["scoring_changed"] else ""])
        row += 1
    row += 1
    _put(sheet, row, [_("Executive summary")], bold=True)
    for sentence in executive_summary(stats):  # the PDF's and the dashboard's sentences, translated
        row += 1
        _put(sheet, row, [sentence.replace("\u2060", "")])  # the word joiners that keep "68–100" together
    _widths(sheet, [48, 60])


def _branches(sheet, stats: dict) -> None:
    sheet.title = _("Branches")
    with_change = any("change" in r for r in stats["locations"])
    headers = ["#", _("Code"), _("Branch"), _("Region"), _("Format"), _("Visits"), _("Mean"),
               _("95%% interval: from") % {}, _("95%% interval: to") % {}, _("Shrunk mean"), "z",
               _("Percentile"), _("SD within the branch"), _("Funnel"), _("fewer than 3 visits")]
    if with_change:
        headers += [_("Change against the previous period"), _("p-value"),
                    _("p-value adjusted for testing every branch (significant at 0.05 or less)")]
    _header(sheet, headers)
    formats = {6: SCORE, 7: SCORE, 8: SCORE, 9: SCORE, 10: "0.00", 11: "0", 12: SCORE, 15: "+0.0;-0.0;0.0", 16: "0.000",
               17: "0.000"}
    for row, r in enumerate(stats["locations"], start=2):
        place_format = str(FORMAT_NAMES.get(r["format"], r["format"] or ""))
        # The interval as the dashboard and the PDF show it: cut to the 0–100 the scores live on.
        low = None if r["ci_low"] is None else max(r["ci_low"], 0.0)
        high = None if r["ci_high"] is None else min(r["ci_high"], 100.0)
        values = [r["rank"], r["code"], r["name"], r["region"] or "", place_format, r["visits"], r["mean"],
                  low, high, r["shrunk"], r["z"], r["percentile"], r["sd_within"],
                  band_text(r["funnel"]), "⚠" if r["low_data"] else ""]
        if with_change:
            change = r.get("change") or {}
            values += [change.get("difference"), change.get("p_value"), change.get("q_value")]
        _put(sheet, row, values, formats=formats)
    _widths(sheet, [5, 12, 30, 14, 12, 8, 8, 10, 10, 10, 7, 10, 10, 24, 8, 12, 9, 14])


def _parts(sheet, parts: list[dict], title: str, section_titles: dict[str, str] | None) -> None:
    """Questions (with their section's title) or sections (``section_titles`` None)."""
    sheet.title = title
    with_section = section_titles is not None
    headers = [_("ID"), _("Question") if with_section else _("Section")] + ([_("Section")] if with_section else [])
    headers += [_("Answers"), _("Mean"), _("Pass rate"), _("Between-branch SD"), _("Spread"),
                _("Coefficient of variation"), _("Share between branches"), _("Branches"),
                _("Branches below the limits"), _("Branches above the limits")]
    _header(sheet, headers)
    first = len(headers) - 10
    formats = {first + 1: SCORE, first + 2: SHARE, first + 3: SCORE, first + 4: SCORE, first + 5: SHARE,
               first + 6: SHARE}
    for row, part in enumerate(parts, start=2):
        below = [o for o in part["outliers"] if o["band"].startswith("below")]
        above = [o for o in part["outliers"] if o["band"].startswith("above")]
        values = [part["id"], part["text"]]
        if with_section:
            values.append(section_titles.get(part["section"], part["section"] or ""))
        values += [part["answers"], part["mean"], part["pass_rate"], part["sd_between"], part["spread_sd"],
                   part["cv"], part["location_share"], part["locations"],
                   ", ".join(o["location"] for o in sorted(below, key=lambda o: o["mean"])),
                   ", ".join(o["location"] for o in sorted(above, key=lambda o: -o["mean"]))]
        _put(sheet, row, values, formats=formats)
    _widths(sheet, [16, 50] + ([24] if with_section else []) + [9, 8, 9, 10, 8, 10, 10, 9, 40, 40])


def _branch_sections(sheet, stats: dict) -> None:
    """The heat map's figures: each branch's mean per section, branches in ranking order."""
    sheet.title = _("Branches × sections")
    matrix = stats.get("section_matrix") or {"locations": [], "section_titles": [], "values": []}
    values = dict(zip(matrix["locations"], matrix["values"]))
    _header(sheet, [_("Code"), _("Branch"), _("Region")] + matrix["section_titles"])
    formats = {3 + n: SCORE for n in range(len(matrix["section_titles"]))}
    for row, r in enumerate(stats["locations"], start=2):
        _put(sheet, row, [r["code"], r["name"], r["region"] or ""] + list(values.get(r["code"], [])), formats=formats)
    _widths(sheet, [12, 30, 14] + [14] * len(matrix["section_titles"]))


def _auditors(sheet, stats: dict) -> None:
    sheet.title = _("Auditors")
    _header(sheet, [_("Auditor"), _("Visits"), _("Offset (points)")])
    for row, auditor in enumerate((stats["consistency"] or {}).get("auditors", []), start=2):
        _put(sheet, row, [auditor["name"], auditor["visits"], auditor["offset"]], formats={2: "+0.0;-0.0;0.0"})
    _widths(sheet, [30, 9, 14])


def _trend(sheet, stats: dict) -> None:
    sheet.title = _("Trend by month")
    _header(sheet, [_("Month"), _("Visits"), _("Mean")])
    for row, month in enumerate(stats["trend"], start=2):
        _put(sheet, row, [month["month"], month["visits"], month["mean"]], formats={2: SCORE})
    _widths(sheet, [10, 9, 8])


def _repeat_failures(sheet, stats: dict) -> None:
    sheet.title = _("Repeat failures")
    texts = {item["id"]: item["text"] for item in stats["items"]}
    _header(sheet, [_("Code"), _("ID"), _("Question"), _("Failures"), _("of the last visits")])
    for row, failure in enumerate(stats["repeat_failures"], start=2):
        _put(sheet, row, [failure["location"], failure["item"], texts.get(failure["item"], ""),
                          failure["failures"], failure["of"]])
    _widths(sheet, [12, 16, 50, 9, 12])


def _header(sheet, titles: list[str]) -> None:
    from openpyxl.styles import PatternFill

    _put(sheet, 1, titles, bold=True)
    for cell in sheet[1]:
        cell.fill = PatternFill("solid", start_color=HEADER_FILL)
    sheet.freeze_panes = "A2"


def _put(sheet, row: int, values: list, bold: bool = False, formats: dict[int, str] | None = None) -> None:
    """Write one row; strings always as text (never formulas), None as an empty cell."""
    from openpyxl.styles import Font

    for column, value in enumerate(values):
        if value is None:
            continue
        cell = sheet.cell(row=row, column=column + 1, value=value)
        if isinstance(value, str):
            cell.data_type = "s"  # openpyxl would take "=…" for a formula
        if bold:
            cell.font = Font(bold=True)
        if formats and column in formats and not isinstance(value, str):
            cell.number_format = formats[column]


def _widths(sheet, widths: list[int]) -> None:
    """Column widths (in characters); a table sheet (frozen header) also gets its filter buttons."""
    from openpyxl.utils import get_column_letter

    if sheet.freeze_panes:
        sheet.auto_filter.ref = sheet.dimensions
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
