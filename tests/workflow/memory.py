"""Cases in memory for unit tests, at two depths: `a_case`, plain objects the engine judges with no
session at all; and `world`, a database in memory for the SQL rules (every table, no migrations,
no HTTP, a bare app context for the sealed columns) in which a test builds only the agencies,
users and cases it needs."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

import audit.models  # noqa: F401 - registers the audit tables beside the workflow's
from tests.workflow.helpers import note_handled
from workflow.db import Base, utcnow
from workflow.engine import Evidence, Step, check_step
from workflow.models import (
    Agency,
    Assignment,
    BreakGlassGrant,
    Case,
    CaseRoute,
    Document,
    Person,
    PersonName,
    TrackState,
    TransitionRecord,
    User,
    WorkflowRecord,
)
from workflow.permissions import Caller, CaseFacts
from workflow.rules import catalogue
from workflow.rules.definition import Definition
from workflow.schemas import TransitionIn
from workflow.vocabulary import AgencyKind, CaseStatus, EvidenceKind, Relation, Role, Script, Sex

_NUMBERS = itertools.count(1)


def child(complete: bool = True) -> Person:
    """A child with every particular a registration needs, or with none of them."""
    names = [PersonName(script=Script.LATIN, given="Amina", family="Nurgali")] if complete else []
    return Person(
        id=uuid.uuid4(),
        relation=Relation.CHILD,
        sex=Sex.FEMALE if complete else None,
        birth_date=date(2019, 5, 2) if complete else None,
        birth_country="SY" if complete else None,
        names=names,
    )


def a_case(states: dict[str, str], status: CaseStatus = CaseStatus.OPEN, **kw: Any) -> Case:
    """A case of a child and their mother with its tracks in these states, never in a session."""
    mother = Person(id=uuid.uuid4(), relation=Relation.MOTHER)
    people = [child(kw.get("complete", True)), mother]
    tracks = [TrackState(track=name, state=state) for name, state in states.items()]
    return Case(id=uuid.uuid4(), status=status, people=people, tracks=tracks)


def caller_for(performer: dict[str, str]) -> Caller:
    """A user of this role in a new agency of this kind (`{"role": …, "agency_kind": …}`)."""
    return Caller(
        id=uuid.uuid4(),
        role=Role(performer["role"]),
        agency_id=uuid.uuid4(),
        agency_kind=AgencyKind(performer["agency_kind"]),
    )


def facts_for(who: Caller, **kw: Any) -> CaseFacts:
    """A case the caller may act on: held by their NGO and assigned to them, and waiting on
    their kind of agency if they are an official."""
    kinds = frozenset({who.agency_kind}) if who.role is Role.OFFICIAL else frozenset()
    return CaseFacts(agency=who.agency_id, assigned=frozenset({who.id}), waiting_on=kinds, **kw)


def attempt_step(
    workflow: Definition,
    performer: dict[str, str],
    case: Case,
    track: str,
    action: str,
    data: dict[str, Any] | None = None,
    evidence: Evidence | None = None,
    evidence_ids: list[uuid.UUID] | None = None,
) -> Step:
    """One step checked in memory as the engine checks it: the performer as a caller, the facts
    they act on, and the documents named (the evidence's own, unless others are named)."""
    who, evidence = caller_for(performer), evidence or Evidence()
    named = list(evidence.documents) if evidence_ids is None else evidence_ids
    command = TransitionIn(track=track, action=action, data=data or {}, evidence_ids=named)
    return check_step(who, case, workflow, facts_for(who), command, evidence)


class World:
    """Agencies, users and cases written straight into the session."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def workflow(self, body: dict[str, Any]) -> WorkflowRecord:
        canonical = Definition.model_validate(body).model_dump(mode="json", by_alias=True)
        return catalogue.register(self.session, canonical)

    def agency(self, kind: AgencyKind) -> Agency:
        return self._added(
            Agency(id=uuid.uuid4(), name=f"{kind.value} {next(_NUMBERS)}", kind=kind)
        )

    def user(self, role: Role, agency: Agency) -> User:
        name = f"{role.value}{next(_NUMBERS)}"
        return self._added(
            User(id=uuid.uuid4(), username=name, password_hash="-", role=role, agency=agency)
        )

    def case(
        self,
        workflow: WorkflowRecord,
        states: dict[str, str],
        *,
        lawyers: tuple[User, ...] = (),
        status: CaseStatus = CaseStatus.OPEN,
    ) -> Case:
        opener = lawyers[0] if lawyers else self.user(Role.LAWYER, self.agency(AgencyKind.NGO))
        case = Case(
            id=uuid.uuid4(),
            reference=f"HW-2026-{next(_NUMBERS):06d}",
            workflow=workflow,
            status=status,
            opened_by_id=opener.id,
            agency_id=opener.agency_id,
            people=[
                Person(id=uuid.uuid4(), relation=Relation.CHILD, position=0),
                Person(id=uuid.uuid4(), relation=Relation.MOTHER, position=1),
            ],
            tracks=[TrackState(track=name, state=state) for name, state in states.items()],
            assignments=[Assignment(user_id=u.id, assigned_by_id=opener.id) for u in lawyers],
        )
        return self._added(case)

    def handled(
        self,
        case: Case,
        user: User,
        step: str = "dna.authorize",
        data: dict[str, Any] | None = None,
    ) -> None:
        """Record a step (`track.action`) the user's agency took on the case."""
        track, action = step.split(".")
        self._added(
            TransitionRecord(
                case_id=case.id,
                track=track,
                action=action,
                from_state="before",
                to_state="after",
                actor_id=user.id,
                agency_id=user.agency_id,
                data=data,
            )
        )
        note_handled(self.session, case.id, user.agency_id, track)
        self.session.flush()

    def document(self, case: Case, kind: EvidenceKind, uploader: User) -> Document:
        """A document's record (its bytes are not needed by the rules)."""
        return self._added(
            Document(
                id=uuid.uuid4(),
                case_id=case.id,
                kind=kind,
                content_type="application/pdf",
                size=1,
                sha256="0" * 64,
                storage_name=uuid.uuid4().hex,
                key_id="unit",
                uploaded_by_id=uploader.id,
                agency_id=uploader.agency_id,
            )
        )

    def route(self, case: Case, agency: Agency) -> None:
        """The agency took the case for its kind."""
        self._added(CaseRoute(case_id=case.id, agency_kind=agency.kind, agency_id=agency.id))

    def grant(self, case: Case, user: User, minutes: int = 30) -> None:
        """A break-glass grant, live for `minutes` (expired when negative)."""
        self._added(
            BreakGlassGrant(
                user_id=user.id,
                case_id=case.id,
                reason="a child's safety",
                expires_at=utcnow() + timedelta(minutes=minutes),
            )
        )

    def _added(self, row: Any) -> Any:
        self.session.add(row)
        self.session.flush()
        return row


@pytest.fixture(name="world")
def world_fixture(tmp_path: Path) -> Iterator[World]:
    app = Flask("homeward-unit")
    app.config.update(ENV="development", DATA_KEYS_DIR=str(tmp_path / "keys"))
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with app.app_context(), Session(engine) as session:
        yield World(session)
    engine.dispose()
