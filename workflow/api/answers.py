"""The shapes of the API's JSON answers, as the OpenAPI document declares them to integrators.

The views build their answers as they always have (`workflow.present` and the like); these
models only describe them, so an answer and its declaration can drift apart only as far as the
schema tests and the fuzzing of the served document let them. Fields not named here may follow.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Literal, cast

from pydantic import BaseModel, ConfigDict, Field

from forms.schemas import Verification
from workflow.api.particulars_answers import RegisteredOut
from workflow.errors import ErrorDetail
from workflow.vocabulary import (
    AgencyKind,
    CaseStatus,
    ClosureReason,
    ConsentPurpose,
    DatePrecision,
    EvidenceKind,
    ReferenceIssuer,
    Relation,
    Role,
    Script,
    Sex,
    Whereabouts,
)

# The version of the case, as `If-Match` sends it back on the next change.
ETAG = {"description": 'The case\'s version, quoted: `"3"`', "schema": {"type": "string"}}
PAGE = {"text/html": {"schema": {"type": "string"}}}


def openapi_extra(**extra: Any) -> ConfigDict:
    """What flask-openapi3 adds to a response declared by this model: headers, other media."""
    return cast(ConfigDict, {"openapi_extra": extra})


class TokensOut(BaseModel):
    """An access token for the API and the refresh token that renews the pair."""

    access_token: str
    refresh_token: str
    token_type: Literal["Bearer"]
    expires_in: int = Field(description="seconds the access token stays valid")


class PasswordChangedOut(BaseModel):
    """The password is changed; the caller's other sessions have ended."""

    changed: Literal[True]
    other_sessions_ended: int = Field(description="sessions of the caller's that were ended")


class EnrolmentOut(BaseModel):
    """A new TOTP secret, pending until a code from it confirms it."""

    secret: str = Field(description="base32, for typing into an authenticator app")
    otpauth_uri: str = Field(description="the `otpauth://totp/…` URI a QR code carries")


class EnrolledOut(BaseModel):
    """The second factor is set up; sign-in needs a code from now on."""

    enrolled: Literal[True]
    recovery_codes: list[str] = Field(
        description="single-use codes for signing in without the authenticator; shown only "
        "this once, kept only as hashes"
    )


class AgencyOut(BaseModel):
    id: uuid.UUID
    name: str
    kind: AgencyKind


class CallerOut(BaseModel):
    """The signed-in user."""

    id: uuid.UUID
    username: str
    role: Role
    agency: AgencyOut


class NameOut(BaseModel):
    script: Script
    given: str | None
    family: str | None
    patronymic: str | None = None


class BirthDateOut(BaseModel):
    value: date
    precision: DatePrecision


class PlaceOut(BaseModel):
    country: str = Field(description="ISO 3166-1 alpha-2")
    locality: str | None


class WorkflowRefOut(BaseModel):
    name: str
    version: int


class TrackStateOut(BaseModel):
    state: str
    since: datetime
    target_days: int | None
    overdue: bool
    waiting_on: list[AgencyKind]


class CaseSummaryOut(BaseModel):
    """A case as lists show it: who the child is and where each track stands."""

    id: uuid.UUID
    reference: str
    version: int
    status: CaseStatus
    closure_reason: ClosureReason | None
    workflow: WorkflowRefOut
    child_names: list[NameOut]
    tracks: dict[str, TrackStateOut]
    updated_at: datetime
    due_on: date | None = Field(description="when the whole case is due, by its target")
    overdue: bool = Field(description="open, and past the whole case's target")


class ChildOut(BaseModel):
    id: uuid.UUID
    names: list[NameOut]
    sex: Sex | None
    birth_date: BirthDateOut | None
    birth_place: PlaceOut | None
    languages: list[str]
    residence: str | None = Field(
        None, description="only for those whose work on the case rests on where people are"
    )


class PersonOut(BaseModel):
    id: uuid.UUID
    relation: Relation
    names: list[NameOut]
    sex: Sex | None
    birth_date: BirthDateOut | None
    birth_place: PlaceOut | None
    citizenship: str | None
    alive: bool | None
    whereabouts: Whereabouts | None = Field(
        None, description="only for those whose work on the case rests on where people are"
    )


class StepOut(BaseModel):
    track: str
    action: str


class CaseRefOut(BaseModel):
    id: uuid.UUID
    reference: str


class FamilyRefOut(BaseModel):
    id: uuid.UUID
    cases: list[CaseRefOut] = Field(description="the family's cases the caller may see")


class FamilyOut(FamilyRefOut):
    """A family of siblings: its cases and the relatives they share, as the caller may see them."""

    relatives: list[PersonOut]


class ReviewOut(BaseModel):
    """A review a step set a date for, such as a temporary guardianship's."""

    track: str
    due_on: date
    overdue: bool = Field(description="the date has passed and the review is not recorded")


class CaseOut(CaseSummaryOut):
    """One case: the child, the relatives, and the steps the caller may take now."""

    model_config = openapi_extra(headers={"ETag": ETAG})

    child: ChildOut
    people: list[PersonOut]
    family: FamilyRefOut | None = Field(description="the siblings' family the case belongs to")
    allowed_transitions: list[StepOut]
    reviews: list[ReviewOut] = Field(description="reviews due on the case, overdue or not")
    assigned_to_me: bool
    created_at: datetime
    registered_particulars: RegisteredOut | None = Field(
        None, description="only for those whose work on the case rests on the registration"
    )


