"""SQLite's one writer, taken in turn by the threads of this process.

SQLite lets one transaction write at a time. A thread that finds the write lock taken sleeps in
SQLite's busy handler, in steps that grow to 100 ms, and so wakes long after the lock is free:
under a few concurrent steps the slowest waited a second. Threads of one process queue on a
Python lock first instead, handed over the moment the writer commits or rolls back; separate
processes still meet at SQLite's own lock, as before."""

from __future__ import annotations

import sqlite3
import threading

TURN_SECONDS = 30.0  # as long as SQLite's own busy timeout


class WriterConnection(sqlite3.Connection):
    """A connection that takes the process's write turn before it writes and gives it back
    when its transaction ends, however it ends."""

    turn: threading.Lock
    holding = False

    def take_turn(self) -> None:
        if not self.turn.acquire(timeout=TURN_SECONDS):
            raise sqlite3.OperationalError("database is locked")
        self.holding = True

    def give_back(self) -> None:
        if self.holding:
            self.holding = False
            self.turn.release()

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self.give_back()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self.give_back()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.give_back()
