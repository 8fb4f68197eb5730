"""Anyone holding a printout or the file can tell whether Homeward issued it, and sees no names."""

from __future__ import annotations

import io
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.audit.helpers import outcome_of
from tests.factories import Api, sample_pdf
from tests.forms.helpers import KAZAKH_CHILD, generate, issued, qr_payload


@pytest.fixture
def app_config() -> dict[str, Any]:
    """Lower upload limits (a body is as large as the larger of a document and a manifest), so
    that an oversized file stays small enough for the test client to send from memory."""
    return {"MAX_DOCUMENT_BYTES": 256 * 1024, "MAX_INTAKE_BYTES": 128 * 1024}


@pytest.fixture
def form(api: Api) -> dict[str, Any]:
    case = api.create_case(child=KAZAKH_CHILD)
    api.request_dna(case)
    response = generate(api, case["id"], "birth-registration")
    return {"pdf": issued(response), "code": response.headers["X-Verification-Code"], **case}


def check_file(client: FlaskClient, content: bytes, name: str = "form.pdf") -> Any:
    return client.post(
        "/verify",
        data={"file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def test_the_qr_code_opens_the_verification_page(client: FlaskClient, form: dict) -> None:
    url = qr_payload(form["pdf"])

    assert url == f"http://127.0.0.1:5000/verify/{form['code']}"
    page = client.get(url.removeprefix("http://127.0.0.1:5000"))
    assert page.status_code == 200
    assert "Genuine" in page.text and form["reference"] in page.text
    assert "Application for state registration of birth" in page.text
    assert page.headers["Content-Security-Policy"].startswith("default-src 'none'")


def test_a_genuine_code_answers_in_json_without_names(client: FlaskClient, form: dict) -> None:
    response = client.get(f"/verify/{form['code']}", headers={"Accept": "application/json"})

    assert response.status_code == 200
    assert response.json["genuine"] is True
    assert response.json["kind"] == "birth-registration"
    assert response.json["agency"] == "Hope Legal Aid"
    assert response.json["case_reference"] == form["reference"]
    assert response.json["issued_at"].endswith("Z")
    for name in KAZAKH_CHILD["names"]:
        assert name["given"] not in response.text and name["family"] not in response.text


@pytest.mark.parametrize(
    "typed",
    [
        lambda code: code.lower(),
        lambda code: code.replace("-", ""),
        lambda code: code.replace("-", " "),
        lambda code: code.replace("O", "0").replace("I", "1").replace("B", "8"),
    ],
)
def test_a_code_typed_from_paper_is_forgiven_its_form(
    client: FlaskClient, form: dict, typed: Any
) -> None:
    response = client.get(f"/verify/{typed(form['code'])}", headers={"Accept": "application/json"})

    assert response.json["genuine"] is True


@pytest.mark.parametrize(
    "code",
    [
        "AAAA-AAAA-AAAA-AAAA-AAAA-AAAA",  # well formed, never issued
        "ABCD",
        "..%5C..%5Cetc%5Cpasswd",
        "<script>alert(1)<\\script>",
        "ӘҒҚҢ-ӨҰҮҺ-ІӘҒҚ-ҢӨҰҮ-ҺІӘҒ-ҚҢӨҰ",
        "' OR 1=1 --",
        "AAAA%00AAAA",  # a NUL in the middle
        "\u202eAAAA-AAAA-AAAA-AAAA-AAAA-AAAA",  # right-to-left override before a good shape
        "Ａ" * 24,  # fullwidth letters that fold to a well-formed code
        "%F0%9F%98%80" * 10,  # emoji, percent-encoded
    ],
)
def test_an_unknown_or_hostile_code_is_not_genuine(
    app: Any, client: FlaskClient, form: dict, code: str
) -> None:
    as_json = client.get(f"/verify/{code}", headers={"Accept": "application/json"})
    as_page = client.get(f"/verify/{code}")

    # The auditors find every probe with an unknown code by its outcome, page or JSON.
    assert outcome_of(app, as_json) == outcome_of(app, as_page) == "not_found"
    assert as_json.status_code == 404
    assert as_json.json["genuine"] is False and as_json.json["error"]["code"] == "not_found"
    assert as_json.json["case_reference"] is None
    assert as_page.status_code == 404 and "Not found" in as_page.text
    assert "<script>" not in as_page.text
    assert as_json.json["facts"] is None


@pytest.mark.parametrize(
    "path", ["/verify/..%2F..%2Fapi%2Fv1%2Fcases", "/verify/AAAA/../../healthz", "/verify/%2e%2e/"]
)
def test_a_code_that_tries_to_leave_the_check_is_answered_cleanly(
    client: FlaskClient, form: dict, path: str
) -> None:
    response = client.get(path, headers={"Accept": "application/json"})

    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"
    assert form["reference"] not in response.text


NOTHING = dict.fromkeys(
    ["kind", "variant", "agency", "issued_at", "case_reference", "facts", "superseded_at"]
)


def test_an_overlong_code_is_refused(client: FlaskClient) -> None:
    response = client.get("/verify/" + "A" * 65, headers={"Accept": "application/json"})

    assert response.status_code == 422


def test_the_issued_file_is_confirmed_byte_for_byte(client: FlaskClient, form: dict) -> None:
    response = check_file(client, form["pdf"], "Ұлпан <b>.pdf")

    assert response.status_code == 200
    assert response.json["genuine"] is True
    assert response.json["case_reference"] == form["reference"]


@pytest.mark.parametrize(
    "alter",
    [
        lambda pdf: pdf[:-1],  # one byte short
        lambda pdf: pdf + b"\n",  # one byte more
        lambda pdf: pdf.replace(b"/Type /Page", b"/Type /Page ", 1),
        lambda pdf: pdf[:200] + bytes([pdf[200] ^ 1]) + pdf[201:],  # one bit flipped
    ],
)
def test_an_altered_file_is_not_genuine(client: FlaskClient, form: dict, alter: Any) -> None:
    response = check_file(client, alter(form["pdf"]))

    assert response.status_code == 200
    assert response.json == {"genuine": False, **NOTHING}


@pytest.mark.parametrize(
    "content", [b"", sample_pdf("Not a Homeward form"), b"MZ\x90\x00" + b"\x00" * 100]
)
def test_a_file_homeward_never_issued_is_not_genuine(
    client: FlaskClient, form: dict, content: bytes
) -> None:
    assert check_file(client, content).json["genuine"] is False


def test_a_check_without_a_file_names_the_missing_field(client: FlaskClient) -> None:
    response = client.post("/verify", data={}, content_type="multipart/form-data")

    assert response.status_code == 422
    assert "file" in response.text


def test_a_check_sent_as_json_is_refused(client: FlaskClient) -> None:
    response = client.post("/verify", json={"file": "JVBERi0="})

    assert response.status_code == 415
    assert response.json["error"]["code"] == "unsupported_media_type"


def test_an_oversized_file_is_refused(app: Any, client: FlaskClient) -> None:
    too_big = b"%PDF-1.7\n" + b"0" * app.config["MAX_CONTENT_LENGTH"]

    response = check_file(client, too_big)

    assert response.status_code == 413


def test_the_signing_certificate_is_published(client: FlaskClient, form: dict) -> None:
    response = client.get("/.well-known/form-signing-certificate.pem")

    assert response.status_code == 200
    assert response.data.startswith(b"-----BEGIN CERTIFICATE-----")


def test_a_prober_is_slowed_down(app: Any, client: FlaskClient, form: dict) -> None:
    app.config["VERIFY_PER_MINUTE"] = 3
    answers = [client.get(f"/verify/AAAA-AAAA-AAAA-AAAA-AAAA-AAA{n}").status_code for n in "234567"]

    assert answers[:3] == [404, 404, 404]
    assert set(answers[3:]) == {429}
    held_elsewhere = client.get(
        f"/verify/{form['code']}", environ_base={"REMOTE_ADDR": "198.51.100.9"}
    )
    assert held_elsewhere.status_code == 200