class CasePageOut(BaseModel):
    """One page of the cases the caller may see."""

    cases: list[CaseSummaryOut]
    total: int = Field(description="the matches, counted up to 1,000")
    total_exact: bool
    page: int
    per_page: int
    next_cursor: str | None = Field(description="send back as `cursor` for the next page")


class HistoryEntryOut(BaseModel):
    """One step taken; its data, evidence and note only for those who may see them."""

    id: int
    track: str
    action: str
    from_: str = Field(alias="from")
    to: str
    by: str | None
    at: datetime
    data: dict[str, Any] | None
    evidence_ids: list[str] | None
    note: str | None


class HistoryOut(BaseModel):
    history: list[HistoryEntryOut]


class AssignmentOut(BaseModel):
    case_id: uuid.UUID
    username: str


class GrantOut(BaseModel):
    """A break-glass grant: the case is readable until `expires_at`."""

    case_id: uuid.UUID
    reference: str
    expires_at: datetime


class ConsentOut(BaseModel):
    id: uuid.UUID
    person_id: uuid.UUID
    purpose: ConsentPurpose
    given_on: date
    document_id: uuid.UUID | None
    in_force: bool
    withdrawn_on: date | None


class ConsentsOut(BaseModel):
    consents: list[ConsentOut]


class ExternalReferenceOut(BaseModel):
    """An identifier another body gave the child, and who issued it."""

    id: uuid.UUID
    issuer: ReferenceIssuer
    value: str
    added_at: datetime


class ExternalReferencesOut(BaseModel):
    references: list[ExternalReferenceOut]


class PerformerOut(BaseModel):
    role: Role
    agency_kind: AgencyKind


# `requires` and `complete_when` nest all_of / any_of groups of {track, in} conditions.
Requirement = dict[str, Any]


class TransitionOut(BaseModel):
    action: str
    from_: list[str] = Field(alias="from")
    to: str
    performed_by: list[PerformerOut]
    data_schema: dict[str, Any] = Field(description="the JSON Schema of the step's `data`")
    evidence_kinds: list[EvidenceKind]
    evidence_translated_into: list[str] = Field(
        description="each foreign-language document named must be named beside a translation "
        "of it into one of these languages"
    )
    consents: list[ConsentPurpose]
    consent_of: str | None
    consent_when: dict[str, Any] | None = Field(
        description="ask the consents only while someone on the case matches this "
        "(relation, alive, whereabouts); null: always"
    )
    one_of: list[str] = Field(description="optional fields of which the step names exactly one")
    requires: Requirement | None
    case_checks: list[str]
    leaves_final: bool = Field(description="the step leaves a final state, as declared")
    particulars: str | None = Field(
        description="what the step does to the particulars as registered: set, propose, "
        "apply or refuse"
    )
    threshold: dict[str, Any] | None = Field(
        description="the number in field `value` must reach the minimum of the relationship in "
        "field `by` (the strictest one tested); null: no threshold"
    )
    keeps_sample: dict[str, Any] | None = Field(
        description="the fields naming a relative's reference sample (`sample`, `of`, "
        "`taken_on`), kept once for her across her cases; null: none kept"
    )


class StateOut(BaseModel):
    name: str
    final: bool
    target_days: int | None
    counts_as: str | None = Field(description="the state it stands for in requirements")
    waiting_on: list[AgencyKind]


class TrackOut(BaseModel):
    name: str
    title: str
    initial: str
    states: list[StateOut]
    transitions: list[TransitionOut]


class WorkflowOut(BaseModel):
    """A workflow definition: its tracks, states and the steps between them."""

    name: str
    version: int
    title: str
    policy: dict[str, str]
    target_days: int | None = Field(description="the whole case's target, from opening")
    complete_when: Requirement
    tracks: list[TrackOut]


class CodeVerdict(Verification):
    """Whether the code belongs to a genuine form: a page for a phone, JSON when asked for."""

    model_config = openapi_extra(content=PAGE)


class UnknownCode(Verification):
    """No form has this code: not genuine, and refused like any missing thing."""

    model_config = openapi_extra(content=PAGE)

    error: ErrorDetail


class DuplicateCaseOut(BaseModel):
    id: uuid.UUID
    reference: str


class DuplicateMatchOut(BaseModel):
    agency: str = Field(description="the name of the agency that holds the matching case")
    case: DuplicateCaseOut | None = Field(
        description="the matching case, only if the caller may see it; else null"
    )


class DuplicatesOut(BaseModel):
    matches: list[DuplicateMatchOut] = Field(description="the likeliest first")


class PossibleDuplicateDetail(BaseModel):
    code: Literal["possible_duplicate"]
    message: str
    details: DuplicatesOut


class OpeningRefused(BaseModel):
    """The child may already have a case (`possible_duplicate`: no name or birth date of
    either child is in it; send the case again with `confirm_distinct` true if it is another
    child), or the case clashes with what is recorded in another way."""

    error: PossibleDuplicateDetail | ErrorDetail


class HealthOut(BaseModel):
    status: Literal["ok", "unavailable"]
    database: Literal["ok", "unreachable"]


class ReadyOut(BaseModel):
    """Whether to send this instance requests: its database answers, at this code's schema."""

    status: Literal["ok", "unavailable"]
    database: Literal["ok", "unreachable"]
    schema_: Literal["current", "behind", "unknown"] | None = Field(None, alias="schema")


class KeyOut(BaseModel):
    """A public key in JWK form (ES256)."""

    kid: str
    kty: str
    use: str
    alg: str


class KeySetOut(BaseModel):
    keys: list[KeyOut]
