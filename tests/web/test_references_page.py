"""External references on the case page: the case's lawyers list, add and remove them; an
official who sees the case sees none of them and may change none."""

from __future__ import annotations

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.factories import Api
from tests.web.helpers import body, sign_in
from tests.web.test_official_pages import filed_at_the_registry

VALUE = "KZ-2019/000451"


def add(client: FlaskClient, token: str, case_id: str, issuer: str, value: str) -> TestResponse:
    form = {"csrf_token": token, "issuer": issuer, "value": value}
    return client.post(f"/cases/{case_id}/references", data=form)


def test_the_lawyer_adds_and_removes_a_reference(client: FlaskClient, api: Api) -> None:
    case = api.create_case()
    token = sign_in(client, "lawyer")
    assert "No external reference recorded yet." in body(client.get(f"/cases/{case['id']}"))
    added = add(client, token, case["id"], "unhcr", VALUE)
    assert added.status_code == 303
    page = body(client.get(f"/cases/{case['id']}"))
    assert "UNHCR: <bdi>KZ-2019/000451</bdi>" in page
    [reference] = api.get("lawyer", f"/api/v1/cases/{case['id']}/references").json["references"]
    removed = client.post(
        f"/cases/{case['id']}/references/{reference['id']}/remove", data={"csrf_token": token}
    )
    assert removed.status_code == 303
    assert VALUE not in body(client.get(f"/cases/{case['id']}"))
    assert api.get("lawyer", f"/api/v1/cases/{case['id']}/references").json["references"] == []


def test_a_bad_reference_is_shown_beside_its_field_and_not_kept(
    client: FlaskClient, api: Api
) -> None:
    case = api.create_case()
    token = sign_in(client, "lawyer")
    for issuer, value in [("unhcr", "=HYPERLINK(1)"), ("interpol", "A-1"), ("icrc", "x" * 65)]:
        answer = add(client, token, case["id"], issuer, value)
        assert answer.status_code == 422
        assert 'role="alert"' in body(answer)
    assert api.get("lawyer", f"/api/v1/cases/{case['id']}/references").json["references"] == []


def test_an_official_sees_no_reference_and_adds_none(client: FlaskClient, api: Api) -> None:
    case = filed_at_the_registry(api)
    body_in = {"issuer": "camp", "value": VALUE}
    assert api.post("lawyer", f"/api/v1/cases/{case['id']}/references", body_in).status_code == 201
    token = sign_in(client, "registrar")
    page = body(client.get(f"/cases/{case['id']}"))
    assert case["reference"] in page
    assert VALUE not in page and "External references" not in page
    assert add(client, token, case["id"], "icrc", "ICRC-1").status_code == 403
    assert len(api.get("lawyer", f"/api/v1/cases/{case['id']}/references").json["references"]) == 1
