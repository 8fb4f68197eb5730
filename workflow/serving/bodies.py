"""Request bodies read whole, within their size limit and a deadline, before the application
runs: a client that trickles its body then holds one thread, never a database transaction."""

from __future__ import annotations

import contextlib
import heapq
import io
import itertools
import socket
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, request

from workflow.errors import BodyTooSlow, HomewardError, PayloadTooLarge

CHUNK = 64 * 1024
REFUSAL = "homeward.body_refused"
WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class BodyIncomplete(HomewardError):
    status, code = 400, "body_incomplete"


REFUSALS: dict[str, Callable[[], HomewardError]] = {
    "slow": lambda: BodyTooSlow("The request body took too long to arrive."),
    "large": lambda: PayloadTooLarge("The request is too large."),
    "incomplete": lambda: BodyIncomplete("The request body ended before its stated length."),
}


def init_app(app: Flask) -> None:
    """Read every body before Flask sees the request, and refuse what could not be read."""
    app.wsgi_app = BodyFirst(app, app.wsgi_app)  # type: ignore[method-assign]
    app.before_request(refuse_unread_body)


def refuse_unread_body() -> None:
    """Answer a body that was too slow, too large or cut short with its own error."""
    refusal = request.environ.get(REFUSAL)
    if refusal is not None:
        raise REFUSALS[refusal]()


class BodyFirst:
    """WSGI middleware: the body in memory, read against a deadline, before the app runs."""

    def __init__(self, flask_app: Flask, wrapped: WsgiApp) -> None:
        self.flask_app = flask_app
        self.wrapped = wrapped

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        config = self.flask_app.config
        limit = int(config["MAX_CONTENT_LENGTH"])
        connection: socket.socket | None = environ.get("gunicorn.socket")
        deadline = time.monotonic() + int(config["BODY_SECONDS"])
        alarm = WATCHDOG.stop_reading_at(deadline, connection) if connection else None
        try:
            body = read_body(environ, limit, deadline)
        except BodyRefused as refused:
            environ[REFUSAL] = refused.reason
            body = b""
        finally:
            if connection is not None:  # the response then has its own deadline
                WATCHDOG.cancel(alarm)
                connection.settimeout(int(config["SEND_SECONDS"]))
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        environ["wsgi.input_terminated"] = True
        return self.wrapped(environ, start_response)


class BodyRefused(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def read_body(environ: dict[str, Any], limit: int, deadline: float) -> bytes:
    """The whole body, at most `limit` bytes, arrived before `deadline`; or BodyRefused."""
    declared = environ.get("CONTENT_LENGTH") or ""
    if declared.isdigit():
        expected = int(declared)
    elif environ.get("wsgi.input_terminated"):  # chunked: read until the stream ends
        expected = None
    else:
        return b""
    if expected is not None and expected > limit:
        raise BodyRefused("large")
    return _read_until(environ["wsgi.input"], expected, limit, deadline)


def _read_until(stream: Any, expected: int | None, limit: int, deadline: float) -> bytes:
    buffer = io.BytesIO()
    wanted = limit + 1 if expected is None else expected
    while buffer.tell() < wanted:
        try:
            chunk = stream.read(min(CHUNK, wanted - buffer.tell()))
        except OSError:  # the client went away, or sent a malformed chunk
            chunk = b""
        if time.monotonic() >= deadline:
            raise BodyRefused("slow")
        if not chunk:
            break
        buffer.write(chunk)
    if buffer.tell() > limit:
        raise BodyRefused("large")
    if expected is not None and buffer.tell() < expected:
        raise BodyRefused("incomplete")
    return buffer.getvalue()


class Watchdog:
    """One thread per process that stops reading a connection at its deadline: a blocked read
    then returns at once, however slowly the client trickles, and the answer can still be sent."""

    def __init__(self) -> None:
        self._alarms: list[tuple[float, int]] = []
        self._pending: dict[int, socket.socket] = {}
        self._numbers = itertools.count()
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None

    def stop_reading_at(self, deadline: float, connection: socket.socket) -> int:
        """Stop reading `connection` at `deadline` unless cancelled first; return the alarm."""
        with self._wake:
            number = next(self._numbers)
            self._pending[number] = connection
            heapq.heappush(self._alarms, (deadline, number))
            if self._thread is None or not self._thread.is_alive():  # a forked worker has none
                self._thread = threading.Thread(target=self._watch, daemon=True)
                self._thread.start()
            self._wake.notify()
            return number

    def cancel(self, number: int | None) -> None:
        if number is not None:
            with self._wake:
                self._pending.pop(number, None)

    def _watch(self) -> None:
        while True:
            due = self._next_due()
            if due is not None:
                _stop_reading(due)

    def _next_due(self) -> socket.socket | None:
        """Wait for the earliest alarm; its connection once due, unless it was cancelled."""
        with self._wake:
            while not self._alarms:
                self._wake.wait()
            deadline, number = self._alarms[0]
            if number not in self._pending:  # cancelled: the body arrived in time
                heapq.heappop(self._alarms)
                return None
            wait = deadline - time.monotonic()
            if wait > 0:
                self._wake.wait(wait)
                return None
            heapq.heappop(self._alarms)
            return self._pending.pop(number)


def _stop_reading(connection: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed
        connection.shutdown(socket.SHUT_RD)


WATCHDOG = Watchdog()
