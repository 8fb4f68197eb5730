"""The duplicate check: whether a child about to be recorded already has a case, under any
spelling or script, and what the caller may be told of it.

Candidates come from the `name_keys` index by digest; only their names and birth dates are
unsealed, and each is scored by `workflow.duplicates.matching`. A match names the agency that
holds the case, and the case itself only if the caller may see it (need-to-know); nothing else
of it leaves here. Bulk intake calls `possible_duplicates` per row as opening a case does.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit import recorder as audit
from workflow.access import fact_lists, facts_now, facts_of, visible_cases
from workflow.duplicates.keys import child_spec, name_specs, sought_digests
from workflow.duplicates.matching import SAME_CHILD, ChildSpec, child_score
from workflow.errors import PossibleDuplicate
from workflow.models import Agency, Case, NameKey, Person
from workflow.permissions import Caller, can_open_case, needs_to_know
from workflow.schemas import ChildIn
from workflow.sealing import data_keys
from workflow.vocabulary import Relation

MOST_CANDIDATES = 500  # a bound on what one check unseals, whatever the index returns


@dataclass(frozen=True)
class Match:
    """A recorded child that may be the one about to be recorded."""

    case_id: uuid.UUID
    reference: str
    agency: str
    visible: bool  # whether the caller may see the case, and so be told which it is
    score: float

    def shown(self) -> dict[str, Any]:
        """What the caller is told: the agency, and the case only if they may see it."""
        case = {"id": str(self.case_id), "reference": self.reference} if self.visible else None
        return {"agency": self.agency, "case": case}


def possible_duplicates(db: Session, child: ChildIn | ChildSpec, caller: Caller) -> list[Match]:
    """The recorded children who may be this one, the likeliest first."""
    spec = child if isinstance(child, ChildSpec) else child_spec(child)
    scored = [
        (person.case_id, score)
        for person in _candidates(db, spec)
        if (score := child_score(spec, _recorded(person))) >= SAME_CHILD
    ]
    return sorted(_matches(db, caller, dict(scored)), key=lambda match: -match.score)


def _candidates(db: Session, spec: ChildSpec) -> list[Person]:
    """The children who share a digest with this one, in open or closed cases not purged."""
    digests = sorted(sought_digests(data_keys(), spec.names))
    found = (
        select(NameKey.person_id)
        .where(NameKey.digest.in_(digests))
        .distinct()
        .limit(MOST_CANDIDATES)
        .scalar_subquery()
    )
    query = select(Person).join(Case).where(Person.id.in_(found), Case.purged_at.is_(None))
    return list(db.scalars(query.where(Person.relation == Relation.CHILD)))


def _recorded(person: Person) -> ChildSpec:
    return ChildSpec(
        names=name_specs(person.names),
        sex=person.sex.value if person.sex else None,
        birth_date=person.birth_date,
        precision=person.birth_precision,
    )


def _matches(db: Session, caller: Caller, scores: dict[uuid.UUID, float]) -> list[Match]:
    if not scores:
        return []
    seen = _visible(db, caller, list(scores))
    rows = db.execute(
        select(Case.id, Case.reference, Agency.name).join(Agency).where(Case.id.in_(scores))
    )
    return [Match(id, ref, agency, id in seen, scores[id]) for id, ref, agency in rows]


def _visible(db: Session, caller: Caller, case_ids: list[uuid.UUID]) -> set[uuid.UUID]:
    """Which of these cases the caller may see, by the rule that finding a case applies."""
    query = select(Case, *fact_lists()).where(
        Case.id.in_(case_ids), visible_cases(db, caller, one_case=True)
    )
    rows = db.execute(query, facts_now()).unique().all()
    return {row[0].id for row in rows if needs_to_know(caller, facts_of(row[0], tuple(row[1:])))}


def check_new_child(db: Session, caller: Caller, child: ChildIn, confirm_distinct: bool) -> None:
    """Refuse a child who may already have a case, unless the caller confirmed it is another;
    the trail keeps which cases matched and whether the caller went ahead."""
    if not can_open_case(caller):
        return  # the opening refuses them before anyone is told of another case
    matches = possible_duplicates(db, child, caller)
    if not matches:
        return
    # Extended, not replaced: a manifest's commit checks each of its rows in one request.
    audit.extend_detail(possible_duplicates=[str(match.case_id) for match in matches])
    audit.add_detail(confirm_distinct=confirm_distinct)
    if not confirm_distinct:
        raise PossibleDuplicate(
            "This child may already have a case. If it is another child, send the case again "
            'with "confirm_distinct": true.',
            {"matches": [match.shown() for match in matches]},
        )
