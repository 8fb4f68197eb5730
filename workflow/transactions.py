"""The unit of work: one transaction per request or command, the only place that commits.

Operations change the session and flush; they never commit. A request's changes, its history
rows and its audit event commit together at its end, or on error nothing does but the refusal's
event; a command's commit together when it ends. The HTTP side (`workflow.http.boundary`) says
when a request begins and ends, and with which status; nothing else here knows of HTTP."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from flask import Flask, current_app, g
from sqlalchemy.orm import Session, sessionmaker

from workflow import listings
from workflow.db import READING, build_engine

# Run in the request's final transaction: after the changes of a success, or alone after the
# rollback of a failure, with the status the request is answered with (so a denial is recorded).
Finisher = Callable[[Session, int], None]
Kept = Callable[[Session], None]


def init_app(app: Flask) -> None:
    """Attach an engine, a session factory for changes and one for reads that take no lock."""
    engine = build_engine(app.config["DATABASE_URL"])
    app.extensions["homeward.engine"] = engine
    app.extensions["homeward.sessions"] = changes = sessionmaker(engine, expire_on_commit=False)
    listings.keep_current(changes)
    app.extensions["homeward.read_sessions"] = sessionmaker(
        engine.execution_options(**{READING: True}), expire_on_commit=False, info={READING: True}
    )
    app.teardown_appcontext(_close_session)


def add_finisher(app: Flask, finisher: Finisher) -> None:
    app.extensions.setdefault("homeward.finishers", []).append(finisher)


def end_reads_with(app: Flask, finisher: Finisher, end: Callable[[int], None]) -> None:
    """Let a read that keeps nothing but its event end through `end`, which writes the event
    together with other reads' (group commit) and returns once it is committed; `end` takes
    what it needs from the read's objects, then ends the read (`end_reads`) before it waits.
    Only a read whose one finisher is `finisher` ends so: `end` does that finisher's work."""
    app.extensions["homeward.grouped_end"] = (finisher, end)


def begin_request(*, reading: bool) -> None:
    """A request that only reads gets a session that takes no write lock; its event and what it
    keeps are written in a short transaction of their own when it ends."""
    g.homeward_reading = reading


def session() -> Session:
    """The session of the current request or command, opened on first use."""
    db_session: Session | None = g.get("db_session")
    if db_session is None:
        kind = "homeward.read_sessions" if g.get("homeward_reading") else "homeward.sessions"
        db_session = g.db_session = current_app.extensions[kind]()
    return db_session


def even_if_refused(change: Kept) -> None:
    """Make `change` in the request's final transaction even when the request fails: a failed
    sign-in must still count, and a stolen refresh token must still end its session."""
    g.setdefault("homeward_kept", []).append(change)


def on_rollback(undo: Callable[[], None]) -> None:
    """Undo work done outside the database (a stored document) if this transaction rolls back."""
    g.setdefault("homeward_undo", []).append(undo)


def end_reads() -> None:
    """End the request's transaction before slow work (a file taken apart in the sandbox), so
    that it holds no lock meanwhile; nothing may have been changed yet."""
    db_session = _unchanged_reads()
    if db_session is not None:
        db_session.rollback()


def end_answered_reads() -> None:
    """End the transaction of a read that is answered: its objects are let go as they are, not
    expired for a reload that never comes (the expiry was a twentieth of a case read)."""
    db_session = _unchanged_reads()
    if db_session is not None:
        db_session.close()


def _unchanged_reads() -> Session | None:
    db_session: Session | None = g.get("db_session")
    if db_session is not None and (db_session.new or db_session.dirty or db_session.deleted):
        raise RuntimeError("end_reads() after a change: the change would be lost")
    return db_session


def discard_failed_try() -> None:
    """Drop what a refused change flushed, so the page drawn next shows the case as it stands;
    the request still ends at its one boundary (`end_request`), which then rolls back."""
    session().rollback()
    _undo()
    g.pop("homeward_undo", None)


