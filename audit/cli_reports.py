"""``audit stats``: the chain statistics as JSON (reports come in ``audit report``)."""
from __future__ import annotations

import json
import sys
from decimal import ROUND_HALF_UP, Decimal

import click
from flask.cli import with_appcontext


def calendar_day(_ctx, param, value):
    """A --since/--until day within the years a period may name (9999-12-31 is a typo)."""
    from .times import FIRST_DAY, LAST_DAY, in_calendar

    if value is not None and not in_calendar(value.date()):
        raise click.BadParameter(f"use a day from {FIRST_DAY} to {LAST_DAY}", param=param)
    return value


def chain_filter_options(command):
    """The options that choose the visits of a chain-wide command (stats, export-visits)."""
    for option in reversed((
        click.option("--checklist", required=True, help="Checklist id, e.g. store-visit."),
        click.option("--since", type=click.DateTime(["%Y-%m-%d"]), callback=calendar_day,
                     help="First day (inclusive)."),
        click.option("--until", type=click.DateTime(["%Y-%m-%d"]), callback=calendar_day,
                     help="Last day (inclusive)."),
        click.option("--region", help="Only locations of this region (its name)."),
        click.option("--format", "location_format", help="Only locations of this format (mall, flagship …)."),
        click.option("--scenario", help="Only visits with exactly this scenario."),
    )):
        command = option(command)
    return command


@click.command("stats")
@chain_filter_options
@click.option("--json", "as_json", is_flag=True, help="Print every figure as JSON (see the README).")
@click.option("--lang", default="en", type=click.Choice(["en", "ru", "lt", "lv"]), help="Language of texts.")
@with_appcontext
def stats_command(checklist, since, until, region, location_format, scenario, as_json, lang) -> None:
    """Consistency statistics over approved visits (scores on 0–100)."""
    from .services.chain_stats import StatsError, chain_statistics, json_ready

    spec = chosen_visits(checklist, since, until, region, location_format, scenario)
    try:
        result = chain_statistics(spec, lang)
    except StatsError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    if as_json:
        click.echo(json.dumps(json_ready(result), ensure_ascii=False, indent=1, allow_nan=False))
    else:
        click.echo(summary_text(result))


def chosen_visits(checklist, since, until, region, location_format, scenario):
    """The ``StatsFilter`` of :func:`chain_filter_options`' values; exits 1 on a period that
    ends before it starts, or a region or format no location has."""
    from .services.chain_stats import StatsFilter

    if since and until and until < since:
        click.echo("error: --until is before --since", err=True)
        sys.exit(1)
    spec = StatsFilter(checklist=checklist, since=since.date() if since else None,
                       until=until.date() if until else None, region=region,
                       location_format=location_format, scenario=scenario)
    _exit_on_unknown_place(spec)
    return spec


def _exit_on_unknown_place(spec) -> None:
    """A region or format no location has is a typo, not an empty chain: say so, with the
    names that exist (``--region Kaunus`` would otherwise print 'no approved visits match')."""
    from .services.filter_choices import location_formats, region_names

    for option, value, known in (("--region", spec.region, region_names),
                                 ("--format", spec.location_format, location_formats)):
        if value is None:
            continue
        names = known()
        if value not in names:
            listed = ", ".join(names) if names else "none yet"
            click.echo(f"error: {option} '{value}' is not one of the chain's ({listed})", err=True)
            sys.exit(1)


