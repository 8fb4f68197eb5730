"""The child's particulars as registered: name and birth date, each with its basis, set by the
case's lawyer before registration and corrected after it only by an amendment the civil registry
approves. Every version is kept (`RegisteredParticulars`); what a step does to them is data in
the workflow definition (a transition's `particulars`)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from workflow.db import utcnow
from workflow.driver_statements import for_driver
from workflow.errors import WrongState, field_problem
from workflow.models import Case, RegisteredParticulars
from workflow.permissions import Caller
from workflow.rules.definition import PARTICULARS_FIELDS, Definition, Transition
from workflow.vocabulary import ParticularsBasis, ParticularsStanding

Standing = ParticularsStanding
# Each value that needs a basis, and the field naming that basis.
BASIS_OF = {
    "given_name": "name_basis",
    "family_name": "name_basis",
    "birth_date": "birth_date_basis",
}


# Built once: every lawyer's case read asks it.
VERSIONS = (
    select(RegisteredParticulars)
    .where(RegisteredParticulars.case_id == bindparam("case"))
    .order_by(RegisteredParticulars.recorded_at, RegisteredParticulars.id)
)


# The same as rows, for showing: a read builds no objects it would never change.
SHOWN_VERSIONS = VERSIONS.with_only_columns(*RegisteredParticulars.__table__.columns)


def versions(db: Session, case: Case) -> list[RegisteredParticulars]:
    """Every version of the case's registered particulars, oldest first."""
    return list(db.scalars(VERSIONS, {"case": case.id}).all())


def current(db: Session, case: Case) -> RegisteredParticulars | None:
    """The version in force (or to be registered), if any was set."""
    return next((v for v in versions(db, case) if v.standing is Standing.CURRENT), None)


def follow_step(
    db: Session, caller: Caller, case: Case, transition: Transition, data: dict[str, Any]
) -> None:
    """Do to the registered particulars what the step's definition says it does."""
    given = {name: value for name, value in data.items() if name in PARTICULARS_FIELDS}
    if transition.particulars == "set" and given:
        _record(db, caller, case, given, Standing.CURRENT)
    elif transition.particulars == "propose":
        if not given:
            raise field_problem("data", "nothing_to_amend", "Give the corrected particulars.")
        _record(db, caller, case, given, Standing.PROPOSED)
    elif transition.particulars == "apply":
        _decide(db, case, Standing.CURRENT)
    elif transition.particulars == "refuse":
        _decide(db, case, Standing.REFUSED)


def set_before_registration(
    db: Session, caller: Caller, case: Case, definition: Definition, given: dict[str, Any]
) -> None:
    """Set the particulars to register, as a change of its own; once registered, only an
    amendment changes them."""
    if is_registered(definition, case.track_states()):
        raise WrongState(
            "The birth is registered; file an amendment to correct its particulars.",
            {"registered": True},
        )
    if not given:
        raise field_problem("registered", "nothing_to_set", "Give the particulars to register.")
    _record(db, caller, case, given, Standing.CURRENT)


def is_registered(definition: Definition, states: dict[str, str]) -> bool:
    """A track that proposes amendments stands where one could be filed, or one is under way."""
    for track in definition.tracks:
        state = states.get(track.name)
        if state is None or state not in track.state_names:
            continue
        standing = {state, track.state(state).counts_as}
        if any(t.particulars == "propose" and standing & set(t.from_) for t in track.transitions):
            return True
    return False


def _record(
    db: Session, caller: Caller, case: Case, given: dict[str, Any], standing: Standing
) -> None:
    """A new version: the one in force with the given values over it, each with its basis."""
    _ensure_bases(given)
    now, before = utcnow(), current(db, case)
    version = RegisteredParticulars(
        case_id=case.id, standing=standing, recorded_at=now, recorded_by_id=caller.id
    )
    for name in PARTICULARS_FIELDS:
        _copy(version, name, getattr(before, _column(name)) if before else None)
    for name, value in given.items():
        _copy(version, name, value)
    if before is not None and standing is Standing.CURRENT and _same(version, before):
        return  # nothing changes: no new version, and no form issued on these values overtaken
    if before is not None and standing is Standing.CURRENT:
        before.standing, before.decided_at = Standing.SUPERSEDED, now
    db.add(version)
    db.flush()


def _same(version: RegisteredParticulars, other: RegisteredParticulars) -> bool:
    return all(
        getattr(version, _column(name)) == getattr(other, _column(name))
        for name in PARTICULARS_FIELDS
    )


def _decide(db: Session, case: Case, outcome: Standing) -> None:
    """The registry's decision on the amendment under way: applied, or refused."""
    proposed = next((v for v in versions(db, case) if v.standing is Standing.PROPOSED), None)
    if proposed is None:
        raise WrongState("There is no amendment waiting for a decision.", {"amendment": None})
    now, before = utcnow(), current(db, case)
    if outcome is Standing.CURRENT and before is not None:
        before.standing, before.decided_at = Standing.SUPERSEDED, now
    proposed.standing, proposed.decided_at = outcome, now
    db.flush()


def _ensure_bases(given: dict[str, Any]) -> None:
    """A name or a date to register names what it rests on."""
    for name, basis in BASIS_OF.items():
        if given.get(name) is not None and given.get(basis) is None:
            raise field_problem(
                f"data.{basis}", "missing", "Say what the registered value rests on."
            )


def _copy(version: RegisteredParticulars, name: str, value: Any) -> None:
    column = _column(name)
    if name.endswith("_basis") and isinstance(value, str):
        value = ParticularsBasis(value)
    elif name == "birth_date" and isinstance(value, str):
        value = date.fromisoformat(value)
    elif name == "father" and isinstance(value, str):
        value = uuid.UUID(value)
    setattr(version, column, value)


def _column(name: str) -> str:
    return "father_id" if name == "father" else name


def version_json(version: Any) -> dict[str, Any]:
    """One version as the API shows it to those who may see the child's particulars."""
    return {
        "standing": version.standing.value,
        "given_name": version.given_name,
        "family_name": version.family_name,
        "patronymic": version.patronymic,
        "name_basis": _value(version.name_basis),
        "name_basis_reference": version.name_basis_reference,
        "birth_date": version.birth_date.isoformat() if version.birth_date else None,
        "birth_date_basis": _value(version.birth_date_basis),
        "birth_date_basis_reference": version.birth_date_basis_reference,
        "father": str(version.father_id) if version.father_id else None,
        "recorded_at": _iso(version.recorded_at),
        "decided_at": _iso(version.decided_at) if version.decided_at else None,
    }


def particulars_json(db: Session, case: Case) -> dict[str, Any]:
    """The version in force, the amendment under way, and the earlier and refused versions."""
    db.flush()  # read past the session: what it holds must be in the database first
    connection = db.connection()
    every = for_driver(SHOWN_VERSIONS, connection.dialect).rows(connection, {"case": case.id})
    decided = (Standing.SUPERSEDED, Standing.REFUSED)
    return {
        "current": _first(every, Standing.CURRENT),
        "proposed": _first(every, Standing.PROPOSED),
        "earlier": [version_json(v) for v in every if v.standing in decided],
    }


def _first(every: Sequence[Any], standing: Standing) -> dict[str, Any] | None:
    return next((version_json(v) for v in every if v.standing is standing), None)


def _value(basis: ParticularsBasis | None) -> str | None:
    return basis.value if basis else None


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")
