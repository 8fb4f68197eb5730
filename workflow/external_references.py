"""External references: the identifiers other bodies gave the child (ICRC, UNHCR, a camp, a
repatriation list), kept on the case sealed, and found again by a blind token of their value."""

from __future__ import annotations

import unicodedata
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow.disclosure import case_disclosure
from workflow.errors import NotFound, NotPermitted
from workflow.models import Assignment, Case, ExternalReference
from workflow.permissions import Caller, CaseFacts, can_edit_case
from workflow.sealing import data_keys
from workflow.vocabulary import ReferenceIssuer, Role

# Separators people print such numbers with, or leave out: "ICRC-12 345" is "icrc12345".
_SEPARATORS = str.maketrans("", "", " -./:#")
# Tokens of references live apart from the tokens of name words, though made with one key.
_DOMAIN = "external-reference:"
# A value is found on the caller's own cases only; more than this is a search, not a lookup.
MOST_FOUND = 100


def reference_token(value: str) -> str:
    """The blind token of a reference's value, the same however it was spaced or cased."""
    folded = unicodedata.normalize("NFKC", value).casefold().translate(_SEPARATORS)
    return data_keys().token(_DOMAIN + folded)


def new_reference(
    issuer: ReferenceIssuer, value: str, case_id: uuid.UUID, by: uuid.UUID
) -> ExternalReference:
    """A reference for a case, sealed and tokenised, not yet added to any session."""
    return ExternalReference(
        id=uuid.uuid4(),
        case_id=case_id,
        issuer=issuer,
        value=value,
        value_token=reference_token(value),
        added_by_id=by,
    )


def add_reference(
    db: Session, caller: Caller, case: Case, facts: CaseFacts, issuer: ReferenceIssuer, value: str
) -> ExternalReference:
    """Record an identifier the child is known by elsewhere; the case's lawyers only."""
    _ensure_case_lawyer(caller, facts)
    reference = new_reference(issuer, value, case.id, caller.id)
    db.add(reference)
    db.flush()
    return reference


def case_references(
    db: Session, caller: Caller, case: Case, facts: CaseFacts
) -> list[ExternalReference]:
    """The case's references, oldest first, for a caller whose work on the case rests on them."""
    if not case_disclosure(case, caller, facts).external_references:
        raise NotPermitted("Your work on this case does not rest on its external references.")
    return list(
        db.scalars(
            select(ExternalReference)
            .filter_by(case_id=case.id)
            .order_by(ExternalReference.added_at, ExternalReference.id)
        )
    )


def remove_reference(
    db: Session, caller: Caller, case: Case, facts: CaseFacts, reference_id: str
) -> ExternalReference:
    """Remove one of the case's references; one that is not on this case is missing."""
    _ensure_case_lawyer(caller, facts)
    reference = _on_case(db, case, reference_id)
    db.delete(reference)
    db.flush()
    return reference


def cases_known_by(db: Session, caller: Caller, value: str) -> list[uuid.UUID]:
    """The cases the calling lawyer works that carry a reference of this value, newest first;
    for anyone else, none: a reference never leads to a case one does not work."""
    if caller.role is not Role.LAWYER:
        return []
    statement = (
        select(ExternalReference.case_id)
        .join(Case, Case.id == ExternalReference.case_id)
        .join(Assignment, Assignment.case_id == Case.id)
        .where(
            ExternalReference.value_token == reference_token(value),
            Assignment.user_id == caller.id,
            Case.agency_id == caller.agency_id,
            Case.purged_at.is_(None),
        )
        .order_by(Case.updated_at.desc(), Case.id)
        .limit(MOST_FOUND)
    )
    return list(dict.fromkeys(db.scalars(statement)))


def _on_case(db: Session, case: Case, reference_id: str) -> ExternalReference:
    try:
        wanted = uuid.UUID(reference_id)
    except ValueError:
        raise NotFound("There is no such reference.") from None
    reference = db.scalar(select(ExternalReference).filter_by(id=wanted, case_id=case.id))
    if reference is None:
        raise NotFound("There is no such reference.")
    return reference


def _ensure_case_lawyer(caller: Caller, facts: CaseFacts) -> None:
    if not can_edit_case(caller, facts):
        raise NotPermitted("Only the lawyers working this case change its external references.")
