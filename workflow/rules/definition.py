"""The workflow definition: tracks, states and transitions, validated when loaded."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from functools import cached_property
from typing import Annotated, Any, Literal, TypeVar, Union, cast

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    StrictBool,
    model_serializer,
    model_validator,
)

from workflow.rules.extras import KeptSample, Threshold, check_extras
from workflow.rules.languages import LanguageTag
from workflow.vocabulary import (
    AgencyKind,
    CaseStatus,
    ConsentPurpose,
    EvidenceKind,
    Relation,
    Role,
    Whereabouts,
)

Name = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
CASE_CHECKS = frozenset({"child_particulars_complete"})
# What a step does to the child's particulars as registered (`workflow.particulars`).
ParticularsEffect = Literal["set", "propose", "apply", "refuse"]
# The effects of a step that amends the registered particulars or decides on an amendment.
AMENDING: frozenset[ParticularsEffect] = frozenset({"propose", "apply", "refuse"})
# The data fields a step that sets or proposes them carries them in.
PARTICULARS_FIELDS = frozenset(
    {
        "given_name",
        "family_name",
        "patronymic",
        "name_basis",
        "name_basis_reference",
        "birth_date",
        "birth_date_basis",
        "birth_date_basis_reference",
        "father",
    }
)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


# Keys added after definitions were first stored: left out of a body while at their default, so
# that a definition which does not use them keeps the digest it was stored under.
ADDED_KEYS: dict[str, Any] = {
    "counts_as": None,
    "leaves_final": False,
    "particulars": None,
    "enabled": True,
    "consent_when": None,
    "one_of": [],
    "threshold": None,
    "keeps_sample": None,
    "evidence_translated_into": [],
}


class Dumped(Strict):
    """A part of a definition whose later-added keys are dumped only when used."""

    @model_serializer(mode="wrap")
    def _added_keys_when_used(self, handler: SerializerFunctionWrapHandler) -> Any:
        dumped = handler(self)
        added = {**ADDED_KEYS, **({"target_days": None} if isinstance(self, Definition) else {})}
        return {k: v for k, v in dumped.items() if k not in added or v != added[k]}


Kept = TypeVar("Kept")
_NOT_YET = object()


class Remembering:
    """A parsed part of a definition that keeps what is worked out from it alone: it is parsed
    once by each process, and every read of a case asks the same questions of it again."""

    MOST_REMEMBERED = 4096  # every state, status and kind of caller a registry has, bounded

    def remembered(self, key: Hashable, work_out: Callable[[], Kept]) -> Kept:
        """What `work_out` gives, worked out the first time `key` is asked."""
        found = self._remembered.get(key, _NOT_YET)
        if found is _NOT_YET:
            found = work_out()
            if len(self._remembered) < self.MOST_REMEMBERED:
                self._remembered[key] = found
        return cast(Kept, found)

    @cached_property
    def _remembered(self) -> dict[Hashable, object]:
        return {}


class Condition(Strict):
    """A track is in one of these states."""

    track: Name
    in_: list[Name] = Field(alias="in", min_length=1)


class AllOf(Strict):
    all_of: list[Requirement] = Field(min_length=1)


class AnyOf(Strict):
    any_of: list[Requirement] = Field(min_length=1)


Requirement = Union[Condition, AllOf, AnyOf]  # noqa: UP007 - a forward-referenced recursive union


class FieldSpec(Strict):
    """One item of a transition's data."""

    # country: an ISO 3166-1 alpha-2 code; relatives: people on the case, each with one of
    # `options` (the relationship tested, say); institution: a name, a kind and a country;
    # iin: Kazakhstan's personal identification number.
    kind: Literal[
        "text",
        "reason",
        "date",
        "number",
        "choice",
        "person",
        "text_list",
        "institution",
        "country",
        "relatives",
        "iin",
    ]
    optional: bool = False
    max_length: int | None = Field(default=None, gt=0, le=10000)
    minimum: float | None = None
    maximum: float | None = None
    options: list[Name] | None = None
    past: bool = False
    future: bool = False

    @model_validator(mode="after")
    def _options_only_for_choice(self) -> FieldSpec:
        if (self.kind in ("choice", "relatives")) != bool(self.options):
            raise ValueError("a choice or relatives field, and only those, lists its options")
        return self


