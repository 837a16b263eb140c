"""The statistics as JSON-ready records: plain dicts, lists and floats (NaN → None), in the
shape documented for ``audit stats --json``. Pure: arrays and dicts in, records out."""
from __future__ import annotations

import numpy as np

from .. import stats


def part_labels(definition, ids: list[str], kind: str, lang: str, earlier=lambda: ()) -> list[dict]:
    """Text and section of each item or section id. One the current version no longer has (a
    question removed since its visits) is named as its newest earlier version named it; only
    then are the earlier versions (``earlier()``, newest first) read."""
    def found_in(version, part):
        if kind == "item":
            item = version.item(part)
            return (item.text.get(lang), version.section_of(part).id) if item else None
        section = next((s for s in version.sections if s.id == part), None)
        return (section.title.get(lang), part) if section else None

    versions = [definition]
    if any(found_in(definition, part) is None for part in ids):
        versions += list(earlier())
    labels = []
    for part in ids:
        text, section = next((hit for v in versions if (hit := found_in(v, part))), (part, None))
        labels.append({"text": text, "section": section if kind == "item" else part})
    return labels


def part_records(part_stats, ids: list[str], labels: list[dict], location_labels: list[str]) -> list[dict]:
    """One record per item or section (``ids``), with its outlier locations."""
    records = []
    for n, part in enumerate(ids):
        outliers = [
            {"location": location_labels[loc], "band": band, "mean": float(part_stats.location_mean[n, loc]),
             "answers": int(part_stats.location_n[n, loc])}
            for band, locs in part_stats.deviating_locations(n).items() for loc in locs
        ]
        records.append({
            "id": part, "text": labels[n]["text"], "section": labels[n]["section"],
            "answers": int(part_stats.n_answers[n]), "mean": num(part_stats.mean_score[n]),
            "pass_rate": num(part_stats.pass_rate[n]), "sd_between": num(part_stats.between_location_sd[n]),
            "cv": num(part_stats.cv[n]), "spread_sd": num(part_stats.spread_sd[n]),
            "location_share": num(part_stats.location_share[n]), "locations": int(part_stats.n_locations[n]),
            "outliers": outliers,
        })
    return records


def location_records(ls, locations: dict, loc_codes: np.ndarray, change) -> list[dict]:
    records = []
    for n, code in enumerate(loc_codes):
        info = locations[int(code)]
        record = {
            **info, "visits": int(ls.n_visits[n]), "mean": num(ls.mean[n]), "ci_low": num(ls.ci_low[n]),
            "ci_high": num(ls.ci_high[n]), "shrunk": num(ls.shrunk_mean[n]), "z": num(ls.z_score[n]),
            "funnel": str(ls.funnel_band[n]), "percentile": num(ls.percentile_rank[n]),
            "sd_within": num(ls.sd[n]), "low_data": bool(ls.low_data[n]),
        }
        if change is not None:
            record["change"] = {"difference": num(change.difference[n]), "p_value": num(change.p_value[n]),
                                "q_value": num(change.q_value[n]),
                                "significant": bool(change.significant[n])}
        records.append(record)
    # Ranked: the branches with enough visits, best first; then, unranked, those with fewer (one
    # visit of 100 by a lenient auditor is not the chain's best branch), also best first.
    records.sort(key=lambda r: (r["mean"] is None, r["low_data"], -(r["mean"] or 0), r["code"]))
    ranked = (r for r in records if r["mean"] is not None and not r["low_data"])
    for record in records:
        record["rank"] = None
    for rank, record in enumerate(ranked, start=1):
        record["rank"] = rank
    return records



def ranked(records: list[dict]) -> list[dict]:
    """The ranked records (branches with enough visits), best first."""
    return [r for r in records if r["rank"]]


def ranked_or_all(records: list[dict]) -> list[dict]:
    """The ranked records, or all of them when none is: the ends of a ranking ("highest",
    "lowest") are taken among the branches measured well enough, when there are any."""
    return ranked(records) or records


