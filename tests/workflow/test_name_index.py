"""The names' text index and the lists' index through the life of the data: built for the cases
already there by migration 0010, following every name changed or erased, and untouched by the
rotation of the data keys."""

from __future__ import annotations

from typing import Any

from sqlalchemy import inspect

from tests.factories import Api
from tests.workflow.helpers import set_states
from tests.workflow.test_listings import derived_rows, stored_rows
from tests.workflow.test_need_to_know import STAGES, open_case_at
from workflow import migrations
from workflow.name_index import is_index_table


def found(api: Api, text: str, username: str = "lawyer") -> set[str]:
    response = api.get(username, "/api/v1/cases", query_string={"q": text})
    assert response.status_code == 200, response.json
    return {case["id"] for case in response.json["cases"]}


def test_the_upgrade_indexes_the_cases_and_names_already_there(app: Any, api: Api) -> None:
    cases = {stage: open_case_at(api, stage) for stage in STAGES}
    set_states(app, cases["birth_filed"]["id"], {"birth_registration": "filed"}, days_ago=40)
    before = stored_rows(app)
    engine = app.extensions["homeward.engine"]

    migrations.downgrade(engine, "0007")
    with engine.connect() as connection:
        left = inspect(connection).get_table_names()
    assert "case_listings" not in left and not any(is_index_table(name) for name in left)
    migrations.upgrade(engine)

    assert stored_rows(app) == before == derived_rows(app)
    assert found(api, "Нұрғалиева") == {case["id"] for case in cases.values()}
    queue = api.get("registrar", "/api/v1/cases?queue=agency").json["cases"]
    assert [case["id"] for case in queue] == [cases["birth_filed"]["id"]]


def test_a_changed_name_is_found_by_its_new_words_only(api: Api) -> None:
    case = api.create_case()
    version = api.case_version("lawyer", case["id"])
    renamed = {"child": {"names": [{"script": "Latn", "given": "Samira", "family": "Omarova"}]}}
    response = api.patch(
        "lawyer", f"/api/v1/cases/{case['id']}", renamed, **{"If-Match": f'"{version}"'}
    )
    assert response.status_code == 200, response.json
    assert found(api, "Samira Omar") == {case["id"]}
    assert found(api, "Aliya") == set()
    assert found(api, "Гүлнар") == {case["id"]}  # the mother's name is still hers


def test_rotating_the_data_keys_leaves_every_name_findable(app: Any, api: Api, runner: Any) -> None:
    case = api.create_case()
    searches = ["Нұрғалиева", "عالية", "aliya nurg", "Гүлнар"]
    result = runner.invoke(args=["keys", "rotate-data"])
    assert result.exit_code == 0, result.output
    for text in searches:
        assert found(api, text) == {case["id"]}, text
