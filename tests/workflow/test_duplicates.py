"""Opening a case for a child who may already have one: 409 possible_duplicate, across scripts."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from tests.audit.helpers import events
from tests.factories import Api
from workflow import transactions
from workflow.models import NameKey

CYRILLIC_CHILD = {
    "names": [{"script": "Cyrl", "given": "Мұхаммед", "family": "Жұмабаев"}],
    "sex": "male",
    "birth_date": {"value": "2015-03-07", "precision": "exact"},
}
LATIN_CHILD = {
    "names": [{"script": "Latn", "given": "Mukhammed", "family": "Zhumabayev"}],
    "sex": "male",
    "birth_date": {"value": "2015-01-01", "precision": "year"},
}
ARABIC_CHILD = {
    "names": [{"script": "Arab", "given": "محمد", "family": "جومابايف"}],
    "birth_date": {"value": "2015-03-01", "precision": "month"},
}


def open_case(api: Api, username: str, child: dict[str, Any], **extra: Any) -> Any:
    return api.post(username, "/api/v1/cases", {"child": child, **extra})


def test_another_ngos_child_in_another_script_is_refused_naming_only_the_agency(api: Api) -> None:
    held = open_case(api, "lawyer3", CYRILLIC_CHILD)
    assert held.status_code == 201
    response = open_case(api, "lawyer", LATIN_CHILD)
    assert response.status_code == 409
    assert response.json["error"]["code"] == "possible_duplicate"
    matches = response.json["error"]["details"]["matches"]
    assert matches == [{"agency": "Safe Return Lawyers", "case": None}]
    assert held.json["id"] not in response.text and held.json["reference"] not in response.text


def test_a_case_the_caller_may_see_is_named(api: Api) -> None:
    held = open_case(api, "lawyer", CYRILLIC_CHILD).json
    response = open_case(api, "lawyer", ARABIC_CHILD)
    assert response.status_code == 409
    case = {"id": held["id"], "reference": held["reference"]}
    assert response.json["error"]["details"]["matches"] == [
        {"agency": "Hope Legal Aid", "case": case}
    ]


def test_a_colleague_not_on_the_case_is_told_only_the_agency(api: Api) -> None:
    open_case(api, "lawyer", CYRILLIC_CHILD)
    response = open_case(api, "lawyer2", LATIN_CHILD)
    assert response.json["error"]["details"]["matches"][0]["case"] is None


def test_the_refusal_holds_no_name_and_no_birth_date(api: Api) -> None:
    open_case(api, "lawyer3", CYRILLIC_CHILD)
    response = open_case(api, "lawyer", LATIN_CHILD)
    body = json.dumps(response.json, ensure_ascii=False)
    for value in ("Мұхаммед", "Жұмабаев", "Mukhammed", "Zhumabayev", "2015", "male"):
        assert value not in body


def test_confirming_a_distinct_child_opens_the_case_and_the_trail_says_so(
    app: Any, api: Api
) -> None:
    held = open_case(api, "lawyer3", CYRILLIC_CHILD).json
    response = open_case(api, "lawyer", LATIN_CHILD, confirm_distinct=True)
    assert response.status_code == 201
    created = [e for e in events(app) if e.action == "case.create" and e.outcome == "success"]
    assert created[-1].detail == {"possible_duplicates": [held["id"]], "confirm_distinct": True}


def test_the_refusal_is_in_the_trail(app: Any, api: Api) -> None:
    open_case(api, "lawyer3", CYRILLIC_CHILD)
    open_case(api, "lawyer", LATIN_CHILD)
    assert events(app)[-1].outcome == "possible_duplicate"


@pytest.mark.parametrize(
    "other",
    [
        {**LATIN_CHILD, "birth_date": {"value": "2012-01-01", "precision": "year"}},
        {**LATIN_CHILD, "sex": "female"},
        {**LATIN_CHILD, "names": [{"script": "Latn", "given": "Akhmed", "family": "Zhumabayev"}]},
    ],
    ids=["born-another-year", "another-sex", "another-given-name"],
)
def test_another_child_opens_without_a_question(api: Api, other: dict[str, Any]) -> None:
    open_case(api, "lawyer3", CYRILLIC_CHILD)
    assert open_case(api, "lawyer", other).status_code == 201


@pytest.mark.parametrize("value", ["yes", 1, "true", None, [], {}])
def test_confirm_distinct_must_be_a_boolean(api: Api, value: Any) -> None:
    response = open_case(api, "lawyer", LATIN_CHILD, confirm_distinct=value)
    assert response.status_code == 422
    assert response.json["error"]["details"][0]["field"] == "confirm_distinct"


@pytest.mark.parametrize(
    "names",
    [
        [{"script": "Latn", "given": "Mukh\u200bammed", "family": "Zhuma\u200dbayev"}],
        [{"script": "Latn", "given": "Mu\u0301khammed", "family": "Zhu\u0308mabayev"}],
        [{"script": "Latn", "given": "Мuкhammed", "family": "Zhumabaев"}],  # scripts mixed
        [{"script": "Latn", "given": "MUKHAMMED", "family": "ZHUMABAYEV"}],
    ],
    ids=["zero-width", "combining-marks", "mixed-scripts", "capitals"],
)
def test_disguised_spellings_still_match(api: Api, names: list[dict[str, str]]) -> None:
    open_case(api, "lawyer3", CYRILLIC_CHILD)
    response = open_case(api, "lawyer", {**LATIN_CHILD, "names": names})
    assert response.status_code == 409


@pytest.mark.parametrize("size", [201, 10_000])
def test_a_huge_name_is_refused_cleanly(api: Api, size: int) -> None:
    names = [{"script": "Latn", "given": "M" * size, "family": "Zhumabayev"}]
    response = open_case(api, "lawyer", {**LATIN_CHILD, "names": names})
    assert response.status_code in (413, 422)


def test_a_name_as_long_as_allowed_is_checked(api: Api) -> None:
    names = [{"script": "Arab", "given": "ع" * 200, "family": "ـ" * 199 + "م"}]
    assert open_case(api, "lawyer", {**LATIN_CHILD, "names": names}).status_code == 201


def test_only_digests_are_stored(app: Any, api: Api) -> None:
    open_case(api, "lawyer", CYRILLIC_CHILD)
    with app.app_context():
        digests = transactions.session().scalars(select(NameKey.digest)).all()
    assert digests and all(len(d) == 16 and int(d, 16) >= 0 for d in digests)
    plain_keys = {"mkmt|jmbf", "mkmt", "jmbf"}
    assert not plain_keys & set(digests)
