from __future__ import annotations

import uuid
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow.db import Base, stored_enum
from workflow.sealing import Sealed
from workflow.vocabulary import DatePrecision, Relation, Script, Sex, Whereabouts

if TYPE_CHECKING:
    from workflow.models.case import Case
    from workflow.models.name_key import NameKey


class Person(Base):
    """The child (relation `child`) or someone related to the child: on the case she was first
    recorded on (`case_id`, under which her names are indexed) and, as a relative shared by
    siblings, on each of their cases (`case_people`)."""

    __tablename__ = "people"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    relation: Mapped[Relation] = mapped_column(stored_enum(Relation))
    sex: Mapped[Sex | None] = mapped_column(stored_enum(Sex))
    birth_date: Mapped[date | None] = mapped_column(Sealed("people.birth_date", "date"))
    birth_precision: Mapped[DatePrecision | None] = mapped_column(stored_enum(DatePrecision))
    birth_country: Mapped[str | None] = mapped_column(String(2))
    birth_locality: Mapped[str | None] = mapped_column(Sealed("people.birth_locality"))
    citizenship: Mapped[str | None] = mapped_column(String(2))
    alive: Mapped[bool | None]
    whereabouts: Mapped[Whereabouts | None] = mapped_column(stored_enum(Whereabouts))
    languages: Mapped[list[str] | None] = mapped_column(JSON)
    residence: Mapped[str | None] = mapped_column(Sealed("people.residence"))

    case: Mapped[Case] = relationship()
    names: Mapped[list[PersonName]] = relationship(
        back_populates="person",
        order_by="PersonName.position",
        cascade="all, delete-orphan",
        lazy="selectin",
    )
    # A child's sound-alike keys, as digests; none for the relatives.
    name_keys: Mapped[list[NameKey]] = relationship(cascade="all, delete-orphan")


class PersonName(Base):
    """A person's name as written in one script (sealed), with blind tokens to search it by."""

    __tablename__ = "person_names"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), index=True
    )
    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    script: Mapped[Script] = mapped_column(stored_enum(Script, 4))
    given: Mapped[str | None] = mapped_column(Sealed("person_names.given"))
    family: Mapped[str | None] = mapped_column(Sealed("person_names.family"))
    patronymic: Mapped[str | None] = mapped_column(Sealed("person_names.patronymic"))
    # Blind tokens of the folded name and its prefixes, space-separated and space-padded.
    search_key: Mapped[str] = mapped_column(Text)

    person: Mapped[Person] = relationship(back_populates="names")
