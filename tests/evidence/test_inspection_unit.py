"""Upload inspection on crafted bytes: what a file really is, what is refused and why, and what
is kept of an image. workflow/evidence/inspection.py without HTTP or a database."""

from __future__ import annotations

import io
import struct
import zipfile
from typing import Any

import pytest
from PIL import Image, PngImagePlugin
from pypdf import PdfWriter

from tests.evidence.helpers import (
    _chunk,
    huge_png,
    image,
    packed_object,
    pdf,
    pdf_with_object_stream,
    saved,
)
from workflow.errors import InvalidInput, PayloadTooLarge, UnsupportedMediaType
from workflow.evidence import inspection
from workflow.evidence.inspection import clean

PIXELS = 1_000_000
GPS = 0x8825
ORIENTATION = 0x0112


def refused(raw: bytes, error: type[Exception] = InvalidInput, max_pixels: int = PIXELS) -> Any:
    with pytest.raises(error) as caught:
        clean(raw, max_pixels)
    return caught.value


def problem(raw: bytes) -> str:
    return refused(raw).details[0]["problem"]


def reopened(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data))


def photo_with_gps(mode: str = "RGB", orientation: int = 1) -> bytes:
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[0x010F] = "PhoneMaker"  # the camera's make
    exif.get_ifd(GPS)[2] = (43.0, 14.0, 52.0)  # latitude
    return saved(image((64, 48), mode), "JPEG", exif=exif.tobytes())


# --- the type is decided by the bytes -----------------------------------------------------------

TYPES = {
    "pdf": (pdf(), "application/pdf", "pdf"),
    "jpeg": (saved(image(), "JPEG"), "image/jpeg", "jpg"),
    "png": (saved(image(), "PNG"), "image/png", "png"),
    "tiff, little-endian": (saved(image(), "TIFF"), "image/tiff", "tif"),
    "tiff, big-endian": (
        saved(Image.new("I;16B", (8, 8)), "TIFF"),  # Pillow writes this mode big-endian
        "image/tiff",
        "tif",
    ),
}


@pytest.mark.parametrize(("raw", "content_type", "extension"), TYPES.values(), ids=TYPES.keys())
def test_each_accepted_type_is_recognised_by_its_opening_bytes(raw, content_type, extension):
    kept = clean(raw, PIXELS)
    assert (kept.content_type, kept.extension) == (content_type, extension)


def test_big_endian_tiff_is_really_big_endian() -> None:
    assert TYPES["tiff, big-endian"][0].startswith(b"MM\x00*")


@pytest.mark.parametrize(
    "raw",
    [b"MZ\x90\x00 a Windows program", b"GIF89a....", b"<html><script>", b"PK\x03\x04zip", b"%PDF"],
    ids=["program", "gif", "html", "zip", "short of a pdf signature"],
)
def test_any_other_file_is_refused_as_unsupported(raw: bytes) -> None:
    error = refused(raw, UnsupportedMediaType)
    assert error.message == "This file is not one of the accepted types. " + inspection.ACCEPTED


def test_an_empty_file_is_refused_as_empty() -> None:
    error = refused(b"")
    assert (error.message, error.details) == (
        "The file is empty.",
        [{"field": "file", "problem": "empty"}],
    )


# --- PDFs ---------------------------------------------------------------------------------------


def test_a_plain_pdf_is_kept_byte_for_byte() -> None:
    raw = pdf()
    assert clean(raw, PIXELS).data == raw
    assert clean(raw + b"\r\n  \n", PIXELS).content_type == "application/pdf"


def zipped() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("payload.exe", b"MZ")
        archive.comment = b"%%EOF"
    return out.getvalue()


@pytest.mark.parametrize(
    "raw",
    [pdf()[:-20], pdf() + b"<script>", pdf() + zipped(), pdf()[:-7] + b"\n"],
    ids=["cut short", "data after the end", "zip appended", "no end marker"],
)
def test_a_pdf_cut_short_or_with_data_after_its_end_is_refused(raw: bytes) -> None:
    error = refused(raw)
    assert error.message == "The PDF is cut short or has other data after its end."
    assert error.details == [{"field": "file", "problem": "damaged"}]


def test_the_end_of_a_pdf_is_looked_for_in_its_last_4_kib() -> None:
    raw = pdf()  # ends in "%%EOF\n"
    assert clean(raw + b" " * 4090, PIXELS).content_type == "application/pdf"
    assert problem(raw + b" " * 4091) == "damaged"


