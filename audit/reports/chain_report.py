"""The chain comparison PDF for head office: executive summary, ranking, heat map, funnel plot,
the least consistent questions with their outlier branches, auditor effects, trend and regions.

Concise by design (at most about 12 A4 pages for 300 branches): the ranking chart shows only
the two ends of a long ranking, the full ranking is a multi-column table, and the heat map
shows regions plus the lowest branches. The figures are those of the dashboard
(:mod:`audit.reports.chain_view` formats both).
"""
from __future__ import annotations

from flask_babel import force_locale, format_date
from flask_babel import gettext as _

from ..services.chain_stats import StatsError, StatsFilter, chain_statistics
from ..times import local_today
from ..services.checklists import current_version
from ..web.labels import FORMAT_NAMES
from .chain_view import PDF, chain_view
from .common import ReportError
from .pdf import render_pdf
from .periods import format_locale

TEMPLATE = "reports/chain.html"
#: Up to this many branches the sections follow one another rather than each starting a page.
COMPACT_BRANCHES = 15


def chain_report_context(spec: StatsFilter, lang: str) -> dict:
    """The PDF's plain values for the filters ``spec``, texts in ``lang``.

    Raises :class:`ReportError` for an unknown checklist or when no approved visit matches.
    """
    with force_locale(format_locale(lang)):
        stats = report_statistics(spec, lang)
        title = checklist_title(spec.checklist, lang)
        return {
            "report_title": _("Chain comparison: %(checklist)s", checklist=title),
            "filters": filter_labels(spec, title),
            "generated": format_date(local_today(), "long"),
            **chain_view(stats, PDF),
            # A few branches: the sections follow one another instead of each taking a page
            # (3 branches made 5 pages, most of them blank below a small table).
            "compact": len(stats["locations"]) <= COMPACT_BRANCHES,
        }


def report_statistics(spec: StatsFilter, lang: str) -> dict:
    """:func:`chain_statistics` for a report or export: ReportError for an unknown checklist or
    when no approved visit matches (an empty report helps no one)."""
    try:
        stats = chain_statistics(spec, lang)
    except StatsError as exc:
        raise ReportError(str(exc)) from exc
    if not stats["visits"]:
        raise ReportError(f"no approved visits of checklist '{spec.checklist}' match the filters")
    return stats


def chain_report_pdf(spec: StatsFilter, lang: str) -> bytes:
    """The chain comparison as PDF bytes (see :func:`chain_report_context`)."""
    return render_pdf(TEMPLATE, chain_report_context(spec, lang), lang)


def checklist_title(key: str, lang: str) -> str:
    version = current_version(key)
    if version is None:
        raise ReportError(f"unknown checklist '{key}'")
    return version.parsed.title.get(lang) or key


def filter_labels(spec: StatsFilter, checklist: str) -> list[dict]:
    """The filters as ``[{label, value}]`` for the title block, in the current language."""
    if spec.since or spec.until:
        period = " – ".join(format_date(d, "medium") if d else "…" for d in (spec.since, spec.until))
    else:
        period = _("all approved visits")
    labels = [{"label": _("Checklist"), "value": checklist}, {"label": _("Period"), "value": period}]
    if spec.region:
        labels.append({"label": _("Region"), "value": spec.region})
    if spec.location_format:
        labels.append({"label": _("Format"), "value": str(FORMAT_NAMES.get(spec.location_format,
                                                                           spec.location_format))})
    if spec.scenario:
        labels.append({"label": _("Scenario"), "value": spec.scenario})
    return labels
