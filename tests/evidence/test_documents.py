"""Documents kept as evidence: what comes back is what was uploaded, less its metadata; what is
on disk is sealed, and a stored file that was changed is never served; the trail records both."""

from __future__ import annotations

import hashlib
import io
import re
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from PIL.PngImagePlugin import PngInfo
from werkzeug.test import TestResponse

from tests.audit.helpers import events
from tests.evidence.helpers import image, saved, stored_file, stored_files
from tests.factories import Api, sample_pdf

GPS_IFD = 0x8825
CAMP = "Al-Hol camp, sector 4"  # where a photo was taken: never kept


def upload(api: Api, kind: str, content: bytes, name: str = "scan.pdf") -> tuple[str, str]:
    """A new case of the lawyer's with one document; their ids."""
    case_id = api.create_case()["id"]
    response = api.upload("lawyer", case_id, kind, content, name)
    assert response.status_code == 201, response.json
    return case_id, response.json["id"]


def fetch(api: Api, document_id: str, username: str = "lawyer") -> TestResponse:
    return api.get(username, f"/api/v1/documents/{document_id}")


def downloaded(api: Api, document_id: str) -> bytes:
    response = fetch(api, document_id)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_data()


def photo_taken_in_the_camp() -> bytes:
    """A phone photo, turned on its side, that says where and with what it was taken."""
    exif = Image.Exif()
    exif[0x010F], exif[0x0110] = "PhoneMaker", "Model X"  # make and model
    exif[0x0112] = 6  # orientation: rotate 90° to view
    exif[0x9286] = CAMP  # user comment
    exif.get_ifd(GPS_IFD).update(
        {1: "N", 2: (36.0, 22.0, 58.0), 3: "E", 4: (40.0, 58.0, 12.0), 18: CAMP}
    )
    return saved(image((64, 48)), "JPEG", exif=exif)


def test_a_pdf_comes_back_byte_for_byte(api: Api) -> None:
    original = sample_pdf("Birth record, Almaty maternity hospital No. 1")
    case_id = api.create_case()["id"]

    response = api.upload("lawyer", case_id, "identity_record", original)

    assert response.status_code == 201, response.json
    described = response.json
    assert {k: described[k] for k in ("kind", "sha256", "size", "content_type")} == {
        "kind": "identity_record",
        "sha256": hashlib.sha256(original).hexdigest(),
        "size": len(original),
        "content_type": "application/pdf",
    }
    back = downloaded(api, described["id"])
    assert back == original
    assert hashlib.sha256(back).hexdigest() == described["sha256"]
    listed = api.get("lawyer", f"/api/v1/cases/{case_id}/documents").json["documents"]
    assert listed == [described]


def test_a_photo_comes_back_upright_without_its_exif_or_gps(app: Any, api: Api) -> None:
    original = photo_taken_in_the_camp()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD)[18] == CAMP

    _case_id, document_id = upload(api, "identity_record", original, "IMG_0042.jpg")

    back = downloaded(api, document_id)
    photo = Image.open(io.BytesIO(back))
    assert photo.format == "JPEG" and photo.size == (48, 64)  # turned as the camera meant
    assert dict(photo.getexif()) == {} and "exif" not in photo.info
    for kept in (back, stored_file(app, document_id).read_bytes()):
        for trace in (b"Exif", CAMP.encode(), b"PhoneMaker", b"Model X"):
            assert trace not in kept


def test_a_png_comes_back_with_its_pixels_and_without_its_text(api: Api) -> None:
    picture = image((40, 30))
    notes = PngInfo()
    notes.add_text("Comment", f"Aliya Nurgalieva, {CAMP}")
    notes.add_text("Author", "Гүлнар Нұрғалиева", zip=True)
    notes.add_itxt("Location", "مخيم الهول", zip=True)
    original = saved(picture, "PNG", pnginfo=notes)
    assert len(Image.open(io.BytesIO(original)).text) == 3

    _case_id, document_id = upload(api, "identity_record", original, "scan.png")

    back = Image.open(io.BytesIO(downloaded(api, document_id)))
    assert back.format == "PNG" and back.text == {}
    assert back.tobytes() == picture.tobytes() and back.mode == picture.mode


def test_a_multi_page_tiff_keeps_every_page_and_loses_its_tags(api: Api) -> None:
    pages = [Image.new("RGB", (40, 30), colour) for colour in ("red", "green", "blue")]
    original = saved(pages[0], "TIFF", save_all=True, append_images=pages[1:], description=CAMP)

    _case_id, document_id = upload(api, "court_order", original, "ruling.tif")

    content = downloaded(api, document_id)
    back = Image.open(io.BytesIO(content))
    assert back.format == "TIFF" and back.n_frames == 3
    for number, page in enumerate(pages):
        back.seek(number)
        assert back.convert("RGB").tobytes() == page.tobytes(), number
    assert CAMP.encode() not in content


ACCEPTED = [
    ("lab_report", lambda: sample_pdf(), "application/pdf", "pdf"),
    ("identity_record", lambda: saved(image(), "JPEG"), "image/jpeg", "jpg"),
    ("court_order", lambda: saved(image(), "PNG"), "image/png", "png"),
    ("assessment_report", lambda: saved(image(), "TIFF"), "image/tiff", "tif"),
]


