from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from workflow.db import Base, stored_enum, utcnow
from workflow.sealing import Sealed
from workflow.vocabulary import ParticularsBasis, ParticularsStanding


class RegisteredParticulars(Base):
    """One version of the child's name and birth date as registered (or to be), each with its
    basis: distinct from the names the child is known by. Versions are kept, never rewritten
    but for where they stand, so that earlier values stay readable."""

    __tablename__ = "registered_particulars"
    __table_args__ = (Index("ix_registered_particulars_case_id_standing", "case_id", "standing"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    standing: Mapped[ParticularsStanding] = mapped_column(stored_enum(ParticularsStanding))
    given_name: Mapped[str | None] = mapped_column(Sealed("registered_particulars.given_name"))
    family_name: Mapped[str | None] = mapped_column(Sealed("registered_particulars.family_name"))
    patronymic: Mapped[str | None] = mapped_column(Sealed("registered_particulars.patronymic"))
    name_basis: Mapped[ParticularsBasis | None] = mapped_column(stored_enum(ParticularsBasis))
    name_basis_reference: Mapped[str | None] = mapped_column(
        Sealed("registered_particulars.name_basis_reference")
    )
    birth_date: Mapped[date | None] = mapped_column(
        Sealed("registered_particulars.birth_date", "date")
    )
    birth_date_basis: Mapped[ParticularsBasis | None] = mapped_column(stored_enum(ParticularsBasis))
    birth_date_basis_reference: Mapped[str | None] = mapped_column(
        Sealed("registered_particulars.birth_date_basis_reference")
    )
    # A father established after registration: someone on the case.
    father_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL")
    )
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    recorded_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    # When the registry decided an amendment, or a later version replaced this one.
    decided_at: Mapped[datetime | None]
