"""Hostile search and list queries: SQL and wildcards match only what they spell, and a bad page,
filter or workflow query is refused with the parameter named, never echoed."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import Api
from tests.workflow.hostile import (
    CHILD,
    LONG,
    SECRET,
    SQL,
    assert_error,
    assert_not_echoed,
    open_target_case,
)


@pytest.fixture
def case(api: Api) -> dict[str, Any]:
    return open_target_case(api)


MATCHING_NOTHING = {
    **{sql: sql for sql in SQL},
    "percent": "%",
    "underscore": "_",
    "two percents": "%%",
    "backslash": "\\",
    "star": "*",
    "or": f"{SECRET}' OR '1'='1",
}


def test_sql_and_wildcards_in_the_search_match_nothing_they_do_not_spell(
    api: Api, case: dict[str, Any], subtests: pytest.Subtests
) -> None:
    for variant, q in MATCHING_NOTHING.items():
        with subtests.test(msg=variant, q=variant):
            response = api.get("lawyer", "/api/v1/cases", query_string={"q": q})
            assert response.status_code == 200, response.get_data(as_text=True)
            assert response.json["total"] == 0 and response.json["cases"] == []
            assert_not_echoed(response)
            assert api.get("lawyer", "/api/v1/cases").json["total"] == 1


def test_a_nul_in_the_search_is_refused_naming_it(api: Api, case: dict[str, Any]) -> None:
    response = api.get("lawyer", "/api/v1/cases", query_string={"q": "\x00"})
    assert_error(response, 422, "q")
    assert api.get("lawyer", "/api/v1/cases").json["total"] == 1


LITERALLY = {"aru_": {"Aru_5"}, "Aru%": {"Aru%5"}, "aru\\5": {"Aru\\5"}, "%": set(), "_": set()}


def test_search_wildcards_are_matched_literally(api: Api, subtests: pytest.Subtests) -> None:
    ids = {
        given: api.create_case(child={**CHILD, "names": [{"script": "Latn", "given": given}]})["id"]
        for given in ("Aru_5", "Arux5", "Aru%5", "Aru\\5")
    }
    for q, expected in LITERALLY.items():
        with subtests.test(msg=q, q=q):
            found = api.get("lawyer", "/api/v1/cases", query_string={"q": q}).json
            assert {c["id"] for c in found["cases"]} == {ids[given] for given in expected}


BAD_LIST_QUERIES = [
    ("page=-1", "page"),
    ("page=0", "page"),
    ("page=abc", "page"),
    ("page=1.5", "page"),
    ("page=" + "9" * 30, "page"),
    ("per_page=100000", "per_page"),
    ("per_page=0", "per_page"),
    ("per_page=-5", "per_page"),
    ("overdue=maybe", "overdue"),
    (f"overdue={SECRET}", "overdue"),
    ("queue=all", "queue"),
    (f"queue={SECRET}", "queue"),
    ("queue=agency", "queue"),  # the lawyer has no agency queue
    ("q=" + LONG, "q"),
    ("track=" + "t" * 41, "track"),
    ("state=" + "s" * 41, "state"),
    (f"name={SECRET}", "name"),
    ("sort=reference", "sort"),
    ("q=Aliya&debug=1", "debug"),
]


def test_a_bad_list_query_is_refused_and_named(
    api: Api, case: dict[str, Any], subtests: pytest.Subtests
) -> None:
    for query, field in BAD_LIST_QUERIES:
        with subtests.test(msg=query, query=query):
            response = api.get("lawyer", f"/api/v1/cases?{query}")
            assert_error(response, 422, field, code="invalid_input")


MATCHING_NO_CASE = [
    "track=%3Cscript%3E",
    "state=%27%20OR%20%271%27%3D%271",
    "track=dna&state=no_such_state",
]


def test_a_list_filter_that_matches_nothing_is_an_empty_page(
    api: Api, case: dict[str, Any], subtests: pytest.Subtests
) -> None:
    for query in MATCHING_NO_CASE:
        with subtests.test(msg=query, query=query):
            response = api.get("lawyer", f"/api/v1/cases?{query}")
            assert response.status_code == 200
            assert response.json["total"] == 0 and response.json["cases"] == []


def test_a_page_past_the_end_is_empty_but_counts_everything(api: Api, case: dict[str, Any]) -> None:
    response = api.get("lawyer", "/api/v1/cases?page=100000&per_page=100")
    assert response.status_code == 200
    assert response.json["cases"] == [] and response.json["total"] == 1


BAD_WORKFLOW_QUERIES = [
    ("name=../../etc/passwd", 422, "name"),
    ("name=Default", 422, "name"),
    (f"name={SECRET}", 422, "name"),
    ("version=abc", 422, "version"),
    ("version=0", 422, "version"),
    ("version=-1", 422, "version"),
    ("foo=1", 422, "foo"),
    ("name=nosuch", 404, None),
    ("name=default&version=99", 404, None),
]


def test_a_bad_workflow_query_is_refused(api: Api, subtests: pytest.Subtests) -> None:
    for query, status, field in BAD_WORKFLOW_QUERIES:
        with subtests.test(msg=query, query=query):
            response = api.get("lawyer", f"/api/v1/workflow?{query}")
            assert_error(response, status, *([field] if field else []))
