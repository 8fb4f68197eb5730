"""`homeward demo load`: agencies, one user per role and agency kind, and cases at every stage."""

from __future__ import annotations

import io
import secrets
import sys
import uuid
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from random import Random
from typing import Any, NamedTuple

import click
from flask import current_app
from flask.cli import AppGroup
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import select
from sqlalchemy.orm import Session

from audit.recorder import record_command
from workflow import transactions
from workflow.access import caller_of, case_facts
from workflow.db import story_time, utcnow
from workflow.demo_cases import DEMO_CASES, LAWYER, STEP_DAYS, DemoCase, dated
from workflow.evidence.consents import record_consent, step_evidence
from workflow.evidence.documents import attach_document
from workflow.evidence.inspection import clean
from workflow.identity.operations import create_user
from workflow.models import Agency, Case, User
from workflow.operations import open_case, perform_transition
from workflow.permissions import Caller
from workflow.rules import catalogue
from workflow.schemas import CaseIn, ConsentIn, TransitionIn
from workflow.vocabulary import AgencyKind, EvidenceKind, Role

AGENCIES = {
    "Hope Legal Aid": AgencyKind.NGO,
    "Safe Return Lawyers": AgencyKind.NGO,
    "Civil Registry Office, Almaty": AgencyKind.CIVIL_REGISTRY,
    "Almaty City Court": AgencyKind.COURT,
    "Central Forensic Laboratory": AgencyKind.FORENSIC_LAB,
    "Guardianship Authority, Almaty": AgencyKind.GUARDIANSHIP_AUTHORITY,
    "Migration and Citizenship Service": AgencyKind.CITIZENSHIP_AUTHORITY,
    "Office of the Ombudsman": AgencyKind.OMBUDSMAN,
    "Homeward Operations": AgencyKind.OPERATOR,
}

USERS = {
    "lawyer": (Role.LAWYER, "Hope Legal Aid"),
    "lawyer2": (Role.LAWYER, "Hope Legal Aid"),
    "lawyer3": (Role.LAWYER, "Safe Return Lawyers"),
    "registrar": (Role.OFFICIAL, "Civil Registry Office, Almaty"),
    "judge": (Role.OFFICIAL, "Almaty City Court"),
    "lab": (Role.OFFICIAL, "Central Forensic Laboratory"),
    "guardianship": (Role.OFFICIAL, "Guardianship Authority, Almaty"),
    "citizenship": (Role.OFFICIAL, "Migration and Citizenship Service"),
    "auditor": (Role.AUDITOR, "Office of the Ombudsman"),
    "admin": (Role.ADMIN, "Homeward Operations"),
}


# The demo's offices keep Almaty's hours, 09:00 to 17:00 at UTC+5, Monday to Friday.
OFFICE_OPENS, OFFICE_MINUTES, SATURDAY = time(4), 8 * 60, 5
STEP_APART = timedelta(minutes=20)  # two steps of a story on one day: the later this much after


@click.group("demo", cls=AppGroup)
def demo_group() -> None:
    """Demonstration data."""


@demo_group.command("load")
def demo_load() -> None:
    """Create demo agencies, users and a dozen cases; print the logins."""
    if current_app.config["ENV"] == "production":
        click.echo("error: demo data is never loaded in production", err=True)
        sys.exit(2)
    password = demo_password()
    with transactions.unit_of_work() as session:
        if session.scalar(select(User.id).filter_by(username="lawyer")) is None:
            load(session, password)
            record_command(session, "admin.demo_load", detail={"cases": len(DEMO_CASES)})
            click.echo(f"demo data loaded: {len(DEMO_CASES)} cases")
        else:
            click.echo("demo data is already loaded")
    demo_marker().touch()  # the sign-in page names the demo users only where this exists
    click.echo(f"demo users: {', '.join(USERS)}")
    click.echo(f"demo password: {password}")


def demo_marker() -> Path:
    """The file in the instance folder that says this service holds demonstration data."""
    return Path(current_app.instance_path) / "demo-loaded"


def demo_password() -> str:
    """HOMEWARD_DEMO_PASSWORD, or one generated once and kept in the instance folder."""
    if current_app.config["DEMO_PASSWORD"]:
        return str(current_app.config["DEMO_PASSWORD"])
    path = Path(current_app.instance_path) / "demo-password"
    if not path.exists():
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(12), encoding="utf-8")
    return path.read_text(encoding="utf-8").strip()


def load(session: Session, password: str) -> list[Case]:
    """Create everything the demo needs in one session; return the cases."""
    catalogue.register_built_in(session)
    agencies = {name: Agency(name=name, kind=kind) for name, kind in AGENCIES.items()}
    session.add_all(agencies.values())
    now = utcnow()
    # The accounts are as old as the story, so that no one acts before their account existed.
    with story_time(now - timedelta(days=max(demo.opened_days_ago for demo in DEMO_CASES) + 7)):
        users = {
            username: create_user(session, username, password, role, agencies[agency])
            for username, (role, agency) in USERS.items()
        }
    # The demo's stories are written for the default procedure, whatever new cases open on.
    workflow = catalogue.latest(session, "default")
    assert workflow is not None
    return [
        _build_case(session, users, demo, workflow.id, schedule(demo, now, Random(number)))  # noqa: S311
        for number, demo in enumerate(DEMO_CASES)
    ]


