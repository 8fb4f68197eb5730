"""Reviews a step sets a date for, such as a temporary guardianship's: due, and overdue once
the date has passed. A track's newest step says whether one is due: a later step that sets no
date (the guardianship made permanent) ends it."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow.db import utcnow
from workflow.disclosure import Disclosure
from workflow.models import Case, TransitionRecord
from workflow.rules.catalogue import definition_of
from workflow.rules.definition import Definition

REVIEW_FIELD = "review_on"


def case_reviews(session: Session, case: Case, shown: Disclosure) -> list[dict[str, Any]]:
    """Each track of the case whose newest step set a review date, if the caller sees that
    step's data: the date, and if it is past. Read only for a track standing in a state that
    such a step leads to, so that a case without one costs no query."""
    definition = definition_of(case.workflow)
    tracks = {s.track for s in case.tracks if _reviewed_in(definition, s.track, s.state)}
    if not tracks:
        return []
    newest: dict[str, TransitionRecord] = {}
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
        if shown.step_data(track, record.agency_id) and (due_on := _review_date(record)) is not None
    ]


def _reviewed_in(definition: Definition, track_name: str, state: str) -> bool:
    """Some step that sets a review date leads the track to this state."""
    track = definition.track(track_name)
    return track is not None and state in track.entered_by_field(REVIEW_FIELD)


def review_json(track: str, due_on: date, today: date) -> dict[str, Any]:
    return {"track": track, "due_on": due_on.isoformat(), "overdue": due_on < today}


def _review_date(record: TransitionRecord) -> date | None:
    value = (record.data or {}).get(REVIEW_FIELD)
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
