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


def is_read(statement: str) -> bool:
    return statement.lstrip().upper().startswith(("SELECT", "WITH"))
