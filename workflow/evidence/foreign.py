"""Foreign documents: the language, translation and legalisation a document is recorded with,
checked against the case it is on, and changed afterwards by the lawyers working the case."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow.errors import InvalidInput, NotPermitted, field_problem
from workflow.evidence.documents import readable_document
from workflow.evidence.particulars import DocumentChangeIn, ForeignParticularsIn, LegalisationIn
from workflow.evidence.standing import ensure_takes_evidence
from workflow.models import Case, Document
from workflow.permissions import Caller, CaseFacts, can_edit_case
from workflow.vocabulary import Legalisation

TRANSLATOR = ("translator_name", "translator_role", "translator_sworn")


def checked_particulars(
    session: Session, caller: Caller, case: Case, facts: CaseFacts, given: ForeignParticularsIn
) -> ForeignParticularsIn:
    """Refuse particulars that do not hold together, or a translation of a document that is
    not one of this case's that the caller may read (answered alike, so as to show nothing)."""
    _check_legalisation(given)
    if given.translation_of is None:
        for name in TRANSLATOR:
            if getattr(given, name) is not None:
                raise field_problem(name, "only_for_translations", "Only translations have one.")
        return given
    if given.language is None:
        raise field_problem("language", "missing", "Say which language the translation is in.")
    if given.translator_name is None:
        raise field_problem("translator_name", "missing", "Say who translated the document.")
    original = session.get(Document, given.translation_of)
    if original is None or original.case_id != case.id:
        raise _no_such_original()
    if not readable_document(session, caller, original, case, facts):
        raise _no_such_original()
    return given


def describe(document: Document, given: ForeignParticularsIn) -> None:
    """Record the particulars on a document being attached."""
    document.language = given.language
    document.translation_of_id = given.translation_of
    document.translator_name = given.translator_name
    document.translator_role = given.translator_role
    document.translator_sworn = given.translator_sworn
    _legalise(document, given)


def change_particulars(
    session: Session, caller: Caller, case: Case, facts: CaseFacts, document: Document,
    change: DocumentChangeIn,
) -> Document:  # fmt: skip
    """Record a document's language or legalisation after its upload."""
    if not can_edit_case(caller, facts):
        raise NotPermitted("A document's particulars are kept by the lawyers working the case.")
    ensure_takes_evidence(case, "its documents cannot change.")
    if not change.model_fields_set:
        raise field_problem("", "nothing_to_change", "Give a language or a legalisation.")
    if "language" in change.model_fields_set:
        if change.language is None and document.translation_of_id is not None:
            raise field_problem("language", "missing", "A translation keeps the language it is in.")
        document.language = change.language
    if change.model_fields_set - {"language"}:
        _check_legalisation(change)
        _legalise(document, change)
    session.flush()
    return document


def languages_of(
    session: Session, documents: Iterable[uuid.UUID]
) -> tuple[dict[uuid.UUID, str | None], dict[uuid.UUID, uuid.UUID | None]]:
    """Each document's language, and the original each translates."""
    rows = session.execute(
        select(Document.id, Document.language, Document.translation_of_id).where(
            Document.id.in_(list(documents))
        )
    ).all()
    return {id_: language for id_, language, _ in rows}, {id_: of for id_, _, of in rows}


def _check_legalisation(given: LegalisationIn) -> None:
    legalised = given.legalisation is not Legalisation.NONE
    for name in ("legalisation_country", "legalised_on"):
        present = getattr(given, name) is not None
        if legalised and not present:
            raise field_problem(name, "missing", "Say where and when the document was legalised.")
        if present and not legalised:
            raise field_problem(
                name, "not_legalised", "A document not legalised has no such detail."
            )


def _legalise(document: Document, given: LegalisationIn) -> None:
    document.legalisation = given.legalisation
    document.legalisation_country = given.legalisation_country
    document.legalised_on = given.legalised_on


def _no_such_original() -> InvalidInput:
    return field_problem(
        "translation_of", "no_such_document", "Name a document attached to this case."
    )
