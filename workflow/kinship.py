"""Kinship steps beyond their own data: the relatives a step names, the threshold a result must
reach for the relationship tested, and the reference sample a step keeps or finds held.

Each value a step needs may be in its own data or, failing that, in what the track's latest
step with that field recorded (`earlier`): the court accepting a foreign result reads the
laboratory's probability as the lawyer recorded it. No database here: the caller reads it.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from workflow.errors import InvalidInput
from workflow.rules.definition import Track, Transition
from workflow.rules.extras import Threshold
from workflow.text import as_uuid

Earlier = Mapping[tuple[str, str], Any]  # (track, field) -> the latest value recorded


def value_of(track: Track, field: str, data: Mapping[str, Any], earlier: Earlier) -> Any:
    """The field's value in this step's data, or else as the track's latest step recorded it."""
    return data[field] if field in data else earlier.get((track.name, field))


def is_relatives(track: Track, field: str | None) -> bool:
    """The field is a list of relatives, in whichever step of the track has it."""
    return any(
        spec.kind == "relatives"
        for transition in track.transitions
        for name, spec in transition.fields.items()
        if name == field
    )


def people_in(relatives: Any) -> list[uuid.UUID]:
    """The people a relatives value names, in order; anything malformed names nobody."""
    people = []
    for relative in relatives if isinstance(relatives, list) else []:
        try:
            people.append(uuid.UUID(str(relative["person"])))
        except (KeyError, TypeError, ValueError):
            continue
    return people


def ensure_threshold(
    track: Track, transition: Transition, data: dict[str, Any], earlier: Earlier
) -> None:
    """Refuse a result below the threshold of the relationship tested, naming both but never
    the result itself."""
    threshold = transition.threshold
    if threshold is None:
        return
    value = value_of(track, threshold.value, data, earlier)
    tested = relationships(value_of(track, threshold.by, data, earlier))
    minimum, relationship = required_minimum(threshold, tested)
    if isinstance(value, int | float) and value >= minimum:
        return
    raise InvalidInput(
        "The result does not reach the threshold of the relationship tested.",
        [
            {
                "field": f"data.{threshold.value}" if threshold.value in data else threshold.value,
                "problem": "below_threshold",
                "threshold": minimum,
                "relationship": relationship,
                "message": f"The threshold for {relationship} is {minimum}.",
            }
        ],
    )


def required_minimum(threshold: Threshold, relationships: list[str]) -> tuple[float, str]:
    """The strictest minimum of the relationships tested, and whose it is: a test of a mother
    and a grandmother together proves no less than maternity needs. None known: the strictest."""
    known = [(threshold.minimum[r], r) for r in relationships if r in threshold.minimum]
    if not known:
        known = [(minimum, r) for r, minimum in threshold.minimum.items()]
    return max(known, key=lambda pair: pair[0])


def relationships(value: Any) -> list[str]:
    """The relationships a choice or a relatives value names."""
    if isinstance(value, str):
        return [value]
    items = value if isinstance(value, list) else []
    return [str(item.get("relationship")) for item in items if isinstance(item, dict)]


def keep_or_find_sample(
    track: Track,
    transition: Transition,
    data: dict[str, Any],
    named: Mapping[tuple[str, str], uuid.UUID],
    held: Mapping[uuid.UUID, str],
) -> dict[str, Any]:
    """The step's data with the reference sample: the one given, or else the one already held
    for the person, if any."""
    kept = transition.keeps_sample
    if kept is None or kept.sample in data:
        return data
    person = sample_person(track, transition, data, named)
    sample = held.get(person) if person else None
    if sample is None:  # none held, none given: the samples are all in the step's list
        return data
    return {**data, kept.sample: sample}


def sample_person(
    track: Track,
    transition: Transition,
    data: Mapping[str, Any],
    named: Mapping[tuple[str, str], uuid.UUID],
) -> uuid.UUID | None:
    """Whose reference sample the step records, if it keeps one."""
    kept = transition.keeps_sample
    if kept is None:
        return None
    return as_uuid(data.get(kept.of)) or named.get((track.name, kept.of))
