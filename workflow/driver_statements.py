"""Statements sent on the driver's own connection, in SQLAlchemy's transaction on it.

A few statements run at every request or every step: the session check, a case's registered
particulars, the tallies a step moves. For these, SQLAlchemy's execution of a statement it has
compiled and cached already (its execution context, its result's metadata and rows) costs more
than the database's work: through SQLAlchemy, the session check and the particulars were a
thirtieth of a case read. Each is compiled here once for each kind of database, with how its
parameters are stored and how its columns are read back, and sent to the driver directly.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ClauseElement, Connection, Dialect, Select

Converter = Callable[[Any], Any]


@dataclass(frozen=True)
class DriverStatement:
    """One statement as a kind of database's driver takes it: its text, its parameters' names in
    the order it takes them, how each is stored, and how each column it answers is read."""

    text: str
    parameters: tuple[str, ...]
    stored: tuple[Converter | None, ...]
    read: tuple[Converter | None, ...]
    row: Callable[..., Any]  # the columns' values, as a tuple with the columns' names

    def values(self, given: Mapping[str, Any]) -> tuple[Any, ...]:
        """The parameters, named in `given`, as the driver takes them."""
        return self.in_order([given[name] for name in self.parameters])

    def in_order(self, values: Sequence[Any]) -> tuple[Any, ...]:
        """The parameters, given in the order the statement takes them, as the driver does."""
        return tuple(
            value if store is None else store(value)
            for store, value in zip(self.stored, values, strict=True)
        )

    def rows(self, connection: Connection, given: Mapping[str, Any]) -> list[Any]:
        """Run the statement in the connection's transaction; its rows, each column read.

        Sent by the connection's own way to a cursor (`_cursor_execute`, SQLAlchemy's for the
        statements it runs outside a compiled execution): the engine's listeners see it, and a
        driver's error is raised as SQLAlchemy's, as for any other statement."""
        cursor = driver_cursor(connection)
        try:
            connection._cursor_execute(cursor, self.text, self.values(given))
            found = cursor.fetchall()
        finally:
            cursor.close()
        read, row = self.read, self.row
        return [
            row(
                *(
                    value if convert is None else convert(value)
                    for convert, value in zip(read, line, strict=True)
                )
            )
            for line in found
        ]


def driver_cursor(connection: Connection) -> Any:
    """A cursor of the driver's connection under `connection`, in its transaction."""
    return connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]


_COMPILED: dict[tuple[type[Dialect], ClauseElement], DriverStatement] = {}


def for_driver(statement: ClauseElement, dialect: Dialect) -> DriverStatement:
    """`statement` as `dialect`'s driver takes it, compiled once for each kind of database
    (the statement must be built once, as it is the key)."""
    found = _COMPILED.get((type(dialect), statement))
    if found is None:
        found = _COMPILED[type(dialect), statement] = _compiled(statement, dialect)
    return found


def _compiled(statement: ClauseElement, dialect: Dialect) -> DriverStatement:
    kind: Any = type(dialect)
    # Positional parameters for every driver (PostgreSQL's takes `%s` as well as names).
    compiled: Any = statement.compile(
        dialect=dialect if dialect.positional else kind(paramstyle="format")
    )
    parameters = tuple(compiled.positiontup or ())
    # A literal's value, or a list expanded when sent, is SQLAlchemy's to fill in at each run.
    fixed = [name for name in parameters if _filled_in(compiled.binds[name])]
    if fixed:
        raise ValueError(f"every value sent must be a named parameter, not {fixed}")
    columns = statement.selected_columns if isinstance(statement, Select) else ()
    return DriverStatement(
        text=str(compiled),
        parameters=parameters,
        stored=tuple(_converter(compiled.binds[name].type, dialect) for name in parameters),
        read=tuple(
            column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns
        ),
        row=namedtuple("Row", [column.key for column in columns], rename=True),  # type: ignore[misc]
    )


def _filled_in(bind: Any) -> bool:
    return not bind.required or bind.expanding or bind.literal_execute


def _converter(kind: Any, dialect: Dialect) -> Converter | None:
    """How a value of the SQL type `kind` is stored through `dialect`'s driver, if not as it is."""
    stored: Converter | None = kind.dialect_impl(dialect).bind_processor(dialect)
    return stored


def parameters_in(compiled: DriverStatement, order: Sequence[str]) -> DriverStatement:
    """`compiled`, checked to take its parameters in `order`."""
    if list(compiled.parameters) != list(order):
        raise RuntimeError(f"the parameters come in another order: {compiled.parameters}")
    return compiled
