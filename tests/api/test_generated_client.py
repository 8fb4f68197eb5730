"""A client generated from the served OpenAPI document, by a generator integrators use, walks a
case against the app on a loopback port: every answer parses into the client's typed models."""

from __future__ import annotations

import importlib
import io
import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.conftest import PASSWORD
from tests.factories import ALL_SCRIPTS_CHILD, GRANDMOTHER, MOTHER_ABROAD, sample_pdf

GENERATOR = Path(sys.executable).with_name("openapi-python-client")
PACKAGE = "homeward_client"
# The generator turns JSON into models; every file Homeward sends is bytes (`File`) to it.
FILES = (
    "application/pdf",
    "image/jpeg",
    "image/png",
    "image/tiff",
    "text/csv",
    "application/x-ndjson",
    "application/x-pem-file",
)
CONFIG = {
    "package_name_override": PACKAGE,
    "post_hooks": [],  # no formatter run over the generated code
    "content_type_overrides": dict.fromkeys(FILES, "application/octet-stream"),
}


class Generated:
    """The generated package: its modules by their dotted names under it."""

    def __getattr__(self, name: str) -> ModuleType:
        return importlib.import_module(f"{PACKAGE}.{name}")

    def call(self, operation: str, *args: Any, **kwargs: Any) -> Any:
        """Call one operation (`cases.get_case`) and return the detailed response."""
        module = importlib.import_module(f"{PACKAGE}.api.{operation}")
        return module.sync_detailed(*args, **kwargs)


