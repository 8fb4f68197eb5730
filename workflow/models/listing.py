from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from workflow.db import Base


class CaseListing(Base):
    """One viewer who finds a case in their lists, with what the lists sort and filter it by.

    A viewer is `user:<id>` (a lawyer assigned to the case), `agency:<id>` (an agency that has
    taken a step on it, or has taken it for its kind) or `kind:<agency kind>` (every agency of a
    kind, while the case waits on that kind and no agency of it has taken the case). Derived from
    the case's rows in the transaction that changes them (`workflow.listings`); need-to-know is
    still checked on every case a list returns."""

    __tablename__ = "case_listings"
    __table_args__ = (
        Index("ix_case_listings_changed", "viewer", "updated_at", "case_id"),
        Index("ix_case_listings_waiting", "viewer", "waiting_since", "case_id"),
        Index("ix_case_listings_due", "viewer", "due", "case_id"),
    )

    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    viewer: Mapped[str] = mapped_column(String(48), primary_key=True)
    # The case's last change: the order of every list but the queue and the overdue.
    updated_at: Mapped[datetime]
    # When the oldest step now waiting on this viewer's kind of agency began; None when the case
    # waits on no agency of it (and for lawyers).
    waiting_since: Mapped[datetime | None]
    # When the first of the open case's tracks passes its target duration; None if none has one.
    due: Mapped[datetime | None]
