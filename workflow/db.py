"""Database engine, the declarative base and the one transaction boundary per request."""

from __future__ import annotations

import enum
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, current_app, g, has_request_context, request
from sqlalchemy import JSON, DateTime, Engine, Enum, MetaData, Uuid, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from workflow import errors

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
        if value is None or value.tzinfo is not None:
            return value
        return value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime, uuid.UUID: Uuid, dict[str, Any]: JSON}


def utcnow() -> datetime:
    """Now, in UTC, to the microsecond."""
    return datetime.now(UTC)


# Requests that only read: their transaction takes no write lock, and their audit event is
# appended in a short transaction of its own at the end.
READING_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
READING = "homeward_reading"


def build_engine(url: str) -> Engine:
    """Create the engine; SQLite gets WAL, foreign keys and writer serialisation."""
    # A reading request may hold two connections at once (its reads, then its event): a pool
    # that can always grow never leaves a thread waiting on another for one.
    if make_url(url).get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=-1)
    engine = create_engine(
        url, connect_args={"timeout": 30, "check_same_thread": False}, max_overflow=-1
    )
    event.listen(engine, "connect", _configure_sqlite)
    event.listen(engine, "begin", _begin_sqlite)
    return engine


def _begin_sqlite(connection: Any) -> None:
    """Reads begin deferred and take no lock; a transaction that writes takes the write lock at
    BEGIN, one writer at a time, which avoids SQLITE_BUSY_SNAPSHOT when two requests read the
    same case and then both try to write it."""
    reading = connection.get_execution_options().get(READING, False)
    connection.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # SQLAlchemy's "begin" event issues BEGIN itself
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def init_app(app: Flask) -> None:
    """Attach an engine and a session factory; close the request's session at teardown."""
    engine = build_engine(app.config["DATABASE_URL"])
    app.extensions["homeward.engine"] = engine
    app.extensions["homeward.sessions"] = sessionmaker(engine, expire_on_commit=False)
    app.extensions["homeward.read_sessions"] = sessionmaker(
        engine.execution_options(**{READING: True}), expire_on_commit=False, info={READING: True}
    )
    app.after_request(_finish_request)
    app.teardown_appcontext(_close_session)


def session() -> Session:
    """The session of the current request or command, opened on first use."""
    if "db_session" not in g:
        kind = "homeward.read_sessions" if reading_request() else "homeward.sessions"
        g.db_session = current_app.extensions[kind]()
    db_session: Session = g.db_session
    return db_session


def reading_request() -> bool:
    """Whether this is a request that only reads (its event is written apart, at the end)."""
    return has_request_context() and request.method in READING_METHODS


Finisher = Callable[[Session, Response], None]
Kept = Callable[[Session], None]


def add_finisher(app: Flask, finisher: Finisher) -> None:
    """Run `finisher` in the request's transaction just before it commits: after the changes of a
    success, or alone after the rollback of a failure (so a denial is still recorded)."""
    app.extensions.setdefault("homeward.finishers", []).append(finisher)


def even_if_refused(change: Callable[[Session], None]) -> None:
    """Make `change` in the request's final transaction even when the request fails: a failed
    sign-in must still count, and a stolen refresh token must still end its session."""
    g.setdefault("homeward_kept", []).append(change)


def on_rollback(undo: Callable[[], None]) -> None:
    """Undo work done outside the database (a stored document) if this transaction rolls back."""
    g.setdefault("homeward_undo", []).append(undo)


def end_reads() -> None:
    """End the request's transaction before slow work (a file taken apart in the sandbox), so
    that it holds no lock meanwhile; nothing may have been changed yet."""
    db_session: Session | None = g.get("db_session")
    if db_session is None:
        return
    if db_session.new or db_session.dirty or db_session.deleted:
        raise RuntimeError("end_reads() after a change: the change would be lost")
    db_session.rollback()


