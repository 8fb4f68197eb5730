"""The case page: everything the caller may see of one case and the steps they may take now.

It is built from the API's own presentation of the case and asks `workflow.disclosure` what
else to show, so a page shows an official exactly what the API would: where people are and the
consents only when their steps rest on them, no other track's step data."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from flask import render_template

from forms.catalogue import catalogue
from workflow import transactions
from workflow.access import case_facts, current_caller
from workflow.disclosure import case_disclosure
from workflow.evidence.consents import case_consents
from workflow.evidence.documents import case_documents
from workflow.external_references import case_references
from workflow.models import Case
from workflow.permissions import (
    CaseFacts,
    can_attach_document,
    can_edit_case,
    can_issue_form,
    can_record_consent,
)
from workflow.present import (
    case_history,
    case_json,
    consent_json,
    document_json,
    external_reference_json,
)
from workflow.rules.care import INSTITUTION_KINDS, consent_waived
from workflow.rules.catalogue import definition_of
from workflow.vocabulary import ConsentPurpose, EvidenceKind, ReferenceIssuer
from workflow.web.labels import label
from workflow.web.names import language_name
from workflow.web.overview import age_text, waiting
from workflow.web.step_notes import step_notes

PAGE_FORMS = {"upload", "consent", "reference"}


@dataclass(frozen=True)
class Attempt:
    """A form on the case page that failed: which, what was typed, and what went wrong."""

    form: str | None = None  # a step's id (track-action), "upload" or "consent"
    values: Mapping[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    problem: str | None = None
    missing: list[str] = field(default_factory=list)
    stale_after: int | None = None  # the last step the page showed, when it was out of date


def render_case(
    case: Case, facts: CaseFacts | None = None, *, attempt: Attempt | None = None
) -> str:
    """Draw the case page; after a failed try, with its errors beside the form that failed."""
    session, caller = transactions.session(), current_caller()
    facts = facts or case_facts(session, case)
    shown = case_json(case, caller, facts)
    disclosed = case_disclosure(case, caller, facts)
    definition = definition_of(case.workflow)
    allowed = [(step["track"], step["action"]) for step in shown["allowed_transitions"]]
    notes = step_notes(session, caller, case, facts, definition, allowed)
    steps = [_step(case, definition, step) | {"notes": notes.get(step) or []} for step in allowed]
    attempt = attempt or Attempt()
    if attempt.form not in {step["id"] for step in steps} | PAGE_FORMS:
        attempt = replace(attempt, form=None)  # no form for it on the page: shown atop the page
    history = case_history(session, case, caller, facts)
    case_open = shown["status"] == "open"
    page = render_template(
        "case.html",
        title=case.reference,
        case=shown,
        track_titles={track.name: label("track", track.name) for track in definition.tracks},
        steps=steps,
        my_tracks={step["track"] for step in steps},
        people=_people_choices(shown),
        documents=[document_json(d) for d in case_documents(session, caller, case, facts)],
        consents=[consent_json(c) for c in case_consents(session, case)]
        if disclosed.consents
        else None,
        where_people_are=disclosed.where_people_are,
        # Only the case's lawyers see the identifiers that lead to the child outside Homeward.
        references=[
            external_reference_json(r) for r in case_references(session, caller, case, facts)
        ]
        if disclosed.external_references
        else None,
        issuers=[(issuer.value, label("issuer", issuer.value)) for issuer in ReferenceIssuer],
        may_attach=can_attach_document(caller, facts),
        may_edit=can_edit_case(caller, facts),
        may_record_consent=can_record_consent(caller, facts),
        form_kinds=sorted(catalogue()[0]) if can_issue_form(caller, facts) else [],
        history=list(reversed(history)),
        evidence_kinds=[(kind.value, label("evidence", kind.value)) for kind in EvidenceKind],
        purposes=[(p.value, label("purpose", p.value)) for p in ConsentPurpose],
        institution_kinds=[(kind, label("choice", kind)) for kind in INSTITUTION_KINDS],
        last_step=history[-1]["id"] if history else 0,
        age=age_text(shown["child"].get("birth_date")),
        siblings=_siblings(shown),
        next_steps=waiting(definition, shown["tracks"], caller) if case_open else [],
        attempt=attempt,
        changes=None if attempt.stale_after is None else _changes(history, attempt.stale_after),
    )
    return page


def _siblings(shown: dict[str, Any]) -> list[dict[str, str]]:
    """The family's other cases, as far as the reader may see them (the case's `family`)."""
    family = shown["family"]
    return [c for c in family["cases"] if c["id"] != shown["id"]] if family else []


def _changes(history: list[dict[str, Any]], last_step: int) -> list[dict[str, Any]]:
    """The steps taken after the page the user acted on was drawn, oldest first."""
    return [
        {
            "track": label("track", entry["track"]),
            "action": label("action", entry["action"]),
            "from": label("state", entry["from"]),
            "to": label("state", entry["to"]),
            "by": entry["by"],
            "at": entry["at"],
        }
        for entry in history
        if entry["id"] > last_step
    ]


def _step(case: Case, definition: Any, step: tuple[str, str]) -> dict[str, Any]:
    track = definition.track(step[0])
    transition = track.transition(step[1])
    waived = consent_waived(case, transition)
    return {
        "id": f"{step[0]}-{step[1]}",
        "track": step[0],
        "action": step[1],
        "fields": transition.fields,
        "evidence_kinds": [
            kind.value
            for kind in transition.evidence_kinds
            if not (waived and kind is EvidenceKind.CONSENT)
        ],
        "consent_waived": waived,
        "one_of": transition.one_of,
        "translated_into": ", ".join(map(language_name, transition.evidence_translated_into)),
    }


def _people_choices(shown: dict[str, Any]) -> list[tuple[str, str]]:
    choices = []
    for person in shown["people"]:
        # Each name isolated (FSI … PDI), so an Arabic name cannot reorder the text around it.
        names = " / ".join(
            "\u2068"
            + " ".join(part for part in (n.get("given"), n.get("family")) if part)
            + "\u2069"
            for n in person["names"]
        )
        choices.append((person["id"], f"{label('relation', person['relation'])}: {names}"))
    return choices