class Performer(Strict):
    role: Role
    agency_kind: AgencyKind


class Transition(Dumped):
    action: Name
    from_: list[Name] = Field(alias="from", min_length=1)
    to: Name
    performed_by: list[Performer] = Field(min_length=1)
    fields: dict[Name, FieldSpec] = {}
    evidence_kinds: list[EvidenceKind] = []
    # Each document named as evidence that is in none of these languages must be named beside a
    # translation of it into one of them.
    evidence_translated_into: list[LanguageTag] = []
    # Purposes that need a consent in force: of the person in the field `consent_of` (in this
    # step's data, or else as the track's last step named them), or of anyone when it is unset.
    consents: list[ConsentPurpose] = []
    consent_of: Name | None = None
    requires: Requirement | None = None
    case_checks: list[str] = []
    # A step out of a final state (an amendment after registration) is declared, never implied.
    leaves_final: bool = False
    particulars: ParticularsEffect | None = None
    # Ask the consents, and a document of kind consent, only while someone on the case matches
    # (alive and reachable): nobody can consent for a parent who is dead or cannot be found.
    consent_when: PersonMatch | None = None
    # Optional fields of which the step names exactly one (a person or an institution).
    one_of: list[Name] = []
    threshold: Threshold | None = None
    keeps_sample: KeptSample | None = None

    def taken_on(self, status: CaseStatus) -> bool:
        """Whether a case that is `status` still takes this step: an open case any; a complete
        one only a step that amends its registered particulars or decides on an amendment,
        since papers are corrected after they are issued; a closed one none."""
        if status is CaseStatus.OPEN:
            return True
        return status is CaseStatus.COMPLETE and self.particulars in AMENDING

    @model_validator(mode="after")
    def _particulars_carried(self) -> Transition:
        if self.particulars in ("set", "propose") and not PARTICULARS_FIELDS & set(self.fields):
            raise ValueError(
                f"action {self.action!r} sets particulars: give it some of the fields "
                f"{', '.join(sorted(PARTICULARS_FIELDS))}"
            )
        return self

    @model_validator(mode="after")
    def _one_of_optional_fields(self) -> Transition:
        for name in self.one_of:
            if name not in self.fields or not self.fields[name].optional:
                raise ValueError(f"one_of names {name!r}, which is not an optional field")
        return self


class State(Dumped):
    name: Name
    final: bool = False
    target_days: int | None = Field(default=None, gt=0, le=3650)
    # The state still stands for another in every requirement (an amendment under way leaves
    # the birth registered).
    counts_as: Name | None = None


class PersonMatch(Strict):
    relation: list[Relation] = Field(min_length=1)
    alive: bool | None = None
    whereabouts: list[Whereabouts] | None = None


class InitialRule(Strict):
    """Start the track in `state` when someone on the case matches."""

    state: Name
    any_person: PersonMatch