@pytest.mark.parametrize(
    ("kind", "make", "content_type", "extension"), ACCEPTED, ids=[a[3] for a in ACCEPTED]
)
def test_a_document_downloads_as_an_attachment_named_for_its_kind(
    api: Api, kind: str, make: Callable[[], bytes], content_type: str, extension: str
) -> None:
    _case_id, document_id = upload(api, kind, make(), "Aliya Nurgalieva.pdf")

    response = fetch(api, document_id)

    assert response.status_code == 200
    assert response.mimetype == content_type
    disposition = response.headers["Content-Disposition"]
    assert disposition == f'attachment; filename="{kind}-{document_id[:8]}.{extension}"'
    assert re.fullmatch(r'attachment; filename="[a-z_]+-[0-9a-f]{8}\.[a-z]{3}"', disposition)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
    assert "sandbox" in response.headers["Content-Security-Policy"]


def test_a_stored_document_is_ciphertext_only_the_service_can_read(app: Any, api: Api) -> None:
    original = sample_pdf("Aliya Nurgalieva, born 2016 in Raqqa")
    _case_id, document_id = upload(api, "identity_record", original)

    [path] = stored_files(app)
    sealed = path.read_bytes()
    assert path == stored_file(app, document_id)
    assert document_id not in str(path) and hashlib.sha256(original).hexdigest() not in str(path)
    for plain in (b"%PDF", b"Aliya", b"Raqqa", original[200:232]):
        assert plain not in sealed
    assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0  # no one else on the host reads it
    assert downloaded(api, document_id) == original


def flip(offset: int) -> Callable[[Path], None]:
    def change(path: Path) -> None:
        sealed = bytearray(path.read_bytes())
        sealed[offset] ^= 0x01
        path.write_bytes(bytes(sealed))

    return change


TAMPERING: dict[str, Callable[[Path], None]] = {
    "a bit of the header": flip(1),
    "a bit of the key id": flip(5),
    "a bit of the ciphertext": flip(-600),
    "a bit of the tag": flip(-1),
    "cut short": lambda path: path.write_bytes(path.read_bytes()[:-100]),
    "emptied": lambda path: path.write_bytes(b""),
    "deleted": Path.unlink,
}


@pytest.mark.parametrize("tamper", TAMPERING.values(), ids=TAMPERING.keys())
def test_a_changed_stored_file_is_never_served(
    app: Any, api: Api, tamper: Callable[[Path], None]
) -> None:
    _case_id, document_id = upload(api, "consent", sample_pdf())
    tamper(stored_file(app, document_id))

    response = fetch(api, document_id)

    assert_integrity_failure(response)


def assert_integrity_failure(response: TestResponse) -> None:
    assert response.status_code == 500
    assert response.mimetype == "application/json"
    assert response.json["error"]["code"] == "integrity_failure"
    assert "Content-Disposition" not in response.headers
    assert b"%PDF" not in response.get_data()


def test_two_stored_files_swapped_are_never_served(app: Any, api: Api) -> None:
    case_id = api.create_case()["id"]
    ids = [api.upload("lawyer", case_id, "consent").json["id"] for _ in range(2)]
    first, second = (stored_file(app, document_id) for document_id in ids)
    contents = first.read_bytes(), second.read_bytes()

    second.write_bytes(contents[0])
    first.write_bytes(contents[1])

    for document_id in ids:
        assert_integrity_failure(fetch(api, document_id))
    first.write_bytes(contents[0])
    second.write_bytes(contents[1])
    assert [fetch(api, document_id).status_code for document_id in ids] == [200, 200]


def test_uploads_and_downloads_are_in_the_trail_without_personal_data(app: Any, api: Api) -> None:
    name = "Әлия Нұрғалиева DNA consent.pdf"
    case_id, document_id = upload(api, "consent", sample_pdf("Consent of Gulnar Nurgalieva"), name)
    downloaded(api, document_id)
    assert fetch(api, document_id, "lawyer3").status_code == 404

    trail = [event for event in events(app) if event.action.startswith("document.")]

    upload_event, download_event, refused = trail
    mentions = {"document": document_id, "kind": "consent"}
    for event, username in ((upload_event, "lawyer"), (download_event, "lawyer")):
        assert (event.username, event.outcome, event.detail) == (username, "success", mentions)
        assert str(event.case_id) == case_id
    assert (upload_event.action, download_event.action) == ("document.upload", "document.download")
    assert (refused.action, refused.username, refused.outcome) == (
        "document.download",
        "lawyer3",
        "not_found",
    )
    # The auditor sees which document was asked for; the case stays unnamed to a stranger's event.
    assert refused.case_id is None and refused.detail == mentions
    dumped = "\n".join(str(vars(event)) for event in events(app))
    for secret in ("Әлия", "Нұрғалиева", "Gulnar", "Nurgalieva", "DNA consent", "Aliya"):
        assert secret not in dumped, secret
