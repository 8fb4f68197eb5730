"""A client that trickles its request's head, or sends nothing, holds no thread: with more of
them than the server has threads, everyone else is answered at once, and each of them is
answered 408 at its deadline."""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path
from typing import Any

from tests.serving.hostile import TrickledHead
from tests.serving.served import server_environment, serving

QUICK = 1.0  # seconds: a request that waited for a thread would wait for the tricklers
THREADS = 4
DEADLINE = 2  # HOMEWARD_HEADER_SECONDS in these tests
HEALTH = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


def test_more_trickled_heads_than_threads_stall_no_one_and_are_cut_off_at_the_deadline(
    app: Any, accounts: Any, database_url: str, tmp_path: Path
) -> None:
    environment = server_environment(
        tmp_path / "instance", database_url, HOMEWARD_HEADER_SECONDS=str(DEADLINE)
    )
    arguments = ("--workers", "1", "--threads", str(THREADS))
    with serving(environment, tmp_path / "server.log", *arguments) as served:
        registrar = served.sign_in("registrar")
        hostile = [
            *(TrickledHead(served.port) for _ in range(THREADS + 2)),
            TrickledHead(served.port, opening=b"", drip=b""),  # connects and sends nothing
            TrickledHead(served.port, opening=HEALTH + b"GET /healthz HTTP/1.1\r\nX-Slow: "),
        ]
        for client in hostile:
            client.start()
        time.sleep(0.5)  # every thread would be taken by now
        slowest, reads = 0.0, 0
        while any(client.running for client in hostile):
            started = time.monotonic()
            status, _headers, body = served.request(
                "GET", "/api/v1/me", headers=registrar, timeout=10
            )
            slowest, reads = max(slowest, time.monotonic() - started), reads + 1
            assert status == 200, body
        assert reads > 3 and slowest < QUICK, f"{reads} reads, slowest {slowest:.2f} s"
    for client in hostile:
        assert client.cut_after is not None and DEADLINE <= client.cut_after < DEADLINE + 6
        assert json.loads(_last_answer(client.answer, b"408 Request Timeout")) == {
            "error": {
                "code": "request_timeout",
                "message": "The request headers took too long to arrive.",
                "details": None,
            }
        }
    assert hostile[-1].answer.startswith(b"HTTP/1.1 200 OK")  # kept alive, then trickled


def test_a_head_larger_than_any_accepted_is_refused_with_431_before_the_deadline(
    app: Any, accounts: Any, database_url: str, tmp_path: Path
) -> None:
    environment = server_environment(tmp_path / "instance", database_url)
    with serving(environment, tmp_path / "server.log", "--workers", "1") as served:
        within = {"X-Big": "a" * (16 * 1024 - 200)}  # just under HOMEWARD_MAX_HEADER_BYTES
        assert served.request("GET", "/healthz", headers=within)[0] == 200
        started = time.monotonic()
        endless = b"GET /healthz HTTP/1.1\r\nX-Big: " + b"a" * (48 * 1024)
        client = TrickledHead(served.port, opening=endless, seconds=8).start()
        answer = client.wait()
        assert time.monotonic() - started < 5  # HOMEWARD_HEADER_SECONDS is 10 here
        assert b'"code": "headers_too_large"' in _last_answer(answer, b"431 ")
        assert served.request("GET", "/healthz")[0] == 200


def test_heads_that_arrive_in_pieces_or_together_are_all_answered(
    app: Any, accounts: Any, database_url: str, tmp_path: Path
) -> None:
    environment = server_environment(
        tmp_path / "instance", database_url, HOMEWARD_HEADER_SECONDS=str(DEADLINE)
    )
    with (
        serving(environment, tmp_path / "server.log", "--workers", "1") as served,
        socket.create_connection(("127.0.0.1", served.port), timeout=10) as sock,
    ):
        for piece in (b"\r\nGET /healthz HT", b"TP/1.1\r\nHost: 127.0.0.1\r", b"\n\r\n"):
            sock.sendall(piece)
            time.sleep(0.3)  # each piece a packet of its own, all within the deadline
        assert _answers(sock, 1).count(b"HTTP/1.1 200 OK") == 1
        sock.sendall(HEALTH * 3)  # pipelined: the next heads wait in the first one's bytes
        assert _answers(sock, 3).count(b"HTTP/1.1 200 OK") == 3


def _last_answer(received: bytes, status: bytes) -> bytes:
    """The body of the last answer in `received`, which must have `status`."""
    head, _, body = received.rpartition(b"HTTP/1.1 ")[2].partition(b"\r\n\r\n")
    assert head.startswith(status) and b"Connection: close" in head, received
    return body


def _answers(sock: socket.socket, count: int) -> bytes:
    """Read until `count` answers to /healthz have come."""
    received = b""
    while received.count(b"HTTP/1.1 ") < count or not received.rstrip().endswith(b"}"):
        chunk = sock.recv(65536)
        assert chunk, received
        received += chunk
    return received
