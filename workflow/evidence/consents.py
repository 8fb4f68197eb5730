"""Consents: who on the case consented to what, with the signed document, and withdrawals."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow.disclosure import case_disclosure
from workflow.engine import Evidence
from workflow.errors import NotFound, NotPermitted, WrongState, field_problem
from workflow.evidence.documents import case_documents
from workflow.evidence.foreign import languages_of
from workflow.models import Case, Consent, Document, TransitionRecord
from workflow.permissions import Caller, CaseFacts, can_record_consent
from workflow.rules.catalogue import definition_of
from workflow.samples import held_samples
from workflow.schemas import ConsentIn, WithdrawalIn
from workflow.vocabulary import CaseStatus, EvidenceKind


def record_consent(
    session: Session, caller: Caller, case: Case, facts: CaseFacts, command: ConsentIn
) -> Consent:
    """Record that a relative on the case consented, naming the signed consent document."""
    _ensure_may_record(caller, case, facts)
    if command.person_id not in {person.id for person in case.relatives}:
        raise field_problem(
            "person_id", "not_a_person_on_this_case", "Name a relative on this case."
        )
    if command.document_id is not None:
        document = session.get(Document, command.document_id)
        if document is None or document.case_id != case.id:
            raise field_problem("document_id", "no_such_document", "Name a document of this case.")
        if document.kind is not EvidenceKind.CONSENT:
            raise field_problem("document_id", "not_a_consent", "Name a document of kind consent.")
    consent = Consent(
        id=uuid.uuid4(),
        case_id=case.id,
        person_id=command.person_id,
        purpose=command.purpose,
        given_on=command.given_on,
        document_id=command.document_id,
        recorded_by_id=caller.id,
    )
    session.add(consent)
    session.flush()
    return consent


def withdraw_consent(
    session: Session,
    caller: Caller,
    case: Case,
    facts: CaseFacts,
    consent_id: str,
    command: WithdrawalIn,
) -> Consent:
    """Mark a consent withdrawn; the steps that need it are blocked from now on."""
    _ensure_may_record(caller, case, facts)
    consent = _find(session, case, consent_id)
    if consent.withdrawn_on is not None:
        raise WrongState("The consent is already withdrawn.")
    withdrawn_on = command.withdrawn_on or datetime.now(UTC).date()
    if withdrawn_on < consent.given_on:
        raise field_problem(
            "withdrawn_on", "before_given", "A consent is withdrawn after it is given."
        )
    consent.withdrawn_on, consent.withdrawn_by_id = withdrawn_on, caller.id
    session.flush()
    return consent


def case_consents(session: Session, case: Case) -> list[Consent]:
    """Every consent recorded on the case, oldest first, withdrawn ones included."""
    return list(
        session.scalars(
            select(Consent).filter_by(case_id=case.id).order_by(Consent.recorded_at, Consent.id)
        ).all()
    )


def disclosed_consents(
    session: Session, caller: Caller, case: Case, facts: CaseFacts
) -> list[Consent]:
    """The case's consents, for a caller whose work on the case rests on them."""
    if not case_disclosure(case, caller, facts).consents:
        raise NotPermitted("Your work on this case does not rest on its consents.")
    own = case_consents(session, case)
    shared = [c for c in consents_in_force(session, case) if c.case_id != case.id]
    return [*own, *shared]


def step_evidence(session: Session, caller: Caller, case: Case, facts: CaseFacts) -> Evidence:
    """What a step by this caller can stand on: the documents they may name, the consents in
    force (whose, for what), and the people each track's steps named (whom a test is of)."""
    consents = consents_in_force(session, case)
    recorded = _recorded(session, case)
    # A shared relative's signed letter stands on each sibling's case with her consent.
    letters = {c.document_id: EvidenceKind.CONSENT for c in consents if c.document_id}
    documents = letters | {doc.id: doc.kind for doc in case_documents(session, caller, case, facts)}
    languages, originals = languages_of(session, documents)
    return Evidence(
        documents=documents,
        consents=frozenset((c.person_id, c.purpose) for c in consents),
        named=_people_named(case, recorded),
        earlier=recorded,
        samples={held.person_id: held.sample_id for held in held_samples(session, case)},
        languages=languages,
        originals=originals,
    )


def consents_in_force(session: Session, case: Case) -> list[Consent]:
    """The consents in force of the people on the case, wherever recorded: a mother shared by
    siblings consents once, on one of their cases, and it counts on each."""
    people = [person.id for person in case.people]
    return list(
        session.scalars(
            select(Consent).where(Consent.person_id.in_(people), Consent.withdrawn_on.is_(None))
        ).all()
    )


def _recorded(session: Session, case: Case) -> dict[tuple[str, str], Any]:
    """For each track and field, what its latest step with that field recorded; a step's data
    counts only for the fields its transition declares."""
    definition = definition_of(case.workflow)
    recorded: dict[tuple[str, str], Any] = {}
    records = session.execute(
        select(TransitionRecord.track, TransitionRecord.action, TransitionRecord.data)
        .filter_by(case_id=case.id)
        .order_by(TransitionRecord.id)
    )
    for track_name, action, data in records:
        track = definition.track(track_name)
        transition = track.transition(action) if track else None
        for name in transition.fields if transition else []:
            if (data or {}).get(name) is not None:
                recorded[track_name, name] = data[name]
    return recorded


def _people_named(
    case: Case, recorded: dict[tuple[str, str], Any]
) -> dict[tuple[str, str], uuid.UUID]:
    """For each track and person field, the person its latest step with that field named."""
    definition = definition_of(case.workflow)
    people = {
        (track.name, name)
        for track in definition.tracks
        for transition in track.transitions
        for name, spec in transition.fields.items()
        if spec.kind == "person"
    }
    named = {key: _uuid(value) for key, value in recorded.items() if key in people}
    return {key: person for key, person in named.items() if person is not None}


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _ensure_may_record(caller: Caller, case: Case, facts: CaseFacts) -> None:
    if not can_record_consent(caller, facts):
        raise NotPermitted("Consents are recorded by the lawyers working the case.")
    if case.status is not CaseStatus.OPEN:  # a correction of papers asks no consent
        raise WrongState(f"The case is {case.status.value}; its consents cannot change.")


def _find(session: Session, case: Case, consent_id: str) -> Consent:
    try:
        key = uuid.UUID(consent_id)
    except ValueError:
        raise NotFound("There is no such consent on this case.") from None
    consent = session.get(Consent, key)
    if consent is None or consent.case_id != case.id:
        raise NotFound("There is no such consent on this case.")
    return consent
