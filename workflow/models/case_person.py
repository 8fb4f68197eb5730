from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow.db import Base

if TYPE_CHECKING:
    from workflow.models.person import Person


class CasePerson(Base):
    """Someone on a case: the child, or a relative, who may be on her siblings' cases too."""

    __tablename__ = "case_people"

    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    # Where the person stands among this case's people.
    position: Mapped[int] = mapped_column(default=0)

    person: Mapped[Person] = relationship()
