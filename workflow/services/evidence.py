"""Evidence: check and clean an upload, attach it to a case, and hand a document back, each
noting the trail."""

from __future__ import annotations

from audit import recorder as audit
from workflow import transactions
from workflow.access import current_caller
from workflow.errors import NotFound
from workflow.evidence import documents, foreign
from workflow.evidence.inspection import EXTENSIONS, Cleaned
from workflow.evidence.particulars import DocumentChangeIn, ForeignParticularsIn
from workflow.evidence.sandbox import Limits, clean_confined
from workflow.models import Case, Document
from workflow.permissions import CaseFacts
from workflow.services.cases import find_visible_case
from workflow.services.downloads import Download
from workflow.vocabulary import EvidenceKind


def inspect_upload(raw: bytes) -> Cleaned:
    """Check and clean an uploaded file in the sandbox, with no transaction open meanwhile: a
    crafted file must not hold the database while it is taken apart."""
    transactions.end_reads()
    return clean_confined(raw, Limits.configured())


def attach(
    case: Case,
    facts: CaseFacts,
    kind: EvidenceKind,
    cleaned: Cleaned,
    particulars: ForeignParticularsIn | None = None,
) -> Document:
    """Attach the checked file to the case with its language, translation and legalisation,
    noting which document it became."""
    session, caller = transactions.session(), current_caller()
    document = documents.attach_document(session, caller, case, facts, kind, cleaned)
    given = particulars or ForeignParticularsIn()
    foreign.describe(document, foreign.checked_particulars(session, caller, case, facts, given))
    session.flush()
    audit.note(detail={"document": str(document.id), "kind": document.kind.value})
    return document


def change(document_id: str, change: DocumentChangeIn) -> Document:
    """Record a document's language or legalisation; the trail names what was changed."""
    session, caller = transactions.session(), current_caller()
    document = documents.find_document(session, document_id)
    audit.note(detail={"document": str(document.id), "changed": sorted(change.model_fields_set)})
    case, facts = _readable(document)
    return foreign.change_particulars(session, caller, case, facts, document, change)


def download(document_id: str) -> Download:
    """The document's bytes for the caller, if they may read it; a document they may not read
    is missing, as one that does not exist."""
    session = transactions.session()
    document = documents.find_document(session, document_id)
    # Kept for the auditors even when the download is refused: which document was asked for.
    audit.note(detail={"document": str(document.id), "kind": document.kind.value})
    _readable(document)
    extension = EXTENSIONS[document.content_type]
    return Download(
        documents.document_bytes(document),
        document.content_type,
        f"{document.kind.value}-{str(document.id)[:8]}.{extension}",
    )


def _readable(document: Document) -> tuple[Case, CaseFacts]:
    """The document's case, if the caller may read the document; else it is missing, as one
    that does not exist."""
    session, caller = transactions.session(), current_caller()
    try:
        case, facts = find_visible_case(session, caller, str(document.case_id))
    except NotFound:  # answered as a missing document, or its id would show that it exists
        raise NotFound("There is no such document.") from None
    if not documents.readable_document(session, caller, document, case, facts):
        raise NotFound("There is no such document.")
    return case, facts
