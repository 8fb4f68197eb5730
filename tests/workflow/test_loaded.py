"""A case's tracks come with the query that finds the case, as one list, and join the session as
a query's loading would put them there: the same states and moments the ORM reads, changes to
them written as updates, and the session's own objects kept where it holds them already."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from tests.factories import Api
from tests.workflow.helpers import set_states
from workflow import transactions
from workflow.access import caller_of
from workflow.models import TrackState, User
from workflow.operations import find_case


def found(session: Any, case_id: str, username: str = "lawyer") -> Any:
    user = session.scalar(select(User).filter_by(username=username))
    case, _facts = find_case(session, caller_of(user), case_id)
    return case


def stored_tracks(app: Any, case_id: str) -> dict[str, tuple[str, datetime]]:
    with app.app_context():
        session = transactions.session()
        rows = session.scalars(select(TrackState).filter_by(case_id=uuid.UUID(case_id)))
        return {row.track: (row.state, row.since) for row in rows}


def test_the_tracks_found_with_a_case_are_those_stored(app: Any, api: Api) -> None:
    case = api.create_case()
    set_states(app, case["id"], {"dna": "confirmed"}, days_ago=3)
    with app.app_context():
        tracks = found(transactions.session(), case["id"]).tracks
        read = {track.track: (track.state, track.since) for track in tracks}

    assert read == stored_tracks(app, case["id"])
    assert read["dna"][0] == "confirmed"
    assert all(
        since.tzinfo is not None and since.utcoffset() == timedelta(0) for _, since in read.values()
    )
    assert abs(read["dna"][1] - (datetime.now(UTC) - timedelta(days=3))) < timedelta(minutes=5)


def test_a_change_to_a_found_track_is_written_as_an_update(app: Any, api: Api) -> None:
    case = api.create_case()
    with app.app_context(), transactions.unit_of_work() as session:
        dna = next(track for track in found(session, case["id"]).tracks if track.track == "dna")
        dna.state = "confirmed"

    assert stored_tracks(app, case["id"])["dna"][0] == "confirmed"


def test_a_case_found_twice_keeps_the_tracks_the_session_holds(app: Any, api: Api) -> None:
    case = api.create_case()
    with app.app_context(), transactions.unit_of_work() as session:
        first = found(session, case["id"])
        dna = next(track for track in first.tracks if track.track == "dna")
        dna.state = "requested"  # not yet flushed
        again = found(session, case["id"])
        assert again is first
        assert next(track for track in again.tracks if track.track == "dna") is dna
        assert session.get(TrackState, (first.id, "dna")) is dna
        with session.no_autoflush:  # a track added, not yet written, stays on the case
            first.tracks.append(TrackState(track="extra", state="x", since=datetime.now(UTC)))
            assert "extra" in {track.track for track in found(session, case["id"]).tracks}
        session.rollback()

    assert stored_tracks(app, case["id"])["dna"][0] == "not_started"
