"""What one case read costs the database: at most four queries, each for one kind of thing (the
session with its user, the case with its tracks and need-to-know facts, the people with their
names, and the particulars to register for whoever sees them) and no lazy load anywhere on the
paths users take most; then the audit event's write. And what a step costs, bounded."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

from tests.factories import Api
from tests.statements import driver_statements, statements_run

AUDIT_WRITE = ("audit_head", "audit_events", "strftime", "clock_timestamp()")


@contextmanager
def statements(app: Any) -> Iterator[list[tuple[str, Any]]]:
    """Every SQL statement the block sends, in order, with its parameters."""
    with statements_run(app.extensions["homeward.engine"]) as seen:
        yield seen


@contextmanager
def lazy_loads() -> Iterator[list[str]]:
    """Every relationship the block loaded lazily, one attribute access at a time."""
    loaded: list[str] = []

    def note(state: ORMExecuteState) -> None:
        if state.is_select and state.lazy_loaded_from is not None:
            loaded.append(f"{state.lazy_loaded_from.class_.__name__}: {state.statement}")

    event.listen(Session, "do_orm_execute", note)
    try:
        yield loaded
    finally:
        event.remove(Session, "do_orm_execute", note)


def case_reads(seen: list[tuple[str, Any]]) -> list[str]:
    """The table each read of case data selects from, leaving out the audit event's write."""
    lines = [" ".join(statement.split()) for statement, _parameters in seen]
    return [
        outer_table(statement)
        for statement in lines
        if statement.startswith("SELECT") and not any(part in statement for part in AUDIT_WRITE)
    ]


def outer_table(statement: str) -> str:
    """The table after the statement's own FROM, not a subquery's."""
    return statement[outer_from(statement) + 6 :].split()[0]


def outer_from(statement: str) -> int:
    """Where the statement's own FROM is, not a subquery's."""
    depth = 0
    for at, char in enumerate(statement):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0 and statement.startswith(" FROM ", at):
            return at
    raise AssertionError(f"no FROM in {statement}")


@pytest.fixture
def case(api: Api) -> dict[str, Any]:
    case = api.create_case()
    return api.request_dna(case)


# The lawyer also sees the particulars to register, with their versions.
LAWYER_READS = ["auth_sessions", "cases", "people", "registered_particulars"]
# An official's need-to-know asks which states wait on their agency, in every stored workflow.
OFFICIAL_READS = ["auth_sessions", "workflow_definitions", "cases", "people"]


@pytest.mark.parametrize(
    ("reader", "reads"),
    [("lawyer", LAWYER_READS), ("judge", OFFICIAL_READS)],  # the court the case waits on
)
def test_a_case_read_is_a_few_queries_and_no_lazy_load(
    app: Any, api: Api, case: dict[str, Any], reader: str, reads: list[str]
) -> None:
    headers = api.headers(reader)
    api.client.get(f"/api/v1/cases/{case['id']}", headers=headers)  # definitions parsed once
    with statements(app) as seen, lazy_loads() as lazy:
        response = api.client.get(f"/api/v1/cases/{case['id']}", headers=headers)

    assert response.status_code == 200
    assert case_reads(seen) == reads
    assert lazy == []


@pytest.mark.parametrize("named_by", ["id", "reference"])
def test_a_case_read_works_out_its_need_to_know_lists_once(
    app: Any, api: Api, case: dict[str, Any], named_by: str
) -> None:
    """The lists come from subqueries of the case the key names, which the database works out
    once; tied to the row, they were worked out again for each track row the join returns."""
    with statements(app) as seen:
        response = api.client.get(f"/api/v1/cases/{case[named_by]}", headers=api.headers("lawyer"))

    assert response.status_code == 200
    lines = [" ".join(statement.split()) for statement, _ in seen]
    (lookup,) = (line for line in lines if line.startswith("SELECT cases.id"))
    listed = lookup[: outer_from(lookup)]  # the columns
    assert listed.count("AS id_list_") == 4  # the four lists, by whichever aggregate
    assert "= cases.id" not in listed


