"""The case page's family part: a link to each sibling's case the reader may see, by its
reference, and nothing at all of a sibling's case they may not."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.factories import ALL_SCRIPTS_CHILD, Api, sibling
from tests.siblings import hand_over, open_siblings
from tests.web.helpers import body, sign_in

FAMILY_PART = re.compile(r'<section class="panel family".*?</section>', re.S)
LINK = re.compile(r'<a class="reference" href="/cases/([^"]+)">([^<]+)</a>')
FIRST_CHILDS_NAMES = [name["given"] for name in ALL_SCRIPTS_CHILD["names"]]


def browser_of(app: Flask, username: str) -> FlaskClient:
    client = app.test_client()
    sign_in(client, username)
    return client


def sibling_links(client: FlaskClient, case: dict[str, Any]) -> list[tuple[str, str]]:
    """The (case id, reference) of each link in the page's family part; none without it."""
    found = FAMILY_PART.search(body(client.get(f"/cases/{case['id']}")))
    return LINK.findall(found.group(0)) if found else []


def test_each_siblings_page_links_the_others_by_reference(app: Flask, api: Api) -> None:
    cases = open_siblings(api)
    lawyer = browser_of(app, "lawyer")
    for case in cases:
        others = [(c["id"], c["reference"]) for c in cases if c["id"] != case["id"]]
        assert sibling_links(lawyer, case) == others


def test_a_case_alone_has_no_family_part(app: Flask, api: Api) -> None:
    case = api.create_case()
    assert 'id="family-heading"' not in body(browser_of(app, "lawyer").get(f"/cases/{case['id']}"))


def test_a_colleague_assigned_to_one_sibling_sees_no_link_to_the_other(
    app: Flask, api: Api
) -> None:
    first, second = open_siblings(api, count=2)
    assigned = api.post(
        "lawyer", f"/api/v1/cases/{second['id']}/assignments", {"username": "lawyer2"}
    )
    assert assigned.status_code in (200, 201), assigned.json
    colleague = browser_of(app, "lawyer2")
    page = body(colleague.get(f"/cases/{second['id']}"))
    assert second["reference"] in page
    assert 'id="family-heading"' not in page
    assert first["reference"] not in page and first["id"] not in page
    assert colleague.get(f"/cases/{first['id']}").status_code == 404


def test_another_ngos_lawyer_holding_one_sibling_sees_neither_link_nor_name_of_the_other(
    app: Flask, api: Api
) -> None:
    first, second = open_siblings(api, count=2)
    hand_over(app, second["id"], "lawyer3")
    page = body(browser_of(app, "lawyer3").get(f"/cases/{second['id']}"))
    assert sibling(1)["names"][0]["given"] in page  # their own child, in full
    assert 'id="family-heading"' not in page
    for secret in (first["reference"], first["id"], *FIRST_CHILDS_NAMES):
        assert secret not in page
    # And the first NGO's page no longer leads to the case it gave away.
    assert sibling_links(browser_of(app, "lawyer"), first) == []


def test_the_family_part_reads_in_kazakh(app: Flask, api: Api) -> None:
    first, second = open_siblings(api, count=2)
    lawyer = app.test_client()
    token = sign_in(lawyer, "lawyer")
    form = {"csrf_token": token, "language": "kk", "next": "/cases"}
    assert lawyer.post("/language", data=form).status_code == 303
    part = FAMILY_PART.search(body(lawyer.get(f"/cases/{first['id']}")))
    assert part is not None
    assert "Отбасы" in part.group(0) and "Family" not in part.group(0)
    assert second["reference"] in part.group(0)
