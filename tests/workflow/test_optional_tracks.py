"""Tracks a country switches on in its file: courts limiting or ending parental rights, and
adoption by relatives."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.factories import Api
from tests.workflow.test_parental_care import open_orphan_case
from workflow import transactions
from workflow.rules import catalogue
from workflow.rules.catalogue import BUILT_IN, DefinitionError, read_file

SWITCHED = ("parental_rights", "adoption")


def _default() -> dict[str, Any]:
    return dict(yaml.safe_load((BUILT_IN / "default.yaml").read_text(encoding="utf-8")))


def _switched_on(body: dict[str, Any], version: int = 4) -> dict[str, Any]:
    body = copy.deepcopy(body)
    body["version"] = version
    for track in body["tracks"]:
        if track["name"] in SWITCHED:
            track["enabled"] = True
    return body


def _load(app: Any, tmp_path: Path, body: dict[str, Any]) -> None:
    path = tmp_path / "country.yaml"
    path.write_text(yaml.safe_dump(body, allow_unicode=True), encoding="utf-8")
    with app.app_context(), transactions.unit_of_work() as session:
        catalogue.register(session, read_file(path))


def test_the_optional_tracks_are_off_in_the_shipped_definition(api: Api) -> None:
    case = api.create_case()
    assert not set(SWITCHED) & set(case["tracks"])
    published = {track["name"] for track in api.get("lawyer", "/api/v1/workflow").json["tracks"]}
    assert not set(SWITCHED) & published


def test_a_country_switches_them_on_and_each_walks_to_its_end(
    api: Api, app: Any, tmp_path: Path
) -> None:
    _load(app, tmp_path, _switched_on(_default()))
    case = api.create_case()
    assert case["workflow"] == {"name": "default", "version": 4}
    assert case["tracks"]["parental_rights"]["state"] == "not_started"
    mother, grandmother = api.person(case, "mother"), api.person(case, "grandmother")

    api.step(
        "lawyer",
        case["id"],
        "parental_rights",
        "file_petition",
        {"parent": mother, "grounds": "Abandonment"},
    )
    api.step("judge", case["id"], "parental_rights", "limit", {"ruling_number": "2-5/2026"})
    ended = api.step(
        "judge", case["id"], "parental_rights", "terminate", {"ruling_number": "2-9/2026"}
    )
    assert ended["tracks"]["parental_rights"]["state"] == "terminated"

    adoption = {"adoptive_parent": grandmother, "relationship": "grandmother"}
    api.step("lawyer", case["id"], "adoption", "file_petition", adoption)
    api.step(
        "guardianship", case["id"], "adoption", "assess_suitable", {"report_reference": "GA-9"}
    )
    adopted = api.step("judge", case["id"], "adoption", "adopt", {"order_number": "2-11/2026"})
    assert adopted["tracks"]["adoption"]["state"] == "adopted"


def test_an_orphans_adoption_asks_no_parents_consent(api: Api, app: Any, tmp_path: Path) -> None:
    _load(app, tmp_path, _switched_on(_default()))
    case = open_orphan_case(api)
    data = {"adoptive_parent": api.person(case, "grandmother"), "relationship": "grandmother"}
    filed = api.transition("lawyer", case["id"], "adoption", "file_petition", data, evidence_ids=[])
    assert filed.status_code == 200, filed.json


def _switched_off_and_broken(body: dict[str, Any]) -> None:
    adoption = next(t for t in body["tracks"] if t["name"] == "adoption")
    adoption["transitions"][0]["to"] = "nowhere"


def _switched_off_requires_unknown(body: dict[str, Any]) -> None:
    adoption = next(t for t in body["tracks"] if t["name"] == "adoption")
    adoption["transitions"][0]["requires"] = {"track": "astrology", "in": ["done"]}


def _on_track_requires_switched_off(body: dict[str, Any]) -> None:
    citizenship = next(t for t in body["tracks"] if t["name"] == "citizenship")
    citizenship["transitions"][0]["requires"] = {"track": "adoption", "in": ["adopted"]}


def _switch_not_a_boolean(body: dict[str, Any]) -> None:
    body["tracks"][-1]["enabled"] = "false"  # a string: refused, not read as on or off


@pytest.mark.parametrize(
    ("breakage", "named"),
    [
        (_switched_off_and_broken, "nowhere"),
        (_switched_off_requires_unknown, "astrology"),
        (_on_track_requires_switched_off, "adoption"),
        (_switch_not_a_boolean, "enabled"),
    ],
)
def test_a_switched_off_track_is_still_checked_when_loaded(
    tmp_path: Path, breakage: Any, named: str
) -> None:
    body = _default()
    breakage(body)
    path = tmp_path / "country.yaml"
    path.write_text(yaml.safe_dump(body), encoding="utf-8")
    with pytest.raises(DefinitionError, match=named):
        read_file(path)
