"""The shapes of the API's requests, validated with pydantic; unknown fields are refused."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Annotated, Any

from flask_openapi3 import FileStorage
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StrictBool,
    Tag,
    model_validator,
)

from workflow.evidence.particulars import ForeignParticularsIn
from workflow.text import Line, Paragraph, ShortLine, clean_line, exact_token
from workflow.vocabulary import (
    AgencyKind,
    ClosureReason,
    ConsentPurpose,
    DatePrecision,
    EvidenceKind,
    ParticularsBasis,
    ReferenceIssuer,
    Relation,
    Role,
    Script,
    Sex,
    Whereabouts,
)

# Usernames are compared exactly as typed: "lawyer " is not "lawyer".
Username = Annotated[str, Field(min_length=1, max_length=64), AfterValidator(exact_token)]
Country = Annotated[str, Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2")]


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _not_future(value: date) -> date:
    if value > datetime.now(UTC).date():
        raise ValueError("date must not be in the future")
    return value


class NameIn(Input):
    script: Script
    given: Line | None = None
    family: Line | None = None
    patronymic: Line | None = None

    @model_validator(mode="after")
    def _has_a_name(self) -> NameIn:
        if not (self.given or self.family):
            raise ValueError("a name needs a given or a family name")
        return self


class DateIn(Input):
    value: Annotated[date, AfterValidator(_not_future)]
    precision: DatePrecision


class PlaceIn(Input):
    country: Country
    locality: Line | None = None


Names = Annotated[list[NameIn], Field(min_length=1, max_length=6)]


class ChildIn(Input):
    names: Names
    sex: Sex | None = None
    birth_date: DateIn | None = None
    birth_place: PlaceIn | None = None
    languages: Annotated[list[ShortLine], Field(max_length=10)] = []
    residence: Paragraph | None = None


def _not_the_child(relation: Relation | None) -> Relation | None:
    if relation is Relation.CHILD:
        raise ValueError("the child is recorded once, as the child, not among the people")
    return relation


Relative = Annotated[Relation, AfterValidator(_not_the_child)]


class PersonIn(Input):
    relation: Relative
    names: Names
    sex: Sex | None = None
    birth_date: DateIn | None = None
    birth_place: PlaceIn | None = None  # a parent's: what the birth certificate may record
    citizenship: Country | None = None
    alive: bool | None = None
    whereabouts: Whereabouts | None = None


class SharedPersonIn(Input):
    """A relative already recorded on the sibling's case (`family_of`): the same person."""

    person_id: uuid.UUID
    relation: Relative


def _new_or_shared(value: Any) -> str:
    return "(shared)" if isinstance(value, dict) and "person_id" in value else "(new)"


NewOrShared = Annotated[
    # The tags are in parentheses, which `errors.field_errors` leaves out of a field's name.
    Annotated[PersonIn, Tag("(new)")] | Annotated[SharedPersonIn, Tag("(shared)")],
    Discriminator(_new_or_shared),
]


class CaseIn(Input):
    child: ChildIn
    people: Annotated[list[NewOrShared], Field(max_length=30)] = []
    # The case of a sibling: the new case joins its family, and may share its relatives.
    family_of: uuid.UUID | None = None
    confirm_distinct: StrictBool = Field(
        False,
        description="open the case although its child may already have one: true once the "
        "caller has checked the `possible_duplicate` answer's matches and found another child",
    )

    @model_validator(mode="after")
    def _shared_once_with_a_sibling(self) -> CaseIn:
        shared = [p.person_id for p in self.people if isinstance(p, SharedPersonIn)]
        if shared and self.family_of is None:
            raise ValueError("a relative given by person_id is shared with the case in family_of")
        if len(set(shared)) != len(shared):
            raise ValueError("each shared relative is given once")
        return self

    @property
    def new_people(self) -> list[PersonIn]:
        return [person for person in self.people if isinstance(person, PersonIn)]

    @property
    def shared_people(self) -> list[tuple[int, SharedPersonIn]]:
        """The relatives shared with the sibling, each with its index among `people`."""
        return [(i, p) for i, p in enumerate(self.people) if isinstance(p, SharedPersonIn)]


class ChildPatch(Input):
    names: Names | None = None
    sex: Sex | None = None
    birth_date: DateIn | None = None
    birth_place: PlaceIn | None = None
    languages: Annotated[list[ShortLine], Field(max_length=10)] | None = None
    residence: Paragraph | None = None


class PersonPatch(Input):
    """A change to someone on the case (with `id`), or someone new (without)."""

    id: uuid.UUID | None = None
    relation: Relative | None = None
    names: Names | None = None
    sex: Sex | None = None
    birth_date: DateIn | None = None
    birth_place: PlaceIn | None = None
    citizenship: Country | None = None
    alive: bool | None = None
    whereabouts: Whereabouts | None = None