class Track(Dumped, Remembering):
    name: Name
    title: str
    # A track a country switches on in its file; switched off, it is checked, then left out.
    enabled: StrictBool = True
    initial: Name
    initial_when: list[InitialRule] = []
    states: list[State] = Field(min_length=1)
    transitions: list[Transition] = Field(min_length=1)

    @model_validator(mode="after")
    def _names_resolve(self) -> Track:
        names = [state.name for state in self.states]
        _unique(names, f"state of track {self.name}")
        _unique([t.action for t in self.transitions], f"action of track {self.name}")
        used = {self.initial, *(rule.state for rule in self.initial_when)}
        for transition in self.transitions:
            used.update([*transition.from_, transition.to])
        _known(used, set(names), f"state of track {self.name}")
        people = {
            name
            for transition in self.transitions
            for name, spec in transition.fields.items()
            if spec.kind == "person"
        }
        consent_of = {t.consent_of for t in self.transitions if t.consent_of}
        people |= fields_of(self, "relatives")
        _known(consent_of, people, f"person field of track {self.name}")
        _known({s.counts_as for s in self.states if s.counts_as}, set(names), "counts_as state")
        _leaves_final_declared(self)
        check_extras(self)
        return self

    @property
    def state_names(self) -> list[str]:
        return [state.name for state in self.states]

    def state(self, name: str) -> State:
        return self._states[name]

    @cached_property
    def _states(self) -> dict[str, State]:
        return {state.name: state for state in self.states}

    def transition(self, action: str) -> Transition | None:
        return next((t for t in self.transitions if t.action == action), None)

    def leaving(self, state: str | None) -> tuple[Transition, ...]:
        """The transitions that leave `state`, in the order the track lists them."""
        return self._leaving.get(state or "", ())

    @cached_property
    def _leaving(self) -> dict[str, tuple[Transition, ...]]:
        # Worked out once for each parsed track: every read of a case asks it of every track.
        return {
            state: tuple(t for t in self.transitions if state in t.from_)
            for state in self.state_names
        }

    def entered_by_field(self, field: str) -> frozenset[str]:
        """The states some transition that asks for `field` leads to; worked out once for each
        field, as every read of a case asks it of every track."""
        return self.remembered(
            ("entered by", field),
            lambda: frozenset(t.to for t in self.transitions if field in t.fields),
        )

    def lawyer_acts_in(self, state: str) -> bool:
        """A lawyer takes some step that leaves `state`."""
        return any(p.role is Role.LAWYER for t in self.leaving(state) for p in t.performed_by)

    def decided_by(self, role: Role, kind: AgencyKind) -> bool:
        """An agency of this kind, in this role, takes some step of this track."""
        return any(
            performer.role is role and performer.agency_kind is kind
            for transition in self.transitions
            for performer in transition.performed_by
        )

    def target_days(self, state: str, status: CaseStatus) -> int | None:
        """The days `state` may last on a case that is `status`: its target on an open case; on
        a complete one only for a state it still leaves (an amendment under way); none on a
        closed one, nor for a state this track does not have."""
        known = self._states.get(state)
        held = status is CaseStatus.OPEN or any(t.taken_on(status) for t in self.leaving(state))
        return known.target_days if known and held else None

    def waiting_on(self, state: str, status: CaseStatus = CaseStatus.OPEN) -> frozenset[AgencyKind]:
        """Agency kinds the track waits on in `state`, on a case that is `status`: officials
        take a step the case still takes, and no lawyer can. Worked out once for each state and
        status: a case read asks it of every track, twice."""
        return self.remembered(("waiting on", state, status), lambda: self._waiting(state, status))

    def _waiting(self, state: str, status: CaseStatus) -> frozenset[AgencyKind]:
        leaving = [t for t in self.leaving(state) if t.taken_on(status)]
        performers = [p for t in leaving for p in t.performed_by]
        if any(p.role is Role.LAWYER for p in performers):
            return frozenset()
        return frozenset(p.agency_kind for p in performers if p.role is Role.OFFICIAL)


