"""Rows for many cases at once: the child, mother and grandmother, tracks, history, lawyers, the
agency of each kind that has taken the case, the case's rows in the lists' index, and the child's
digests for the duplicate check (as opening a case stores them)."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from bench.names import FAMILIES, Name, child_names, woman_names
from bench.stories import GRANDMOTHER, LATER, MOTHER, ON_THE_DAY, Story
from workflow.duplicates.keys import stored_digests
from workflow.duplicates.matching import NameSpec
from workflow.listings import ListedCase, entries
from workflow.references import new_reference
from workflow.rules.definition import Definition
from workflow.sealing import data_keys
from workflow.vocabulary import (
    AgencyKind,
    CaseStatus,
    DatePrecision,
    Relation,
    Role,
    Sex,
    Whereabouts,
)

YEAR = timedelta(days=365)
LOCALITIES = {"SY": ("Raqqa", "Al-Hol", "Deir ez-Zor", "Idlib"), "IQ": ("Mosul", "Tal Afar")}
RESIDENCES = (
    "With the grandmother, Almaty region",
    "Rehabilitation centre, Aktau",
    "With an aunt, Shymkent",
)
ABROAD = (Whereabouts.CAMP_ABROAD, Whereabouts.DETAINED_ABROAD, Whereabouts.DECEASED)


@dataclass(frozen=True)
class Account:
    """A user who appears in seeded rows."""

    id: uuid.UUID
    agency_id: uuid.UUID


@dataclass(frozen=True)
class Cast:
    """Who works the seeded cases: lawyers by share of the caseload, one official per kind."""

    workflow_id: int
    definition: Definition
    lawyers: list[Account]
    shares: list[float]
    colleagues: dict[uuid.UUID, list[Account]]
    officials: dict[AgencyKind, Account]


@dataclass
class Batch:
    """The rows of a few thousand cases, table by table."""

    cases: list[dict[str, Any]] = field(default_factory=list)
    people: list[dict[str, Any]] = field(default_factory=list)
    case_people: list[dict[str, Any]] = field(default_factory=list)
    person_names: list[dict[str, Any]] = field(default_factory=list)
    name_keys: list[dict[str, Any]] = field(default_factory=list)
    track_states: list[dict[str, Any]] = field(default_factory=list)
    transition_history: list[dict[str, Any]] = field(default_factory=list)
    assignments: list[dict[str, Any]] = field(default_factory=list)
    case_routes: list[dict[str, Any]] = field(default_factory=list)
    case_handlers: list[dict[str, Any]] = field(default_factory=list)
    case_listings: list[dict[str, Any]] = field(default_factory=list)

    def tables(self) -> dict[str, list[dict[str, Any]]]:
        """Rows by table name, parents before children."""
        return dict(vars(self))


def add_case(batch: Batch, story: Story, cast: Cast, now: datetime, rng: random.Random) -> None:
    """Append one case's rows: opened some time in the last year, then the story's steps."""
    case_id = uuid.uuid4()
    lawyer = rng.choices(cast.lawyers, cast.shares)[0]
    opened = now - YEAR * rng.random()
    times = sorted(opened + (now - opened) * rng.random() for _ in story.steps)
    people = _add_people(batch, case_id, story, rng)
    handlers = _add_history(batch, case_id, story, times, people, lawyer, cast)
    tracks = _add_tracks(batch, case_id, story, times, opened)
    assigned = _add_assignments(batch, case_id, lawyer, cast, rng, opened)
    routes = _add_routes(batch, case_id, story, cast)
    status = CaseStatus.COMPLETE if story.complete else CaseStatus.OPEN
    updated_at = times[-1] if times else opened
    batch.cases.append(
        {
            "id": case_id,
            "reference": new_reference(),
            "workflow_id": cast.workflow_id,
            "status": status,
            "closure_reason": None,
            "version": 1 + len(story.steps),
            "created_at": opened,
            "updated_at": updated_at,
            "opened_by_id": lawyer.id,
            "agency_id": lawyer.agency_id,
        }
    )
    listed = ListedCase(
        case_id,
        cast.definition,
        status,
        updated_at,
        False,
        tracks,
        routes,
        assigned,
        handlers,
        opened_at=opened,
    )
    batch.case_listings += entries(listed)


def _add_people(
    batch: Batch, case_id: uuid.UUID, story: Story, rng: random.Random
) -> dict[str, uuid.UUID]:
    family = rng.choice(FAMILIES)
    female = rng.random() < 0.5
    child = _person(case_id, 0, Relation.CHILD, _child_particulars(story, female, rng))
    mother = _person(case_id, 1, Relation.MOTHER, _mother_particulars(story, rng))
    grandmother = _person(case_id, 2, Relation.GRANDMOTHER, _grandmother_particulars(rng))
    batch.people += [child, mother, grandmother]
    batch.case_people += [
        {"case_id": case_id, "person_id": person["id"], "position": person["position"]}
        for person in (child, mother, grandmother)
    ]
    names = child_names(rng, female, family)
    _add_names(batch, case_id, child["id"], names)
    _add_name_keys(batch, case_id, child["id"], names)
    _add_names(batch, case_id, mother["id"], woman_names(rng, family, rng.choice((1, 2))))
    _add_names(batch, case_id, grandmother["id"], woman_names(rng, rng.choice(FAMILIES), 1))
    return {MOTHER: mother["id"], GRANDMOTHER: grandmother["id"]}


def _person(
    case_id: uuid.UUID, position: int, relation: Relation, particulars: dict[str, Any]
) -> dict[str, Any]:
    blank = dict.fromkeys(
        ("sex", "birth_date", "birth_precision", "birth_country", "birth_locality"),
    )
    extra = dict.fromkeys(("citizenship", "alive", "whereabouts", "languages", "residence"))
    row = {"id": uuid.uuid4(), "case_id": case_id, "position": position, "relation": relation}
    return {**row, **blank, **extra, **particulars}


def _child_particulars(story: Story, female: bool, rng: random.Random) -> dict[str, Any]:
    country = rng.choices(("SY", "IQ"), (7, 3))[0]
    born = date(2010, 1, 1) + timedelta(days=rng.randrange(13 * 365))
    # Some children whose birth was never filed still lack a known birth date.
    unknown_birth = not story.filed_birth_registration and rng.random() < 0.2
    return {
        "sex": Sex.FEMALE if female else Sex.MALE,
        "birth_date": None if unknown_birth else born,
        "birth_precision": None if unknown_birth else _precision(rng),
        "birth_country": country,
        "birth_locality": rng.choice(LOCALITIES[country]),
        "languages": rng.choice((["kk", "ar"], ["ru", "ar"], ["kk"])),
        "residence": rng.choice(RESIDENCES),
    }


def _precision(rng: random.Random) -> DatePrecision:
    kinds = (DatePrecision.EXACT, DatePrecision.MONTH, DatePrecision.YEAR, DatePrecision.ESTIMATED)
    return rng.choices(kinds, (4, 1, 4, 1))[0]


def _mother_particulars(story: Story, rng: random.Random) -> dict[str, Any]:
    whereabouts = Whereabouts.IN_COUNTRY if story.mother_in_country else rng.choice(ABROAD)
    return {
        "sex": Sex.FEMALE,
        "birth_date": date(rng.randint(1980, 2000), 1, 1),
        "birth_precision": DatePrecision.YEAR,
        "citizenship": "KZ",
        "alive": whereabouts is not Whereabouts.DECEASED,
        "whereabouts": whereabouts,
    }


def _grandmother_particulars(rng: random.Random) -> dict[str, Any]:
    return {
        "sex": Sex.FEMALE,
        "birth_date": date(rng.randint(1950, 1970), 1, 1),
        "birth_precision": DatePrecision.YEAR,
        "citizenship": "KZ",
        "alive": True,
        "whereabouts": Whereabouts.IN_COUNTRY,
    }


def _add_names(batch: Batch, case_id: uuid.UUID, person_id: uuid.UUID, names: list[Name]) -> None:
    batch.person_names += [
        {
            "person_id": person_id,
            "case_id": case_id,
            "position": position,
            "script": name.script,
            "given": name.given,
            "family": name.family,
            "patronymic": None,
            "search_key": name.search_key,
        }
        for position, name in enumerate(names)
    ]


def _add_name_keys(
    batch: Batch, case_id: uuid.UUID, person_id: uuid.UUID, names: list[Name]
) -> None:
    spelled = [NameSpec(name.given, name.family) for name in names]
    batch.name_keys += [
        {"person_id": person_id, "case_id": case_id, "digest": digest}
        for digest in sorted(stored_digests(data_keys(), spelled))
    ]


def _add_history(
    batch: Batch,
    case_id: uuid.UUID,
    story: Story,
    times: list[datetime],
    people: dict[str, uuid.UUID],
    lawyer: Account,
    cast: Cast,
) -> dict[uuid.UUID, AgencyKind]:
    """Append the story's steps, and each agency that took one with the tracks it took them on;
    return the agencies, with their kinds."""
    handlers: dict[uuid.UUID, AgencyKind] = {}
    tracks: dict[tuple[uuid.UUID, str], None] = {}
    for step, at in zip(story.steps, times, strict=True):
        actor = lawyer if step.role == "lawyer" else cast.officials[step.agency_kind]
        handlers[actor.agency_id] = AgencyKind.NGO if step.role == "lawyer" else step.agency_kind
        tracks[actor.agency_id, step.track] = None
        batch.transition_history.append(
            {
                "case_id": case_id,
                "track": step.track,
                "action": step.action,
                "from_state": step.from_state,
                "to_state": step.to_state,
                "actor_id": actor.id,
                "agency_id": actor.agency_id,
                "at": at,
                "data": _resolve(step.data, people, at),
                "evidence_ids": [],
                "note": None,
            }
        )
    batch.case_handlers += [
        {"case_id": case_id, "agency_id": agency, "track": track} for agency, track in tracks
    ]
    return handlers


def _resolve(data: dict[str, Any], people: dict[str, uuid.UUID], at: datetime) -> dict[str, Any]:
    """Replace the story's placeholders with this case's people and dates."""
    values: dict[str, Any] = {
        **{key: str(value) for key, value in people.items()},
        ON_THE_DAY: at.date().isoformat(),
        LATER: (at + timedelta(days=180)).date().isoformat(),
    }
    return {
        key: values.get(value, value) if isinstance(value, str) else value
        for key, value in data.items()
    }


def _add_tracks(
    batch: Batch, case_id: uuid.UUID, story: Story, times: list[datetime], opened: datetime
) -> dict[str, tuple[str, datetime]]:
    """Append the track states; return each as (state, since)."""
    since = dict.fromkeys(story.states, opened)
    for step, at in zip(story.steps, times, strict=True):
        since[step.track] = at
    batch.track_states += [
        {"case_id": case_id, "track": track, "state": state, "since": since[track]}
        for track, state in story.states.items()
    ]
    return {track: (state, since[track]) for track, state in story.states.items()}


def _add_routes(
    batch: Batch, case_id: uuid.UUID, story: Story, cast: Cast
) -> dict[AgencyKind, uuid.UUID]:
    """The first agency of each kind to act on the case has taken it."""
    kinds = dict.fromkeys(step.agency_kind for step in story.steps if step.role is Role.OFFICIAL)
    routes = {kind: cast.officials[kind].agency_id for kind in kinds}
    batch.case_routes += [
        {"case_id": case_id, "agency_kind": kind, "agency_id": agency}
        for kind, agency in routes.items()
    ]
    return routes


def _add_assignments(
    batch: Batch,
    case_id: uuid.UUID,
    lawyer: Account,
    cast: Cast,
    rng: random.Random,
    opened: datetime,
) -> frozenset[uuid.UUID]:
    """Assign the lawyer, and one case in ten a colleague too; return who."""
    assigned = [lawyer]
    colleagues = cast.colleagues[lawyer.id]
    if colleagues and rng.random() < 0.1:
        assigned.append(rng.choice(colleagues))
    batch.assignments += [_assignment(case_id, each, lawyer, opened) for each in assigned]
    return frozenset(each.id for each in assigned)


def _assignment(case_id: uuid.UUID, lawyer: Account, by: Account, at: datetime) -> dict[str, Any]:
    return {"case_id": case_id, "user_id": lawyer.id, "assigned_at": at, "assigned_by_id": by.id}
