"""Every list reads through indexes: EXPLAIN of each statement a list runs shows no full scan of
the cases, their history or the lists' own index, on SQLite and on PostgreSQL.

What makes this honest on few rows: SQLite plans without statistics (Homeward never runs
ANALYZE), so the plan it shows here is the plan it follows over 100,000 cases; and a page must
come out of its index in the list's order (a name search: the names, newest first), never sorted
whole.
PostgreSQL plans from statistics, which a few rows would make meaningless, so sequential scans are
priced out (`enable_seqscan = off`) and every index it reads must be read by a condition, or in
its order straight into the page's LIMIT: the test fails where an index is missing or would be
read whole. How the lists' times grow with the
registry is the benchmark's to show (`python -m bench.run_all`), never a test's."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any
from urllib.parse import urlencode

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Connection, select

from bench.caseload import Account, Cast
from bench.seed import load_cases
from tests.factories import Api
from tests.statements import statements_run
from tests.web.helpers import sign_in
from tests.workflow.helpers import record_handling, set_states
from tests.workflow.test_need_to_know import STAGES, open_case_at
from workflow import transactions
from workflow.models import User
from workflow.rules import catalogue

# The tables that grow with the registry; the small ones (users, agencies, workflows) may be read
# whole.
REGISTRY_CASES = 5_000
LAWYERS = ("lawyer", "lawyer2", "lawyer3")
GROWING = frozenset(
    {
        "cases",
        "transition_history",
        "case_listings",
        "track_states",
        "people",
        "person_names",
        "person_name_terms",
        "assignments",
        "case_routes",
        "case_handlers",
    }
)
LISTS: list[tuple[str, dict[str, str]]] = [
    ("lawyer", {}),
    ("lawyer", {"track": "dna", "state": "requested"}),
    ("lawyer", {"state": "filed"}),
    ("lawyer", {"overdue": "true"}),
    ("lawyer", {"overdue": "false"}),
    ("lawyer", {"q": "Nurgalieva"}),
    ("lawyer", {"q": "Әлия Нұрғалиева"}),
    ("lawyer", {"q": "عالية"}),
    ("lawyer", {"q": "aliya", "overdue": "true"}),
    ("lawyer", {"per_page": "2", "page": "2"}),
    ("registrar", {}),
    ("registrar", {"queue": "agency"}),
    ("registrar", {"queue": "agency", "overdue": "true"}),
    ("registrar", {"overdue": "true"}),
    ("registrar", {"q": "Aliya"}),
    ("judge", {"queue": "agency", "track": "dna"}),
    ("lab", {"state": "authorized"}),
]


@pytest.fixture
def registry(api: Api, app: Any) -> None:
    """Cases at every stage, some late, one the registry filed long ago, one the court handled.
    On PostgreSQL also the benchmark's registry of 5,000 cases worked by the same users, with
    statistics gathered now, so that its planner chooses as it would for a real registry."""
    for stage in STAGES:
        open_case_at(api, stage)
    late = api.create_case()
    set_states(app, late["id"], {"birth_registration": "filed"}, days_ago=40)
    record_handling(app, late["id"], ["judge", "registrar"])
    engine = app.extensions["homeward.engine"]
    if engine.dialect.name == "postgresql":
        with app.app_context():
            load_cases(engine, _cast(), REGISTRY_CASES)
        with engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")


def _cast() -> Cast:
    """The test's users as the benchmark's seeder casts them."""
    session = transactions.session()
    users = {user.username: user for user in session.scalars(select(User))}
    workflow = catalogue.latest(session, "default")
    assert workflow is not None
    lawyers = [Account(users[name].id, users[name].agency_id) for name in LAWYERS]
    return Cast(
        workflow.id,
        catalogue.definition_of(workflow),
        lawyers,
        [0.6, 0.2, 0.2],
        {lawyers[0].id: [lawyers[1]], lawyers[1].id: [lawyers[0]], lawyers[2].id: []},
        {
            users[name].agency.kind: Account(users[name].id, users[name].agency_id)
            for name in ("registrar", "judge", "lab", "guardianship", "citizenship")
        },
    )


# The tables a page is read from in order, never sorted whole (on SQLite, which plans alike
# whatever the rows).
PAGED = frozenset({"case_listings"})


def problems(
    app: Any,
    run: Callable[[], Any],
    growing: frozenset[str] = GROWING,
    paged: frozenset[str] = PAGED,
) -> list[str]:
    """What is wrong with the plan of each statement `run` makes the database answer, where it
    reads the `growing` tables, or sorts the rows of a `paged` one."""
    engine = app.extensions["homeward.engine"]
    with statements_run(engine) as seen:
        run()
    selects = [(sql, params) for sql, params in seen if sql.lstrip().upper().startswith("SELECT")]
    judge = partial(_sqlite_problems, paged=paged)
    if engine.dialect.name != "sqlite":
        judge = _postgres_problems
    with engine.connect() as connection:
        return [
            problem
            for sql, params in selects
            for problem in judge(connection, sql, params, growing)
        ]


def _sqlite_problems(
    connection: Connection, sql: str, params: Any, growing: frozenset[str], paged: frozenset[str]
) -> Iterator[str]:
    assert (
        connection.exec_driver_sql(
            "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'"
        ).scalar_one()
        == 0
    ), "statistics would make SQLite's plans depend on the rows"
    plan = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params).all()
    searched = "person_names_fts" in sql
    for _id, parent, _unused, detail in plan:
        words = detail.split()
        if words[0] == "SCAN" and words[1] in growing:
            yield f"{detail} in {sql[:200]}"
        # A page's cases are found by their ids: any other index (the NGO's) reads them all.
        if words[:2] == ["SEARCH", "cases"] and "cases.id IN" in sql and "(id=?)" not in detail:
            yield f"finds a page's cases through another index than their ids: {detail}"
        if searched and words[:2] == ["SEARCH", "case_listings"] and "(case_id=" not in detail:
            yield f"a search reads the viewer's rows, not the names found: {detail}"
        listing = searched or any(f"FROM {table}" in sql for table in paged)
        merging = parent == 0 and "UNION" in sql  # pages of two viewers, each already bounded
        if detail == "USE TEMP B-TREE FOR ORDER BY" and listing and not merging:
            yield f"sorts every row it reads instead of reading them in order: {sql[:200]}"


def _postgres_problems(
    connection: Connection, sql: str, params: Any, growing: frozenset[str]
) -> Iterator[str]:
    with connection.begin():
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        (plan,) = connection.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {sql}", params).scalar_one()
    root = plan["Plan"] if isinstance(plan, dict) else json.loads(plan)[0]["Plan"]
    for node, paged in _nodes(root, paged=False):
        relation = node.get("Relation Name")
        if relation not in growing:
            continue
        kind = node["Node Type"]
        whole = kind in ("Index Scan", "Index Only Scan") and "Index Cond" not in node
        # An index read in its order straight into a page's LIMIT stops once it has the page.
        if kind == "Seq Scan" or (whole and not paged):
            yield f"{kind} on {relation} in {sql[:200]}"
        # A page walks a word's names newest first; a count, bounded by its own LIMIT, may
        # read them as the planner likes.
        counting = sql.lstrip().startswith("SELECT count(")
        if relation == "person_name_terms" and kind.startswith("Bitmap") and not counting:
            yield f"reads every name of a word before its page: {sql[:200]}"


def _nodes(node: dict[str, Any], *, paged: bool) -> Iterator[tuple[dict[str, Any], bool]]:
    """Each node, and whether its rows reach a LIMIT in the order they come (no sort, hash or
    aggregate between), the outer side of any join on the way."""
    yield node, paged
    kind = node["Node Type"]
    for position, child in enumerate(node.get("Plans", [])):
        ordered = kind == "Limit" or (paged and kind == "Nested Loop" and position == 0)
        yield from _nodes(child, paged=ordered)


def test_each_list_reads_only_through_indexes(
    app: Any, api: Api, registry: None, subtests: pytest.Subtests
) -> None:
    for username, query in LISTS:
        with subtests.test(msg=urlencode(query), username=username):
            api.token(username)  # signed in before, so that only the list is watched

            def listing(username: str = username, query: dict[str, str] = query) -> None:
                response = api.get(username, "/api/v1/cases", query_string=query)
                assert response.status_code == 200, response.json
                assert response.json["cases"] or "q" in query or "track" in query

            assert problems(app, listing) == []


def test_the_next_page_by_cursor_reads_only_through_indexes(
    app: Any, api: Api, registry: None
) -> None:
    first = api.get("registrar", "/api/v1/cases?per_page=1").json
    assert first["next_cursor"]

    def next_page() -> None:
        page = api.get("registrar", f"/api/v1/cases?per_page=1&cursor={first['next_cursor']}")
        assert page.status_code == 200 and page.json["cases"]

    assert problems(app, next_page) == []


def test_the_queue_page_with_what_was_handled_reads_only_through_indexes(
    app: Any, registry: None, client: FlaskClient
) -> None:
    sign_in(client, "registrar")
    assert problems(app, lambda: client.get("/queue")) == []


def test_a_one_word_search_walks_its_word_newest_first(app: Any, api: Api, registry: None) -> None:
    """The page of a one-word search reads the word's names in the page's order and stops: no
    plan of it sorts, on either database, whatever share of the registry bears the name."""
    api.token("lawyer")
    engine = app.extensions["homeward.engine"]
    with statements_run(engine) as seen:
        assert api.get("lawyer", "/api/v1/cases?q=Nurgalieva").status_code == 200
    searched = [
        (sql, params)
        for sql, params in seen
        if ("person_names_fts" in sql or "person_name_terms" in sql)
        and not sql.lstrip().startswith("SELECT count(")
    ]
    assert searched, "the search did not read the word's names through the index in its order"
    with engine.connect() as connection:
        plans = [_plan_lines(connection, sql, params) for sql, params in searched]
    assert not [line for plan in plans for line in plan if "Sort" in line or "B-TREE" in line]
    if engine.dialect.name == "postgresql":
        assert any("Backward using pk_person_name_terms" in line for plan in plans for line in plan)


def _plan_lines(connection: Connection, sql: str, params: Any) -> list[str]:
    if connection.dialect.name == "sqlite":
        plan = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params).all()
        return [row[3] for row in plan]
    return [row[0] for row in connection.exec_driver_sql(f"EXPLAIN {sql}", params).all()]
