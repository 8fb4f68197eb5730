"""A varied series of cases driven through the API on a clock of the test's own, and the checks
that the dashboard's kept figures are those a full recomputation gives."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import Api
from tests.web import recomputed
from tests.workflow.helpers import Clock
from workflow import operations, transactions
from workflow.db import Base, utcnow
from workflow.demo_cases import DEMO_CASES, LAWYER, DemoCase, dated
from workflow.models import (
    CaseTally,
    StageDayTally,
    StageTally,
    StayTally,
    TrackState,
)
from workflow.overdue import overdue_by_agency
from workflow.rules.catalogue import all_definitions
from workflow.web import figures
from workflow.web.figures import StageTime
from workflow.web.month_figures import month_figures

DAY, HOUR = timedelta(days=1), timedelta(hours=1)
# The demo's stories that reach the most kinds of stage: nothing done, each DNA stage, parentage,
# a birth registration asked for more, a citizenship granted, a case complete.
STORIES = [DEMO_CASES[i] for i in (0, 1, 2, 5, 9, 10, 11, 12)]
# A median is kept to within this share of the exact one, or half a second under a second.
PRECISION, UNDER_A_SECOND = 0.0055, timedelta(seconds=0.5)


def drifting_clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """The operations' clock from 120 days ago, each step a moment to a few days after the last,
    some at the same instant."""
    rng = random.Random(17)

    def pace() -> timedelta:
        return timedelta(0) if rng.random() < 0.1 else rng.expovariate(1 / 30) * HOUR

    clock = Clock(utcnow() - 120 * DAY, pace)
    monkeypatch.setattr(operations, "utcnow", clock)
    return clock


def tell(api: Api, story: DemoCase) -> dict[str, Any]:
    """Open the story's case through the API and take each of its steps as its performer; a
    story told twice is two cases by design, so the duplicate check is told so."""
    opening = {**story.particulars, "confirm_distinct": True}
    response = api.post(story.lawyer, "/api/v1/cases", opening)
    assert response.status_code == 201, response.json
    case = dict(response.json)
    for username, track, action, data in story.steps:
        people = {key: api.person(case, value[1:]) for key, value in data.items() if _names(value)}
        performer = story.lawyer if username == LAWYER else username
        api.step(performer, case["id"], track, action, {**dated(data, utcnow().date()), **people})
    return case


def _names(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("@")


def close(
    api: Api, case: dict[str, Any], lawyer: str = "lawyer", reason: str = "transferred"
) -> None:
    version = api.case_version(lawyer, case["id"])
    response = api.post(
        lawyer,
        f"/api/v1/cases/{case['id']}/close",
        {"reason": reason},
        **{"If-Match": f'"{version}"'},
    )
    assert response.status_code == 200, response.json


def reopen(api: Api, case: dict[str, Any], lawyer: str = "lawyer") -> None:
    version = api.case_version(lawyer, case["id"])
    response = api.post(
        lawyer, f"/api/v1/cases/{case['id']}/reopen", {}, **{"If-Match": f'"{version}"'}
    )
    assert response.status_code == 200, response.json


def varied_series(api: Api) -> None:
    """Eight stories, then cases closed, reopened, closed again, and steps after a reopening."""
    cases = [tell(api, story) for story in STORIES]
    dna_requested, complete, parentage = cases[1], cases[5], cases[6]
    close(api, dna_requested)
    reopen(api, dna_requested)
    api.step("judge", dna_requested["id"], "dna", "authorize", {"ruling_number": "2-1/2026"})
    close(api, complete)  # a complete case closed, then complete again
    reopen(api, complete)
    close(api, parentage, "lawyer2", "withdrawn")
    close(api, cases[0], reason="child_deceased")
    refused = api.transition("registrar", cases[2]["id"], "birth_registration", "register")
    assert refused.status_code in (403, 404, 409)


def kept_rows(app: Any) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the tallies, in key order."""
    with app.app_context():
        session = transactions.session()
        return {
            model.__tablename__: [
                tuple(row)
                for row in session.execute(select(model.__table__).order_by(*_key(model)))
            ]
            for model in (CaseTally, StageTally, StageDayTally, StayTally)
        }


def _key(model: type[Base]) -> list[Any]:
    return list(Base.metadata.tables[model.__tablename__].primary_key.columns)


def assert_same_figures(session: Session, nows: list[datetime]) -> None:
    """The kept figures are the recomputed ones: counts exactly, medians to their precision."""
    assert figures.cases_by_status(session) == recomputed.cases_by_status(session)
    assert figures.open_cases_by_stage(session) == recomputed.open_cases_by_stage(session)
    for now in nows:
        kept = overdue_by_agency(session, now)
        assert kept == recomputed.overdue_by_agency(session, now), now
    assert_same_times(figures.stage_times(session), recomputed.stage_times(session))
    assert_same_months(session, nows[0])


def assert_same_months(session: Session, now: datetime) -> None:
    """The kept figures by month are the recomputed ones, completions replayed from the history."""
    kept, exact = month_figures(session, now), recomputed.month_figures(session, now)
    assert (kept.months, kept.completed) == (exact.months, exact.completed)
    assert_same_times(kept.to_complete, exact.to_complete)
    assert kept.stages.keys() == exact.stages.keys()
    for stage, months in exact.stages.items():
        assert_same_times(kept.stages[stage], months)
    if exact.overall:
        assert_same_times({"all": kept.overall}, {"all": exact.overall})


def assert_same_times(kept_times: dict[Any, Any], exact_times: dict[Any, StageTime]) -> None:
    """Medians to their precision, and the number of stays each is taken over exactly."""
    assert kept_times.keys() == exact_times.keys()
    for stage, exact in exact_times.items():
        kept = kept_times[stage]
        assert kept.steps == exact.steps, stage
        assert abs(kept.median - exact.median) <= exact.median * PRECISION + UNDER_A_SECOND, stage


def around_cutoffs(session: Session, rng: random.Random) -> list[datetime]:
    """Moments a second either side of where an open case's track passes a target, and others
    5 h 13 min apart over 40 days, so that cutoffs fall at every hour of the day."""
    targets = {
        state.target_days
        for _, d in all_definitions(session)
        for t in d.tracks
        for state in t.states
    }
    since = session.scalars(select(TrackState.since)).all()
    edges = [
        moment + timedelta(days=days, seconds=side)
        for moment in since
        for days in targets - {None}
        for side in (-1, 1)
    ]
    start = max(since)
    steady = [start + k * timedelta(hours=5, minutes=13) for k in range(40 * 24 // 5)]
    return rng.sample(edges, min(len(edges), 80)) + steady
