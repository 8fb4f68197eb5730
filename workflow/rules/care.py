"""Children without parental care: whose consent a step can ask, and who may be a guardian."""

from __future__ import annotations

from typing import Annotated, Any, Literal, get_args

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from workflow.errors import InvalidInput
from workflow.models import Case, Person
from workflow.rules.definition import PersonMatch, Transition
from workflow.rules.languages import a_country
from workflow.text import clean_line

# Written in the step's history when its consent was not asked: why, in words of the rule only.
CONSENT_NOT_REQUIRED = "consent_not_required"
NOBODY_ALIVE_AND_REACHABLE = "nobody_alive_and_reachable"


InstitutionKind = Literal["childrens_home", "infant_home", "family_type_home", "boarding_school"]
INSTITUTION_KINDS: tuple[str, ...] = get_args(InstitutionKind)


class Institution(BaseModel):
    """A guardian that is not a person: a children's home or another care institution."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(min_length=1, max_length=200), AfterValidator(clean_line)]
    kind: InstitutionKind
    country: Annotated[
        str,
        Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2"),
        AfterValidator(a_country),
    ]


def matches(rule: PersonMatch, person: dict[str, Any]) -> bool:
    """Someone's facts (relation, alive, whereabouts) match a rule of the definition."""
    return (
        person.get("relation") in rule.relation
        and (rule.alive is None or person.get("alive") is rule.alive)
        and (rule.whereabouts is None or person.get("whereabouts") in rule.whereabouts)
    )


def facts_of(person: Person) -> dict[str, Any]:
    """What the definition's rules read of someone on the case."""
    whereabouts = person.whereabouts.value if person.whereabouts else None
    return {"relation": person.relation.value, "alive": person.alive, "whereabouts": whereabouts}


def consent_waived(case: Case, transition: Transition) -> bool:
    """The step asks consent only of someone alive and reachable, and nobody on the case is."""
    rule = transition.consent_when
    if rule is None:
        return False
    return not any(matches(rule, facts_of(person)) for person in case.relatives)


def may_consent(transition: Transition, person: Person) -> bool:
    """The step asks this person's consent: it names no rule, or they match it."""
    rule = transition.consent_when
    return rule is None or matches(rule, facts_of(person))


def consent_note(case: Case, transition: Transition) -> dict[str, str]:
    """What the step's history keeps when its consent was not asked; nothing otherwise."""
    if consent_waived(case, transition):
        return {CONSENT_NOT_REQUIRED: NOBODY_ALIVE_AND_REACHABLE}
    return {}


def ensure_one_of(transition: Transition, data: dict[str, Any]) -> None:
    """The step names exactly one of its `one_of` fields (a person or an institution)."""
    if not transition.one_of:
        return
    given = [name for name in transition.one_of if data.get(name) is not None]
    if len(given) != 1:
        raise InvalidInput(
            "The request has invalid or missing fields.",
            [
                {
                    "field": f"data.{name}",
                    "problem": "name_exactly_one",
                    "message": f"Name exactly one of: {', '.join(transition.one_of)}.",
                }
                for name in transition.one_of
            ],
        )