def end_request(status: int) -> None:
    """The request's one commit: everything it changed commits together, or, when it is
    answered with an error, nothing but what is kept even then. Raises if the commit fails;
    the caller answers with an error and calls `keep_refusal`."""
    finishers = _finishers()
    db_session: Session | None = g.get("db_session")
    if db_session is None and not finishers:
        return
    if g.get("homeward_reading") and (db_session is None or db_session.info.get(READING)):
        _end_reading(status, finishers)
        return
    db_session = session()
    g.homeward_final = db_session  # a refusal after a failed commit is kept in this one
    kept = _take_kept()
    if status >= 400:
        db_session.rollback()
        _undo()
    _commit(db_session, kept, finishers, status)
    g.pop("homeward_undo", None)
    g.pop("homeward_final", None)


def keep_refusal(status: int) -> None:
    """After a failed commit, keep the refused request's event alone, as for any refusal; if
    even that fails (the trail itself cannot be written), nothing is kept and it is raised."""
    final: Session | None = g.pop("homeward_final", None)
    if final is None:
        return
    try:
        _commit(final, g.get("homeward_kept_taken", []), _finishers(), status)
    except Exception:
        final.rollback()
        _undo()
        raise
    finally:
        if final is not g.get("db_session"):
            final.close()


def _end_reading(status: int, finishers: list[Finisher]) -> None:
    """A read's event, and what a read keeps (a session seen, a request counted), in a short
    write of their own, committed before the response leaves: no data is served without its
    event, and the write lock is held only for this."""
    grouped = current_app.extensions.get("homeward.grouped_end")
    if grouped is not None and not g.get("homeward_kept") and finishers == [grouped[0]]:
        _end_grouped(grouped[1], status)
        return
    final: Session = _final_session()
    kept = _take_kept()
    try:
        _refuse_changes_in_reads()
        _commit(final, kept, finishers, status)
    finally:
        _end_reads_transaction()
    final.close()
    g.pop("homeward_final", None)


def _end_grouped(grouped: Callable[[int], None], status: int) -> None:
    """The event written with other reads'; a session to keep the refusal in is opened only
    if that fails."""
    try:
        _refuse_changes_in_reads()
        grouped(status)
    except Exception:
        _final_session()
        raise


def _final_session() -> Session:
    """A session for the read's own write, where a refusal is kept if the write fails."""
    final: Session = current_app.extensions["homeward.sessions"]()
    g.homeward_final = final
    return final


def _take_kept() -> list[Kept]:
    """What the request keeps even if refused, remembered so that the refusal that follows a
    failed commit keeps it again."""
    kept: list[Kept] = g.pop("homeward_kept", [])
    g.homeward_kept_taken = kept
    return kept


def _commit(db_session: Session, kept: list[Kept], finishers: list[Finisher], status: int) -> None:
    try:
        for change in kept:
            change(db_session)
        for finish in finishers:
            finish(db_session, status)
        db_session.commit()
    except BaseException:
        db_session.rollback()
        _undo()
        raise


def _finishers() -> list[Finisher]:
    finishers: list[Finisher] = current_app.extensions.get("homeward.finishers", [])
    return finishers


def _refuse_changes_in_reads() -> None:
    """A reading request's own transaction is never committed: a change made there would be
    lost without a word, so it fails the request instead (use even_if_refused, or a POST)."""
    reads: Session | None = g.get("db_session")
    if reads is not None and (reads.new or reads.dirty or reads.deleted):
        raise RuntimeError("a reading request changed data in its read-only transaction")


def _end_reads_transaction() -> None:
    """End the read's transaction too, so a later use of the session sees the database anew."""
    reads: Session | None = g.get("db_session")
    if reads is not None:
        reads.rollback()


def _undo() -> None:
    for undo in reversed(g.pop("homeward_undo", [])):
        undo()


def _close_session(_exc: BaseException | None) -> None:
    """Close the request's sessions, the final one too if its refusal could not be kept."""
    for name in ("homeward_final", "db_session"):
        db_session = g.pop(name, None)
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
