"""Database engine, the declarative base and the one transaction boundary per request."""

from __future__ import annotations

import enum
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, current_app, g
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


def build_engine(url: str) -> Engine:
    """Create the engine; SQLite gets WAL, foreign keys and writer serialisation."""
    if make_url(url).get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
    event.listen(engine, "connect", _configure_sqlite)
    # One writer at a time: taking the write lock at BEGIN avoids SQLITE_BUSY_SNAPSHOT when two
    # requests read the same case and then both try to write it.
    event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
    return engine


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
    app.after_request(_finish_request)
    app.teardown_appcontext(_close_session)


def session() -> Session:
    """The session of the current request or command, opened on first use."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["homeward.sessions"]()
    db_session: Session = g.db_session
    return db_session


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
