from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from workflow.db import Base, stored_enum
from workflow.vocabulary import AgencyKind


class CaseRoute(Base):
    """Which agency of a kind works a case: the first of that kind to act on it takes it."""

    __tablename__ = "case_routes"

    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    agency_kind: Mapped[AgencyKind] = mapped_column(stored_enum(AgencyKind, 40), primary_key=True)
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