def test_a_password_protected_pdf_is_refused_saying_so() -> None:
    writer = PdfWriter()
    writer.add_blank_page(612, 792)
    writer.encrypt("secret", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    error = refused(out.getvalue())
    assert error.message == "The PDF is password-protected; upload it without a password."
    assert error.details == [{"field": "file", "problem": "encrypted"}]


def test_a_pdf_without_pages_is_refused() -> None:
    empty = pdf().replace(b"/Kids [3 0 R] /Count 1", b"/Kids [] /Count 0")
    error = refused(empty)
    assert (error.message, error.details[0]["problem"]) == ("The PDF has no pages.", "damaged")


def test_an_unreadable_pdf_is_refused_as_damaged() -> None:
    error = refused(b"%PDF-1.7\n%%EOF\n")
    assert (error.message, error.details[0]["problem"]) == (
        "The PDF cannot be read; it may be damaged.",
        "damaged",
    )


JAVASCRIPT = b"<< /S /JavaScript /JS (app.alert(1)) >>"
ACTIVE = {
    "script on opening": pdf(b"/OpenAction %s " % JAVASCRIPT),
    "launch on opening": pdf(b"/OpenAction << /S /Launch /F (cmd.exe) >> "),
    "launch named by reference": pdf(b"/OpenAction << /S 5 0 R /F (cmd.exe) >> ", b"/Launch"),
    "launch inside an array": pdf(b"/Extra [1 << /S /Launch /F (cmd.exe) >>] "),
    "launch deep in the page": pdf(
        page=b"/Annots [<< /Subtype /Link /A << /Next << /S /Launch /F (x.exe) >> >> >>] "
    ),
    "form submission": pdf(b"/OpenAction << /S /SubmitForm /F (https://x.test) >> "),
    "embedded file": pdf(b"/Names << /EmbeddedFiles 5 0 R >> ", b"<< /Names [] >>"),
    "script packed in an object stream": pdf_with_object_stream(
        b"/OpenAction 5 0 R ", packed_object(JAVASCRIPT)
    ),
}


@pytest.mark.parametrize("raw", ACTIVE.values(), ids=ACTIVE.keys())
def test_a_pdf_that_would_run_something_is_refused(raw: bytes) -> None:
    error = refused(raw)
    assert error.details == [{"field": "file", "problem": "active_content"}]
    assert error.message == (
        "The PDF contains scripts, embedded files or actions; print it to a plain PDF "
        "or scan it, and upload that."
    )


PASSIVE = {
    "web link": pdf(page=b"/Annots [<< /Subtype /Link /A << /S /URI /URI (https://x.test) >> >>] "),
    "named destination": pdf(b"/OpenAction [3 0 R /Fit] "),
    "plain object stream": pdf_with_object_stream(b"", packed_object(b"<< /Producer (x) >>")),
    "name that is no action": pdf(b"/Extra << /S (Launch) >> "),
}


@pytest.mark.parametrize("raw", PASSIVE.values(), ids=PASSIVE.keys())
def test_links_and_ordinary_structure_are_accepted(raw: bytes) -> None:
    assert clean(raw, PIXELS).data == raw


def test_a_pdf_with_too_many_objects_to_check_is_refused(monkeypatch) -> None:
    raw = pdf(b"", b"<< /A 1 >>", b"<< /B 2 >>")  # six objects
    monkeypatch.setattr(inspection, "MAX_PDF_OBJECTS", 6)
    assert clean(raw, PIXELS).data == raw
    monkeypatch.setattr(inspection, "MAX_PDF_OBJECTS", 5)
    error = refused(raw)
    assert (error.message, error.details[0]["problem"]) == (
        "The PDF has too many objects to check.",
        "too_complex",
    )


def test_objects_packed_in_streams_count_towards_the_limit(monkeypatch) -> None:
    raw = pdf_with_object_stream(b"", packed_object(b"<< /Producer (x) >>"))  # seven objects
    monkeypatch.setattr(inspection, "MAX_PDF_OBJECTS", 6)
    assert problem(raw) == "too_complex"


# --- images -------------------------------------------------------------------------------------


def test_a_photo_is_kept_without_its_gps_position_or_camera() -> None:
    kept = reopened(clean(photo_with_gps(), PIXELS).data)
    assert kept.format == "JPEG"
    assert dict(kept.getexif()) == {}
    assert kept.size == (64, 48)


def test_a_photo_taken_sideways_is_kept_upright() -> None:
    kept = reopened(clean(photo_with_gps(orientation=6), PIXELS).data)
    assert kept.size == (48, 64)


@pytest.mark.parametrize("mode", ["L", "RGB", "CMYK"])
def test_a_jpeg_keeps_its_colours(mode: str) -> None:
    kept = reopened(clean(saved(image(mode=mode), "JPEG"), PIXELS).data)
    assert kept.mode == mode


def test_the_pixels_of_a_png_are_kept_exactly_and_its_text_is_not() -> None:
    picture = image((40, 30), "RGB")
    raw = saved(picture, "PNG", pnginfo=_png_text("Comment", "home address"))
    kept = reopened(clean(raw, PIXELS).data)
    assert kept.format == "PNG"
    assert kept.tobytes() == picture.tobytes()
    assert "Comment" not in kept.info


def _png_text(key: str, value: str) -> PngImagePlugin.PngInfo:
    text = PngImagePlugin.PngInfo()
    text.add_text(key, value)
    return text


@pytest.mark.parametrize(
    ("mode", "transparency", "kept_mode"),
    [
        ("1", None, "1"),
        ("LA", None, "LA"),
        ("RGBA", None, "RGBA"),
        ("P", None, "RGB"),
        ("P", 0, "RGBA"),
        ("I;16", None, "RGB"),
    ],
)
def test_a_png_is_redrawn_in_a_mode_that_keeps_what_it_shows(mode, transparency, kept_mode):
    options = {} if transparency is None else {"transparency": transparency}
    raw = saved(image(mode="L").convert(mode), "PNG", **options)
    assert reopened(clean(raw, PIXELS).data).mode == kept_mode


def test_a_tiff_with_a_palette_and_alpha_keeps_its_transparency() -> None:
    raw = saved(image(mode="RGBA").convert("PA"), "TIFF")
    assert reopened(clean(raw, PIXELS).data).mode == "RGBA"


def test_a_photo_is_kept_at_high_quality() -> None:
    kept = reopened(clean(saved(PHOTO, "JPEG", quality=60), PIXELS).data)
    assert kept.quantization == reopened(saved(PHOTO, "JPEG", quality=92)).quantization


def test_a_png_with_damaged_metadata_is_kept_as_its_picture() -> None:
    # an animation header that says "no frames": Pillow warns and shows the still picture
    raw = saved(image(), "PNG")
    header_end = 8 + 8 + 13 + 4
    damaged = raw[:header_end] + _chunk(b"acTL", struct.pack(">II", 0, 0)) + raw[header_end:]
    kept = reopened(clean(damaged, PIXELS).data)
    assert kept.tobytes() == reopened(raw).tobytes()


def test_a_file_that_only_opens_like_a_tiff_is_never_read_as_another_format() -> None:
    # a SPIDER image (a format Pillow reads) whose first float is written as "II*\0"
    header = [struct.unpack(">f", b"II*\x00")[0], 4, 0, 0, 1] + [0] * 22
    header[11], header[12], header[21], header[22] = 4, 1, 112, 112
    raw = struct.pack(">27f", *header) + bytes(4) + struct.pack(">16f", *range(16))
    assert Image.open(io.BytesIO(raw), formats=["SPIDER"]).size == (4, 4)
    assert problem(raw) == "damaged"


def test_every_page_of_a_tiff_is_kept_compressed() -> None:
    pages = [image((30, 20), "L"), image((20, 30), "RGB")]
    raw = saved(pages[0], "TIFF", save_all=True, append_images=pages[1:])
    kept = reopened(clean(raw, PIXELS).data)
    assert kept.n_frames == 2
    assert kept.info["compression"] == "tiff_adobe_deflate"
    kept.seek(1)
    assert (kept.size, kept.mode) == ((20, 30), "RGB")


def test_the_pixel_budget_counts_every_page() -> None:
    pages = [image((100, 100), "1"), image((100, 50), "1")]
    raw = saved(pages[0], "TIFF", save_all=True, append_images=pages[1:])
    assert clean(raw, 15_000).content_type == "image/tiff"
    error = refused(raw, PayloadTooLarge, max_pixels=14_999)
    assert error.message == "The image has too many pixels or pages."


def test_the_page_count_is_limited(monkeypatch) -> None:
    pages = [image((8, 8), "1") for _ in range(3)]
    raw = saved(pages[0], "TIFF", save_all=True, append_images=pages[1:])
    monkeypatch.setattr(inspection, "MAX_PAGES", 3)
    assert reopened(clean(raw, PIXELS).data).n_frames == 3
    monkeypatch.setattr(inspection, "MAX_PAGES", 2)
    assert refused(raw, PayloadTooLarge).message == "The image has too many pixels or pages."


@pytest.mark.parametrize("side", [10_000, 20_000], ids=["over the warning", "over the error"])
def test_a_decompression_bomb_is_refused_before_it_is_decoded(side: int) -> None:
    error = refused(huge_png(side, side), PayloadTooLarge, max_pixels=10**12)
    assert error.message == "The image has too many pixels."


PHOTO = Image.effect_noise((200, 150), 64).convert("RGB")


@pytest.mark.parametrize(
    "raw",
    [
        saved(PHOTO, "JPEG")[:600],
        saved(PHOTO, "PNG")[:600],
        saved(PHOTO, "TIFF", compression="tiff_deflate")[:600],
        b"\xff\xd8\xff\xe0",
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 40,
    ],
    ids=["jpeg cut short", "png cut short", "tiff cut short", "jpeg header", "png header"],
)
def test_a_damaged_image_is_refused(raw: bytes) -> None:
    error = refused(raw)
    assert error.message == "The image cannot be read; it may be cut short or damaged."
    assert error.details == [{"field": "file", "problem": "damaged"}]
