"""What an uploaded file really is, decided by its bytes, and a clean copy of it to keep.

Only PDF, JPEG, PNG and TIFF scans are accepted. Images are decoded and written anew from their
pixels alone, so no metadata survives (the GPS position of where a photo was taken, the camera,
comments, anything appended after the image). A PDF is parsed, within pypdf's limits on
decompression, and refused when it carries scripts, launch actions, embedded files or forms that
run code, or bytes after its end.
"""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError
from pypdf import PdfReader, overwrite_configuration
from pypdf.errors import LimitReachedError, PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, PdfObject

from workflow.errors import InvalidInput, PayloadTooLarge, UnsupportedMediaType

ACCEPTED = "Upload a PDF, JPEG, PNG or TIFF scan."
# The opening bytes of each accepted type, and the type's name in Pillow when it is an image.
SIGNATURES: tuple[tuple[bytes, str, str | None], ...] = (
    (b"%PDF-", "application/pdf", None),
    (b"\xff\xd8\xff", "image/jpeg", "JPEG"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "PNG"),
    (b"II*\x00", "image/tiff", "TIFF"),
    (b"MM\x00*", "image/tiff", "TIFF"),
)
EXTENSIONS = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/tiff": "tif",
}
# Dictionary entries that make a PDF do something when opened or clicked, rather than show pages;
# /EF is where a file specification (of the names tree, or of an attachment on a page) embeds one.
ACTIVE_KEYS = {"/JS", "/JavaScript", "/EmbeddedFile", "/EmbeddedFiles", "/EF", "/XFA", "/RichMedia"}
# Web links (/URI) are allowed: lab reports and court orders carry them in their letterheads.
ACTIVE_ACTIONS = {
    "/JavaScript",
    "/Launch",
    "/ImportData",
    "/SubmitForm",
    "/GoToR",
    "/GoToE",
    "/Rendition",
    "/RichMediaExecute",
}
MAX_PDF_OBJECTS = 200_000
_PDF_END = re.compile(rb"%%EOF\s*\Z")
MAX_PAGES = 200
KEPT_MODES = {"1", "L", "LA", "RGB", "RGBA", "CMYK"}


@dataclass(frozen=True)
class Cleaned:
    """A document as it will be stored: its true type and its cleaned bytes."""

    content_type: str
    data: bytes

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.content_type]


def clean(raw: bytes, max_pixels: int) -> Cleaned:
    """Decide the file's type from its bytes and return a clean copy, or refuse it clearly."""
    if not raw:
        raise _damaged("The file is empty.", "empty")
    for signature, content_type, image_format in SIGNATURES:
        if raw.startswith(signature):
            if image_format is None:
                return Cleaned(content_type, _checked_pdf(raw))
            return Cleaned(content_type, _redrawn_image(raw, image_format, max_pixels))
    raise UnsupportedMediaType(f"This file is not one of the accepted types. {ACCEPTED}")


def limit_inflation(inflated_bytes: int) -> None:
    """Refuse a PDF whose streams, object streams or images inflate beyond `inflated_bytes`,
    each and altogether, for the rest of this process."""
    overwrite_configuration(
        maximum_declared_stream_length=inflated_bytes,
        array_based_stream_maximum_output_length=inflated_bytes,
        jbig2_maximum_output_length=inflated_bytes,
        lzw_maximum_output_length=inflated_bytes,
        run_length_maximum_output_length=inflated_bytes,
        zlib_maximum_output_length=inflated_bytes,
        brotli_maximum_output_length=inflated_bytes,
        image_maximum_buffer_size=inflated_bytes,
        stream_decoding_work_maximum_length=inflated_bytes,
    )


def _damaged(message: str, problem: str) -> InvalidInput:
    return InvalidInput(message, [{"field": "file", "problem": problem}])


