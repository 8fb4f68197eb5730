"""Files to upload, made the way a scanner, a phone or an attacker would, and a look at what the
service kept of them."""

from __future__ import annotations

import functools
import io
import struct
import uuid
import zlib
from pathlib import Path
from typing import Any

from PIL import Image
from sqlalchemy import select

from workflow import transactions
from workflow.models import Document

CATALOG = b"<< /Type /Catalog /Pages 2 0 R %s>>"
PAGES = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R %s>>"
TEXT = b"BT /F1 12 Tf 72 720 Td (Homeward) Tj ET"
INFLATED_BYTES = 300 * 1024 * 1024


def stream(data: bytes, entries: bytes = b"") -> bytes:
    return b"<< /Length %d %s>>\nstream\n%s\nendstream" % (len(data), entries, data)


def pdf(
    catalog: bytes = b"", *more: bytes, page: bytes = b"", content: bytes = stream(TEXT)
) -> bytes:
    """A one-page PDF written by hand, with entries added to its catalog and its page; the
    objects in `more` are numbered from 5. Only a hand can write the hostile ones."""
    objects = [CATALOG % catalog, PAGES, PAGE % page, content, *more]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    table = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1)
    out += b"startxref\n%d\n%%%%EOF\n" % table
    return bytes(out)


def pdf_with_object_stream(catalog: bytes, packed: bytes) -> bytes:
    """A one-page PDF whose object 5 is packed in a compressed object stream (object 6), found
    through a cross-reference stream (object 7), as PDF 1.5 writers do. `packed` is the stream's
    FlateDecode data: object 5's number and offset, then object 5 from byte 20."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    rows = [b"\x00\x00\x00\x00\x00\xff\xff"]
    bodies = [CATALOG % catalog, PAGES, PAGE % b"", stream(TEXT)]
    for number, body in enumerate(bodies, start=1):
        rows.append(struct.pack(">BIH", 1, len(out), 0))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    rows.append(struct.pack(">BIH", 2, 6, 0))  # object 5: the first one in object stream 6
    rows.append(struct.pack(">BIH", 1, len(out), 0))
    objects = stream(packed, b"/Type /ObjStm /N 1 /First 20 /Filter /FlateDecode ")
    out += b"6 0 obj\n%s\nendobj\n" % objects
    table = len(out)
    rows.append(struct.pack(">BIH", 1, table, 0))
    xref = stream(b"".join(rows), b"/Type /XRef /Size 8 /W [1 4 2] /Root 1 0 R ")
    out += b"7 0 obj\n%s\nendobj\nstartxref\n%d\n%%%%EOF\n" % (xref, table)
    return bytes(out)


def packed_object(body: bytes) -> bytes:
    """An object stream's data holding `body` as object 5."""
    return zlib.compress(b"5 0".ljust(20) + body)


def slow_to_parse_pdf(megabytes: int) -> bytes:
    """A PDF of a few kilobytes whose one packed object is a string of `megabytes` MB, which a
    parser reads a character at a time: seconds of CPU for a file a thousandth of that size."""
    deflate = zlib.compressobj(9)
    letters = bytes(b"a" * (1024 * 1024))
    parts = [deflate.compress(b"5 0".ljust(20) + b"(")]
    parts += [deflate.compress(letters) for _ in range(megabytes)]
    parts += [deflate.compress(b")"), deflate.flush()]
    return pdf_with_object_stream(b"/Extra 5 0 R ", b"".join(parts))


@functools.cache
def flate_bomb() -> bytes:
    """INFLATED_BYTES of zeros, deflated to about a thousandth of that, a megabyte at a time."""
    deflate = zlib.compressobj(9)
    zeros = bytes(1024 * 1024)
    parts = [deflate.compress(zeros) for _ in range(INFLATED_BYTES // len(zeros))]
    return b"".join([*parts, deflate.flush()])


def image(size: tuple[int, int] = (64, 48), mode: str = "RGB") -> Image.Image:
    """A picture with some detail in it, rather than one flat colour."""
    return Image.linear_gradient("L").resize(size).convert(mode)


def saved(picture: Image.Image, image_format: str, **options: Any) -> bytes:
    out = io.BytesIO()
    picture.save(out, image_format, **options)
    return out.getvalue()


def huge_png(width: int, height: int) -> bytes:
    """A blank 1-bit PNG of width x height that deflates to almost nothing; never decoded here."""
    row = bytes(1 + (width + 7) // 8)  # a filter byte, then the row's bits
    deflate = zlib.compressobj(9)
    pixels = b"".join(deflate.compress(row) for _ in range(height)) + deflate.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", pixels) + _chunk(b"IEND")
    )


def _chunk(tag: bytes, data: bytes = b"") -> bytes:
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))


def document_rows(app: Any) -> list[Document]:
    """Every document the database holds, detached from its session."""
    with app.app_context():
        session = transactions.session()
        found = list(session.scalars(select(Document)))
        session.expunge_all()
        return found


def stored_files(app: Any) -> list[Path]:
    """Every file in the document store folder, finished or not."""
    return sorted(path for path in Path(app.config["DOCUMENT_STORE"]).rglob("*") if path.is_file())


def stored_file(app: Any, document_id: str) -> Path:
    """Where the document's sealed bytes are kept."""
    with app.app_context():
        document = transactions.session().get(Document, uuid.UUID(document_id))
        assert document is not None
        name = document.storage_name
    return Path(app.config["DOCUMENT_STORE"]) / name[:2] / name


def upload_foreign(
    api: Any, case_id: str, kind: str = "identity_record", username: str = "lawyer", **fields: Any
) -> Any:
    """Upload a scan with its foreign particulars (language, translation, legalisation) in the
    multipart form, as the user."""
    return api.client.post(
        f"/api/v1/cases/{case_id}/documents",
        data={"kind": kind, "file": (io.BytesIO(pdf()), "scan.pdf"), **fields},
        headers=api.headers(username),
        content_type="multipart/form-data",
    )
