"""Case stories: sequences of steps the workflow allows, walked at random, shared by many cases."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from workflow.engine import initial_states
from workflow.rules.definition import Definition, FieldSpec, Track, Transition, unmet
from workflow.vocabulary import AgencyKind, Role

# Setbacks happen, but less often than progress.
SETBACKS = frozenset(
    {
        "refuse",
        "exclude",
        "report_inconclusive",
        "dismiss",
        "reject",
        "request_info",
        "assess_unsuitable",
        "deny",
        "require",
        "waive",
    }
)
SETBACK_WEIGHT, PROGRESS_WEIGHT = 1, 6
MEAN_STEPS, MAX_STEPS = 8, 40
REASONS = (
    "The mother's identity documents are not yet translated.",
    "The applicant has not shown the child's link to the mother.",
    "The court needs the original consular letter.",
)
# Placeholders the seeder replaces per case: people on the case and the step's own date.
MOTHER, GRANDMOTHER, ON_THE_DAY, LATER = "@mother", "@grandmother", "@on", "@later"


@dataclass(frozen=True)
class Step:
    """One transition of a story, with the performer's role and agency kind."""

    track: str
    action: str
    from_state: str
    to_state: str
    role: Role
    agency_kind: AgencyKind
    data: dict[str, Any]


@dataclass(frozen=True)
class Story:
    """Where a case's tracks stand after a sequence of allowed steps."""

    mother_in_country: bool
    steps: tuple[Step, ...]
    states: dict[str, str]
    complete: bool

    @property
    def filed_birth_registration(self) -> bool:
        return any(step.track == "birth_registration" for step in self.steps)


def write_stories(definition: Definition, count: int, rng: random.Random) -> list[Story]:
    """Stories for `count` imagined cases; about one in seven has the mother home."""
    return [walk(definition, rng, mother_in_country=rng.random() < 0.15) for _ in range(count)]


def walk(definition: Definition, rng: random.Random, *, mother_in_country: bool) -> Story:
    """Start from the initial states and take allowed steps at random, favouring progress."""
    states = initial_states(definition, [_mother(mother_in_country)])
    steps: list[Step] = []
    for _ in range(min(int(rng.expovariate(1 / MEAN_STEPS)), MAX_STEPS)):
        choices = allowed(definition, states)
        if not choices or not unmet(definition.complete_when, states):
            break
        track, transition = rng.choices(choices, [_weight(t) for _, t in choices])[0]
        steps.append(_step(track, transition, states[track.name], rng))
        states[track.name] = transition.to
    complete = not unmet(definition.complete_when, states)
    return Story(mother_in_country, tuple(steps), states, complete)


def allowed(definition: Definition, states: dict[str, str]) -> list[tuple[Track, Transition]]:
    """Every transition whose from-state and prerequisites the track states satisfy."""
    return [
        (track, transition)
        for track in definition.tracks
        for transition in track.transitions
        if states[track.name] in transition.from_ and not unmet(transition.requires, states)
    ]


def _mother(in_country: bool) -> dict[str, Any]:
    whereabouts = "in_country" if in_country else "camp_abroad"
    return {"relation": "mother", "alive": True, "whereabouts": whereabouts}


def _weight(transition: Transition) -> int:
    return SETBACK_WEIGHT if transition.action in SETBACKS else PROGRESS_WEIGHT


def _step(track: Track, transition: Transition, from_state: str, rng: random.Random) -> Step:
    performer = rng.choice(transition.performed_by)
    data = {name: _value(name, spec, rng) for name, spec in transition.fields.items()}
    return Step(
        track.name,
        transition.action,
        from_state,
        transition.to,
        performer.role,
        performer.agency_kind,
        data,
    )


def _value(name: str, spec: FieldSpec, rng: random.Random) -> Any:
    """A plausible value of one data field, with placeholders for people and dates."""
    if spec.kind == "person":
        return GRANDMOTHER if "guardian" in name else MOTHER
    if spec.kind == "date":
        return ON_THE_DAY if spec.past else LATER
    if name == "relationship":
        return "maternal grandmother"
    if spec.kind == "reason":
        return rng.choice(REASONS)
    if spec.kind == "choice":
        return rng.choice(spec.options or [""])
    if spec.kind == "number":
        return spec.maximum if spec.maximum is not None else spec.minimum
    if spec.kind == "text_list":
        return [f"S-{rng.randint(1000, 9999)}", f"S-{rng.randint(1000, 9999)}"]
    return f"{rng.randint(1, 9)}-{rng.randint(1000, 9999)}/2026"
