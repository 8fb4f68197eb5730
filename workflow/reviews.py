"""Reviews a step sets a date for, such as a temporary guardianship's: due, and overdue once
the date has passed. A track's newest step says whether one is due: a later step that sets no
date (the guardianship made permanent) ends it."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow.db import utcnow
from workflow.models import Case, TransitionRecord

REVIEW_FIELD = "review_on"


def case_reviews(session: Session, case: Case) -> list[dict[str, Any]]:
    """Each track of the case whose newest step set a review date: the date, and if it is past."""
    newest: dict[str, TransitionRecord] = {}
    tracks = {state.track for state in case.tracks}
    records = session.scalars(
        select(TransitionRecord)
        .where(TransitionRecord.case_id == case.id, TransitionRecord.track.in_(tracks))
        .order_by(TransitionRecord.id)
    )
    for record in records:
        newest[record.track] = record
    today = utcnow().date()
    return [
        review_json(track, due_on, today)
        for track, record in newest.items()
        if (due_on := _review_date(record)) is not None
    ]


def review_json(track: str, due_on: date, today: date) -> dict[str, Any]:
    return {"track": track, "due_on": due_on.isoformat(), "overdue": due_on < today}


def _review_date(record: TransitionRecord) -> date | None:
    value = (record.data or {}).get(REVIEW_FIELD)
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
