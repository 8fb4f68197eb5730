"""Evidence: documents uploaded to a case and downloaded, and the consents recorded on it."""

from __future__ import annotations

from flask import Response, jsonify, request
from flask_openapi3 import APIBlueprint, Tag

from audit import recorder as audit
from workflow import db
from workflow.access import current_caller
from workflow.api.cases import find_visible_case
from workflow.api.guards import check_json_body
from workflow.errors import NotFound, UnsupportedMediaType
from workflow.evidence import consents, documents
from workflow.evidence.inspection import EXTENSIONS, Cleaned
from workflow.evidence.sandbox import Limits, clean_confined
from workflow.identity.current import require_user
from workflow.models import Case, Document
from workflow.permissions import CaseFacts
from workflow.present import consent_json, document_json
from workflow.schemas import (
    CasePath,
    ConsentIn,
    ConsentPath,
    DocumentForm,
    DocumentPath,
    WithdrawalIn,
)
from workflow.vocabulary import EvidenceKind

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
def _multipart_only() -> None:
    if request.method == "POST" and request.mimetype != "multipart/form-data":
        raise UnsupportedMediaType("Send the document as multipart/form-data, in the field file.")


@uploads.post("/cases/<case_id>/documents", responses={201: None})
def post_document(path: CasePath, form: DocumentForm) -> tuple[Response, int]:
    """Attach a PDF, JPEG, PNG or TIFF scan to the case; its type is read from its bytes."""
    cleaned = inspect_upload(form.file.read())
    session, caller = db.session(), current_caller()
    case, facts = find_visible_case(session, caller, path.case_id)
    return jsonify(document_json(attach(case, facts, form.kind, cleaned))), 201


def inspect_upload(raw: bytes) -> Cleaned:
    """Check and clean an uploaded file in the sandbox, with no transaction open meanwhile: a
    crafted file must not hold the database while it is taken apart."""
    db.end_reads()
    return clean_confined(raw, Limits.configured())


def attach(case: Case, facts: CaseFacts, kind: EvidenceKind, cleaned: Cleaned) -> Document:
    """Attach the checked file to the case, noting which document it became; the web pages
    share this."""
    session, caller = db.session(), current_caller()
    document = documents.attach_document(session, caller, case, facts, kind, cleaned)
    audit.note(detail={"document": str(document.id), "kind": document.kind.value})
    return document


@uploads.get("/cases/<case_id>/documents")
def get_documents(path: CasePath) -> Response:
    """The case's documents that the caller may read."""
    session, caller = db.session(), current_caller()
    case, facts = find_visible_case(session, caller, path.case_id)
    shown = documents.case_documents(session, caller, case, facts)
    return jsonify({"documents": [document_json(document) for document in shown]})


@uploads.get("/documents/<document_id>")
def get_document(path: DocumentPath) -> Response:
    """The document's bytes, as an attachment."""
    return document_download(path.document_id)


def document_download(document_id: str) -> Response:
    """The document's bytes for the caller, if they may read it; the web pages share this."""
    session, caller = db.session(), current_caller()
    document = documents.find_document(session, document_id)
    # Kept for the auditors even when the download is refused: which document was asked for.
    audit.note(detail={"document": str(document.id), "kind": document.kind.value})
    try:
        case, facts = find_visible_case(session, caller, str(document.case_id))
    except NotFound:  # answered as a missing document, or its id would show that it exists
        raise NotFound("There is no such document.") from None
    if not documents.readable_document(session, caller, document, case, facts):
        raise NotFound("There is no such document.")
    response = Response(documents.document_bytes(document), mimetype=document.content_type)
    extension = EXTENSIONS[document.content_type]
    name = f"{document.kind.value}-{str(document.id)[:8]}.{extension}"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@consent_views.post("/<case_id>/consents", responses={201: None})
def post_consent(path: CasePath, body: ConsentIn) -> tuple[Response, int]:
    """Record a relative's consent to one purpose, with the signed document if there is one."""
    session, caller = db.session(), current_caller()
    case, facts = find_visible_case(session, caller, path.case_id)
    consent = consents.record_consent(session, caller, case, facts, body)
    return jsonify(consent_json(consent)), 201


@consent_views.get("/<case_id>/consents")
def get_consents(path: CasePath) -> Response:
    """Every consent recorded on the case, withdrawn ones included."""
    session, caller = db.session(), current_caller()
    case, _facts = find_visible_case(session, caller, path.case_id)
    return jsonify({"consents": [consent_json(c) for c in consents.case_consents(session, case)]})


@consent_views.post("/<case_id>/consents/<consent_id>/withdraw")
def post_withdrawal(path: ConsentPath, body: WithdrawalIn) -> Response:
    """Withdraw a consent; the steps that need it stop until another is recorded."""
    session, caller = db.session(), current_caller()
    case, facts = find_visible_case(session, caller, path.case_id)
    consent = consents.withdraw_consent(session, caller, case, facts, path.consent_id, body)
    return jsonify(consent_json(consent))
