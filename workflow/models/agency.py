from __future__ import annotations

import uuid

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from workflow.db import Base, stored_enum
from workflow.vocabulary import AgencyKind


class Agency(Base):
    """An organisation whose people use Homeward: an NGO or a state agency."""

    __tablename__ = "agencies"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[AgencyKind] = mapped_column(stored_enum(AgencyKind, 40))