def _checked_pdf(raw: bytes) -> bytes:
    # A ZIP appended to a PDF can end in a comment that ends as a PDF does.
    if not _PDF_END.search(raw[-4096:]) or zipfile.is_zipfile(io.BytesIO(raw)):
        raise _damaged("The PDF is cut short or has other data after its end.", "damaged")
    try:
        reader = PdfReader(io.BytesIO(raw), strict=False)
        if reader.is_encrypted:
            raise _damaged(
                "The PDF is password-protected; upload it without a password.", "encrypted"
            )
        if len(reader.pages) == 0:
            raise _damaged("The PDF has no pages.", "damaged")
        _refuse_active_content(reader)
    except LimitReachedError:
        raise PayloadTooLarge("The PDF inflates to more than a document may when opened.") from None
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        raise _damaged("The PDF cannot be read; it may be damaged.", "damaged") from None
    return raw


def _refuse_active_content(reader: PdfReader) -> None:
    numbers = {number for table in reader.xref.values() for number in table}
    numbers |= set(reader.xref_objStm)
    if len(numbers) > MAX_PDF_OBJECTS:
        raise _damaged("The PDF has too many objects to check.", "too_complex")
    for number in sorted(numbers):
        found = reader.get_object(number)
        if found is not None and _is_active(found):
            raise _damaged(
                "The PDF contains scripts, embedded files or actions; print it to a plain PDF "
                "or scan it, and upload that.",
                "active_content",
            )


def _is_active(entry: PdfObject) -> bool:
    """An action or script in the object, or in a dictionary or array written inside it (an
    /OpenAction is usually written there); the objects it refers to are checked on their own."""
    if isinstance(entry, ArrayObject):
        return any(_is_active(item) for item in entry)
    if not isinstance(entry, DictionaryObject):
        return False
    action = entry.get("/S")
    if isinstance(action, PdfObject):
        action = action.get_object()
    if ACTIVE_KEYS.intersection(entry.keys()) or (
        isinstance(action, NameObject) and action in ACTIVE_ACTIONS
    ):
        return True
    return any(_is_active(value) for value in entry.values())


def _redrawn_image(raw: bytes, image_format: str, max_pixels: int) -> bytes:
    try:
        with warnings.catch_warnings():
            # Pillow warns of damaged metadata, which is dropped anyway; the pixels decide.
            warnings.simplefilter("ignore", UserWarning)
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(raw), formats=[image_format]) as image:
                pages = _pages(image, max_pixels)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PayloadTooLarge("The image has too many pixels.") from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
        raise _damaged(
            "The image cannot be read; it may be cut short or damaged.", "damaged"
        ) from None
    return _SAVERS[image_format](pages)


def _pages(image: Image.Image, max_pixels: int) -> list[Image.Image]:
    """Every page, redrawn; all pages together within the pixel budget, counted before each is
    decoded (a blank page compresses to almost nothing, so the file's size says little)."""
    pages: list[Image.Image] = []
    budget = max_pixels
    for number, frame in enumerate(ImageSequence.Iterator(image)):
        width, height = frame.size
        budget -= width * height
        if budget < 0 or number >= MAX_PAGES:
            raise PayloadTooLarge("The image has too many pixels or pages.")
        pages.append(_pixels_only(frame))
    return pages


def _pixels_only(frame: Image.Image) -> Image.Image:
    """The frame upright, as a new image made of its pixels and nothing else."""
    upright = ImageOps.exif_transpose(frame)
    if upright.mode not in KEPT_MODES:
        upright = upright.convert(
            "RGBA" if "A" in upright.mode or "transparency" in upright.info else "RGB"
        )
    return Image.frombytes(upright.mode, upright.size, upright.tobytes())


def _save_jpeg(pages: list[Image.Image]) -> bytes:
    page = pages[0] if pages[0].mode in {"L", "RGB", "CMYK"} else pages[0].convert("RGB")
    return _saved(page, "JPEG", quality=92, optimize=True)


def _save_png(pages: list[Image.Image]) -> bytes:
    return _saved(pages[0], "PNG", optimize=False)


def _save_tiff(pages: list[Image.Image]) -> bytes:
    return _saved(
        pages[0], "TIFF", compression="tiff_deflate", save_all=True, append_images=pages[1:]
    )


def _saved(page: Image.Image, image_format: str, **options: object) -> bytes:
    out = io.BytesIO()
    page.save(out, image_format, **options)
    return out.getvalue()


_SAVERS: dict[str, Callable[[list[Image.Image]], bytes]] = {
    "JPEG": _save_jpeg,
    "PNG": _save_png,
    "TIFF": _save_tiff,
}
