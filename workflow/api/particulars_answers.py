"""The answer shapes of the child's particulars as registered, and of their versions."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from workflow.vocabulary import ParticularsBasis, ParticularsStanding


class RegisteredVersionOut(BaseModel):
    """One version of the name and birth date to register, each with what it rests on."""

    standing: ParticularsStanding
    given_name: str | None
    family_name: str | None
    patronymic: str | None
    name_basis: ParticularsBasis | None
    name_basis_reference: str | None
    birth_date: date | None
    birth_date_basis: ParticularsBasis | None
    birth_date_basis_reference: str | None
    father: str | None = Field(description="the id of a father established by an amendment")
    recorded_at: datetime
    decided_at: datetime | None


class RegisteredOut(BaseModel):
    """The version in force, an amendment awaiting the civil registry, and the earlier ones."""

    current: RegisteredVersionOut | None
    proposed: RegisteredVersionOut | None
    earlier: list[RegisteredVersionOut] = Field(description="superseded and refused, oldest first")