def discard_failed_try() -> None:
    """Drop what a refused change flushed, so the page drawn next shows the case as it stands;
    the request still ends at the one boundary below, which then rolls back."""
    session().rollback()
    _undo()
    g.pop("homeward_undo", None)


def _undo() -> None:
    for undo in reversed(g.pop("homeward_undo", [])):
        undo()


def _finish_request(response: Response) -> Response:
    """The request's one commit: everything it changed commits together, or on error nothing."""
    finishers: list[Finisher] = current_app.extensions.get("homeward.finishers", [])
    db_session: Session | None = g.get("db_session")
    if db_session is None and not finishers:
        return response
    if reading_request() and (db_session is None or db_session.info.get(READING)):
        return _finish_reading(response, finishers)
    db_session = session()
    if response.status_code >= 400:
        db_session.rollback()
        _undo()
    kept: list[Kept] = g.pop("homeward_kept", [])
    try:
        _commit(db_session, kept, finishers, response)
    except Exception as error:  # any failure to commit becomes an error response
        db_session.rollback()
        _undo()
        refusal = errors.response_for(error)
        _commit_refusal(db_session, kept, finishers, refusal)
        return refusal
    g.pop("homeward_undo", None)
    return response


def _commit(
    db_session: Session, kept: list[Kept], finishers: list[Finisher], response: Response
) -> None:
    for change in kept:
        change(db_session)
    for finish in finishers:
        finish(db_session, response)
    db_session.commit()


def _commit_refusal(
    db_session: Session, kept: list[Kept], finishers: list[Finisher], refusal: Response
) -> None:
    """After a failed commit, keep the refused request's event alone, as for any refusal; if
    even that fails (the trail itself cannot be written), nothing is kept."""
    try:
        _commit(db_session, kept, finishers, refusal)
    except Exception as error:
        db_session.rollback()
        _undo()
        errors.as_homeward(error)  # logs it, by type and line only


def _finish_reading(response: Response, finishers: list[Finisher]) -> Response:
    """A read's event, and what a read keeps (a session seen, a request counted), in a short
    write of their own, committed before the response leaves: no data is served without its
    event, and the write lock is held only for this."""
    final: Session = current_app.extensions["homeward.sessions"]()
    kept: list[Kept] = g.pop("homeward_kept", [])
    try:
        _refuse_changes_in_reads()
        _commit(final, kept, finishers, response)
    except Exception as error:  # any failure to commit becomes an error response
        final.rollback()
        refusal = errors.response_for(error)
        _commit_refusal(final, kept, finishers, refusal)
        return refusal
    finally:
        final.close()
        _end_reading()
    return response


def _refuse_changes_in_reads() -> None:
    """A reading request's own transaction is never committed: a change made there would be
    lost without a word, so it fails the request instead (use even_if_refused, or a POST)."""
    reads: Session | None = g.get("db_session")
    if reads is not None and (reads.new or reads.dirty or reads.deleted):
        raise RuntimeError("a reading request changed data in its read-only transaction")


def _end_reading() -> None:
    """End the read's transaction too, so a later use of the session sees the database anew."""
    reads: Session | None = g.get("db_session")
    if reads is not None:
        reads.rollback()


def _close_session(_exc: BaseException | None) -> None:
    db_session = g.pop("db_session", None)
    if db_session is not None:
        db_session.close()


@contextmanager
def unit_of_work() -> Iterator[Session]:
    """The one commit of a CLI command: everything inside commits together or not at all."""
    db_session = session()
    try:
        yield db_session
        db_session.commit()
    except BaseException:
        db_session.rollback()
        _undo()
        raise
    g.pop("homeward_undo", None)


def stored_enum(kind: type[enum.Enum], length: int = 20) -> Enum:
    """Store an enum by its value, as a string, the same on every backend."""
    return Enum(kind, native_enum=False, length=length, values_callable=_values)


def _values(kind: type[enum.Enum]) -> list[str]:
    return [member.value for member in kind]
