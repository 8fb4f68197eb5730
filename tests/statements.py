"""What SQL a block of a test sends: for the tests that count statements or read their plans."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event


@contextmanager
def statements_run(engine: Any) -> Iterator[list[tuple[str, Any]]]:
    """Every statement the engine runs meanwhile, in order, with its parameters as the driver
    took them."""
    statements: list[tuple[str, Any]] = []

    def keep(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", keep)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", keep)


@contextmanager
def driver_statements(engine: Any) -> Iterator[list[str]]:
    """Every statement SQLite runs meanwhile on the connections the engine hands out, those
    sent to the driver directly (the trail's, the tallies') as well; one for each row of a
    batch. SQLite only: its driver tells each statement it runs."""
    statements: list[str] = []
    traced: list[Any] = []

    def trace(dbapi_connection: Any, *_: Any) -> None:
        dbapi_connection.set_trace_callback(statements.append)
        traced.append(dbapi_connection)

    event.listen(engine, "checkout", trace)
    try:
        yield statements
    finally:
        event.remove(engine, "checkout", trace)
        for dbapi_connection in traced:  # one still out keeps no callback either
            dbapi_connection.set_trace_callback(None)


def is_read(statement: str) -> bool:
    return statement.lstrip().upper().startswith(("SELECT", "WITH"))
