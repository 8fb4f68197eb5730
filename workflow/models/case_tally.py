from __future__ import annotations

from sqlalchemy.orm import Mapped, mapped_column

from workflow.db import Base, stored_enum
from workflow.vocabulary import CaseStatus


class CaseTally(Base):
    """How many cases have a status; kept by the operations that open, close and complete them."""

    __tablename__ = "case_tallies"

    status: Mapped[CaseStatus] = mapped_column(stored_enum(CaseStatus), primary_key=True)
    cases: Mapped[int]
