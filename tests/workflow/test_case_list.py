"""Finding cases: filters by track and state, the agency queue, overdue steps, name search."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import Api
from tests.workflow.helpers import set_states


def _references(response: Any) -> list[str]:
    assert response.status_code == 200, response.json
    return [case["reference"] for case in response.json["cases"]]


def _child(script: str, given: str, family: str) -> dict[str, Any]:
    return {"names": [{"script": script, "given": given, "family": family}]}


def test_filters_by_track_and_state(api: Api, app: Any) -> None:
    waiting = api.create_case()
    fresh = api.create_case()
    set_states(app, waiting["id"], {"dna": "requested"})
    assert _references(api.get("lawyer", "/api/v1/cases?track=dna&state=requested")) == [
        waiting["reference"]
    ]
    assert fresh["reference"] in _references(api.get("lawyer", "/api/v1/cases?state=not_started"))
    assert _references(api.get("lawyer", "/api/v1/cases?track=dna&state=nonsense")) == []


def test_the_agency_queue_shows_what_waits_on_us_oldest_first(api: Api, app: Any) -> None:
    older, newer, elsewhere = api.create_case(), api.create_case(), api.create_case()
    set_states(app, older["id"], {"birth_registration": "filed"}, days_ago=9)
    set_states(app, newer["id"], {"birth_registration": "under_review"}, days_ago=2)
    set_states(app, elsewhere["id"], {"dna": "requested"})
    queue = _references(api.get("registrar", "/api/v1/cases?queue=agency"))
    assert queue == [older["reference"], newer["reference"]]
    assert _references(api.get("judge", "/api/v1/cases?queue=agency")) == [elsewhere["reference"]]


def test_the_queue_is_for_officials(api: Api) -> None:
    response = api.get("lawyer", "/api/v1/cases?queue=agency")
    assert response.status_code == 422
    assert response.json["error"]["details"][0]["field"] == "queue"


def test_overdue_finds_steps_past_their_target(api: Api, app: Any) -> None:
    late, on_time = api.create_case(), api.create_case()
    set_states(app, late["id"], {"birth_registration": "under_review"}, days_ago=31)
    set_states(app, on_time["id"], {"birth_registration": "under_review"}, days_ago=29)
    assert _references(api.get("lawyer", "/api/v1/cases?overdue=true")) == [late["reference"]]
    assert _references(api.get("lawyer", "/api/v1/cases?overdue=false")) == [on_time["reference"]]
    case = api.case("lawyer", late["id"])
    assert case["tracks"]["birth_registration"]["overdue"] is True
    assert case["tracks"]["birth_registration"]["target_days"] == 30


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("нұрғалиева", True),  # Kazakh, lower case
        ("НУРГАЛИЕВА", True),  # typed on a Russian keyboard, upper case
        ("Әлия", True),
        ("عالية", True),  # Arabic
        ("عَالِيَة", True),  # Arabic with vowel marks
        ("aliya nurg", True),  # Latin, partial, across given and family
        ("Гүлнар", True),  # the mother's name finds the child's case
        ("Maryam", False),
        ("%", False),  # LIKE wildcards are text, not patterns
        ("_", False),
    ],
)
def test_name_search_across_scripts(api: Api, query: str, found: bool) -> None:
    case = api.create_case()
    api.create_case(child=_child("Latn", "Dina", "Omarova"), people=[])
    response = api.get("lawyer", "/api/v1/cases", query_string={"q": query})
    assert (case["reference"] in _references(response)) is found


def test_pagination_counts_every_match(api: Api) -> None:
    created = [api.create_case()["reference"] for _ in range(5)]
    first = api.get("lawyer", "/api/v1/cases?per_page=2&page=1").json
    third = api.get("lawyer", "/api/v1/cases?per_page=2&page=3").json
    assert first["total"] == 5 and len(first["cases"]) == 2 and len(third["cases"]) == 1
    pages = [api.get("lawyer", f"/api/v1/cases?per_page=2&page={n}").json for n in (1, 2, 3)]
    assert sorted(ref for p in pages for ref in (c["reference"] for c in p["cases"])) == sorted(
        created
    )


def test_references_are_unguessable_and_resolve(api: Api) -> None:
    import re

    case = api.create_case()
    assert re.fullmatch(
        r"HW-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}", case["reference"]
    )
    assert api.case("lawyer", case["reference"])["id"] == case["id"]
