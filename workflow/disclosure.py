"""Need-to-know inside a case: which of its sensitive parts a caller's work on it rests on.

The API's answers, the case page and the forms all ask `disclosure` what to show, so that no
front end shows a role more than another does. Lawyers working the case see all of it. An
official sees what the tracks they work on this case rest on, read from the workflow itself:
where people are (the child's residence, the relatives' whereabouts) when the track's starting
rules turn on it, the consents when one of the track's steps needs a consent or a consent letter,
and the data of the steps of those tracks. External references (ICRC, UNHCR, camp and
repatriation-list numbers) only the case's lawyers see. A reader who came in through break-glass
sees none.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace

from workflow.models import Case
from workflow.permissions import Caller, CaseFacts, opened_by_break_glass, works_case
from workflow.rules.catalogue import definition_of
from workflow.rules.definition import Definition, Track, conditions
from workflow.vocabulary import EvidenceKind, Role


@dataclass(frozen=True)
class Disclosure:
    """The sensitive parts of one case that one caller may see."""

    where_people_are: bool = False  # the child's residence and each relative's whereabouts
    consents: bool = False  # who consented to what
    # Identifiers from ICRC, UNHCR, camps and repatriation lists: they lead to the child outside
    # Homeward, and no official's step rests on them, so only the case's lawyers see them.
    external_references: bool = False
    every_step: bool = False  # the data, evidence and note of every step taken
    # The child's name and birth date as registered, with their bases and earlier versions.
    registered_particulars: bool = False
    tracks: frozenset[str] = frozenset()  # tracks whose steps' data the caller sees
    agency: uuid.UUID | None = None  # the caller's agency, which sees the data of its own steps

    def step_data(self, track: str, agency: uuid.UUID) -> bool:
        """The data, evidence and note of a step on this track, taken by this agency."""
        return self.every_step or track in self.tracks or agency == self.agency

    def redacted(self) -> Disclosure:
        """The same, less where people are: what a redacted form may print."""
        return replace(self, where_people_are=False)


EVERYTHING = Disclosure(
    where_people_are=True,
    consents=True,
    external_references=True,
    every_step=True,
    registered_particulars=True,
)
NOTHING = Disclosure()


def case_disclosure(case: Case, caller: Caller, facts: CaseFacts) -> Disclosure:
    """What of this case the caller may see, by the workflow version it was opened on."""
    states = {track.track: track.state for track in case.tracks}
    return disclosure(caller, facts, definition_of(case.workflow), states)


def disclosure(
    caller: Caller, facts: CaseFacts, definition: Definition, states: dict[str, str]
) -> Disclosure:
    """What of the case (its tracks in `states`) the caller's work on it rests on."""
    if opened_by_break_glass(caller, facts):
        return NOTHING
    if caller.role is Role.LAWYER and works_case(caller, facts):
        return EVERYTHING
    if caller.role is not Role.OFFICIAL:
        return NOTHING
    worked = [definition.track(name) for name in worked_tracks(caller, facts, definition, states)]
    shown = _resting_on([track for track in worked if track], caller.agency_id)
    registered = any(rests_on_registration(definition, track) for track in shown.tracks)
    return replace(shown, registered_particulars=registered)


def worked_tracks(
    caller: Caller, facts: CaseFacts, definition: Definition, states: dict[str, str]
) -> set[str]:
    """The case's tracks that wait on the caller's agency now, or on which it took a step."""
    waiting = {
        name
        for name, state in states.items()
        if (track := definition.track(name)) and caller.agency_kind in track.waiting_on(state)
    }
    # A closed case waits on nobody, and one another agency of the kind took is not ours.
    if caller.agency_kind not in facts.waiting_on or not facts.open_to(caller):
        waiting = set()
    took = {track for track, agency in facts.steps_taken if agency == caller.agency_id}
    return waiting | took


def _resting_on(tracks: list[Track], agency: uuid.UUID) -> Disclosure:
    # A court deciding on a DNA test must see which relative is to be tested: the data of every
    # step of a track it works on, not only of its own.
    return Disclosure(
        where_people_are=any(turns_on_where_people_are(track) for track in tracks),
        consents=any(needs_consents(track) for track in tracks),
        tracks=frozenset(track.name for track in tracks),
        agency=agency,
    )


def turns_on_where_people_are(track: Track) -> bool:
    """The track starts one way or another by where the case's people are."""
    return any(rule.any_person.whereabouts for rule in track.initial_when)


def needs_consents(track: Track) -> bool:
    """A step of the track needs a consent in force, or a consent letter attached."""
    return any(
        transition.consents or EvidenceKind.CONSENT in transition.evidence_kinds
        for transition in track.transitions
    )


def rests_on_registration(definition: Definition, name: str) -> bool:
    """The track registers the child's particulars, or one of its steps requires a track that
    does (citizenship is granted to the child as registered)."""
    registering = {
        track.name for track in definition.tracks if any(t.particulars for t in track.transitions)
    }
    track = definition.track(name)
    required = {
        condition.track
        for transition in (track.transitions if track else [])
        for condition in conditions(transition.requires)
    }
    return name in registering or bool(required & registering)
