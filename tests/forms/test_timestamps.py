"""With a timestamp authority configured, every form's signature carries its trusted time (PAdES
B-T); while the authority fails, no form is issued and nothing claims one was."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import g
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from sqlalchemy import func, select

from audit.models import AuditEvent
from forms import operations
from forms.models import IssuedForm
from tests.factories import Api
from tests.forms.helpers import KAZAKH_CHILD, generate, issued
from tests.forms.timestamping import Authority, closed_port_url, serving
from workflow import transactions


@pytest.fixture
def authority() -> Authority:
    return Authority()


@pytest.fixture
def tsa_url(authority: Authority) -> Iterator[str]:
    with serving(authority) as url:
        yield url


@pytest.fixture
def app_config(tsa_url: str) -> dict[str, Any]:
    return {"TIMESTAMP_URL": tsa_url, "TIMESTAMP_TIMEOUT_SECONDS": 5}


@pytest.fixture
def case_id(api: Api) -> str:
    case = api.create_case(child=KAZAKH_CHILD)
    api.request_dna(case)
    return str(case["id"])


def validated(app: Any, authority: Authority, pdf: bytes) -> Any:
    """pyHanko's verdict, trusting the service's certificate and the test TSA's alone."""
    signer = load_cert_from_pemder(app.config["FORM_SIGNING_CERT_FILE"])
    signature = PdfFileReader(io.BytesIO(pdf)).embedded_signatures[0]
    return validate_pdf_signature(
        signature,
        ValidationContext(trust_roots=[signer]),
        ts_validation_context=ValidationContext(trust_roots=[authority.asn1_certificate]),
    )


def issued_forms(app: Any) -> int:
    with app.app_context():
        return int(transactions.session().scalar(select(func.count()).select_from(IssuedForm)))


def generate_events(app: Any) -> list[str]:
    """The outcome of each event the trail holds of a form being generated."""
    with app.app_context():
        found = transactions.session().scalars(
            select(AuditEvent.outcome).where(AuditEvent.action == "form.generate")
        )
        return list(found)


def test_a_form_carries_a_signature_timestamp_the_authority_vouches_for(
    app: Any, api: Api, case_id: str, authority: Authority
) -> None:
    before = datetime.now(UTC) - timedelta(seconds=1)
    pdf = issued(generate(api, case_id, "birth-registration"))

    status = validated(app, authority, pdf)

    assert status.bottom_line
    stamp = status.timestamp_validity
    assert stamp is not None, "the signature carries no timestamp token"
    assert stamp.intact and stamp.valid and stamp.trusted
    assert before <= stamp.timestamp <= datetime.now(UTC) + timedelta(seconds=1)
    assert authority.requests >= 1


def test_a_timestamp_from_an_authority_not_trusted_is_not_trusted(
    app: Any, api: Api, case_id: str
) -> None:
    pdf = issued(generate(api, case_id, "case-summary"))

    status = validated(app, Authority(), pdf)  # another authority's certificate

    assert status.timestamp_validity is not None
    assert not status.timestamp_validity.trusted


def test_the_authority_is_asked_with_no_transaction_open(
    api: Api, case_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    open_while_signing = []
    sign = operations.sign

    def watched(*args: Any) -> bytes:
        session = g.get("db_session")
        open_while_signing.append(session is not None and session.in_transaction())
        return sign(*args)

    monkeypatch.setattr(operations, "sign", watched)

    issued(generate(api, case_id, "dna-request"))

    assert open_while_signing == [False]


def test_an_authority_that_fails_refuses_the_form_and_leaves_nothing(
    app: Any, api: Api, case_id: str, authority: Authority
) -> None:
    authority.failing = True

    response = generate(api, case_id, "birth-registration")

    assert response.status_code == 503
    assert response.json["error"]["code"] == "timestamp_unavailable"
    assert "X-Verification-Code" not in response.headers
    assert issued_forms(app) == 0
    assert "success" not in generate_events(app)
    assert generate_events(app)  # the refusal itself is on the trail


def test_an_authority_that_cannot_be_reached_refuses_the_form(
    app: Any, api: Api, case_id: str
) -> None:
    app.config["TIMESTAMP_URL"] = closed_port_url()
    app.extensions.pop("homeward.form_timestamper", None)

    response = generate(api, case_id, "dna-request")

    assert response.status_code == 503
    assert response.json["error"]["code"] == "timestamp_unavailable"
    assert issued_forms(app) == 0
    assert "success" not in generate_events(app)


def test_a_form_is_issued_again_once_the_authority_answers(
    app: Any, api: Api, case_id: str, authority: Authority
) -> None:
    authority.failing = True
    assert generate(api, case_id, "case-summary").status_code == 503
    authority.failing = False

    issued(generate(api, case_id, "case-summary"))

    assert issued_forms(app) == 1
    assert generate_events(app).count("success") == 1
