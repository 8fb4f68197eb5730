"""The duplicate check finds its candidates through the digest index, on SQLite and on
PostgreSQL: EXPLAIN of each statement the check sends to `name_keys` shows the digest looked up
in `ix_name_keys_digest`, and neither the keys, the people nor the cases read whole.

SQLite plans without statistics, so the plan shown here is the one it follows over 100,000
cases; PostgreSQL plans from statistics, so there the registry holds the benchmark's 5,000 seeded
cases (each child with its digests) analysed now, sequential scans are priced out
(`enable_seqscan = off`) and an index it reads must be read by a condition. How the check's time
grows with the registry is the benchmark's to show (`python -m bench.duplicate_check`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection

from tests.factories import Api
from tests.statements import statements_run
from tests.workflow.test_duplicates import CYRILLIC_CHILD, LATIN_CHILD, open_case
from tests.workflow.test_list_plans import registry

__all__ = ["registry"]  # the lists' registry: on PostgreSQL, 5,000 seeded cases analysed

INDEX = "ix_name_keys_digest"
GROWING = {"name_keys", "people", "cases", "person_names"}


def check_statements(app: Any, api: Api) -> list[tuple[str, Any]]:
    """The statements reading `name_keys` while a lawyer opens a case for a child another
    agency already has; the opening is refused as a possible duplicate."""
    open_case(api, "lawyer3", CYRILLIC_CHILD)
    api.token("lawyer")  # signed in before, so that only the opening is watched
    with statements_run(app.extensions["homeward.engine"]) as seen:
        assert open_case(api, "lawyer", LATIN_CHILD).status_code == 409
    return [(sql, params) for sql, params in seen if "name_keys" in sql]


def sqlite_plan(connection: Connection, sql: str, params: Any) -> list[str]:
    return [row[3] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params)]


def postgres_plan(connection: Connection, sql: str, params: Any) -> list[dict[str, Any]]:
    with connection.begin():
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        (plan,) = connection.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {sql}", params).scalar_one()
    root = plan["Plan"] if isinstance(plan, dict) else json.loads(plan)[0]["Plan"]
    return list(_nodes(root))


def _nodes(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield node
    for child in node.get("Plans", []):
        yield from _nodes(child)


def sqlite_problems(plan: list[str]) -> list[str]:
    """Whole reads of a growing table, and a digest not looked up in its index."""
    wrong = [line for line in plan if line.split()[:1] == ["SCAN"] and line.split()[1] in GROWING]
    keys = [line for line in plan if line.split()[1:2] == ["name_keys"]]
    if not keys or not all(INDEX in line and "(digest=?)" in line for line in keys):
        wrong.append(f"name_keys not searched by digest in {INDEX}: {keys}")
    return wrong


def postgres_problems(plan: list[dict[str, Any]]) -> list[str]:
    """Sequential reads, indexes read whole, and a digest not looked up in its index (a bitmap
    read of the keys is fed by its index's condition)."""
    wrong = [
        f"{node['Node Type']} on {node['Relation Name']}"
        for node in plan
        if node.get("Relation Name") in GROWING
        and (
            node["Node Type"] == "Seq Scan"
            or (node["Node Type"].startswith("Index") and "Index Cond" not in node)
        )
    ]
    if not any(
        node.get("Index Name") == INDEX and "digest" in node.get("Index Cond", "") for node in plan
    ):
        wrong.append(f"name_keys not searched by digest in {INDEX}")
    return wrong


def test_the_candidates_are_found_through_the_digest_index(
    app: Any, api: Api, registry: None
) -> None:
    statements = check_statements(app, api)
    assert statements, "the check read no name keys"
    engine = app.extensions["homeward.engine"]
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            found = [sqlite_problems(sqlite_plan(connection, *each)) for each in statements]
        else:
            found = [postgres_problems(postgres_plan(connection, *each)) for each in statements]
    assert [problem for problems in found for problem in problems] == []