def consistency_record(consistency, auditors: dict, aud_codes: np.ndarray) -> dict:
    variance = consistency.variance
    # An auditor who shares no branch with another auditor (alone in their part of the design)
    # has an offset of 0 by construction, not by measurement: it is null, not 0.0.
    component = consistency.design.auditor_component
    auditors_in = np.bincount(component[component >= 0], minlength=consistency.design.n_components)
    alone = np.array([c < 0 or auditors_in[c] < 2 for c in component], dtype=bool)
    offsets = np.where(alone, np.nan, consistency.auditor_offset)
    return {
        "icc_location": num(consistency.icc1.value),
        "icc_location_adjusted": num(consistency.adjusted_icc.value),
        "design_connected": bool(consistency.design.connected),
        "variance": {"location": num(variance.location), "auditor": num(variance.auditor),
                     "residual": num(variance.residual)},
        "auditor_p_value": num(consistency.auditor_p_value),
        "auditors": sorted(
            ({**auditors[int(code)], "offset": num(offsets[n]),
              "visits": int(consistency.auditor_visits[n])} for n, code in enumerate(aud_codes)),
            key=lambda a: -(a["offset"] or 0),
        ),
    }


def section_matrix(section_stats, section_ids: list[str], sections: list[dict], codes: list[str]) -> dict | None:
    """Locations × sections mean scores (None where a location has no answer), for heat maps."""
    if section_stats is None:
        return None
    means = section_stats.location_mean  # sections × locations
    return {"sections": section_ids, "section_titles": [s["text"] for s in sections], "locations": codes,
            "values": [[num(means[s, loc]) for s in range(len(section_ids))] for loc in range(len(codes))]}


def regions(locations: dict, loc_codes, location_summary, section_stats, section_ids) -> list[dict]:
    """Visit-weighted means per region, overall and per section."""
    region_of = np.array([locations[int(code)]["region"] or "" for code in loc_codes])
    visit_count = location_summary.count
    score_total = np.where(visit_count > 0, np.nan_to_num(location_summary.mean) * visit_count, 0.0)
    records = []
    for region in sorted(set(region_of)):
        in_region = region_of == region
        visits = int(visit_count[in_region].sum())
        sections = {}
        if section_stats is not None:
            n = section_stats.location_n[:, in_region]
            total = np.nansum(np.where(n > 0, section_stats.location_mean[:, in_region] * n, 0.0), axis=1)
            count = n.sum(axis=1)
            sections = {sid: (num(total[i] / count[i]) if count[i] else None) for i, sid in enumerate(section_ids)}
        records.append({"name": region or None, "locations": int(in_region.sum()), "visits": visits,
                        "mean": float(score_total[in_region].sum() / visits) if visits else None,
                        "sections": sections})
    return records


def funnel_curve(location_stats) -> dict | None:
    if np.isnan(location_stats.chain_sd) or not location_stats.n_visits.max():
        return None
    curve = stats.funnel_curve(location_stats.chain_mean, location_stats.chain_sd, int(location_stats.n_visits.max()))
    return {"n": [int(n) for n in curve.n], "centre": float(curve.centre),
            **{key: [num(v) for v in getattr(curve, key)]
               for key in ("lower_998", "lower_95", "upper_95", "upper_998")}}


def finding_record(finding, locations: list[str], items: list[str], sections: list[str]) -> dict:
    """A finding as a plain dict. Its params name locations, items and sections by their position
    in the statistics (``locations``: codes, ``items``/``sections``: ids, in that order); beside
    each position the record gives the code or id itself (``location_codes``, ``item_id``,
    ``section_id``, ``pair_ids`` as ``[item id, location code]``), which is what a reader of the
    JSON can look up."""
    params = dict(finding.params)
    if "locations" in params:
        params["location_codes"] = [locations[n] for n in params["locations"]]
    if "item" in params:
        params["item_id"] = items[params["item"]]
    if "section" in params:
        params["section_id"] = sections[params["section"]]
    if "pairs" in params:
        params["pair_ids"] = [[items[item], locations[location]] for item, location in params["pairs"]]
    return {"code": finding.code, "message": finding.message, "params": params, "severity": finding.severity}


def num(value) -> float | None:
    """A float for JSON; NaN (no data) becomes None."""
    value = float(value)
    return None if np.isnan(value) else value
