"""A driver connection kept between the writes of one writer that writes a batch at a time."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, PoolProxiedConnection, event

from workflow import db


class KeptConnection:
    """One connection of the engine's pool, kept for a writer that writes one batch at a time
    (the group commit's leader of the reads' events): taking a connection from the pool and
    beginning through SQLAlchemy cost more than writing a read's event.

    Kept only while in use: one that rested longer than the pool lets its connections rest
    untested goes back, and the next write takes one the pool tests. One whose write failed is
    closed, its state unknown; so is the one kept when the engine is disposed."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._held: PoolProxiedConnection | None = None
        self._used_at = 0.0
        event.listen(engine, "engine_disposed", lambda _engine: self._close())

    def write(self, work: Callable[[Any, str], object]) -> None:
        """Run `work` on the driver's connection and the kind of database, in a transaction
        of its own, and commit it."""
        if self._held is not None and time.monotonic() - self._used_at > db.RESTED_SECONDS:
            self.give_back()
        held = self._held = self._held or self.engine.raw_connection()
        driver = held.dbapi_connection
        try:
            db.begin_writing(driver)
            work(driver, self.engine.dialect.name)
            driver.commit()  # type: ignore[union-attr]
        except BaseException:
            self._close()
            raise
        self._used_at = time.monotonic()

    @property
    def driver(self) -> Any:
        """The driver's connection kept now, if any."""
        return self._held.dbapi_connection if self._held is not None else None

    def give_back(self) -> None:
        """Return the connection to the pool, which tests it before its next use."""
        held, self._held = self._held, None
        if held is not None:
            held.close()

    def _close(self) -> None:
        """Close the connection: its write failed, or its pool is gone (`engine.dispose()`)."""
        held, self._held = self._held, None
        if held is not None:
            held.invalidate()
