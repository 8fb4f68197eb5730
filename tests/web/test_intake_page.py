"""The intake page: a lawyer uploads a manifest, reads the dry run row by row, then sends the
same file again to open every case; officials may not; a hostile file shows its problems."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.factories import Api
from tests.intake.manifests import as_csv, child_row
from tests.intake.test_duplicates import HELD, IN_LATIN
from tests.web.helpers import body, sign_in
from tests.web.test_kazakh_pages import pick

SAMPLE = (Path(__file__).parents[2] / "docs" / "samples" / "intake-manifest.csv").read_bytes()


def upload(client: FlaskClient, token: str, content: bytes, commit: bool = False) -> TestResponse:
    form = {"csrf_token": token, "file": (io.BytesIO(content), "manifest.csv")}
    if commit:
        form["commit"] = "1"
    return client.post("/intake", data=form, content_type="multipart/form-data")


def test_the_lawyer_checks_then_opens_the_sample(client: FlaskClient, api: Api) -> None:
    token = sign_in(client, "lawyer")
    assert 'href="/intake"' in body(client.get("/cases"))
    checked = upload(client, token, SAMPLE)
    assert checked.status_code == 200
    page = body(checked)
    assert "<bdi>Әлия Нұрғалиева</bdi>" in page and "<bdi>Аружан Сейітова</bdi>" in page
    assert api.get("lawyer", "/api/v1/cases").json["total"] == 0
    opened = upload(client, token, SAMPLE, commit=True)
    assert opened.status_code == 303
    assert "5 cases are open." in body(client.get(opened.headers["Location"]))
    assert api.get("lawyer", "/api/v1/cases").json["total"] == 5


def test_a_hostile_file_shows_its_problems_and_opens_nothing(client: FlaskClient, api: Api) -> None:
    token = sign_in(client, "lawyer")
    rows = [child_row(0, 0, child_family='=HYPERLINK("http://evil")'), child_row(0, 1, sex="boy")]
    page = body(upload(client, token, as_csv(rows)))
    assert "child_family: a cell may not start with = + - or @" in page
    assert "sex: not one of the allowed values" in page
    assert "HYPERLINK" not in page and "evil" not in page
    refused = upload(client, token, as_csv(rows), commit=True)
    assert refused.status_code == 422 and "Line 2" in body(refused)
    assert upload(client, token, "name\nZoé\n".encode("cp1252")).status_code == 415
    assert upload(client, token, b"").status_code == 422
    assert api.get("lawyer", "/api/v1/cases").json["total"] == 0


def test_a_child_another_ngo_holds_is_named_by_its_agency_only(
    client: FlaskClient, api: Api
) -> None:
    held = api.post("lawyer3", "/api/v1/cases", {"child": HELD}).json
    token = sign_in(client, "lawyer")
    page = body(upload(client, token, as_csv([child_row(0, 0, **IN_LATIN)])))
    assert "Safe Return Lawyers" in page and held["reference"] not in page
    assert "write true in confirm_distinct" in page


def test_a_case_the_lawyer_may_see_is_linked_by_reference(client: FlaskClient, api: Api) -> None:
    held = api.post("lawyer", "/api/v1/cases", {"child": HELD}).json
    token = sign_in(client, "lawyer")
    page = body(upload(client, token, as_csv([child_row(0, 0, **IN_LATIN)])))
    assert f'href="/cases/{held["id"]}">{held["reference"]}</a>' in page


def test_the_page_is_in_kazakh(client: FlaskClient, api: Api) -> None:
    token = sign_in(client, "lawyer")
    pick(client, token, "kk", "/intake")
    page = body(upload(client, token, as_csv([child_row(0, 0, sex="boy")])))
    assert '<html lang="kk"' in page and "Тізімді тексеру" in page
    assert "sex: рұқсат етілген мәндердің бірі емес" in page


@pytest.mark.parametrize("who", ["registrar", "judge", "auditor", "admin"])
def test_no_one_but_a_lawyer_takes_in_a_manifest(client: FlaskClient, api: Api, who: str) -> None:
    token = sign_in(client, who)
    assert client.get("/intake").status_code == 403
    assert upload(client, token, SAMPLE, commit=True).status_code == 403
    assert 'href="/intake"' not in body(client.get("/"))
    assert api.get("lawyer", "/api/v1/cases").json["total"] == 0