def test_a_read_looks_at_each_key_folder_once(
    app: Any, api: Api, case: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A read opens a dozen sealed values and checks a token; each looked at its key folder
    for a key added since, a system call that let the other threads take the interpreter."""
    folders = {Path(app.config["KEYS_DIR"]), Path(app.config["DATA_KEYS_DIR"])}
    looks: list[Path] = []
    stat = os.stat

    def noted(path: Any, *arguments: Any, **options: Any) -> Any:
        if isinstance(path, str | Path) and Path(path) in folders:
            looks.append(Path(path))
        return stat(path, *arguments, **options)

    headers = api.headers("lawyer")
    monkeypatch.setattr(os, "stat", noted)
    response = api.client.get(f"/api/v1/cases/{case['id']}", headers=headers)

    assert response.status_code == 200
    assert response.json["child"]["names"]  # its sealed values opened
    assert sorted(looks) == sorted(folders)


def test_a_reopened_case_asks_for_each_of_its_people_once(
    app: Any, api: Api, case: dict[str, Any]
) -> None:
    """Reopening moves every track, and each move tells whoever the case is now in front of;
    the lawyers, or an agency's officials, are asked for once however many tracks reach them."""
    version = api.case_version("lawyer", case["id"])
    closed = api.client.post(
        f"/api/v1/cases/{case['id']}/close",
        json={"reason": "withdrawn"},
        headers=api.headers("lawyer", **{"If-Match": f'"{version}"'}),
    )
    with statements(app) as seen:
        reopened = api.client.post(
            f"/api/v1/cases/{case['id']}/reopen",
            json={},
            headers=api.headers("lawyer", **{"If-Match": closed.headers["ETag"]}),
        )

    assert reopened.status_code == 200
    asked = [(s, repr(p)) for s, p in seen if s.startswith("SELECT users.id")]
    assert asked
    assert len(set(asked)) == len(asked)


def test_a_step_loads_nothing_lazily(app: Any, api: Api, case: dict[str, Any]) -> None:
    version = api.case_version("lawyer", case["id"])
    headers = api.headers("lawyer", **{"If-Match": f'"{version}"'})
    with lazy_loads() as lazy:
        response = api.client.post(
            f"/api/v1/cases/{case['id']}/close", json={"reason": "withdrawn"}, headers=headers
        )

    assert response.status_code == 200
    assert lazy == []


def test_a_hidden_case_costs_the_same_queries_as_a_missing_one(
    app: Any, api: Api, case: dict[str, Any]
) -> None:
    headers = api.headers("lawyer3")  # another NGO's lawyer
    with statements(app) as hidden:
        api.client.get(f"/api/v1/cases/{case['id']}", headers=headers)
    with statements(app) as missing:
        api.client.get("/api/v1/cases/00000000-0000-4000-8000-000000000000", headers=headers)

    assert case_reads(hidden) == case_reads(missing) == ["auth_sessions", "cases"]


# The session, the case and its people; the step's history and the case's new version; the
# lawyers' agency noted among the case's handlers (its first step on the case track); the
# answer's need-to-know facts and particulars; the case's listing, read in two queries and
# written anew: 13 statements sent through SQLAlchemy. Sent to the driver directly, and counted
# only where the database tells each statement it runs (SQLite), one for each row: the tallies'
# counts, each one lowered then removed if it reached nothing (here, all of them: 30 for a case
# on six tracks), and the audit event (the head locked, the event, the head moved).
MOST_STATEMENTS_IN_A_CLOSING = {"sqlite": 48, "postgresql": 13}
DATA = ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")


def test_a_step_is_a_bounded_number_of_statements(app: Any, api: Api, case: dict[str, Any]) -> None:
    """Counted by the database itself where it tells them (SQLite), so that a statement sent
    to the driver directly counts too; elsewhere as SQLAlchemy sends them."""
    version = api.case_version("lawyer", case["id"])
    headers = api.headers("lawyer", **{"If-Match": f'"{version}"'})
    engine = app.extensions["homeward.engine"]
    by_sqlite = engine.dialect.name == "sqlite"
    with driver_statements(engine) if by_sqlite else statements(app) as seen:
        response = api.client.post(
            f"/api/v1/cases/{case['id']}/close", json={"reason": "withdrawn"}, headers=headers
        )

    assert response.status_code == 200
    texts = [item if by_sqlite else item[0] for item in seen]
    sent = [statement for statement in texts if statement.lstrip().upper().startswith(DATA)]
    assert len(sent) <= MOST_STATEMENTS_IN_A_CLOSING[engine.dialect.name]
