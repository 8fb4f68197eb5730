"""gunicorn's threaded worker, with two changes for hostile clients."""

from __future__ import annotations

import contextlib
import selectors
import socket
import time
from concurrent.futures import Future
from dataclasses import dataclass
from functools import partial
from typing import Any

from gunicorn import util
from gunicorn.workers.gthread import ThreadWorker

from workflow.serving import heads

# How long a refused client may take to hang up after its answer, as gunicorn lingers.
LINGER_SECONDS = 2.0


@dataclass
class Unfinished:
    """A connection whose request head has not all arrived: what came, and until when the rest
    may come; or, once refused, until when the client may take to hang up."""

    conn: Any
    received: bytearray
    deadline: float
    refused: bool = False


class HomewardWorker(ThreadWorker):  # type: ignore[misc]
    """gunicorn parses a request's head in a worker thread, reading the connection as slowly as
    the client sends: a few clients trickling their heads a byte at a time held every thread,
    and everyone else waited. Here a thread serves a connection only once its whole head has
    arrived; until then the poller gathers it without a thread, and a head that takes longer
    than HOMEWARD_HEADER_SECONDS, or grows larger than any the application accepts, is answered
    408 or 431 and the connection closed. Homeward is served as plain HTTP/1.1 (TLS ends at the
    proxy in front), which is what makes a head readable without a thread.

    Also: closing a connection lingers up to 2 s for the client to hang up. gunicorn lingers in
    the thread that accepts every connection, so a few clients that never hang up (slow readers
    cut off at their deadline) stalled everyone for seconds; here the linger runs in the thread
    pool instead."""

    def init_process(self) -> None:
        config = self.app.application.config
        self.head_seconds = int(config["HEADER_SECONDS"])
        self.largest_head = heads.largest(
            int(config["MAX_HEADER_BYTES"]), int(self.cfg.limit_request_line)
        )
        self.unfinished: dict[int, Unfinished] = {}
        super().init_process()  # runs the worker until it stops

    def handle(self, conn: Any) -> Any:
        """In a thread: serve the request if its whole head is here, or hand the connection back
        to the poller to gather the rest."""
        conn.init()  # plain HTTP: the parser is made, nothing is read
        received = conn.parser.unreader.take_buffered()
        more = heads.receive(conn.sock)
        if more is not None and not heads.complete(received + more):
            deadline = time.monotonic() + self.head_seconds
            return Unfinished(conn, bytearray(received + more), deadline)
        conn.parser.unreader.unread(received + (more or b""))
        return super().handle(conn)  # a whole head, or a client gone: parsing waits for nothing

    def finish_request(self, conn: Any, fs: Future[Any]) -> None:
        outcome = None if fs.cancelled() or fs.exception() is not None else fs.result()
        if isinstance(outcome, Unfinished):
            self._gather(outcome)
        elif outcome is False:  # the request's thread ended the connection
            self._close_in_pool(conn)
        else:
            super().finish_request(conn, fs)

    def murder_pending(self) -> None:
        """Answer the heads past their deadline, and close the refused past their linger."""
        super().murder_pending()
        now = time.monotonic()
        for unfinished in [u for u in self.unfinished.values() if u.deadline <= now]:
            if unfinished.refused:
                self._forget(unfinished)
            else:
                self._refuse(unfinished, heads.TOO_SLOW)

    def _gather(self, unfinished: Unfinished) -> None:
        self.unfinished[id(unfinished.conn)] = unfinished
        callback = partial(self._on_readable, unfinished)
        self.poller.register(unfinished.conn.sock, selectors.EVENT_READ, callback)
        self._judge(unfinished, 0)

    def _on_readable(self, unfinished: Unfinished, _sock: Any) -> None:
        more = heads.receive(unfinished.conn.sock)
        if more is None:  # the client hung up
            self._forget(unfinished)
        elif not unfinished.refused:  # a refused client's last bytes are read and dropped
            searched = len(unfinished.received)
            unfinished.received += more
            self._judge(unfinished, searched)

    def _judge(self, unfinished: Unfinished, searched: int) -> None:
        if heads.complete(unfinished.received, searched):
            self._unregister(unfinished)
            unfinished.conn.parser.unreader.unread(bytes(unfinished.received))
            self.enqueue_req(unfinished.conn)
        elif len(unfinished.received) > self.largest_head:
            self._refuse(unfinished, heads.TOO_LARGE)

    def _refuse(self, unfinished: Unfinished, answer: bytes) -> None:
        """Answer and stop sending; the client's last bytes are drained until it hangs up, so
        that closing does not reset the connection before the answer is read."""
        unfinished.refused = True
        unfinished.deadline = time.monotonic() + LINGER_SECONDS
        with contextlib.suppress(OSError):  # small enough for an empty send buffer
            unfinished.conn.sock.send(answer, socket.MSG_DONTWAIT)
            unfinished.conn.sock.shutdown(socket.SHUT_WR)
        self.log.info(
            "Refused a request head from %s: %s", unfinished.conn.client, answer[9:12].decode()
        )

    def _forget(self, unfinished: Unfinished) -> None:
        self._unregister(unfinished)
        self.nr_conns -= 1
        util.close(unfinished.conn.sock)

    def _unregister(self, unfinished: Unfinished) -> None:
        self.unfinished.pop(id(unfinished.conn), None)
        with contextlib.suppress(KeyError, ValueError, OSError):
            self.poller.unregister(unfinished.conn.sock)

    def _close_in_pool(self, conn: Any) -> None:
        self.nr_conns -= 1
        try:
            self.tpool.submit(conn.close, True)
        except RuntimeError:  # the pool is shutting down with the worker: close here
            conn.close()
