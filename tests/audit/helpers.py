"""Reading the trail straight from the database in tests."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from audit.models import AuditEvent
from workflow import db


def events(app: Any) -> list[AuditEvent]:
    """Every event, in sequence order."""
    with app.app_context():
        session = db.session()
        found = list(session.scalars(select(AuditEvent).order_by(AuditEvent.seq)))
        session.expunge_all()
        return found


def last_event(app: Any) -> AuditEvent:
    return events(app)[-1]
