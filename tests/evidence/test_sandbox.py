"""Uploads are taken apart in a confined process: a file that would cost too much CPU time,
memory or inflated bytes is refused within seconds, and nothing of it is kept."""

from __future__ import annotations

import signal
import time
from typing import Any

import pytest

from tests.evidence.helpers import (
    document_rows,
    flate_bomb,
    huge_png,
    pdf_with_object_stream,
    slow_to_parse_pdf,
)
from tests.evidence.test_hostile_uploads import assert_refused
from tests.factories import Api, sample_pdf
from workflow.evidence import inspection
from workflow.evidence.sandbox import (
    OUT_OF_MEMORY,
    OUT_OF_TIME,
    Limits,
    send_verdict,
    verdict_on,
    wall_seconds,
    why_silent,
)

CPU_SECONDS = 1


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {"SANDBOX_CPU_SECONDS": CPU_SECONDS}


@pytest.fixture
def case_id(api: Api) -> str:
    return str(api.create_case()["id"])


def test_a_pdf_that_takes_too_long_to_parse_is_refused_in_seconds(
    app: Any, api: Api, case_id: str
) -> None:
    crafted = slow_to_parse_pdf(24)  # about 3.5 s of CPU unconfined
    assert len(crafted) < 64 * 1024
    api.upload("lawyer", case_id, "consent", sample_pdf())  # the sandbox's server is started
    started = time.monotonic()
    response = api.upload("lawyer", case_id, "lab_report", crafted)
    assert time.monotonic() - started < wall_seconds(Limits(0, 0, CPU_SECONDS, 0, 0)) + 1
    assert response.status_code == 422, response.json
    assert response.json["error"]["details"][0]["problem"] == "too_complex"
    assert [row.kind.value for row in document_rows(app)] == ["consent"]


def test_a_pdf_whose_object_stream_inflates_past_the_limit_is_refused_as_too_large(
    app: Any, api: Api, case_id: str
) -> None:
    bomb = pdf_with_object_stream(b"/Extra 5 0 R ", flate_bomb())
    response = api.upload("lawyer", case_id, "lab_report", bomb)
    assert_refused(app, response, 413, "too_large")


@pytest.mark.parametrize("app_config", [{"SANDBOX_MEMORY_MIB": 96}])
def test_an_image_that_needs_more_memory_than_allowed_is_refused_as_too_large(
    app: Any, api: Api, case_id: str
) -> None:
    scan = huge_png(7000, 7000)  # 49 megapixels, within the pixel limit, blank, tiny on disk
    response = api.upload("lawyer", case_id, "identity_record", scan, "scan.png")
    assert_refused(app, response, 413, "too_large")
    assert response.json["error"]["message"] == OUT_OF_MEMORY[2]


@pytest.mark.parametrize(
    ("status", "verdict"),
    [
        (None, OUT_OF_TIME),  # still running at the wall-clock limit: stopped by the parent
        (-signal.SIGXCPU, OUT_OF_TIME),  # stopped by the kernel at its CPU time
        (1, OUT_OF_MEMORY),  # a MemoryError where nothing could catch it
        (-signal.SIGABRT, OUT_OF_MEMORY),  # a C library that aborts when an allocation fails
        (-signal.SIGSEGV, OUT_OF_MEMORY),  # one that used the allocation it did not get
        (-signal.SIGKILL, OUT_OF_MEMORY),  # the kernel's out-of-memory killer
        (0, OUT_OF_MEMORY),  # ended without a word: its last message could not be built
    ],
)
def test_a_check_that_ends_without_a_verdict_is_judged_by_how_it_ended(
    status: int | None, verdict: tuple[Any, ...]
) -> None:
    assert why_silent(status) == verdict


def test_running_out_of_memory_anywhere_in_the_check_gives_the_same_refusal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def exhausted(_raw: bytes, _max_pixels: int) -> inspection.Cleaned:
        raise MemoryError

    monkeypatch.setattr(inspection, "clean", exhausted)
    assert verdict_on(b"%PDF-", 1000) == OUT_OF_MEMORY


class SenderShortOfMemory:
    """A pipe end whose first message, the clean copy, cannot be packed within the limit."""

    def __init__(self) -> None:
        self.sent: list[tuple[Any, ...]] = []

    def send(self, verdict: tuple[Any, ...]) -> None:
        if not self.sent and verdict[0] == "cleaned":
            self.sent.append(("failed",))
            raise MemoryError
        self.sent.append(verdict)


def test_a_clean_copy_too_large_to_send_back_is_refused_as_needing_too_much_memory() -> None:
    sender = SenderShortOfMemory()
    send_verdict(sender, ("cleaned", "image/png", bytes(1024)))  # type: ignore[arg-type]
    assert sender.sent == [("failed",), OUT_OF_MEMORY]


def test_an_ordinary_pdf_passes_the_sandbox_unchanged(app: Any, api: Api, case_id: str) -> None:
    response = api.upload("lawyer", case_id, "consent", sample_pdf())
    assert response.status_code == 201, response.json
    assert response.json["content_type"] == "application/pdf"