class RegisteredIn(Input):
    """The child's name and birth date to be registered, each with what it rests on."""

    given_name: ShortLine | None = None
    family_name: ShortLine | None = None
    patronymic: ShortLine | None = None
    name_basis: ParticularsBasis | None = None
    name_basis_reference: ShortLine | None = None
    birth_date: Annotated[date, AfterValidator(_not_future)] | None = None
    birth_date_basis: ParticularsBasis | None = None
    birth_date_basis_reference: ShortLine | None = None


class CasePatch(Input):
    child: ChildPatch | None = None
    registered: RegisteredIn | None = None
    people: Annotated[list[PersonPatch], Field(max_length=30)] = []


class TransitionIn(Input):
    track: Annotated[str, Field(min_length=1, max_length=40)]
    action: Annotated[str, Field(min_length=1, max_length=40)]
    data: dict[str, Any] = {}
    evidence_ids: Annotated[list[uuid.UUID], Field(max_length=20)] = []
    note: Paragraph | None = None


class CloseIn(Input):
    reason: ClosureReason
    note: Paragraph | None = None


class ReopenIn(Input):
    note: Paragraph | None = None


class AssignmentIn(Input):
    username: Username


# A second factor as typed at sign-in or step-up: six ASCII digits from the authenticator, or
# a recovery code (letters, digits, hyphens); anything else is malformed, not merely wrong.
SecondFactorCode = Annotated[
    str,
    Field(
        min_length=6,
        max_length=40,
        pattern=r"^[A-Za-z0-9-]+$",
        description="six digits from the authenticator app, or an unused recovery code",
    ),
]
TotpCode = Annotated[
    str, Field(pattern=r"^[0-9]{6}$", description="six digits from the authenticator app")
]


class LoginIn(Input):
    username: Username
    password: Annotated[str, Field(min_length=1, max_length=1024)]
    totp: SecondFactorCode | None = None


class TotpConfirmIn(Input):
    code: TotpCode


# A password is taken as typed; only what no password can hold (a NUL, an unpaired surrogate,
# which cannot even be hashed) is refused here, and the rules for a new one in the domain.
Password = Annotated[str, Field(min_length=1, max_length=1024), AfterValidator(exact_token)]


class PasswordChoiceIn(Input):
    password: Password


class PasswordChangeIn(Input):
    current_password: Password
    new_password: Password


class RefreshIn(Input):
    refresh_token: Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,512}$")]


# An identifier another body issued (ICRC, UNHCR, a camp, a repatriation list): letters of any
# script, digits and the separators such numbers are printed with; never a formula or markup.
ReferenceValue = Annotated[
    str,
    Field(min_length=1, max_length=64, pattern=r"^[^\W_][\w .:/#-]*$"),
    AfterValidator(clean_line),
]


class ReferenceIn(Input):
    issuer: ReferenceIssuer
    value: ReferenceValue


class ReferencePath(Input):
    case_id: Annotated[str, Field(max_length=64)]
    reference_id: Annotated[str, Field(max_length=64)]


class CaseListQuery(Input):
    track: Annotated[str, Field(max_length=40)] | None = None
    state: Annotated[str, Field(max_length=40)] | None = None
    queue: Annotated[str, Field(pattern=r"^agency$")] | None = None
    overdue: bool | None = None
    q: Line | None = None
    # An external reference's value: the caller's own cases known by it (lawyers only).
    reference: ReferenceValue | None = None
    page: Annotated[int, Field(ge=1, le=100000)] = 1
    per_page: Annotated[int, Field(ge=1, le=100)] = 25
    # The `next_cursor` of the page before: the page after it, however the list changed since.
    cursor: Annotated[str, Field(max_length=200, pattern=r"^[A-Za-z0-9_-]+$")] | None = None


class CasePath(Input):
    case_id: Annotated[str, Field(max_length=64)]


class FamilyPath(Input):
    family_id: Annotated[str, Field(max_length=64)]


class AssigneePath(CasePath):
    username: Username


PastDate = Annotated[date, AfterValidator(_not_future)]


class ConsentIn(Input):
    person_id: uuid.UUID
    purpose: ConsentPurpose
    given_on: PastDate
    document_id: uuid.UUID | None = None


class WithdrawalIn(Input):
    withdrawn_on: PastDate | None = None  # today when not given


class ConsentPath(Input):
    case_id: Annotated[str, Field(max_length=64)]
    consent_id: Annotated[str, Field(max_length=64)]


class DocumentPath(Input):
    document_id: Annotated[str, Field(max_length=64)]


class DocumentForm(ForeignParticularsIn):
    """A multipart upload: the file, what kind of document it is and, when it is foreign, its
    language, translation and legalisation."""

    file: FileStorage
    kind: EvidenceKind


# A new account's name: plain small Latin letters, digits and . _ -, so that no two names look
# alike (a Cyrillic "а" in "аdmin") and every name can be typed on any keyboard.
NewUsername = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9._-]*$")]


class AgencyIn(Input):
    name: Line
    kind: AgencyKind


class AccountIn(Input):
    """A user's role and agency, as an administrator sets them."""

    role: Role
    agency: uuid.UUID


class NewAccountIn(AccountIn):
    username: NewUsername
