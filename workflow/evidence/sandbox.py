"""Untrusted files inspected and cleaned in a process of their own, within limits on CPU time,
memory and how far their contents may inflate: a crafted file costs its sender a refusal within
seconds, and the service nothing but that process.

The process is forked from a server process that has already imported the inspection code
(multiprocessing's forkserver), so a check starts in milliseconds, without the parent's threads,
open connections or transaction."""

from __future__ import annotations

import functools
import math
import multiprocessing
import multiprocessing.forkserver
import os
import resource
import signal
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from flask import current_app

from workflow.errors import HomewardError, InvalidInput, PayloadTooLarge, UnsupportedMediaType
from workflow.evidence import inspection

MIB = 1024 * 1024
# Files checked at once in one server process: crafted files together take no more than this
# many niced processes' CPU time and this many times HOMEWARD_SANDBOX_MEMORY_MIB.
CHECKS_AT_ONCE = 2
_checks = threading.BoundedSemaphore(CHECKS_AT_ONCE)
# A check still busy after this much CPU time is most likely a crafted file: it drops to the
# lowest priority for the rest of its time, so it takes only CPU that nobody else wants.
SUSPECT_CPU_SECONDS = 1.0
REFUSALS: dict[str, type[HomewardError]] = {
    kind.__name__: kind for kind in (InvalidInput, PayloadTooLarge, UnsupportedMediaType)
}
Verdict = tuple[Any, ...]
# Made before any file is opened: a process short of memory need not build its last message.
OUT_OF_MEMORY: Verdict = (
    "refused",
    "PayloadTooLarge",
    "The file needs more memory to check than a document may use.",
    None,
)
OUT_OF_TIME: Verdict = (
    "refused",
    "InvalidInput",
    "The file takes too long to check; print it to a plain PDF or scan it again, and upload that.",
    [{"field": "file", "problem": "too_complex"}],
)


@dataclass(frozen=True)
class Limits:
    """What inspecting one file may cost."""

    max_bytes: int
    max_pixels: int
    cpu_seconds: int
    memory_bytes: int
    inflated_bytes: int

    @classmethod
    def configured(cls) -> Limits:
        config = current_app.config
        return cls(
            max_bytes=int(config["MAX_DOCUMENT_BYTES"]),
            max_pixels=int(config["MAX_IMAGE_PIXELS"]),
            cpu_seconds=int(config["SANDBOX_CPU_SECONDS"]),
            memory_bytes=int(config["SANDBOX_MEMORY_MIB"]) * MIB,
            inflated_bytes=int(config["SANDBOX_INFLATED_MIB"]) * MIB,
        )


def wall_seconds(limits: Limits) -> float:
    """How long the parent waits: the CPU limit stops a busy file; this one a file that found a
    way to wait, with room for a niced process on a busy machine to get its CPU time."""
    return 3 * limits.cpu_seconds + 5


class ChecksBusy(HomewardError):
    status, code, expected = 503, "busy", True

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            "Too many files are being checked right now; send this one again shortly.",
            {"retry_after": retry_after},
        )
        self.headers = {"Retry-After": str(retry_after)}


def slot_seconds(limits: Limits) -> float:
    """How long a file waits for a check to end before it is refused: the longest one takes."""
    return wall_seconds(limits)


def clean_confined(raw: bytes, limits: Limits) -> inspection.Cleaned:
    """What the file really is and a clean copy of it, decided in a confined process, once one
    of this process's CHECKS_AT_ONCE is free (the caller holds no transaction meanwhile)."""
    if len(raw) > limits.max_bytes:
        raise PayloadTooLarge("The file is larger than a document may be.")
    if not raw:
        return inspection.clean(raw, limits.max_pixels)  # refused at once: nothing to parse
    if not _checks.acquire(timeout=slot_seconds(limits)):
        raise ChecksBusy(math.ceil(slot_seconds(limits)))
    try:
        return _check(raw, limits)
    finally:
        _checks.release()


