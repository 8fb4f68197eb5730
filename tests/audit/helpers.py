"""Reading the trail straight from the database in tests."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from werkzeug.test import TestResponse

from audit.models import AuditEvent
from workflow import transactions


def events(app: Any) -> list[AuditEvent]:
    """Every event, in sequence order."""
    with app.app_context():
        session = transactions.session()
        found = list(session.scalars(select(AuditEvent).order_by(AuditEvent.seq)))
        session.expunge_all()
        return found


def last_event(app: Any) -> AuditEvent:
    return events(app)[-1]


def outcome_of(app: Any, response: TestResponse) -> str:
    """The outcome the trail recorded for this very request, found by its X-Request-Id: how a
    page's refusal is told apart. The trail's latest event would do only while every request
    leaves one."""
    request_id = response.headers.get("X-Request-Id")
    assert request_id, "the response names no request"
    with app.app_context():
        outcomes = transactions.session().scalars(
            select(AuditEvent.outcome).where(AuditEvent.request_id == request_id)
        )
        recorded = list(outcomes)
    assert len(recorded) == 1, (request_id, recorded)
    return recorded[0]
