"""Migration 0018 puts every stored person on her case where she stood, and going back copies a
relative shared by siblings onto each of their cases, her consents following her."""

from __future__ import annotations

from typing import Any

from sqlalchemy import inspect

from tests.factories import Api, sibling
from workflow import migrations

BEFORE = "0016"


def test_down_to_0016_and_back_keeps_each_case_its_people(api: Api, app: Any) -> None:
    alone = api.create_case()
    first = api.create_case()
    mother = {"person_id": api.person(first, "mother"), "relation": "mother"}
    body = {"child": sibling(), "people": [mother], "family_of": first["id"]}
    second = api.post("lawyer", "/api/v1/cases", body).json
    consent = {"person_id": mother["person_id"], "purpose": "dna_testing", "given_on": "2026-01-15"}
    assert api.post("lawyer", f"/api/v1/cases/{second['id']}/consents", consent).status_code == 201
    before = {case["id"]: _people(api, case["id"]) for case in (alone, first, second)}
    engine = app.extensions["homeward.engine"]

    migrations.downgrade(engine, BEFORE)
    with engine.connect() as connection:
        assert "case_people" not in inspect(connection).get_table_names()
    migrations.upgrade(engine)

    for case_id, people in before.items():
        assert _people(api, case_id) == people
    # Back at 0016 the shared mother became one copy per case; her consent followed her copy.
    after = api.case("lawyer", second["id"])
    assert api.person(after, "mother") != mother["person_id"]
    listed = api.get("lawyer", f"/api/v1/cases/{second['id']}/consents").json["consents"]
    assert [c["person_id"] for c in listed] == [api.person(after, "mother")]
    assert after["family"] is None


def _people(api: Api, case_id: str) -> list[tuple[str, Any]]:
    case = api.case("lawyer", case_id)
    return [(p["relation"], p["names"]) for p in case["people"]] + [
        ("child", case["child"]["names"])
    ]
