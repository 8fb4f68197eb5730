"""The lawyer's list of cases (`web/views/cases.py`): where each track stands, what is late, a
search by name in any script that never enters an address, pages; and a case the lawyer may not
see, answered as one that does not exist."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.factories import Api
from tests.web.helpers import (
    OTHER_CHILD,
    OTHER_PEOPLE,
    backdate,
    body,
    listed,
    row_of,
    search,
    sign_in,
)


def test_the_list_shows_my_cases_with_what_waits_and_on_whom(
    api: Api, as_lawyer: tuple[FlaskClient, str]
) -> None:
    client, _token = as_lawyer
    first, second = api.create_case(), api.create_case(child=OTHER_CHILD, people=OTHER_PEOPLE)
    api.step("lawyer", second["id"], "parentage", "file_petition", {"grounds": "No relative"})

    html = body(client.get("/cases"))

    assert sorted(listed(html)) == sorted([first["reference"], second["reference"]])
    assert "2 cases" in html
    row = row_of(html, second["reference"])
    # The petition is under way: its alternative, DNA kinship, is not what the case waits for.
    assert "Parentage: petition filed (court)" in row and "DNA kinship" not in row
    assert "Guardianship: required (you or guardianship authority)" in row
    assert "Sadykov" in row and "Aliya" not in row
    untouched = row_of(html, first["reference"])
    assert "DNA kinship or Parentage (you)" in untouched
    assert "Parentage: not started" not in untouched


def test_the_list_marks_overdue_cases_and_can_show_only_them(
    app: Flask, api: Api, as_lawyer: tuple[FlaskClient, str]
) -> None:
    client, _token = as_lawyer
    late, on_time = api.create_case(), api.create_case(child=OTHER_CHILD, people=OTHER_PEOPLE)
    for case in (late, on_time):
        api.step("lawyer", case["id"], "parentage", "file_petition", {"grounds": "No relative"})
    backdate(app, late["id"], "parentage", 61)  # the target is 60 days
    backdate(app, on_time["id"], "parentage", 59)

    html = body(client.get("/cases"))

    assert '<li class="badge late">Parentage: petition filed (court) — overdue</li>' in row_of(
        html, late["reference"]
    )
    assert "overdue" not in row_of(html, on_time["reference"])
    assert listed(body(client.get("/cases?overdue=1"))) == [late["reference"]]


@pytest.mark.parametrize("name", ["Нұрғ", "нұрғалиева", "عالية", "aliya", "NURGAL", "Әлия"])
def test_a_name_search_in_any_script_finds_the_child(
    api: Api, as_lawyer: tuple[FlaskClient, str], name: str
) -> None:
    client, token = as_lawyer
    wanted, other = api.create_case(), api.create_case(child=OTHER_CHILD, people=OTHER_PEOPLE)

    response = search(client, token, name)

    assert response.status_code == 200
    assert listed(body(response)) == [wanted["reference"]]
    assert other["reference"] not in body(response)


def test_a_search_that_matches_no_one_lists_nothing(
    api: Api, as_lawyer: tuple[FlaskClient, str]
) -> None:
    client, token = as_lawyer
    api.create_case()

    html = body(search(client, token, "Тимур"))

    assert listed(html) == [] and "0 cases" in html


def test_a_name_searched_for_never_enters_an_address(
    api: Api, as_lawyer: tuple[FlaskClient, str]
) -> None:
    """Browser history and proxy logs keep addresses: a child's name must not be in one."""
    client, token = as_lawyer
    for _ in range(26):
        api.create_case()

    html = body(client.post("/cases", data={"csrf_token": token, "q": "Aliya", "page": "2"}))

    assert re.search(r'<form method="post"[^>]*role="search"', html)
    assert len(listed(html)) == 1 and "Page 2 of 2" in html
    assert "Aliya" not in " ".join(re.findall(r'(?:href|action)="([^"]*)"', html))
    assert 'name="q" value="Aliya"' in html  # the next page is posted with the search


def test_a_search_needs_the_pages_csrf_token(api: Api, as_lawyer: tuple[FlaskClient, str]) -> None:
    client, _token = as_lawyer
    api.create_case()

    response = client.post("/cases", data={"q": "Aliya"})

    assert response.status_code == 400


def test_the_list_pages_through_many_cases(api: Api, as_lawyer: tuple[FlaskClient, str]) -> None:
    client, _token = as_lawyer
    created = {api.create_case()["reference"] for _ in range(26)}  # a page holds 25

    first, second = body(client.get("/cases")), body(client.get("/cases?page=2"))

    assert len(listed(first)) == 25 and len(listed(second)) == 1
    assert set(listed(first)) | set(listed(second)) == created
    assert '<button type="submit" name="page" value="2"' in first and "Page 1 of 2" in first


@pytest.mark.parametrize("page_number", ["0", "-1", "abc", "9" * 30])
def test_a_bad_page_number_is_a_clean_422_page(
    api: Api, as_lawyer: tuple[FlaskClient, str], page_number: str
) -> None:
    client, _token = as_lawyer
    api.create_case()

    response = client.get(f"/cases?page={page_number}")

    assert response.status_code == 422
    assert response.mimetype == "text/html"


@pytest.mark.parametrize("other_lawyer", ["lawyer3", "lawyer2"])
def test_another_lawyers_case_is_neither_listed_nor_shown(
    api: Api, client: FlaskClient, other_lawyer: str
) -> None:
    theirs = api.create_case(other_lawyer, child=OTHER_CHILD, people=OTHER_PEOPLE)
    mine = api.create_case()
    token = sign_in(client, "lawyer")

    listing = body(client.get("/cases"))
    response = client.get(f"/cases/{theirs['id']}")

    assert listed(listing) == [mine["reference"]]
    assert response.status_code == 404
    assert "There is no such case." in body(response)  # as if it did not exist at all
    assert theirs["reference"] not in body(response) and "Sadykov" not in body(response)
    searched = body(search(client, token, "Sadykov"))
    assert listed(searched) == []


@pytest.mark.parametrize(
    "case_id", ["not-a-case", "5f0b2c1e-8d3a-4e6f-9b7c-1a2d3e4f5a6b", "x" * 5000, "HW-0000"]
)
def test_an_unknown_case_is_a_404_page(as_lawyer: tuple[FlaskClient, str], case_id: str) -> None:
    client, _token = as_lawyer

    response = client.get(f"/cases/{case_id}")

    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "That did not work" in body(response)
    assert "There is no such case." in body(response)
