"""Uploads are taken apart in a confined process: a file that would cost too much CPU time,
memory or inflated bytes is refused within seconds, and nothing of it is kept."""

from __future__ import annotations

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
from workflow.evidence.sandbox import Limits, wall_seconds

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
def test_an_image_that_needs_more_memory_than_allowed_is_refused(
    app: Any, api: Api, case_id: str
) -> None:
    scan = huge_png(7000, 7000)  # 49 megapixels, within the pixel limit, blank, tiny on disk
    response = api.upload("lawyer", case_id, "identity_record", scan, "scan.png")
    # Out of memory shows as a MemoryError (413) or as the child killed (422 too_complex),
    # depending on where the allocation fails; both refuse the file and keep nothing.
    assert response.status_code in (413, 422), response.get_data(as_text=True)
    assert document_rows(app) == []


def test_an_ordinary_pdf_passes_the_sandbox_unchanged(app: Any, api: Api, case_id: str) -> None:
    response = api.upload("lawyer", case_id, "consent", sample_pdf())
    assert response.status_code == 201, response.json
    assert response.json["content_type"] == "application/pdf"
