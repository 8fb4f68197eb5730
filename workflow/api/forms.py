"""Forms over HTTP: a lawyer generates one for a case; anyone holding a printout checks it."""

from __future__ import annotations

from datetime import datetime

from flask import Response, current_app, jsonify, render_template, request
from flask_openapi3 import APIBlueprint, Tag

from audit import recorder as audit
from forms import operations
from forms.facts import shown
from forms.models import IssuedForm
from forms.schemas import (
    CodePath,
    FormPath,
    FormQuery,
    StatedFact,
    Verification,
    VerifyForm,
)
from forms.sheet import form_title
from forms.signing import certificate_pem
from workflow import transactions
from workflow.api.answers import CodeVerdict, UnknownCode
from workflow.api.bearer import require_user
from workflow.api.guards import check_json_body
from workflow.api.openapi import a_file
from workflow.db import utcnow
from workflow.errors import UnsupportedMediaType
from workflow.http import trail
from workflow.http.downloads import issued_form
from workflow.http.headers import VERIFY_PAGE_POLICY
from workflow.identity.throttle import limit_rate
from workflow.services.forms import issue_form

generation = APIBlueprint(
    "forms",
    __name__,
    url_prefix="/api/v1/cases",
    abp_security=[{"bearer": []}],
    abp_tags=[Tag(name="forms", description="PDF forms generated from a case")],
)
generation.before_request(require_user)
generation.before_request(check_json_body)
verification = APIBlueprint(
    "verify",
    __name__,
    template_folder="templates",
    abp_tags=[Tag(name="verification", description="Public checks of printed forms")],
)
ISSUED_FORM = a_file(
    "The signed form",
    ("application/pdf",),
    {"X-Verification-Code": "The code printed on the form, that checks it at /verify/{code}"},
)
CERTIFICATE = {"content": {"application/x-pem-file": {"schema": {"type": "string"}}}}


@generation.post("/<case_id>/forms/<form>", responses={201: ISSUED_FORM})
def post_form(path: FormPath, query: FormQuery) -> Response:
    """Generate a signed PDF form; its verification code comes in X-Verification-Code."""
    redacted = query.variant == "redacted"
    return issued_form(*issue_form(path.case_id, path.form, redacted, query.label_languages()), 201)


@verification.get(
    "/verify/<code>",
    # The page for a phone that scanned the QR code; JSON for a client that asks for it.
    responses={200: CodeVerdict, 404: UnknownCode},
)
def get_verification(path: CodePath) -> Response:
    """Public: whether the code belongs to a genuine form, as a page or as JSON; no names."""
    issued = operations.find_by_code(transactions.session(), path.code)
    _note(issued)
    verdict = _verdict(issued)
    status = 200 if issued else 404
    if issued is None:  # an unknown code is refused like any missing thing, page or JSON
        trail.answered_with("not_found")
    if not _wants_json():
        title = form_title(issued.kind) if issued else None
        russian = _facts(issued, "ru") if issued else None
        page = render_template("verify.html", found=verdict, title=title, russian=russian)
        return Response(page, status, headers={"Content-Security-Policy": VERIFY_PAGE_POLICY})
    body = verdict.model_dump()
    if issued is None:  # an unknown code is an error like any other, and still says not genuine
        body["error"] = {"code": "not_found", "message": "No form has this code.", "details": None}
    response = jsonify(body)
    response.status_code = status
    return response


@verification.post("/verify", responses={200: Verification})
def post_verification(form: VerifyForm) -> Response:
    """Public: whether this file is, byte for byte, a form Homeward issued."""
    issued = operations.find_by_file(transactions.session(), form.file.read())
    _note(issued)
    return jsonify(_verdict(issued).model_dump())


@verification.before_request
def _limit_rate() -> None:
    """Slow a prober down: the checks are public, and each is an audit event."""
    if request.path.startswith("/verify"):
        address = (request.remote_addr or "unknown")[:64]
        per_minute = int(current_app.config["VERIFY_PER_MINUTE"])
        limit_rate(transactions.session(), f"verify:{address}", per_minute, utcnow())


@verification.before_request
def _multipart_only() -> None:
    if request.method == "POST" and request.mimetype != "multipart/form-data":
        raise UnsupportedMediaType("Send the form as multipart/form-data, in the field file.")


@verification.get("/.well-known/form-signing-certificate.pem", responses={200: CERTIFICATE})
def get_certificate() -> Response:
    """Public: the certificate that signs Homeward's forms, to add to a PDF reader's trust list."""
    return Response(certificate_pem(), mimetype="application/x-pem-file")


def _wants_json() -> bool:
    """JSON only when asked for it: a phone opening the QR code's link gets the page."""
    accepted = request.accept_mimetypes
    return bool(accepted) and accepted.best_match(["text/html", "application/json"]) == (
        "application/json"
    )


def _note(issued: IssuedForm | None) -> None:
    """Tell the trail which form was checked, if any; the code and the file are not kept."""
    if issued is None:
        audit.note(detail={"genuine": False})
    else:
        audit.note(case=issued.case, detail={"genuine": True, "form": str(issued.id)})


def _verdict(issued: IssuedForm | None) -> Verification:
    if issued is None:
        return Verification(genuine=False)
    return Verification(
        genuine=True,
        kind=issued.kind,
        variant=issued.variant,
        agency=issued.agency.name,
        issued_at=issued.issued_at.isoformat().replace("+00:00", "Z"),
        case_reference=issued.case.reference,
        facts=_facts(issued, "en"),
        superseded_at=_iso(operations.superseded_at(transactions.session(), issued)),
    )


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment else None


def _facts(issued: IssuedForm, language: str) -> list[StatedFact] | None:
    """The facts the form states, in the language asked for; None if it was issued without."""
    if issued.facts is None:
        return None
    return [StatedFact(label=f.label, value=f.value) for f in shown(issued.facts, language)]
