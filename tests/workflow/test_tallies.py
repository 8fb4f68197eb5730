"""The tallies the operations keep give the dashboard the figures a full recomputation gives."""

from __future__ import annotations

import random
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from tests.factories import Api
from tests.web import recomputed
from tests.workflow.helpers import Clock
from tests.workflow.series import (
    PRECISION,
    UNDER_A_SECOND,
    around_cutoffs,
    assert_same_figures,
    drifting_clock,
    kept_rows,
    varied_series,
)
from workflow import tallies, transactions
from workflow.db import utcnow
from workflow.tallies import Step
from workflow.web import figures

DAY = timedelta(days=1)
OPENED = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return drifting_clock(monkeypatch)


# --- kept by the operations -----------------------------------------------------------------------


def test_the_kept_figures_are_those_of_a_full_recomputation(
    api: Api, app: Any, clock: Clock
) -> None:
    varied_series(api)

    with app.app_context():
        session = transactions.session()
        assert recomputed.cases_by_status(session) == {"open": 5, "complete": 1, "closed": 2}
        assert len(recomputed.stage_times(session)) >= 15  # the series reached many stages
        assert_same_figures(session, around_cutoffs(session, random.Random(5)))
    kept = kept_rows(app)
    with app.app_context(), transactions.unit_of_work() as session:
        tallies.derive(session.connection())  # as the migration and the demo do
    assert kept_rows(app) == kept


def test_a_step_whose_commit_fails_leaves_the_tallies_as_they_were(api: Api, app: Any) -> None:
    case = api.create_case()
    api.token("lawyer")  # sign in before commits start failing
    before = kept_rows(app)

    with failing_commits():
        response = api.transition(
            "lawyer",
            case["id"],
            "dna",
            "request",
            {"reference_person": api.person(case, "mother"), "relationship_tested": "maternity"},
            version=case["version"],
            evidence_ids=[],
        )

    assert response.status_code == 500
    assert kept_rows(app) == before
    assert before["case_tallies"] == [("open", 1)]


def test_steps_and_openings_at_the_same_moment_all_count(api: Api, app: Any) -> None:
    cases = [api.create_case() for _ in range(4)]
    requests = [dna_request(api, case) for case in cases]
    barrier = threading.Barrier(len(requests) + 2)
    statuses: list[int] = []

    def send(path: str, body: dict[str, Any], **headers: str) -> None:
        client = app.test_client()
        barrier.wait(timeout=10)
        response = client.post(path, json=body, headers=api.headers("lawyer", **headers))
        statuses.append(response.status_code)

    aliya = {"child": {"names": [{"script": "Latn", "given": "Aliya"}]}, "confirm_distinct": True}
    opening = ("/api/v1/cases", aliya)  # two children of one name, opened at once
    threads = [threading.Thread(target=send, args=args, kwargs=kw) for args, kw in requests]
    threads += [threading.Thread(target=send, args=opening) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(statuses) == [200] * 4 + [201] * 2
    with app.app_context():
        session = transactions.session()
        assert figures.cases_by_status(session)["open"] == 6
        assert_same_figures(session, [utcnow() + 15 * DAY])


def dna_request(
    api: Api, case: dict[str, Any]
) -> tuple[tuple[str, dict[str, Any]], dict[str, str]]:
    """The lawyer's DNA request for the case, its evidence provided: the path, body and headers."""
    data = {"reference_person": api.person(case, "mother"), "relationship_tested": "maternity"}
    evidence = api.provide_evidence("lawyer", case["id"], "dna", "request", data)
    body = {"track": "dna", "action": "request", "data": data, "evidence_ids": evidence}
    version = api.case_version("lawyer", case["id"])
    return (f"/api/v1/cases/{case['id']}/transitions", body), {"If-Match": f'"{version}"'}


class InjectedFailure(RuntimeError):
    pass


@contextmanager
def failing_commits() -> Iterator[None]:
    """Within the block, every commit of a session fails (and is rolled back)."""

    def explode(_session: Any) -> None:
        raise InjectedFailure("injected at commit")

    event.listen(Session, "before_commit", explode)
    try:
        yield
    finally:
        event.remove(Session, "before_commit", explode)


# --- stays and their buckets ----------------------------------------------------------------------


def test_a_stay_runs_from_the_previous_step_or_the_opening() -> None:
    a, b, c = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    steps = [
        Step(a, "dna", "not_started", OPENED + 1 * DAY, OPENED),
        Step(a, "dna", "requested", OPENED + 3 * DAY, OPENED),
        Step(a, "parentage", "not_started", OPENED + 10 * DAY, OPENED),
        Step(b, "dna", "not_started", OPENED + 5 * DAY, OPENED),
        Step(c, "dna", "not_started", OPENED + 4 * DAY, OPENED + DAY),
    ]

    assert list(tallies.ended_stays(steps)) == [
        ("dna", "not_started", DAY.total_seconds()),
        ("dna", "requested", 2 * DAY.total_seconds()),
        ("parentage", "not_started", 10 * DAY.total_seconds()),
        ("dna", "not_started", 5 * DAY.total_seconds()),
        ("dna", "not_started", 3 * DAY.total_seconds()),
    ]


def test_each_return_to_a_state_is_its_own_stay() -> None:
    case = uuid.uuid4()
    steps = [
        Step(case, "dna", "not_started", OPENED + DAY, OPENED),
        Step(case, "dna", "requested", OPENED + 2 * DAY, OPENED),
        Step(case, "dna", "refused", OPENED + 12 * DAY, OPENED),
        Step(case, "dna", "requested", OPENED + 16 * DAY, OPENED),
    ]

    stays = [
        (state, seconds / DAY.total_seconds()) for _, state, seconds in tallies.ended_stays(steps)
    ]

    assert stays == [("not_started", 1), ("requested", 1), ("refused", 10), ("requested", 4)]


def test_a_step_stamped_before_the_opening_counts_as_no_time() -> None:
    steps = [Step(uuid.uuid4(), "dna", "not_started", OPENED - DAY, OPENED)]

    assert list(tallies.ended_stays(steps)) == [("dna", "not_started", 0.0)]


@pytest.mark.parametrize(
    "seconds", [0.0, 0.3, 1.0, 1.5, 59.0, 3_600.0, 86_399.0, 86_400.0, 14 * 86_400.0, 3.1e8]
)
def test_a_bucket_stands_for_its_stays_to_within_the_precision(seconds: float) -> None:
    fine = tallies.stay_bucket(seconds)
    middle = tallies.bucket_middle(fine)

    assert abs(middle - seconds) <= seconds * PRECISION + UNDER_A_SECOND.total_seconds()
    assert tallies.coarse_bucket(fine) == (0 if seconds < 1 else int(seconds).bit_length())
    keys = tallies.stay_keys("dna", "requested", seconds)
    assert keys == [
        (tallies.COARSE, "dna", "requested", tallies.coarse_bucket(fine)),
        (tallies.FINE, "dna", "requested", fine),
    ]


def test_buckets_grow_with_the_stay_and_each_is_about_one_per_cent_wide() -> None:
    durations = [1.0 * 1.001**k for k in range(20_000)]  # 1 s to about 5 hours
    buckets = [tallies.stay_bucket(seconds) for seconds in durations]

    assert buckets == sorted(buckets)
    inner = set(buckets) - {buckets[0], buckets[-1]}
    widths = [buckets.count(bucket) for bucket in inner]
    assert min(widths) >= 10 and max(widths) <= 12  # 2^(1/64) is 1.0109: 10 or 11 steps of 0.1%
