"""Retention: a case closed longer than the retention period can be purged.

Purging erases the case's personal data and documents: the people and their names, consents,
documents (rows and stored objects), external references, the data and notes of its steps, and
its break-glass grants (whose reasons may name the child). What stays is the skeleton that
statistics and the audit trail stand on: the reference, the workflow version, the track states,
and who took which step when. The audit trail holds no personal data, so nothing in it is
rewritten and it still verifies.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select, table, update
from sqlalchemy.orm import Session
from sqlalchemy.sql import column

from workflow import families
from workflow.db import utcnow
from workflow.models import (
    BreakGlassGrant,
    Case,
    Consent,
    Document,
    ExternalReference,
    RegisteredParticulars,
)
from workflow.vocabulary import CaseStatus

# The sealed columns of the history, reached without the ORM, whose guard refuses any change.
_HISTORY = table("transition_history", column("case_id"), column("data"), column("note"))


def purgeable(session: Session, retention_days: int, now: datetime | None = None) -> list[Case]:
    """Closed cases untouched for longer than the retention period, not yet purged."""
    cutoff = (now or utcnow()) - timedelta(days=retention_days)
    return list(
        session.scalars(
            select(Case)
            .where(
                Case.status == CaseStatus.CLOSED,
                Case.updated_at < cutoff,
                Case.purged_at.is_(None),
            )
            .order_by(Case.updated_at, Case.id)
        ).all()
    )


def purge_case(session: Session, case: Case) -> list[str]:
    """Erase the case's personal data; return the stored objects to delete once this commits."""
    objects = list(session.scalars(select(Document.storage_name).filter_by(case_id=case.id)).all())
    session.execute(delete(Consent).filter_by(case_id=case.id))
    session.execute(delete(Document).filter_by(case_id=case.id))
    session.execute(delete(BreakGlassGrant).filter_by(case_id=case.id))
    session.execute(delete(ExternalReference).filter_by(case_id=case.id))
    session.execute(delete(RegisteredParticulars).filter_by(case_id=case.id))
    families.leave_case(session, case)
    session.execute(
        update(_HISTORY).where(_HISTORY.c.case_id == case.id).values(data=None, note=None)
    )
    case.purged_at = utcnow()
    session.flush()
    return objects