def _build_case(
    session: Session, users: dict[str, User], demo: DemoCase, workflow_id: int, dates: Dates
) -> Case:
    """Open the case and take its steps, each on the day the story gives it."""
    lawyer = caller_of(users[demo.lawyer])
    with story_time(dates.opened):
        case = open_case(session, lawyer, CaseIn.model_validate(demo.particulars), workflow_id)
    for (username, track, action, data), moment in zip(demo.steps, dates.steps, strict=True):
        caller = caller_of(users[demo.lawyer if username == LAWYER else username])
        with story_time(moment):
            resolved = _resolve_people(case, dated(data, moment.date()))
            evidence = _evidence(session, caller, lawyer, case, (track, action), resolved)
            command = TransitionIn(track=track, action=action, data=resolved, evidence_ids=evidence)
            perform_transition(session, caller, case, case_facts(session, case), command)
    session.flush()
    return case


class Dates(NamedTuple):
    opened: datetime
    steps: list[datetime]


def schedule(demo: DemoCase, now: datetime, rng: Random) -> Dates:
    """When the story's case opened and each of its steps was taken: on working days, in office
    hours, each step STEP_DAYS after the one before, all of it at least days before `now`."""
    first_day = now.date() - timedelta(days=demo.opened_days_ago)
    gaps = [STEP_DAYS.get((track, action), 7) * demo.pace for _, track, action, _ in demo.steps]
    room = max(demo.opened_days_ago - 3, 0)  # a story told too fast is squeezed into its time
    scale = min(1.0, room / sum(gaps)) if gaps else 1.0
    opened = previous = _office_hours(first_day, rng)
    steps, elapsed = [], 0.0
    for gap in gaps:
        elapsed += gap * scale
        moment = _office_hours(first_day + timedelta(days=round(elapsed)), rng)
        previous = max(moment, previous + STEP_APART)
        steps.append(previous)
    return Dates(opened, steps)


def _office_hours(day: date, rng: Random) -> datetime:
    """A moment of the working day `day`, or of the Friday before it if it falls at a weekend."""
    while day.weekday() >= SATURDAY:
        day -= timedelta(days=1)
    start = datetime.combine(day, OFFICE_OPENS, tzinfo=UTC)
    return start + timedelta(minutes=rng.randrange(OFFICE_MINUTES))


def _evidence(
    session: Session,
    caller: Caller,
    lawyer: Caller,
    case: Case,
    step: tuple[str, str],
    data: dict[str, Any],
) -> list[uuid.UUID]:
    """Attach a sample document of each kind the step needs, as its performer, and have the
    lawyer record the consents it needs from the relative tested (or the first relative)."""
    track = catalogue.definition_of(case.workflow).track(step[0])
    transition = track.transition(step[1]) if track else None
    if transition is None:
        return []
    documents = [
        attach_document(
            session, caller, case, case_facts(session, case), kind, clean(sample_document(kind), 1)
        )
        for kind in transition.evidence_kinds
    ]
    in_force = step_evidence(session, lawyer, case, case_facts(session, case)).consents
    person = uuid.UUID(data.get("reference_person") or str(case.relatives[0].id))
    for purpose in transition.consents:
        if (person, purpose) in in_force:
            continue
        signed = next((d.id for d in documents if d.kind is EvidenceKind.CONSENT), None)
        consent = ConsentIn(
            person_id=person, purpose=purpose, given_on=utcnow().date(), document_id=signed
        )
        record_consent(session, lawyer, case, case_facts(session, case), consent)
    return [document.id for document in documents]


def sample_document(kind: EvidenceKind) -> bytes:
    """A one-page PDF that says it is a sample: the demo's stand-in for a scanned document."""
    out = io.BytesIO()
    canvas = Canvas(out, invariant=True)
    canvas.setFont("Helvetica-Bold", 16)
    canvas.drawString(72, 760, f"Sample document: {kind.value.replace('_', ' ')}")
    canvas.setFont("Helvetica", 11)
    canvas.drawString(72, 730, "Homeward demo data. It names no one and proves nothing.")
    canvas.save()
    return out.getvalue()


def _resolve_people(case: Case, data: dict[str, Any]) -> dict[str, Any]:
    """Demo steps name people by relation; the engine wants their ids."""
    by_relation = {person.relation.value: str(person.id) for person in case.people}
    return {
        key: by_relation.get(value[1:], value)
        if isinstance(value, str) and value.startswith("@")
        else value
        for key, value in data.items()
    }
