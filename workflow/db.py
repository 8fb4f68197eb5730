"""The database: its engine, the declarative base and the column types every model uses.

Transactions are `workflow.transactions`' business; nothing here knows of a request."""

from __future__ import annotations

import enum
import functools
import math
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Engine, Enum, MetaData, Uuid, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

from workflow.sqlite_writers import TURN_SECONDS, WriterConnection

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every backend (SQLite stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else _utc(value)

    def result_processor(self, dialect: Any, coltype: object) -> Any:
        """`process_result_value` after the inner type's reading, in one call instead of the
        two of SQLAlchemy's wrapping: a case read reads some forty moments."""
        inner: Any = self.impl_instance.result_processor(dialect, coltype)
        if inner is None:
            return super().result_processor(dialect, coltype)

        def read(value: Any) -> datetime | None:
            return None if value is None else _utc(inner(value))

        return read


def _utc(stored: datetime) -> datetime:
    """A moment as read: SQLite's naive values are UTC."""
    return stored if stored.tzinfo is not None else stored.replace(tzinfo=UTC)


class StoredUuid(Uuid[uuid.UUID]):
    """A UUID column. Where it is stored as text (SQLite), the ids read are made from it once
    for many reads: every request reads the same few again (its user and agency, the case at
    hand and its people), and making each anew was a fiftieth of a case read. PostgreSQL's
    driver gives UUIDs as they are."""

    cache_ok = True

    def result_processor(self, dialect: Any, coltype: object) -> Any:
        read = super().result_processor(dialect, coltype)  # type: ignore[no-untyped-call]
        return _uuid_of if read is not None and self.as_uuid else read


@functools.lru_cache(maxsize=4096)
def _made_uuid(text: str) -> uuid.UUID:
    return uuid.UUID(text)


def _uuid_of(stored: str | None) -> uuid.UUID | None:
    return None if stored is None else _made_uuid(stored)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime, uuid.UUID: StoredUuid, dict[str, Any]: JSON}


# The moment a story is at while the demo tells it (`story_time`); never set while serving.
_STORY_TIME: ContextVar[datetime | None] = ContextVar("story_time", default=None)


def utcnow() -> datetime:
    """Now, in UTC, to the microsecond; or the moment of the story being told, if one is."""
    return _STORY_TIME.get() or datetime.now(UTC)


@contextmanager
def story_time(moment: datetime) -> Iterator[None]:
    """Stamp what the operations record inside at `moment`: how the demo dates its cases' past.

    The audit trail is stamped by the database's own clock, so it still records the real time."""
    token = _STORY_TIME.set(moment)
    try:
        yield
    finally:
        _STORY_TIME.reset(token)


READING = "homeward_reading"  # the execution option of a connection that only reads


def build_engine(url: str) -> Engine:
    """Create the engine; SQLite gets WAL, foreign keys and writer serialisation."""
    # A reading request may hold two connections at once (its reads, then its event): a pool
    # that can always grow never leaves a thread waiting on another for one.
    if make_url(url).get_backend_name() != "sqlite":
        engine = create_engine(url, pool_size=10, max_overflow=-1)
        _test_when_rested(engine)
        return engine
    connect = {"timeout": TURN_SECONDS, "check_same_thread": False, "factory": WriterConnection}
    engine = create_engine(url, connect_args=connect, max_overflow=-1)
    _test_when_rested(engine)
    turn = threading.Lock()  # this process's turn to write, shared by the engine's connections
    event.listen(engine, "connect", lambda dbapi, _record: _configure_sqlite(dbapi, turn))
    event.listen(engine, "begin", _begin_sqlite)
    return engine


# How long a pooled connection may rest before it is tested on its way out of the pool.
RESTED_SECONDS = 1.0
_RETURNED = "homeward_returned"  # when the connection came back to the pool (monotonic)


def _test_when_rested(engine: Engine) -> None:
    """Test each connection that rested in the pool before use; replace one that is gone."""
    # A round trip before every use (`pool_pre_ping`) was two of a PostgreSQL case read's
    # thirteen; a connection used a moment ago is not tested again. A server restarted under
    # load fails the requests that hold one of its connections, and the first such failure
    # empties the pool. A SQLite file's connections are tested the same way, for one rule.
    dialect = engine.dialect

    def returned(_dbapi: Any, record: Any) -> None:
        record.info[_RETURNED] = time.monotonic()

    def taken(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        if time.monotonic() - record.info.get(_RETURNED, math.inf) <= RESTED_SECONDS:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as error:
            raise DisconnectionError("a pooled connection no longer answers") from error

    event.listen(engine, "checkin", returned)
    event.listen(engine, "checkout", taken)


def _begin_sqlite(connection: Any) -> None:
    """Reads begin deferred and take no lock; a transaction that writes takes the write lock at
    BEGIN, one writer at a time, which avoids SQLITE_BUSY_SNAPSHOT when two requests read the
    same case and then both try to write it. This process's threads take turns first."""
    # Sent on the driver's connection: through SQLAlchemy, a BEGIN cost a statement's execution.
    writer: WriterConnection = connection.connection.dbapi_connection
    if connection.get_execution_options().get(READING, False):
        writer.execute("BEGIN")
        return
    begin_writing(writer)


def begin_writing(dbapi_connection: Any) -> None:
    """Begin a transaction that writes on a driver's connection of the engine: SQLite's takes
    this process's turn, then the write lock; PostgreSQL's driver begins at its first statement."""
    if not isinstance(dbapi_connection, WriterConnection):
        return
    dbapi_connection.take_turn()
    try:
        dbapi_connection.execute("BEGIN IMMEDIATE")
    except BaseException:
        dbapi_connection.give_back()
        raise


def _configure_sqlite(dbapi_connection: Any, turn: threading.Lock) -> None:
    dbapi_connection.turn = turn
    dbapi_connection.isolation_level = None  # SQLAlchemy's "begin" event issues BEGIN itself
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def stored_enum(kind: type[enum.Enum], length: int = 20) -> Enum:
    """Store an enum by its value, as a string, the same on every backend."""
    return Enum(kind, native_enum=False, length=length, values_callable=_values)


def _values(kind: type[enum.Enum]) -> list[str]:
    return [member.value for member in kind]
