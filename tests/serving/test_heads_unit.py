"""When a request's head has all arrived, and the answers given before the application runs."""

from __future__ import annotations

import json

import pytest

from workflow.serving import heads


@pytest.mark.parametrize(
    ("received", "whole"),
    [
        (b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", True),
        (b"GET /healthz HTTP/1.1\r\n\r\n", True),  # no headers at all
        (b"\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", True),  # one empty line first
        (b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /next", True),  # the next one begun
        (b"", False),
        (b"GET /healthz HTTP/1.1\r\nHost: x\r\n", False),
        (b"\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n", False),  # the empty line is not the end
        (b"\r\n\r\n", False),  # empty lines only: nothing to parse yet
        (b"GET /healthz HTTP/1.1\nHost: x\n\n", False),  # bare line feeds end no head
        (b"GET /healthz HTTP/1.1\r\nX-Slow: aaaa", False),
    ],
)
def test_a_head_is_whole_only_once_its_empty_line_has_come(received: bytes, whole: bool) -> None:
    assert heads.complete(received) is whole


def test_a_head_trickled_in_pieces_is_whole_when_its_end_straddles_two_of_them() -> None:
    head = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
    for cut in range(len(head) - 3, len(head)):  # the end split after one, two or three bytes
        assert heads.complete(head, searched=cut)
        assert not heads.complete(head[:cut], searched=cut - 1)
    assert heads.complete(b"\r\n" + head, searched=1)  # the optional empty line still skipped


@pytest.mark.parametrize(
    ("answer", "status", "code"),
    [
        (heads.TOO_SLOW, b"408 Request Timeout", "request_timeout"),
        (heads.TOO_LARGE, b"431 Request Header Fields Too Large", "headers_too_large"),
    ],
)
def test_the_answers_before_the_application_are_whole_and_end_the_connection(
    answer: bytes, status: bytes, code: str
) -> None:
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    assert lines[0] == b"HTTP/1.1 " + status
    assert b"Connection: close" in lines
    assert f"Content-Length: {len(body)}".encode() in lines
    assert json.loads(body)["error"]["code"] == code
