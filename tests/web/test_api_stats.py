"""``GET /api/v1/stats``: the figures of ``audit stats --json`` for a token of head office, with
the dashboard's filters, and a 400 naming every filter it cannot use."""
from __future__ import annotations

import json

import pytest

from tests.web.test_api import bearer
from tests.web.test_chain_stats import approved_store_visits, build_demo


@pytest.fixture
def tokens(runner, checklists, make_user):
    build_demo(runner, 6)
    made = {}
    for role in ("reviewer", "auditor", "manager"):
        user = make_user(role, password=None, **({"locations": []} if role == "manager" else {}))
        result = runner.invoke(args=["create-token", user.email])
        assert result.exit_code == 0, result.output
        made[role] = bearer(result.output.strip().splitlines()[-1])
    return made


def test_the_api_gives_the_same_figures_as_the_command_line(client, runner, tokens):
    region = approved_store_visits()[0][3]
    for query, options in ((
            {"checklist": "store-visit"}, []),
            ({"checklist": "store-visit", "region": region, "since": "2026-10-01", "lang": "lt"},
             ["--region", region, "--since", "2026-10-01", "--lang", "lt"])):
        response = client.get("/api/v1/stats", query_string=query, headers=tokens["reviewer"])
        assert response.status_code == 200, response.get_data(as_text=True)
        command = runner.invoke(args=["stats", "--checklist", "store-visit", "--json", *options])
        assert command.exit_code == 0, command.output
        assert response.get_json() == json.loads(command.output)
    narrowed = response.get_json()
    assert {location["region"] for location in narrowed["locations"]} == {region} and narrowed["visits"] > 0
    # Questions are named in the language asked for.
    assert narrowed["items"][0]["text"] != client.get(
        "/api/v1/stats?checklist=store-visit", headers=tokens["reviewer"]).get_json()["items"][0]["text"]


def test_filters_it_cannot_use_are_named_not_answered_with_an_empty_chain(client, tokens):
    def problems(**query):
        response = client.get("/api/v1/stats", query_string=query, headers=tokens["reviewer"])
        assert response.status_code == 400, response.get_data(as_text=True)
        return response.get_json()["details"]

    assert "required" in problems()["checklist"]
    assert "unknown checklist 'nope'" in problems(checklist="nope")["checklist"]
    region = approved_store_visits()[0][3]
    wrong = problems(checklist="store-visit", region="Atlantis", format="kiosk", since="2026-13-01",
                     until="9999-12-31", lang="de", regoin="x")
    assert "'Atlantis' is not one of the chain's" in wrong["region"] and region in wrong["region"]
    assert "'kiosk' is not one of the chain's" in wrong["format"]
    assert wrong["since"] == "a day as YYYY-MM-DD" and wrong["until"].startswith("a day from")
    assert wrong["lang"] == "one of en, ru, lt, lv" and wrong["regoin"].startswith("unknown parameter")
    assert problems(checklist="store-visit", since="2026-10-02", until="2026-10-01")["until"] == "is before since"


def test_only_head_office_reads_the_chain_s_statistics(client, tokens):
    for role in ("auditor", "manager"):
        response = client.get("/api/v1/stats?checklist=store-visit", headers=tokens[role])
        assert response.status_code == 403 and response.get_json()["error"] == "forbidden"
    assert client.get("/api/v1/stats?checklist=store-visit").status_code == 401
