"""Untrusted files inspected and cleaned in a process of their own, within limits on CPU time,
memory and how far their contents may inflate: a crafted file costs its sender a refusal within
seconds, and the service nothing but that process.

The process is forked from a server process that has already imported the inspection code
(multiprocessing's forkserver), so a check starts in milliseconds, without the parent's threads,
open connections or transaction."""

from __future__ import annotations

import functools
import multiprocessing
import multiprocessing.forkserver
import os
import resource
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from flask import current_app

from workflow.errors import HomewardError, InvalidInput, PayloadTooLarge, UnsupportedMediaType
from workflow.evidence import inspection

MIB = 1024 * 1024
REFUSALS: dict[str, type[HomewardError]] = {
    kind.__name__: kind for kind in (InvalidInput, PayloadTooLarge, UnsupportedMediaType)
}


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


def clean_confined(raw: bytes, limits: Limits) -> inspection.Cleaned:
    """What the file really is and a clean copy of it, decided in a confined process."""
    if len(raw) > limits.max_bytes:
        raise PayloadTooLarge("The file is larger than a document may be.")
    if not raw:
        return inspection.clean(raw, limits.max_pixels)  # refused at once: nothing to parse
    receiver, sender = _context().Pipe(duplex=False)
    process = _context().Process(target=_inspect, args=(raw, limits, sender), daemon=True)
    process.start()
    sender.close()
    try:
        outcome = _outcome(receiver, wall_seconds(limits))
    finally:
        receiver.close()
        if process.is_alive():
            process.kill()
        process.join()
    return _cleaned_or_refused(outcome)


def _outcome(receiver: Connection, seconds: float) -> tuple[Any, ...]:
    try:
        if receiver.poll(seconds):
            outcome: tuple[Any, ...] = receiver.recv()
            return outcome
    except (EOFError, OSError):  # the process was stopped at its CPU or memory limit
        pass
    return ("exhausted",)


def _cleaned_or_refused(outcome: tuple[Any, ...]) -> inspection.Cleaned:
    if outcome[0] == "cleaned":
        return inspection.Cleaned(outcome[1], outcome[2])
    if outcome[0] == "refused":
        raise REFUSALS[outcome[1]](outcome[2], outcome[3])
    raise InvalidInput(
        "The file takes too long or too much memory to check; print it to a plain PDF or scan "
        "it again, and upload that.",
        [{"field": "file", "problem": "too_complex"}],
    )


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
        cleaned = inspection.clean(raw, limits.max_pixels)
        sender.send(("cleaned", cleaned.content_type, cleaned.data))
    except (InvalidInput, PayloadTooLarge, UnsupportedMediaType) as refusal:
        sender.send(("refused", type(refusal).__name__, refusal.message, refusal.details))
    except MemoryError:
        sender.send(("refused", "PayloadTooLarge", "The file needs too much memory to open.", None))
    finally:
        sender.close()


def _confine(limits: Limits) -> None:
    """Past its CPU time the process is stopped; past its memory an allocation fails."""
    os.nice(10)  # a crafted file yields the CPU to everyone else's requests
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 1))
    ceiling = _address_space_in_use() + limits.memory_bytes
    resource.setrlimit(resource.RLIMIT_AS, (ceiling, ceiling))
    inspection.limit_inflation(limits.inflated_bytes)


def _address_space_in_use() -> int:
    """This process's mapped memory (the interpreter and the modules already imported)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[0]) * resource.getpagesize()
    except OSError:  # not Linux: count the limit from nothing
        return 0
