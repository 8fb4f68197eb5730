"""The agencies that acted on a case, kept by the engine beside its history: a case costs the
database the same to read and to step on however long its history grows, and the handlers kept
are the history's own (the migration that adds them fills them from it)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Engine, inspect, select

from tests.factories import Api
from tests.statements import is_read, statements_run
from tests.workflow.series import STORIES, close, reopen, tell
from workflow import migrations
from workflow.models import CaseHandler, TransitionRecord

BEFORE_HANDLERS = "0025"  # the revision before the one that adds them
# A few instructions more or less (a longer number in a parameter) are no growth.
SLACK = 1.05


def test_reading_and_stepping_on_a_case_cost_the_same_however_long_its_history(
    app: Any, api: Api
) -> None:
    engine = app.extensions["homeward.engine"]
    case = api.request_dna(api.create_case())
    close(api, case)  # so that the step measured ends a stay a step began, as all later do
    reopen(api, case)
    short = _work_of_a_read_and_a_step(engine, api, case)
    for _ in range(40):  # 80 steps more on the case track, by the same NGO
        close(api, case)
        reopen(api, case)
    long = _work_of_a_read_and_a_step(engine, api, case)

    assert long.keys() == short.keys()
    grew = {sql[:160]: (short[sql], long[sql]) for sql in short if long[sql] > short[sql] * SLACK}
    assert grew == {}


def test_the_handlers_kept_are_the_agencies_and_tracks_of_the_history(app: Any, api: Api) -> None:
    cases = [tell(api, story) for story in STORIES[:5]]
    close(api, cases[1])
    reopen(api, cases[1])

    kept = _handlers(app)
    assert kept == _from_history(app)
    assert {track for _case, _agency, track in kept} >= {"dna", "case"}


def test_upgrading_fills_the_handlers_from_the_history(app: Any, api: Api) -> None:
    for story in STORIES[:3]:
        tell(api, story)
    kept = _handlers(app)
    engine = app.extensions["homeward.engine"]

    migrations.downgrade(engine, BEFORE_HANDLERS)
    with engine.connect() as connection:
        assert "case_handlers" not in inspect(connection).get_table_names()
    migrations.upgrade(engine)

    assert kept and _handlers(app) == kept


def _work_of_a_read_and_a_step(engine: Engine, api: Api, case: dict[str, Any]) -> dict[str, int]:
    """The database's work for each query of a read of the case and of closing it (then
    reopened), asked again once the requests have ended."""
    with statements_run(engine) as seen:
        api.case("lawyer", case["id"])
        close(api, case)
    reopen(api, case)
    return {sql: _work(engine, sql, parameters) for sql, parameters in seen if is_read(sql)}


def _work(engine: Engine, sql: str, parameters: Any) -> int:
    """How much the database does to answer a query: the instructions SQLite's machine runs,
    or the rows PostgreSQL's plan nodes produce (an index read as far as its LIMIT counts
    what it read, not the whole index)."""
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            raw = connection.connection.dbapi_connection
            steps = [0]

            def count() -> int:
                steps[0] += 1
                return 0  # go on

            raw.set_progress_handler(count, 1)
            try:
                raw.execute(sql, parameters).fetchall()
            finally:
                raw.set_progress_handler(None, 1)
            return steps[0]
        with connection.begin():
            connection.exec_driver_sql("SET LOCAL enable_seqscan = off")  # as if grown large
            plan = connection.exec_driver_sql(
                f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", parameters
            ).scalar_one()
        root = plan if isinstance(plan, list) else json.loads(plan)
        return _rows(root[0]["Plan"])


def _rows(node: dict[str, Any]) -> int:
    produced = int(node["Actual Rows"] * node["Actual Loops"])
    return produced + sum(_rows(child) for child in node.get("Plans", []))


def _handlers(app: Any) -> set[tuple[Any, Any, str]]:
    with app.extensions["homeward.engine"].connect() as connection:
        query = select(CaseHandler.case_id, CaseHandler.agency_id, CaseHandler.track)
        return {tuple(row) for row in connection.execute(query)}  # type: ignore[misc]


def _from_history(app: Any) -> set[tuple[Any, Any, str]]:
    with app.extensions["homeward.engine"].connect() as connection:
        query = select(
            TransitionRecord.case_id, TransitionRecord.agency_id, TransitionRecord.track
        ).distinct()
        return {tuple(row) for row in connection.execute(query)}  # type: ignore[misc]