@pytest.fixture
def generated(served: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Generated]:
    """A client generated from the document the served app answers with, imported."""
    config = tmp_path / "config.json"
    config.write_text(json.dumps(CONFIG), encoding="utf-8")
    command = [
        str(GENERATOR), "generate", "--url", f"{served}/api/v1/openapi.json", "--meta", "none",
        "--output-path", str(tmp_path / PACKAGE), "--config", str(config),
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    # A warning means a part of the document the generator could not turn into code.
    output = result.stdout + result.stderr
    assert "warning" not in output.lower(), output
    monkeypatch.syspath_prepend(str(tmp_path))
    yield Generated()
    for name in [name for name in sys.modules if name.split(".")[0] == PACKAGE]:
        del sys.modules[name]


def test_a_lawyer_walks_a_case_with_the_generated_client(served: str, generated: Generated) -> None:
    lawyer = _sign_in(generated, served, "lawyer")
    case, etag = _open_and_read(generated, lawyer)
    taken = _request_dna(generated, lawyer, case, etag)
    assert taken.tracks["dna"].state == "requested"
    assert taken.version > case.version
    issued = generated.call("forms.post_form", str(case.id), "dna-request", client=lawyer)
    assert issued.status_code == 201 and isinstance(issued.parsed, generated.types.File)
    pdf = issued.parsed.payload.read()
    assert pdf.startswith(b"%PDF-")
    _check_the_form(generated, served, pdf, issued.headers["X-Verification-Code"])


def _sign_in(generated: Generated, served: str, username: str) -> Any:
    """The user's client, with the token the login operation answered."""
    anyone = generated.client.Client(base_url=served, raise_on_unexpected_status=True)
    body = generated.models.LoginIn(username=username, password=PASSWORD)
    signed_in = generated.call("auth.login", client=anyone, body=body)
    assert isinstance(signed_in.parsed, generated.models.TokensOut)
    return generated.client.AuthenticatedClient(
        base_url=served, token=signed_in.parsed.access_token, raise_on_unexpected_status=True
    )


def _open_and_read(generated: Generated, lawyer: Any) -> tuple[Any, str]:
    """Open the usual case (once: again, it may be a duplicate), read it back; the case and
    its ETag."""
    models = generated.models
    body = models.CaseIn.from_dict(
        {"child": ALL_SCRIPTS_CHILD, "people": [MOTHER_ABROAD, GRANDMOTHER]}
    )
    opened = generated.call("cases.create_case", client=lawyer, body=body)
    assert opened.status_code == 201 and isinstance(opened.parsed, models.CaseOut)
    again = generated.call("cases.create_case", client=lawyer, body=body)
    assert again.status_code == 409 and isinstance(again.parsed, models.OpeningRefused)
    (match,) = again.parsed.error.details.matches
    assert match.case.reference == opened.parsed.reference
    read = generated.call(
        "cases.get_case", str(opened.parsed.id), client=lawyer, x_request_id="walk-1"
    )
    case = read.parsed
    assert isinstance(case, models.CaseOut) and case.child.names[0].script == models.Script.CYRL
    assert read.headers["ETag"] == f'"{case.version}"'
    assert read.headers["X-Request-Id"] == "walk-1"
    return case, read.headers["ETag"]


def _request_dna(generated: Generated, lawyer: Any, case: Any, etag: str) -> Any:
    """The maternity test against the mother, with her consent letter: refused with a stale
    If-Match, taken with the case's ETag; the case as the step left it."""
    models = generated.models
    mother = next(p for p in case.people if p.relation == models.Relation.MOTHER)
    letter = _record_consent(generated, lawyer, str(case.id), mother.id)
    data = {"reference_person": str(mother.id), "relationship_tested": "maternity"}
    step = models.TransitionIn.from_dict(
        {"track": "dna", "action": "request", "data": data, "evidence_ids": [str(letter)]}
    )
    post = "cases.post_transition"
    stale = generated.call(post, str(case.id), client=lawyer, body=step, if_match='"999"')
    assert stale.status_code == 409 and isinstance(stale.parsed, models.ErrorBody)
    assert stale.parsed.error.code == "stale_version"
    taken = generated.call(post, str(case.id), client=lawyer, body=step, if_match=etag)
    assert taken.status_code == 200 and isinstance(taken.parsed, models.CaseOut)
    return taken.parsed


def _record_consent(generated: Generated, lawyer: Any, case_id: str, person: Any) -> Any:
    """Upload the signed letter and record the consent to DNA testing; the letter's id."""
    models, files = generated.models, generated.types
    letter = files.File(payload=io.BytesIO(sample_pdf()), file_name="consent.pdf")
    upload = models.DocumentForm(file=letter, kind=models.EvidenceKind.CONSENT)
    uploaded = generated.call("evidence.post_document", case_id, client=lawyer, body=upload)
    assert isinstance(uploaded.parsed, models.DocumentOut)
    consent = models.ConsentIn(
        person_id=person,
        purpose=models.ConsentPurpose.DNA_TESTING,
        given_on=date(2026, 1, 15),
        document_id=uploaded.parsed.id,
    )
    recorded = generated.call("evidence.post_consent", case_id, client=lawyer, body=consent)
    assert isinstance(recorded.parsed, models.ConsentOut) and recorded.parsed.in_force
    return uploaded.parsed.id


def _check_the_form(generated: Generated, served: str, pdf: bytes, code: str) -> None:
    """A clerk's checks, without signing in: by the file and by the code on it."""
    models, files = generated.models, generated.types
    clerk = generated.client.Client(base_url=served, raise_on_unexpected_status=True)
    printed = models.VerifyForm(file=files.File(payload=io.BytesIO(pdf), file_name="form.pdf"))
    by_file = generated.call("verification.post_verification", client=clerk, body=printed)
    assert isinstance(by_file.parsed, models.Verification)
    assert by_file.parsed.genuine and by_file.parsed.kind == "dna-request"
    # The code's answer is a page unless JSON is asked for.
    asks_json = clerk.with_headers({"Accept": "application/json"})
    by_code = generated.call("verification.get_verification", code, client=asks_json)
    assert isinstance(by_code.parsed, models.CodeVerdict) and by_code.parsed.genuine
