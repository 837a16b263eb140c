"""With a period chosen, the chain PDF's list of all branches gives each branch's change against
the period of the same length before, as the dashboard's ranking does ("Change", ● beyond
chance): the dashboard showed it and the PDF downloaded from the same page did not."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from flask_babel import force_locale

from audit.reports.chain_view import chain_view
from audit.services.chain_stats import StatsFilter, chain_statistics
from tests.pdf.helpers import build_demo, pdf_text

PERIOD = ("2026-07-01", "2026-10-31")  # the demo ends on 2026-10-31; the period before is March to June


def chain_pdf(runner, tmp_path: Path, *args: str) -> str:
    out = tmp_path / "chain.pdf"
    result = runner.invoke(args=["report", "chain", "--checklist", "store-visit", "--out", str(out), *args])
    assert result.exit_code == 0, result.output
    return pdf_text(out.read_bytes())


def expected_rows(app) -> list[dict]:
    spec = StatsFilter("store-visit", since=date.fromisoformat(PERIOD[0]), until=date.fromisoformat(PERIOD[1]))
    with app.test_request_context(), force_locale("en_GB"):
        view = chain_view(chain_statistics(spec, "en"))
    assert view["ranking_has_change"]
    return view["ranking"]


def test_each_branch_s_change_is_in_the_list_of_all_branches(app, runner, tmp_path, checklists):
    build_demo(runner, locations=45, months=8)  # 45 branches: the monospaced list of a large chain
    rows = expected_rows(app)
    assert len(rows) == 45 and sum(r["change_value"] is not None for r in rows) >= 40
    assert any(r["change_significant"] for r in rows)  # the ● is printed too
    text = chain_pdf(runner, tmp_path, "--since", PERIOD[0], "--until", PERIOD[1])
    assert "Change: Against the period of the same length just before" in text
    for row in rows:
        symbol = "" if row["band"] == "inside" else row["band_symbol"]
        visits = str(row["visits"]) + (" ⚠" if row["low_data"] else "")
        change = (row["change"] or "–") + ("●" if row["change_significant"] else "")
        entry = " ".join(part for part in (str(row["rank"]), row["code"], symbol, row["mean"], row["interval"],
                                           visits, change) if part)
        assert entry in text, entry


def test_a_small_chain_s_table_has_the_change_column_only_with_a_period(app, runner, tmp_path, checklists):
    build_demo(runner, locations=12, months=8)
    rows = expected_rows(app)
    assert all(r["change_value"] is not None for r in rows)
    text = chain_pdf(runner, tmp_path, "--since", PERIOD[0], "--until", PERIOD[1])
    assert "Shrunk mean Change Funnel" in text
    for row in rows:
        change = (row["change"] or "–") + (" ●" if row["change_significant"] else "")
        assert f"{row['interval']} {row['shrunk']} {change}" in text, row["code"]
    whole = chain_pdf(runner, tmp_path)  # all visits: no period before to compare with
    assert "Shrunk mean Funnel" in whole and "Change" not in whole
