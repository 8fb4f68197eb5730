"""Attaching evidence documents to a case, and reading them back, under need-to-know."""

from __future__ import annotations

import hashlib
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow import transactions
from workflow.errors import IntegrityFailure, NotFound, NotPermitted
from workflow.evidence import inspection
from workflow.evidence.standing import ensure_takes_evidence
from workflow.evidence.store import MissingObject, document_store, new_name
from workflow.models import Case, Document, TransitionRecord
from workflow.permissions import Caller, CaseFacts, can_attach_document, can_read_document
from workflow.rules.catalogue import definition_of
from workflow.sealing import Tampered, data_keys, with_keys
from workflow.vocabulary import AgencyKind, EvidenceKind


def sealing_context(document_id: uuid.UUID) -> str:
    """What a document's ciphertext is bound to: moved to another document, it fails to open."""
    return f"documents:{document_id}"


def attach_document(
    session: Session,
    caller: Caller,
    case: Case,
    facts: CaseFacts,
    kind: EvidenceKind,
    cleaned: inspection.Cleaned,
) -> Document:
    """Seal and store a checked and cleaned file as evidence on the case."""
    if not can_attach_document(caller, facts):
        raise NotPermitted("You may not attach documents to this case.")
    ensure_takes_evidence(case, "documents cannot be added.")
    keys, store = data_keys(fresh=True), document_store()  # sealed under the newest key
    document = Document(
        id=uuid.uuid4(),
        case_id=case.id,
        kind=kind,
        content_type=cleaned.content_type,
        size=len(cleaned.data),
        sha256=hashlib.sha256(cleaned.data).hexdigest(),
        storage_name=new_name(),
        key_id=keys.current,
        uploaded_by_id=caller.id,
        agency_id=caller.agency_id,
    )
    store.put(document.storage_name, keys.seal(cleaned.data, sealing_context(document.id)))
    name = document.storage_name
    transactions.on_rollback(lambda: store.delete(name))
    session.add(document)
    session.flush()
    return document


def case_documents(
    session: Session, caller: Caller, case: Case, facts: CaseFacts
) -> list[Document]:
    """The case's documents that the caller may read, oldest first."""
    documents = session.scalars(
        select(Document).filter_by(case_id=case.id).order_by(Document.uploaded_at, Document.id)
    ).all()
    evidence_for = _evidence_for(session, case)
    return [
        document
        for document in documents
        if can_read_document(
            caller, facts, document.agency_id, evidence_for.get(str(document.id), frozenset())
        )
    ]


def readable_document(
    session: Session, caller: Caller, document: Document, case: Case, facts: CaseFacts
) -> bool:
    """Whether the caller, who may see the case, may read this document of it."""
    evidence_for = _evidence_for(session, case).get(str(document.id), frozenset())
    return can_read_document(caller, facts, document.agency_id, evidence_for)


def document_bytes(document: Document) -> bytes:
    """The document's content, opened and checked against the digest taken at upload."""
    try:
        blob = document_store().get(document.storage_name)
        data = with_keys(lambda keys: keys.open(blob, sealing_context(document.id)))
    except (MissingObject, Tampered):
        raise IntegrityFailure("The stored document failed its integrity check.") from None
    if hashlib.sha256(data).hexdigest() != document.sha256:
        raise IntegrityFailure("The stored document failed its integrity check.")
    return data


def find_document(session: Session, document_id: str) -> Document:
    """The document by id, whatever its case; whether the caller may read it is asked after."""
    try:
        key = uuid.UUID(document_id)
    except ValueError:
        raise NotFound("There is no such document.") from None
    document = session.get(Document, key)
    if document is None:
        raise NotFound("There is no such document.")
    return document


def _evidence_for(session: Session, case: Case) -> dict[str, frozenset[AgencyKind]]:
    """For each document named as evidence on the case, the agency kinds that work the tracks
    it was evidence for."""
    definition = definition_of(case.workflow)
    named: dict[str, set[AgencyKind]] = {}
    records = session.execute(
        select(TransitionRecord.track, TransitionRecord.evidence_ids).filter_by(case_id=case.id)
    )
    for track_name, evidence_ids in records:
        track = definition.track(track_name)
        kinds = {
            performer.agency_kind
            for transition in (track.transitions if track else [])
            for performer in transition.performed_by
        }
        for document_id in evidence_ids or []:
            named.setdefault(document_id, set()).update(kinds)
    return {document_id: frozenset(kinds) for document_id, kinds in named.items()}
