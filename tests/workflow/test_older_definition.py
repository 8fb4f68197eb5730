"""A case opened on default version 2, before the procedure for children without parental care,
keeps its rules once version 3 is loaded, while new cases follow version 3."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.factories import Api
from tests.workflow.test_parental_care import open_orphan_case, petition, to_hearing
from workflow import transactions
from workflow.rules import catalogue
from workflow.rules.catalogue import BUILT_IN, read_file

OLD_DEFAULT = Path(__file__).resolve().parent / "definitions" / "default-v2.yaml"


@pytest.fixture
def built_in_definitions() -> list[dict[str, Any]]:
    """The definitions as they were before this procedure: default version 2."""
    return [read_file(OLD_DEFAULT), read_file(BUILT_IN / "guardianship-first.yaml")]


def test_a_case_opened_on_version_2_keeps_its_rules_after_version_3_is_loaded(
    api: Api, app: Any
) -> None:
    old = open_orphan_case(api)
    with app.app_context(), transactions.unit_of_work() as session:
        catalogue.register_built_in(session)
    new = open_orphan_case(api)
    assert (old["workflow"]["version"], new["workflow"]["version"]) == (2, 3)

    refused = petition(api, old, evidence_ids=[])  # version 2 asks the consent of everyone
    assert refused.status_code == 409, refused.json
    assert petition(api, new, evidence_ids=[]).status_code == 200

    letter = api.upload("lawyer", old["id"], "consent").json["id"]
    assert petition(api, old, evidence_ids=[letter]).status_code == 200
    to_hearing(api, old["id"])
    allowed = api.case("judge", old["id"])["allowed_transitions"]
    assert {"track": "guardianship", "action": "grant_temporarily"} not in allowed
    grant = {
        "order_number": "2-3/2026",
        "order_type": "temporary",
        "guardian": api.person(old, "grandmother"),
    }
    granted = api.step("judge", old["id"], "guardianship", "grant", grant)
    assert granted["tracks"]["guardianship"]["state"] == "granted"
    assert granted["reviews"] == []
