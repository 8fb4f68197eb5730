"""`homeward demo load` tells each case's story on the days it would have happened: the history
runs forward from the opening, never past today, and the timeline, the overdue marks and the
dashboard's figures agree with it. The audit trail records the load itself, when it happened."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from audit.models import AuditEvent
from tests.conftest import PASSWORD
from tests.web import recomputed
from tests.web.helpers import sign_in, table_rows
from tests.workflow.series import assert_same_figures
from workflow import transactions
from workflow.db import utcnow
from workflow.demo_cases import DEMO_CASES
from workflow.models import Case, Consent, Document, TransitionRecord
from workflow.present import case_summary
from workflow.rules.catalogue import definition_of
from workflow.vocabulary import CaseStatus

DAY = timedelta(days=1)


@pytest.fixture
def demo(app: Any, runner: Any) -> Any:
    """The demo loaded as `make run` loads it."""
    app.config["DEMO_PASSWORD"] = PASSWORD
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    return app


def test_every_history_runs_forward_from_the_opening_and_stops_before_today(demo: Any) -> None:
    now = utcnow()
    with demo.app_context():
        session = transactions.session()
        cases = session.scalars(select(Case)).all()
        assert len(cases) == len(DEMO_CASES)
        for case in cases:
            steps = session.scalars(
                select(TransitionRecord).filter_by(case_id=case.id).order_by(TransitionRecord.id)
            ).all()
            moments = [case.created_at, *(step.at for step in steps)]
            assert moments == sorted(moments) and len(set(moments)) == len(moments)
            assert all(moment.weekday() < 5 for moment in moments)  # working days
            assert moments[-1] < now - DAY
            assert all(track.since <= now - DAY for track in case.tracks)
        stamped = [d.uploaded_at for d in session.scalars(select(Document))]
        stamped += [c.recorded_at for c in session.scalars(select(Consent))]
        assert stamped and max(stamped) < now - DAY
        opened = sorted(case.created_at for case in cases)
        assert opened[0] < now - 300 * DAY  # the story spans most of a year


def test_the_overdue_marks_follow_the_targets_of_the_workflow(demo: Any) -> None:
    now = utcnow()
    with demo.app_context():
        session = transactions.session()
        marks = []
        for case in session.scalars(select(Case).where(Case.status == CaseStatus.OPEN)):
            definition = definition_of(case.workflow)
            tracks = case_summary(case, definition)["tracks"]
            for track in case.tracks:
                procedure = definition.track(track.track)
                assert procedure is not None
                target = procedure.state(track.state).target_days
                late = bool(target and now - track.since > target * DAY)
                assert tracks[track.track]["overdue"] is late, (track.track, track.state)
                marks.append(late)
    assert True in marks and marks.count(True) < marks.count(False)


def test_the_dashboard_shows_the_figures_of_the_demos_histories(
    demo: Any, client: FlaskClient
) -> None:
    with demo.app_context():
        session = transactions.session()
        assert_same_figures(session, [utcnow()])
        exact = recomputed.month_figures(session, utcnow())
        medians = recomputed.stage_times(session)
    assert sum(exact.completed.values()) == 4
    assert len([n for n in exact.completed.values() if n]) >= 3  # completed in different months

    sign_in(client, "admin")
    html = client.get("/dashboard").get_data(as_text=True)

    rows = table_rows(html, "Cases completed and median days to complete, per month")
    assert [int(row[1]) for row in rows] == list(exact.completed.values())
    shown = {
        (row[0], row[1]): float(row[2])
        for row in table_rows(html, "Median days per track and state")
    }
    dna = medians["dna", "not_started"].median / DAY
    assert abs(shown["DNA kinship", "not started"] - dna) <= dna * 0.0055 + 0.05
    assert dna > 1  # days after the opening, not seconds


def test_the_audit_trail_still_verifies_and_records_the_load_at_its_time(
    demo: Any, runner: Any
) -> None:
    result = runner.invoke(args=["audit", "verify"])

    assert result.exit_code == 0, result.output
    with demo.app_context():
        events = transactions.session().scalars(select(AuditEvent).order_by(AuditEvent.seq))
        loads = [event for event in events if event.action == "admin.demo_load"]
    assert len(loads) == 1 and loads[0].at > utcnow() - DAY
