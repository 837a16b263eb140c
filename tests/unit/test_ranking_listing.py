"""The chain PDF's list of all branches: monospaced lines whose columns line up, every branch
once, in rank order down each column, in any of the four languages."""
from __future__ import annotations

import pytest
from flask_babel import force_locale

from audit import create_app
from audit.reports.chain_view import BAND_SYMBOLS, _ranking
from audit.reports.ranking_listing import GAP, MAX_FONT_PT, MIN_FONT_PT, listing_blocks


@pytest.fixture(scope="module")
def babel_app(tmp_path_factory):
    """An app for Babel's locale only; no database is touched."""
    path = tmp_path_factory.mktemp("instance")
    return create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x",
                       "INSTANCE_PATH": str(path)})


def ranking(n: int, code=lambda k: f"B{k:04d}") -> list[dict]:
    bands = ["above_998", "above_95", "inside", "inside", "below_95", "below_998"]
    locations = [{"code": code(k), "name": f"Branch {k}", "region": "North", "visits": 1 + (k * 37) % 240,
                  "mean": 100.0 - k * 100.0 / n, "ci_low": max(0.0, 90.0 - k * 100.0 / n),
                  "ci_high": 100.0, "shrunk": 50.0, "funnel": bands[k * len(bands) // n], "low_data": k % 50 == 7}
                 for k in range(n)]
    # As the statistics order them: the ranked branches, then those with fewer than 3 visits, unranked.
    locations.sort(key=lambda r: r["low_data"])
    for rank, record in enumerate(locations, start=1):
        record["rank"] = None if record["low_data"] else rank
    return _ranking(locations)


def text(line) -> str:
    return "".join(part.text for part in line)


def test_every_branch_once_in_rank_order_down_each_column_with_aligned_figures(babel_app):
    with babel_app.test_request_context(), force_locale("en"):
        rows = ranking(300)
        blocks = listing_blocks(rows, columns=3, rows=56)
    assert len(blocks) == 2 and len(blocks[0]["lines"]) == 56 and len(blocks[1]["lines"]) == 44
    seen = []
    for block in blocks:
        lines = [text(line) for line in block["lines"]]
        width = (len(block["header"][-1]) - 2 * len(GAP)) // 3  # the last header line ends in "n"
        for column in range(3):
            start = column * (width + len(GAP))
            for line in lines:
                entry = line[start:start + width]
                assert line[start + width:start + width + len(GAP)].strip() == ""
                if entry.strip():
                    seen.append(entry)
        # Right-aligned figures end where their titles do, on every line and in every column.
        head = block["header"][-1][:width]
        ends = [head.index(title) + len(title) - 1 for title in ("Mean", "interval", " n")]
        for entry in seen[-len(lines) * 3:]:
            assert all(entry[end].isdigit() or entry[end] == "⚠" for end in ends), (head, entry)
    assert len(seen) == 300
    for row, entry in zip(rows, seen):
        assert entry.split()[:2] == [str(row["rank"] or "–"), row["code"]]
        assert f"{row['mean']} {row['interval']}" in " ".join(entry.split())
        shown = "" if row["band"] == "inside" else row["band_symbol"]  # no "–" on 300 lines
        assert shown in entry and (("⚠" in entry) == row["low_data"]) and ("–" not in entry.split()[1:2])
    coloured = [part for block in blocks for line in block["lines"] for part in line if part.css]
    assert {part.text for part in coloured} == {s for band, s in BAND_SYMBOLS.items() if s and band != "inside"}
    assert all(part.css == ("band-above" if "▲" in part.text else "band-below") for part in coloured)


@pytest.mark.parametrize("lang", ["en", "ru", "lt", "lv"])
def test_headers_wrap_in_every_language_and_the_lines_fit_the_page(babel_app, lang):
    with babel_app.test_request_context(), force_locale(lang):
        block = listing_blocks(ranking(120), columns=3, rows=56)[0]
    width = max(len(text(line)) for line in block["lines"])
    assert all(len(line) <= width for line in block["header"])
    assert MIN_FONT_PT <= block["font_pt"] <= MAX_FONT_PT
    # DejaVu Sans Mono: 0.602 em per character; the page is 182 mm wide between the margins.
    assert width * 0.602 * block["font_pt"] / 72 * 25.4 <= 182


def test_long_codes_shrink_the_type_then_are_cut(babel_app):
    with babel_app.test_request_context(), force_locale("en"):
        short = listing_blocks(ranking(60), columns=3, rows=56)[0]
        long = listing_blocks(ranking(60, code=lambda k: f"VILNIUS-CENTRAS-{k:03d}-MALL"), columns=3, rows=56)[0]
    assert short["font_pt"] == MAX_FONT_PT
    assert long["font_pt"] < MAX_FONT_PT
    assert "VILNIUS-CENTR…" in text(long["lines"][0])
