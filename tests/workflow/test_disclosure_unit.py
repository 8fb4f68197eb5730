"""Need-to-know inside a case, as a table over who asks and where the case stands:
workflow/disclosure.py read against the default workflow, without HTTP or a database."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from workflow.disclosure import EVERYTHING, NOTHING, Disclosure, disclosure
from workflow.permissions import Caller, CaseFacts
from workflow.rules.catalogue import BUILT_IN, read_file
from workflow.rules.definition import Definition
from workflow.vocabulary import AgencyKind, Role

DEFAULT = Definition.model_validate(read_file(Path(BUILT_IN / "default.yaml")))
NGO, AGENCY = uuid.uuid4(), uuid.uuid4()
START = {track.name: track.initial for track in DEFAULT.tracks}
WHERE, CONSENTS = "where people are", "consents"


def official(kind: AgencyKind) -> Caller:
    return Caller(uuid.uuid4(), Role.OFFICIAL, AGENCY, kind)


def facts(took: tuple[str, ...], waiting_on: frozenset[AgencyKind]) -> CaseFacts:
    """A case of the NGO's that waits on these kinds, where the agency took steps on `took`."""
    return CaseFacts(
        agency=NGO,
        waiting_on=waiting_on,
        handled_by=frozenset({AGENCY}) if took else frozenset(),
        steps_taken=frozenset((track, AGENCY) for track in took),
    )


# (agency kind, the case's tracks that differ from the start, the tracks it took a step on,
#  what it sees)
TABLE = [
    (AgencyKind.COURT, {"dna": "requested"}, (), {CONSENTS}),
    (AgencyKind.COURT, {"dna": "authorized"}, ("dna",), {CONSENTS}),
    (AgencyKind.COURT, {"guardianship": "assessed"}, (), {WHERE, CONSENTS}),
    (AgencyKind.FORENSIC_LAB, {"dna": "authorized"}, (), {CONSENTS}),
    (AgencyKind.CIVIL_REGISTRY, {"birth_registration": "filed"}, (), set()),
    (AgencyKind.GUARDIANSHIP_AUTHORITY, {"guardianship": "petition_filed"}, (), {WHERE, CONSENTS}),
    (
        AgencyKind.GUARDIANSHIP_AUTHORITY,
        {"guardianship": "assessed"},
        ("guardianship",),
        {WHERE, CONSENTS},
    ),
    (AgencyKind.CITIZENSHIP_AUTHORITY, {"citizenship": "filed"}, (), set()),
    # A case that reached the agency on another track shows it nothing the track rests on.
    (AgencyKind.FORENSIC_LAB, {"guardianship": "assessed"}, ("dna",), {CONSENTS}),
]


@pytest.mark.parametrize(("kind", "states", "took", "sees"), TABLE)
def test_an_official_sees_what_the_tracks_it_works_rest_on(
    kind: AgencyKind, states: dict[str, str], took: tuple[str, ...], sees: set[str]
) -> None:
    case = {**START, **states}
    waiting = frozenset(k for name, state in case.items() for k in waits_on(name, state))
    shown = disclosure(official(kind), facts(took, waiting), DEFAULT, case)
    assert seen(shown) == sees
    worked = {name for name, state in states.items() if kind in waits_on(name, state)}
    assert shown.tracks == frozenset(worked | set(took))
    assert not shown.every_step


def waits_on(track: str, state: str) -> set[AgencyKind]:
    found = DEFAULT.track(track)
    assert found is not None
    return found.waiting_on(state)


def seen(shown: Disclosure) -> set[str]:
    return {
        part for part, on in ((WHERE, shown.where_people_are), (CONSENTS, shown.consents)) if on
    }


def test_the_lawyer_working_the_case_sees_all_and_a_reader_through_the_glass_none() -> None:
    lawyer = Caller(uuid.uuid4(), Role.LAWYER, NGO, AgencyKind.NGO)
    assert (
        disclosure(lawyer, CaseFacts(agency=NGO, assigned=frozenset({lawyer.id})), DEFAULT, START)
        == EVERYTHING
    )
    reader = official(AgencyKind.COURT)
    through_glass = CaseFacts(agency=NGO, break_glass=frozenset({reader.id}))
    assert disclosure(reader, through_glass, DEFAULT, {**START, "dna": "requested"}) == NOTHING


def test_a_step_taken_by_another_agency_of_the_kind_takes_the_case_from_this_one() -> None:
    other = uuid.uuid4()
    taken = CaseFacts(
        agency=NGO,
        waiting_on=frozenset({AgencyKind.COURT}),
        routes=((AgencyKind.COURT, other),),
    )
    shown = disclosure(official(AgencyKind.COURT), taken, DEFAULT, {**START, "dna": "requested"})
    assert not shown.consents and not shown.tracks


def test_an_official_sees_the_data_of_its_own_steps_and_of_the_tracks_it_works() -> None:
    shown = disclosure(official(AgencyKind.COURT), facts(("dna",), frozenset()), DEFAULT, START)
    assert shown.step_data("dna", uuid.uuid4())  # the lawyer's request: which relative is tested
    assert shown.step_data("guardianship", AGENCY)  # a step of its own
    assert not shown.step_data("guardianship", uuid.uuid4())
    assert not shown.redacted().where_people_are and EVERYTHING.redacted().consents


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.ADMIN])
def test_auditors_and_administrators_see_no_part_of_a_case(role: Role) -> None:
    everyone_waits = CaseFacts(agency=NGO, waiting_on=frozenset(AgencyKind))
    asker = Caller(uuid.uuid4(), role, AGENCY, AgencyKind.OMBUDSMAN)
    assert (
        disclosure(asker, everyone_waits, DEFAULT, {**START, "guardianship": "assessed"}) == NOTHING
    )


def test_a_closed_case_shows_an_agency_only_what_its_own_steps_rested_on() -> None:
    closed = facts(("dna",), frozenset())  # it authorised the test; closed, it waits on nobody
    case = {**START, "dna": "authorized", "guardianship": "assessed"}
    shown = disclosure(official(AgencyKind.COURT), closed, DEFAULT, case)
    assert seen(shown) == {CONSENTS} and shown.tracks == {"dna"}
