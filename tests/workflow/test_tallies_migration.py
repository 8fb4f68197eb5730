"""A database with cases from before the tallies gets them from `homeward db upgrade`, derived
from its history: the same tallies the operations would have kept."""

from __future__ import annotations

import random
from typing import Any

import pytest
from sqlalchemy import inspect

from tests.factories import Api
from tests.workflow.helpers import Clock
from tests.workflow.series import (
    STORIES,
    around_cutoffs,
    assert_same_figures,
    close,
    drifting_clock,
    kept_rows,
    reopen,
    tell,
)
from workflow import migrations, transactions

TALLIES = {"case_tallies", "stage_tallies", "stage_day_tallies", "stay_tallies"}
BEFORE_TALLIES = "0009-1"  # the revision before the one that adds them


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return drifting_clock(monkeypatch)


def test_upgrading_derives_from_the_history_the_tallies_the_operations_keep(
    api: Api, app: Any, clock: Clock
) -> None:
    cases = [tell(api, story) for story in STORIES[:5]]
    close(api, cases[1])
    reopen(api, cases[1])
    close(api, cases[2])
    kept = kept_rows(app)
    engine = app.extensions["homeward.engine"]

    migrations.downgrade(engine, BEFORE_TALLIES)
    with engine.connect() as connection:
        assert TALLIES.isdisjoint(inspect(connection).get_table_names())
    migrations.upgrade(engine)

    assert kept_rows(app) == kept
    with app.app_context():
        session = transactions.session()
        assert_same_figures(session, around_cutoffs(session, random.Random(9)))


def test_a_database_without_cases_upgrades_to_empty_tallies(app: Any) -> None:
    engine = app.extensions["homeward.engine"]

    migrations.downgrade(engine, BEFORE_TALLIES)
    migrations.upgrade(engine)

    assert kept_rows(app) == {table: [] for table in TALLIES}
