"""Group commit: the events of requests that only read, appended together in one transaction.

A read changes nothing but the trail, so its event needs no transaction of its own. Requests
ending at the same moment hand their events to whichever of them writes first (the leader),
which appends them all under one lock of the head row and commits once; each request waits
until its event is committed, or failed, before it answers. No data leaves without its event,
and the chain's one serialisation point is taken once per batch instead of once per read, as
transparency logs sequence their entries in batches."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# Writes a batch of events in one transaction and commits; raises if nothing was committed.
WriteBatch = Callable[[list[dict[str, Any]]], None]
MOST_IN_A_BATCH = 256


@dataclass(eq=False)
class Ticket:
    event: dict[str, Any]
    done: bool = False
    failure: BaseException | None = None


@dataclass
class GroupCommit:
    """Events appended in batches by one writer at a time; `append` returns once committed."""

    write: WriteBatch
    _waiting: list[Ticket] = field(default_factory=list)
    _writing: bool = False
    _turn: threading.Condition = field(default_factory=threading.Condition)
    batches: int = 0  # how many commits the events took, for the tests and the benchmark

    def append(self, event: dict[str, Any]) -> None:
        """Wait until `event` is committed, writing it and others' if no one else is."""
        ticket = Ticket(event)
        with self._turn:
            self._waiting.append(ticket)
        while not ticket.done:
            with self._turn:
                while not ticket.done and self._writing:
                    self._turn.wait()
                batch = [] if ticket.done else self._take()
            if batch:
                self._lead(batch)
        if ticket.failure is not None:
            raise ticket.failure

    def _written(self, batch: list[Ticket]) -> list[BaseException | None]:
        """Write the batch; if it fails, each event alone, so that one bad event fails only its
        own request. Every waiter learns what became of its event, and none hangs."""
        try:
            self.write([ticket.event for ticket in batch])
            return [None] * len(batch)
        except BaseException as error:
            if len(batch) == 1:
                return [error]
        return [self._written([ticket])[0] for ticket in batch]

    def waiting(self) -> int:
        """How many events wait for a writer."""
        with self._turn:
            return len(self._waiting)

    def _take(self) -> list[Ticket]:
        most = MOST_IN_A_BATCH
        batch, self._waiting = self._waiting[:most], self._waiting[most:]
        self._writing = True
        return batch

    def _lead(self, batch: list[Ticket]) -> None:
        failures = self._written(batch)
        with self._turn:
            for ticket, failure in zip(batch, failures, strict=True):
                ticket.done, ticket.failure = True, failure
            self.batches += 1
            self._writing = False
            self._turn.notify_all()
