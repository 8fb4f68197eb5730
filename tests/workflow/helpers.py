"""Direct database set-up for rule tests: put a case's tracks in given states."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from workflow import transactions
from workflow.models import Case, CaseHandler, TrackState, TransitionRecord, User
from workflow.rules.definition import FieldSpec, Transition


def set_states(app: Any, case_id: str, states: dict[str, str], days_ago: int = 0) -> None:
    """Move tracks straight to states, as if the steps had been taken `days_ago`; a DNA track
    past its start gets the lawyer's request, testing the first relative, in its history."""
    with app.app_context(), transactions.unit_of_work() as session:
        since = datetime.now(UTC) - timedelta(days=days_ago)
        for row in session.scalars(select(TrackState).filter_by(case_id=uuid.UUID(case_id))):
            if row.track in states:
                row.state, row.since = states[row.track], since
        case = session.get(Case, uuid.UUID(case_id))
        assert case is not None
        case.updated_at = since
        if states.get("dna", "not_started") != "not_started":
            lawyer = session.get(User, case.opened_by_id)
            assert lawyer is not None
            session.add(
                TransitionRecord(
                    case_id=case.id,
                    track="dna",
                    action="request",
                    from_state="not_started",
                    to_state="requested",
                    actor_id=lawyer.id,
                    agency_id=lawyer.agency_id,
                    at=since,
                    data={
                        "reference_person": str(case.relatives[0].id),
                        "relationship_tested": "maternity",
                    },
                )
            )
            note_handled(session, case.id, lawyer.agency_id, "dna")
        if states.get("dna") == "foreign_result_recorded":
            session.add(_foreign_result(case, since))
            note_handled(session, case.id, case.agency_id, "dna")


def note_handled(session: Any, case_id: uuid.UUID, agency_id: uuid.UUID, track: str) -> None:
    """The agency among the case's handlers on the track, as the engine notes with a step."""
    session.merge(CaseHandler(case_id=case_id, agency_id=agency_id, track=track))


def _foreign_result(case: Case, at: datetime) -> TransitionRecord:
    """The lawyer's record of a maternity result from abroad, testing the first relative."""
    lawyer = case.opened_by_id
    relatives = [{"person": str(case.relatives[0].id), "relationship": "maternity"}]
    return TransitionRecord(
        case_id=case.id,
        track="dna",
        action="record_foreign_result",
        from_state="not_started",
        to_state="foreign_result_recorded",
        actor_id=lawyer,
        agency_id=case.agency_id,
        at=at,
        data={"relatives_tested": relatives, "probability": 1, "report_number": "F-1"},
    )


def record_handling(app: Any, case_id: str, usernames: list[str]) -> None:
    """Give each user's agency a past step on the case, so that its officials may see it."""
    with app.app_context(), transactions.unit_of_work() as session:
        for username in usernames:
            user = session.scalar(select(User).filter_by(username=username))
            assert user is not None
            session.add(
                TransitionRecord(
                    case_id=uuid.UUID(case_id),
                    track="dna",
                    action="seen",
                    from_state="-",
                    to_state="-",
                    actor_id=user.id,
                    agency_id=user.agency_id,
                )
            )
            note_handled(session, uuid.UUID(case_id), user.agency_id, "dna")


def valid_data(transition: Transition, person_id: str) -> dict[str, Any]:
    """Data that satisfies a transition's field specs, whatever the definition; of the fields
    it names exactly one of, the first."""
    left_out = set(transition.one_of[1:])
    return {
        name: _value(spec, person_id)
        for name, spec in transition.fields.items()
        if name not in left_out
    }


def _value(spec: FieldSpec, person_id: str) -> Any:
    today = date.today()
    return {
        "text": "NR-2026-1",
        "reason": "Documents incomplete",
        "date": (
            today + timedelta(days=30) if spec.future else today - timedelta(days=1)
        ).isoformat(),
        "number": spec.maximum if spec.maximum is not None else 1,
        "choice": (spec.options or ["?"])[0],
        "person": person_id,
        "text_list": ["S-1"],
        "institution": {"name": "Children's Home No. 2", "kind": "childrens_home", "country": "KZ"},
        "country": "IQ",
        "relatives": [{"person": person_id, "relationship": (spec.options or ["?"])[0]}],
    }[spec.kind]


class Clock:
    """The operations' clock, set by the test: each reading moves it on by `pace()`, so that
    every opening and every step is stamped at a moment of the test's choosing."""

    def __init__(self, start: datetime, pace: Callable[[], timedelta] = timedelta) -> None:
        self.now, self.pace = start, pace

    def __call__(self) -> datetime:
        reading, self.now = self.now, self.now + self.pace()
        return reading

    def advance(self, by: timedelta) -> None:
        self.now += by
