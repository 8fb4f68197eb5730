"""The case page: everything the caller may see of one case and the steps they may take now.

It is built from the API's own presentation of the case, so a page shows an official exactly
what the API would: no residence unless their agency acts on it, no other agency's step data."""

from __future__ import annotations

from typing import Any

from flask import render_template
from sqlalchemy import select

from forms.catalogue import catalogue
from workflow import db
from workflow.access import case_facts, current_caller
from workflow.evidence.consents import case_consents
from workflow.evidence.documents import case_documents
from workflow.models import Case, TransitionRecord, User
from workflow.permissions import (
    CaseFacts,
    can_attach_document,
    can_issue_form,
    can_record_consent,
)
from workflow.present import case_history, case_json, consent_json, document_json
from workflow.rules.catalogue import definition_of
from workflow.vocabulary import ConsentPurpose, EvidenceKind
from workflow.web.labels import label

PAGE_FORMS = {"upload", "consent"}


def render_case(
    case: Case,
    facts: CaseFacts | None = None,
    *,
    status: int = 200,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    failed: str | None = None,
    problem: str | None = None,
    changes: list[dict[str, Any]] | None = None,
) -> tuple[str, int]:
    """The case page; after a failed try, with its errors beside the form that failed."""
    session, caller = db.session(), current_caller()
    facts = facts or case_facts(session, case)
    shown = case_json(case, caller, facts)
    definition = definition_of(case.workflow)
    documents = case_documents(session, caller, case, facts)
    steps = [_step(definition, step) for step in shown["allowed_transitions"]]
    if failed not in {step["id"] for step in steps} | PAGE_FORMS:
        failed = None  # no form on the page for it: the problem is shown atop the page
    page = render_template(
        "case.html",
        title=case.reference,
        case=shown,
        track_titles={track.name: label("track", track.name) for track in definition.tracks},
        steps=steps,
        people=_people_choices(shown),
        documents=[document_json(document) for document in documents],
        consents=[consent_json(c) for c in case_consents(session, case)]
        if can_record_consent(caller, facts)
        else None,
        may_attach=can_attach_document(caller, facts),
        may_record_consent=can_record_consent(caller, facts),
        form_kinds=sorted(catalogue()[0]) if can_issue_form(caller, facts) else [],
        history=list(reversed(case_history(session, case, caller, facts))),
        evidence_kinds=[(kind.value, label("evidence", kind.value)) for kind in EvidenceKind],
        purposes=[(p.value, label("purpose", p.value)) for p in ConsentPurpose],
        last_step=_last_step(case),
        errors=errors or {},
        values=values or {},
        failed=failed,
        problem=problem,
        changes=changes,
    )
    return page, status


def changes_since(case: Case, last_step: int) -> list[dict[str, Any]]:
    """The steps others took after the page the user acted on was drawn, newest last."""
    session = db.session()
    rows = session.execute(
        select(TransitionRecord, User.username)
        .join(User, User.id == TransitionRecord.actor_id)
        .where(TransitionRecord.case_id == case.id, TransitionRecord.id > last_step)
        .order_by(TransitionRecord.id)
    ).all()
    return [
        {
            "track": label("track", record.track),
            "action": label("action", record.action),
            "from": label("state", record.from_state),
            "to": label("state", record.to_state),
            "by": username,
            "at": record.at,
        }
        for record, username in rows
    ]


def _last_step(case: Case) -> int:
    found = db.session().scalar(
        select(TransitionRecord.id)
        .where(TransitionRecord.case_id == case.id)
        .order_by(TransitionRecord.id.desc())
        .limit(1)
    )
    return int(found or 0)


def _step(definition: Any, step: dict[str, str]) -> dict[str, Any]:
    track = definition.track(step["track"])
    transition = track.transition(step["action"])
    return {
        "id": f"{step['track']}-{step['action']}",
        "track": step["track"],
        "action": step["action"],
        "fields": transition.fields,
        "evidence_kinds": [kind.value for kind in transition.evidence_kinds],
        "consents": [purpose.value for purpose in transition.consents],
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