class Definition(Dumped, Remembering):
    name: Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]{0,39}$")]
    version: int = Field(ge=1)
    title: str
    policy: dict[Name, str] = {}
    # The whole case's target, from opening to complete; None: no target.
    target_days: int | None = Field(default=None, gt=0, le=3650)
    complete_when: Requirement
    tracks: list[Track] = Field(min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _switched_on_with_stand_ins(cls, body: Any) -> Any:
        """Leave out the tracks switched off, then accept stand-in states where required."""
        from workflow.rules.switches import switched_on  # it builds on the models of this module

        body = switched_on(body)
        return with_stand_ins(body) if isinstance(body, dict) else body

    @model_validator(mode="after")
    def _references_resolve(self) -> Definition:
        _unique([track.name for track in self.tracks], "track")
        states = {track.name: set(track.state_names) for track in self.tracks}
        for track in self.tracks:
            for transition in track.transitions:
                _check_requirement(transition.requires, states)
                _known(set(transition.case_checks), set(CASE_CHECKS), "case check")
        _check_requirement(self.complete_when, states)
        return self

    def track(self, name: str) -> Track | None:
        return self._tracks.get(name)

    @cached_property
    def _tracks(self) -> dict[str, Track]:
        return {track.name: track for track in self.tracks}

    @cached_property
    def track_names(self) -> tuple[str, ...]:
        return tuple(track.name for track in self.tracks)

    def position(self, name: str) -> int:
        """Where the track comes in the workflow; a track it does not have, after the rest."""
        return self._positions.get(name, len(self.tracks))

    @cached_property
    def _positions(self) -> dict[str, int]:
        return {track.name: at for at, track in enumerate(self.tracks)}


def _leaves_final_declared(track: Track) -> None:
    finals = {state.name for state in track.states if state.final}
    for transition in track.transitions:
        if finals & set(transition.from_) and not transition.leaves_final:
            raise ValueError(
                f"action {transition.action!r} of track {track.name} leaves a final state: "
                "declare it with leaves_final: true"
            )


def with_stand_ins(body: dict[str, Any]) -> dict[str, Any]:
    """The body with each state that `counts_as` another accepted wherever that one is required,
    so that every requirement (and what the API shows of it) says so in plain data."""
    stand_ins: dict[tuple[str, str], list[str]] = {}
    for track in body.get("tracks") or []:
        for state in (track.get("states") or []) if isinstance(track, dict) else []:
            if isinstance(state, dict) and state.get("counts_as"):
                key = (track.get("name"), state["counts_as"])
                stand_ins.setdefault(key, []).append(str(state.get("name")))
    return _widened(body, stand_ins) if stand_ins else body


def _widened(node: Any, stand_ins: dict[tuple[str, str], list[str]]) -> Any:
    if isinstance(node, list):
        return [_widened(item, stand_ins) for item in node]
    if not isinstance(node, dict):
        return node
    widened = {key: _widened(value, stand_ins) for key, value in node.items()}
    if "track" in node and isinstance(node.get("in"), list):
        extra = [s for state in node["in"] for s in stand_ins.get((node["track"], state), [])]
        widened["in"] = list(dict.fromkeys([*node["in"], *extra]))
    return widened


def fields_of(track: Track, *kinds: str) -> set[str]:
    """The names of the track's fields of these kinds, whichever step has them."""
    return {
        name
        for transition in track.transitions
        for name, spec in transition.fields.items()
        if spec.kind in kinds
    }


def _unique(names: list[str], what: str) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ValueError(f"{what} {name!r} is defined twice")
        seen.add(name)


def _known(used: set[str], defined: set[str], what: str) -> None:
    unknown = sorted(used - defined)
    if unknown:
        raise ValueError(f"unknown {what}: {', '.join(unknown)}")


def _check_requirement(requirement: Requirement | None, states: dict[str, set[str]]) -> None:
    for condition in conditions(requirement):
        if condition.track not in states:
            raise ValueError(f"a requirement names the unknown track {condition.track!r}")
        _known(set(condition.in_), states[condition.track], f"state of track {condition.track}")


def conditions(requirement: Requirement | None) -> list[Condition]:
    """Every leaf condition of a requirement, in order."""
    if requirement is None:
        return []
    if isinstance(requirement, Condition):
        return [requirement]
    children = requirement.all_of if isinstance(requirement, AllOf) else requirement.any_of
    return [leaf for child in children for leaf in conditions(child)]


def unmet(requirement: Requirement | None, states: dict[str, str]) -> list[dict[str, Any]]:
    """What of a requirement the case's track states do not satisfy, in the API's shape."""
    if requirement is None:
        return []
    if isinstance(requirement, Condition):
        if states.get(requirement.track) in requirement.in_:
            return []
        return [
            {
                "track": requirement.track,
                "in": requirement.in_,
                "actual": states.get(requirement.track),
            }
        ]
    if isinstance(requirement, AllOf):
        return [miss for child in requirement.all_of for miss in unmet(child, states)]
    if any(not unmet(child, states) for child in requirement.any_of):
        return []
    return [{"any_of": [miss for child in requirement.any_of for miss in unmet(child, states)]}]


AllOf.model_rebuild()
AnyOf.model_rebuild()
Transition.model_rebuild()
Definition.model_rebuild()
