"""The case page's upload form takes a document's language, translation and legalisation, and
puts a refused one beside its field, keeping nothing."""

from __future__ import annotations

import io
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.factories import Api, sample_pdf
from tests.web.helpers import body, field_error

HOSTILE = "<script>alert(1)</script>"


def upload(client: FlaskClient, token: str, case_id: str, **fields: str) -> Any:
    data = {"csrf_token": token, "kind": "identity_record", **fields}
    data["file"] = (io.BytesIO(sample_pdf()), "record.pdf")  # type: ignore[assignment]
    return client.post(f"/cases/{case_id}/documents", data=data, content_type="multipart/form-data")


def documents(api: Api, case_id: str) -> list[dict[str, Any]]:
    return list(api.get("lawyer", f"/api/v1/cases/{case_id}/documents").json["documents"])


def test_the_page_shows_what_was_recorded_of_a_foreign_document(
    api: Api, as_lawyer: tuple[FlaskClient, str]
) -> None:
    client, token = as_lawyer
    case_id = api.create_case()["id"]
    fields = {"language": "ar", "legalisation": "apostille", "legalisation_country": "TR"}
    response = upload(client, token, case_id, **fields, legalised_on="2020-02-03")
    assert response.status_code == 303
    html = body(client.get(f"/cases/{case_id}"))
    assert "in Arabic · apostille of Türkiye, Feb 3, 2020" in html


@pytest.mark.parametrize(
    ("fields", "name"),
    [
        ({"language": HOSTILE}, "language"),
        ({"language": "qq"}, "language"),
        ({"legalisation": "legalised"}, "legalisation_country"),
        (
            {
                "legalisation": "apostille",
                "legalisation_country": "ZZ",
                "legalised_on": "2020-01-01",
            },
            "legalisation_country",
        ),
        ({"translator_name": "Айгерим"}, "translator_name"),
    ],
)
def test_a_refused_particular_is_shown_beside_its_field(
    api: Api, as_lawyer: tuple[FlaskClient, str], fields: dict[str, str], name: str
) -> None:
    client, token = as_lawyer
    case_id = api.create_case()["id"]
    response = upload(client, token, case_id, **fields)
    assert response.status_code == 422
    html = body(response)
    assert field_error(html, name)
    assert HOSTILE not in html
    assert documents(api, case_id) == []
