"""``audit stats``: the chain statistics as JSON (reports come in ``audit report``)."""
from __future__ import annotations

import json
import sys

import click
from flask.cli import with_appcontext


@click.command("stats")
@click.option("--checklist", required=True, help="Checklist id, e.g. store-visit.")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="First day (inclusive).")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), help="Last day (inclusive).")
@click.option("--region", help="Only locations of this region (its name).")
@click.option("--format", "location_format", help="Only locations of this format (mall, flagship …).")
@click.option("--scenario", help="Only visits with exactly this scenario.")
@click.option("--json", "as_json", is_flag=True, help="Print every figure as JSON (see the README).")
@click.option("--lang", default="en", type=click.Choice(["en", "ru", "lt", "lv"]), help="Language of texts.")
@with_appcontext
def stats_command(checklist, since, until, region, location_format, scenario, as_json, lang) -> None:
    """Consistency statistics over approved visits (scores on 0–100)."""
    from .services.chain_stats import StatsError, StatsFilter, chain_statistics

    if since and until and until < since:
        click.echo("error: --until is before --since", err=True)
        sys.exit(1)
    spec = StatsFilter(checklist=checklist, since=since.date() if since else None,
                       until=until.date() if until else None, region=region,
                       location_format=location_format, scenario=scenario)
    try:
        result = chain_statistics(spec, lang)
    except StatsError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=1, allow_nan=False))
    else:
        click.echo(summary_text(result))


def summary_text(result: dict) -> str:
    """A few lines for a person at a terminal: the chain, the ends of the ranking, the findings."""
    if not result["visits"]:
        return f"{result['checklist']}: no approved visits match"
    chain, consistency = result["chain"], result["consistency"]
    lines = [f"{result['checklist']}: {result['visits']} approved visits at {chain['locations']} locations, "
             f"chain mean {chain['mean']:.1f} (SD {chain['sd']:.1f})",
             f"share of variance between locations (ICC1): {_share(consistency['icc_location'])}, "
             f"after removing auditor effects: {_share(consistency['icc_location_adjusted'])}", ""]
    ranking = result["locations"]
    for record in ranking[:5] + ([None] if len(ranking) > 10 else []) + ranking[-5:] if len(ranking) > 10 else ranking:
        if record is None:
            lines.append("   …")
            continue
        interval = "" if record["ci_low"] is None else f" [{record['ci_low']:.1f}–{record['ci_high']:.1f}]"
        lines.append(f"  {record['code']:<10} {record['mean']:5.1f}{interval}  n={record['visits']:<3} {record['funnel']}")
    lines.append("")
    lines += [f"- {finding['message']}" for finding in consistency["findings"]]
    return "\n".join(lines)


def _share(value) -> str:
    return "–" if value is None else f"{100 * value:.0f}%"
