"""Group commit: reads ending together share one transaction for their events, and none of them
returns before its event is committed, or without the error if the batch failed."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from audit.grouping import GroupCommit

WAIT = 10.0  # seconds a step of these tests may take before it counts as a hang


class Writer:
    """A batch writer the test holds: the first batch waits until the test lets it commit; a
    batch holding an event numbered in `failing` is refused whole."""

    def __init__(self, failing: frozenset[int] = frozenset()) -> None:
        self.batches: list[list[dict[str, Any]]] = []
        self.entered, self.release = threading.Event(), threading.Event()
        self.failing = failing

    def __call__(self, events: list[dict[str, Any]]) -> None:
        self.entered.set()
        assert self.release.wait(WAIT)
        if any(event["n"] in self.failing for event in events):
            raise RuntimeError("the trail refuses this event")
        self.batches.append(events)


def appending(
    group: GroupCommit, count: int, start: int = 0
) -> tuple[list[threading.Thread], list[Any]]:
    """`count` threads, each appending one event and noting what became of it."""
    outcomes: list[Any] = []

    def one(number: int) -> None:
        try:
            group.append({"n": number})
            outcomes.append(("committed", number))
        except RuntimeError as error:
            outcomes.append(("failed", str(error)))

    threads = [threading.Thread(target=one, args=(start + n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    return threads, outcomes


def until_waiting(group: GroupCommit, count: int) -> None:
    deadline = time.monotonic() + WAIT
    while group.waiting() < count:
        assert time.monotonic() < deadline, "the appenders never queued"
        threading.Event().wait(0.001)


def finish(threads: list[threading.Thread]) -> None:
    for thread in threads:
        thread.join(WAIT)
        assert not thread.is_alive(), "an appender hung"


def queued_behind_a_first(writer: Writer, count: int) -> tuple[GroupCommit, list[Any], list[Any]]:
    """One event being written, `count` more queued behind it, then all let through: what
    became of the first, and of the queued ones."""
    group = GroupCommit(writer)
    first, first_outcomes = appending(group, 1)
    assert writer.entered.wait(WAIT)
    rest, outcomes = appending(group, count, start=1)
    until_waiting(group, count)
    writer.release.set()
    finish(first + rest)
    return group, first_outcomes, outcomes


def test_events_that_wait_for_a_commit_share_the_next_one() -> None:
    writer = Writer()
    group = GroupCommit(writer)
    first, first_outcomes = appending(group, 1)
    assert writer.entered.wait(WAIT)
    rest, outcomes = appending(group, 9, start=1)
    until_waiting(group, 9)
    assert outcomes == []  # nobody returns while their event is not committed

    writer.release.set()
    finish(first + rest)

    assert [len(batch) for batch in writer.batches] == [1, 9]
    assert sorted(event["n"] for batch in writer.batches for event in batch) == list(range(10))
    assert sorted(first_outcomes + outcomes) == [("committed", n) for n in range(10)]
    assert group.batches == 2


def test_a_bad_event_fails_only_its_own_request() -> None:
    writer = Writer(failing=frozenset({2}))
    _group, first_outcomes, outcomes = queued_behind_a_first(writer, 3)

    assert first_outcomes == [("committed", 0)]
    assert sorted(outcomes) == [
        ("committed", 1),
        ("committed", 3),
        ("failed", "the trail refuses this event"),
    ]
    assert sorted(event["n"] for batch in writer.batches for event in batch) == [0, 1, 3]


def test_when_the_trail_cannot_be_written_every_waiting_request_fails() -> None:
    writer = Writer(failing=frozenset(range(1, 4)))
    group, first_outcomes, failed = queued_behind_a_first(writer, 3)

    later, later_outcomes = appending(group, 2, start=4)
    finish(later)

    assert first_outcomes == [("committed", 0)]
    assert failed == [("failed", "the trail refuses this event")] * 3
    assert sorted(later_outcomes) == [("committed", 4), ("committed", 5)]


def test_one_append_alone_is_written_at_once() -> None:
    writer = Writer()
    writer.release.set()
    group = GroupCommit(writer)

    group.append({"n": 1})

    assert writer.batches == [[{"n": 1}]]


@pytest.mark.parametrize("most", [1, 2])
def test_a_long_queue_is_written_in_batches_of_the_largest_size(
    monkeypatch: pytest.MonkeyPatch, most: int
) -> None:
    monkeypatch.setattr("audit.grouping.MOST_IN_A_BATCH", most)
    writer = Writer()
    _group, _first, outcomes = queued_behind_a_first(writer, 5)

    assert max(len(batch) for batch in writer.batches) == most
    assert len(outcomes) == 5