def summary_text(result: dict) -> str:
    """A few lines for a person at a terminal: the chain, the ends of the ranking, the findings."""
    from .services.chain_records import ranked_or_all
    if not result["visits"]:
        return f"{result['checklist']}: no approved visits match"
    chain, consistency = result["chain"], result["consistency"]
    chosen = {name: value for name, value in result["filters"].items() if value is not None}
    whose = "mean of the chosen visits" if set(chosen) - {"since", "until"} else "chain mean"
    lines = [f"filters: {', '.join(f'{name}={value}' for name, value in chosen.items())}"] if chosen else []
    lines += [f"{result['checklist']}: {result['visits']} approved visits at {chain['locations']} locations, "
              f"{whose} {_one(chain['mean'])} (SD {_one(chain['sd'])})",
              f"share of variance between locations (ICC1): {_share(consistency['icc_location'])}, "
              f"after removing auditor effects: {_share(consistency['icc_location_adjusted'])} of what is left", ""]
    # The ends of the ranking: among the ranked branches (enough visits), as on the dashboard.
    ranking = ranked_or_all(result["locations"])
    for record in ranking[:5] + ([None] if len(ranking) > 10 else []) + ranking[-5:] if len(ranking) > 10 else ranking:
        if record is None:
            lines.append("   …")
            continue
        # cut to the 0–100 the scores live on, as the pages print it (the JSON keeps the raw interval)
        interval = ("" if record["ci_low"] is None else
                    f" [{_one(max(record['ci_low'], 0.0))}–{_one(min(record['ci_high'], 100.0))}]")
        lines.append(f"  {record['code']:<10} {_one(record['mean']):>5}{interval}  n={record['visits']:<3} {record['funnel']}")
    lines.append("")
    lines += [f"- {finding['message']}" for finding in consistency["findings"]]
    return "\n".join(lines)


def _share(value) -> str:
    return "–" if value is None else f"{_rounded(100 * value, '1')}%"


def _one(value: float) -> str:
    return _rounded(value, "0.1")


def _rounded(value: float, step: str) -> str:
    """Half up, as the pages and spreadsheets round (84.25 → 84.3); f-strings round half to even."""
    return str(Decimal(repr(value)).quantize(Decimal(step), rounding=ROUND_HALF_UP))


@click.group("report")
def report_group() -> None:
    """PDF reports: a visit, a location over a period, or the whole chain."""


def _write(out: str, data: bytes) -> None:
    with open(out, "wb") as handle:
        handle.write(data)
    click.echo(f"wrote {out} ({len(data) // 1024} KB)")


_lang = click.option("--lang", default="en", show_default=True, type=click.Choice(["en", "ru", "lt", "lv"]))
_out = click.option("--out", required=True, type=click.Path(dir_okay=False, writable=True), help="File to write.")


@report_group.command("visit")
@click.argument("visit_id", type=int)
@_out
@_lang
@with_appcontext
def report_visit(visit_id: int, out: str, lang: str) -> None:
    """The report of one visit, for its branch manager."""
    from .reports.common import ReportError
    from .reports.visit_report import visit_report_pdf

    try:
        _write(out, visit_report_pdf(visit_id, lang))
    except ReportError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)


@report_group.command("location")
@click.argument("code")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), callback=calendar_day)
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), callback=calendar_day)
@click.option("--checklist", help="Checklist id; default: the one with the most approved visits there.")
@_out
@_lang
@with_appcontext
def report_location(code: str, since, until, checklist: str | None, out: str, lang: str) -> None:
    """A location over a period: trend, sections against the chain, repeat failures."""
    from .reports.common import ReportError
    from .reports.location_report import location_report_pdf
    from .services.filter_choices import busiest_checklist

    checklist = checklist or busiest_checklist(code) or ""
    try:
        _write(out, location_report_pdf(code, since.date() if since else None, until.date() if until else None,
                                        checklist, lang))
    except ReportError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)


@report_group.command("chain")
@click.option("--checklist", required=True)
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), callback=calendar_day)
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), callback=calendar_day)
@click.option("--region")
@click.option("--format", "location_format", help="Only locations of this format (mall, flagship …).")
@click.option("--scenario", help="Only visits with exactly this scenario.")
@_out
@_lang
@with_appcontext
def report_chain(checklist: str, since, until, region, location_format, scenario, out: str, lang: str) -> None:
    """The chain comparison for head office (an --out ending in .xlsx: the statistics as Excel)."""
    from .reports.chain_report import chain_report_pdf
    from .reports.chain_workbook import chain_workbook
    from .reports.common import ReportError
    from .services.chain_stats import StatsError, StatsFilter

    spec = StatsFilter(checklist=checklist, since=since.date() if since else None,
                       until=until.date() if until else None, region=region,
                       location_format=location_format, scenario=scenario)
    _exit_on_unknown_place(spec)
    try:
        _write(out, (chain_workbook if out.lower().endswith(".xlsx") else chain_report_pdf)(spec, lang))
    except (ReportError, StatsError) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