def _check(raw: bytes, limits: Limits) -> inspection.Cleaned:
    receiver, sender = _context().Pipe(duplex=False)
    process = _context().Process(target=_inspect, args=(raw, limits, sender), daemon=True)
    deadline = time.monotonic() + wall_seconds(limits)
    process.start()
    sender.close()
    try:
        verdict = _verdict_from(receiver, deadline)
    finally:
        receiver.close()
    if verdict is None:
        verdict = why_silent(_exit_status(process, deadline))
    else:
        _exit_status(process, time.monotonic())
    return _cleaned_or_refused(verdict)


def _verdict_from(receiver: Connection, deadline: float) -> Verdict | None:
    """The process's verdict, or None if it ended, or ran out of time, without giving one."""
    try:
        if receiver.poll(max(0.0, deadline - time.monotonic())):
            verdict: Verdict = receiver.recv()
            return verdict
    except (EOFError, OSError):  # the process ended without a word
        pass
    return None


def _exit_status(process: Any, deadline: float) -> int | None:
    """How the process ended, once it has; None if it was still running at `deadline` (it is
    then stopped)."""
    process.join(max(0.0, deadline - time.monotonic()))
    status: int | None = process.exitcode
    if status is None:
        process.kill()
        process.join()
    return status


def why_silent(status: int | None) -> Verdict:
    """The verdict on a check that ended without one. Past its CPU time the kernel stops it with
    SIGXCPU, and past its wall-clock time the parent does (status None); those are the file
    taking too long. Memory is the only other limit, and running out of it ends a process in
    ways that depend on where the allocation failed (an uncaught MemoryError, a C library that
    aborts or crashes, the kernel's out-of-memory killer): all of them are the file needing too
    much memory, one answer however the allocation failed."""
    if status is None or status == -signal.SIGXCPU:
        return OUT_OF_TIME
    return OUT_OF_MEMORY


def _cleaned_or_refused(verdict: Verdict) -> inspection.Cleaned:
    if verdict[0] == "cleaned":
        return inspection.Cleaned(verdict[1], verdict[2])
    raise REFUSALS[verdict[1]](verdict[2], verdict[3])


def warm_up() -> None:
    """Start this process's sandbox server now, so the first upload does not wait for it."""
    _context()
    multiprocessing.forkserver.ensure_running()


@functools.cache
def _context() -> Any:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])
    return context


def _inspect(raw: bytes, limits: Limits, sender: Connection) -> None:
    """In the confined process: clean the file and send back the result or the refusal."""
    _confine(limits)
    try:
        send_verdict(sender, verdict_on(raw, limits.max_pixels))
    finally:
        sender.close()


def verdict_on(raw: bytes, max_pixels: int) -> Verdict:
    """The clean copy of the file, or why it is refused."""
    try:
        cleaned = inspection.clean(raw, max_pixels)
    except (InvalidInput, PayloadTooLarge, UnsupportedMediaType) as refusal:
        return ("refused", type(refusal).__name__, refusal.message, refusal.details)
    except MemoryError:
        return OUT_OF_MEMORY
    return ("cleaned", cleaned.content_type, cleaned.data)


def send_verdict(sender: Connection, verdict: Verdict) -> None:
    """Send the verdict; a clean copy too large to pack within the memory limit is refused as
    needing too much memory. The refusal is sent after the failed attempt is let go."""
    try:
        sender.send(verdict)
        return
    except MemoryError:
        pass
    sender.send(OUT_OF_MEMORY)


def _confine(limits: Limits) -> None:
    """Past its CPU time the process is stopped; past its memory an allocation fails."""
    os.nice(10)  # a crafted file yields the CPU to everyone else's requests
    signal.signal(signal.SIGPROF, _lowest_priority)
    signal.setitimer(signal.ITIMER_PROF, SUSPECT_CPU_SECONDS)
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 1))
    ceiling = _address_space_in_use() + limits.memory_bytes
    resource.setrlimit(resource.RLIMIT_AS, (ceiling, ceiling))
    inspection.limit_inflation(limits.inflated_bytes)


def _lowest_priority(_signal: int, _frame: Any) -> None:
    """Past SUSPECT_CPU_SECONDS: yield the CPU to everything else for the rest of the check."""
    os.setpriority(os.PRIO_PROCESS, 0, 19)


def _address_space_in_use() -> int:
    """This process's mapped memory (the interpreter and the modules already imported)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[0]) * resource.getpagesize()
    except OSError:  # not Linux: count the limit from nothing
        return 0
