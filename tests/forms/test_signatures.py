"""Every form carries a PAdES signature a PDF reader checks: intact as issued, broken if edited."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.generic import NameObject, TextStringObject
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from tests.factories import Api
from tests.forms.helpers import FORMS, KAZAKH_CHILD, generate, issued


@pytest.fixture
def case_id(api: Api) -> str:
    case = api.create_case(child=KAZAKH_CHILD)
    api.request_dna(case)
    return str(case["id"])


def signature_status(app: Any, pdf: bytes) -> Any:
    """pyHanko's verdict, trusting only the service's own certificate."""
    trusted = load_cert_from_pemder(app.config["FORM_SIGNING_CERT_FILE"])
    signatures = PdfFileReader(io.BytesIO(pdf)).embedded_signatures
    assert len(signatures) == 1
    return validate_pdf_signature(signatures[0], ValidationContext(trust_roots=[trusted]))


@pytest.mark.parametrize("form", FORMS)
def test_a_generated_form_carries_a_valid_signature(
    app: Any, api: Api, case_id: str, form: str
) -> None:
    status = signature_status(app, issued(generate(api, case_id, form)))

    assert status.intact and status.valid and status.trusted
    assert status.bottom_line
    assert status.coverage.name == "ENTIRE_FILE"
    assert status.signing_cert.subject.native["organization_name"] == "Homeward"


def test_a_changed_byte_breaks_the_signature(app: Any, api: Api, case_id: str) -> None:
    pdf = issued(generate(api, case_id, "birth-registration"))
    signed_range_start = pdf.index(b"ReportLab") + 2  # inside the original document's bytes

    altered = bytearray(pdf)
    altered[signed_range_start] ^= 0x20
    status = signature_status(app, bytes(altered))

    assert not status.intact
    assert not status.bottom_line


def test_an_edit_saved_after_signing_is_reported(app: Any, api: Api, case_id: str) -> None:
    pdf = issued(generate(api, case_id, "birth-registration"))
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    page[NameObject("/Homeward")] = TextStringObject(
        "another child"
    )  # the kind of edit a forger makes
    writer.update_container(page)
    edited = io.BytesIO()
    writer.write(edited)

    status = signature_status(app, edited.getvalue())

    assert status.intact  # the signed revision is untouched ...
    assert not status.bottom_line  # ... but what was added after it is not covered


def test_a_certificate_other_than_the_services_is_not_trusted(
    app: Any, api: Api, case_id: str, tmp_path: Path
) -> None:
    from forms.signing import create_certificate

    pdf = issued(generate(api, case_id, "case-summary"))
    create_certificate(tmp_path / "other-key.pem", tmp_path / "other-cert.pem")
    stranger = load_cert_from_pemder(str(tmp_path / "other-cert.pem"))
    signature = PdfFileReader(io.BytesIO(pdf)).embedded_signatures[0]

    status = validate_pdf_signature(signature, ValidationContext(trust_roots=[stranger]))

    assert status.intact and not status.trusted and not status.bottom_line
