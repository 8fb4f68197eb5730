"""Hostile values in the guardian an order names and in a temporary guardianship's review date:
refused with the failing field named, never echoed, and never written."""

from __future__ import annotations

import unicodedata
from datetime import date, timedelta
from typing import Any

import pytest

from tests.factories import Api
from tests.workflow.helpers import set_states
from tests.workflow.hostile import LONG, SECRET, SECRET_CYRILLIC, assert_error, observe
from tests.workflow.test_parental_care import CHILDRENS_HOME, open_orphan_case

IN_A_YEAR = (date.today() + timedelta(days=365)).isoformat()


def _home(**changes: Any) -> dict[str, Any]:
    return {**CHILDRENS_HOME, **changes}


INSTITUTIONS = [
    (_home(name=LONG), "data.institution.name"),
    (_home(name=""), "data.institution.name"),
    (_home(name="   "), "data.institution.name"),
    (_home(name=f"{SECRET}\x00"), "data.institution.name"),
    (_home(name=f"{SECRET}\n{SECRET}"), "data.institution.name"),
    (_home(name="\ud800"), "data.institution.name"),
    (_home(name=12345), "data.institution.name"),
    (_home(name=[SECRET]), "data.institution.name"),
    (_home(kind=SECRET), "data.institution.kind"),
    (_home(kind="prison"), "data.institution.kind"),
    (_home(kind=None), "data.institution.kind"),
    (_home(country="kz"), "data.institution.country"),
    (_home(country="KAZ"), "data.institution.country"),
    (_home(country="ZZ"), "data.institution.country"),  # a placeholder, no country
    (_home(country="QQ"), "data.institution.country"),
    (_home(country=SECRET_CYRILLIC), "data.institution.country"),
    (_home(country=""), "data.institution.country"),
    (_home(director=SECRET), "data.institution.director"),
    ({"name": SECRET, "kind": "childrens_home"}, "data.institution.country"),
    (SECRET, "data.institution"),
    ([CHILDRENS_HOME], "data.institution"),
    (42, "data.institution"),
]
REVIEW_DATES = [
    "2027-02-30",
    SECRET,
    "",
    20270101,
    ["2027-01-01"],
    date.today().isoformat(),
    (date.today() - timedelta(days=1)).isoformat(),
    f"{IN_A_YEAR}T00:00:00{SECRET}",
]


@pytest.fixture
def at_hearing(api: Api, app: Any) -> dict[str, Any]:
    case = open_orphan_case(api)
    set_states(app, case["id"], {"guardianship": "hearing_scheduled"})
    return case


def _grant(api: Api, case: dict[str, Any], **data: Any) -> Any:
    body = {"order_number": "2-1/2026", "order_type": "temporary", "review_on": IN_A_YEAR, **data}
    return api.transition("judge", case["id"], "guardianship", "grant_temporarily", body)


@pytest.mark.parametrize(("institution", "field"), INSTITUTIONS)
def test_a_hostile_institution_is_refused_and_nothing_written(
    api: Api, at_hearing: dict[str, Any], institution: Any, field: str
) -> None:
    before = observe(api, at_hearing["id"])
    assert_error(_grant(api, at_hearing, institution=institution), 422, field)
    assert observe(api, at_hearing["id"]) == before


@pytest.mark.parametrize("review_on", REVIEW_DATES)
def test_a_hostile_review_date_is_refused_and_nothing_written(
    api: Api, at_hearing: dict[str, Any], review_on: Any
) -> None:
    before = observe(api, at_hearing["id"])
    response = _grant(api, at_hearing, institution=CHILDRENS_HOME, review_on=review_on)
    assert_error(response, 422, "data.review_on")
    assert observe(api, at_hearing["id"]) == before


@pytest.mark.parametrize(
    "name",
    [
        "Балалар үйі № 3, Шымкент",
        "دار الأيتام في الرقة",
        "Дом ребёнка «Надежда»",
        "Children's Home 'Bolashaq'; DROP TABLE cases;--",
    ],
)
def test_an_institution_named_in_any_script_is_kept_as_written(
    api: Api, at_hearing: dict[str, Any], name: str
) -> None:
    decomposed = unicodedata.normalize("NFD", name)
    response = _grant(api, at_hearing, institution=_home(name=decomposed))
    assert response.status_code == 200, response.json
    history = api.get("judge", f"/api/v1/cases/{at_hearing['id']}/history").json["history"]
    assert history[-1]["data"]["institution"]["name"] == unicodedata.normalize("NFC", name)
