"""Evidence: documents uploaded to a case and downloaded, and the consents recorded on it."""

from __future__ import annotations

from flask import Response, jsonify, request
from flask_openapi3 import APIBlueprint, Tag

from workflow import transactions
from workflow.access import current_caller
from workflow.api.answers import ConsentOut, ConsentsOut
from workflow.api.bearer import require_user
from workflow.api.document_answers import DocumentOut, DocumentsOut
from workflow.api.guards import check_json_body
from workflow.api.openapi import a_file
from workflow.errors import ErrorBody, UnsupportedMediaType
from workflow.evidence import consents, documents
from workflow.evidence.inspection import EXTENSIONS
from workflow.evidence.particulars import DocumentChangeIn
from workflow.http.downloads import attachment
from workflow.present import consent_json, document_json
from workflow.schemas import (
    CasePath,
    ConsentIn,
    ConsentPath,
    DocumentForm,
    DocumentPath,
    WithdrawalIn,
)
from workflow.services import evidence
from workflow.services.cases import find_visible_case

TAG = Tag(name="evidence", description="Evidence documents and consents")
uploads = APIBlueprint(
    "documents", __name__, url_prefix="/api/v1", abp_security=[{"bearer": []}], abp_tags=[TAG]
)
uploads.before_request(require_user)
consent_views = APIBlueprint(
    "consents", __name__, url_prefix="/api/v1/cases", abp_security=[{"bearer": []}], abp_tags=[TAG]
)
consent_views.before_request(require_user)
consent_views.before_request(check_json_body)


@uploads.before_request
def _body_checks() -> None:
    """An upload is multipart; a change to a document's particulars is JSON."""
    if request.method == "POST" and request.mimetype != "multipart/form-data":
        raise UnsupportedMediaType("Send the document as multipart/form-data, in the field file.")
    if request.method == "PATCH":
        check_json_body()


# 503: every file check of this server process stayed busy for as long as one may take.
@uploads.post("/cases/<case_id>/documents", responses={201: DocumentOut, 503: ErrorBody})
def post_document(path: CasePath, form: DocumentForm) -> tuple[Response, int]:
    """Attach a PDF, JPEG, PNG or TIFF scan to the case; its type is read from its bytes."""
    cleaned = evidence.inspect_upload(form.file.read())
    session, caller = transactions.session(), current_caller()
    case, facts = find_visible_case(session, caller, path.case_id)
    document = evidence.attach(case, facts, form.kind, cleaned, form)
    return jsonify(document_json(document)), 201


@uploads.get("/cases/<case_id>/documents", responses={200: DocumentsOut})
def get_documents(path: CasePath) -> Response:
    """The case's documents that the caller may read."""
    session, caller = transactions.session(), current_caller()
    case, facts = find_visible_case(session, caller, path.case_id)
    shown = documents.case_documents(session, caller, case, facts)
    return jsonify({"documents": [document_json(document) for document in shown]})


@uploads.get(
    "/documents/<document_id>",
    responses={200: a_file("The document as it was checked and stored", tuple(EXTENSIONS))},
)
def get_document(path: DocumentPath) -> Response:
    """The document's bytes, as an attachment."""
    return attachment(evidence.download(path.document_id))


@uploads.patch("/documents/<document_id>", responses={200: DocumentOut})
def patch_document(path: DocumentPath, body: DocumentChangeIn) -> Response:
    """Record the document's language or legalisation (status, country, date) after its upload;
    the lawyers working the case only. What is left out stays as it was."""
    return jsonify(document_json(evidence.change(path.document_id, body)))


@consent_views.post("/<case_id>/consents", responses={201: ConsentOut})
def post_consent(path: CasePath, body: ConsentIn) -> tuple[Response, int]:
    """Record a relative's consent to one purpose, with the signed document if there is one."""
    session, caller = transactions.session(), current_caller()
    case, facts = find_visible_case(session, caller, path.case_id)
    consent = consents.record_consent(session, caller, case, facts, body)
    return jsonify(consent_json(consent)), 201


@consent_views.get("/<case_id>/consents", responses={200: ConsentsOut})
def get_consents(path: CasePath) -> Response:
    """Every consent recorded on the case, withdrawn ones included; 403 to an official whose
    steps on the case need no consent."""
    session, caller = transactions.session(), current_caller()
    case, facts = find_visible_case(session, caller, path.case_id)
    shown = consents.disclosed_consents(session, caller, case, facts)
    return jsonify({"consents": [consent_json(consent) for consent in shown]})


@consent_views.post("/<case_id>/consents/<consent_id>/withdraw", responses={200: ConsentOut})
def post_withdrawal(path: ConsentPath, body: WithdrawalIn) -> Response:
    """Withdraw a consent; the steps that need it stop until another is recorded."""
    session, caller = transactions.session(), current_caller()
    case, facts = find_visible_case(session, caller, path.case_id)
    consent = consents.withdraw_consent(session, caller, case, facts, path.consent_id, body)
    return jsonify(consent_json(consent))
