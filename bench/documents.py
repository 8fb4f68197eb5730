"""Benchmark documents: upload and download throughput through the HTTP API, sealed and unsealed,
beside raw AES-256-GCM and a plain file write and read of the same bytes.

    python -m bench.documents [--megabytes 10] [--rounds 5]

In-process through the WSGI app (Flask's test client), as a seeded lawyer on an open case, with the
default folder store; instance folder, SQLite file and documents live in a temporary directory.

"Unsealed" is a substitution for measuring only: on its turns, this process replaces
`DataKeys.seal` and `DataKeys.open`, for document contents alone, with an identity transform. The
product has no switch that turns encryption off, and must not get one.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import random
import secrets
import signal
import sys
import tempfile
import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager, ExitStack, nullcontext
from dataclasses import dataclass
from pathlib import Path
from unittest.mock import patch

import cryptography
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask_openapi3 import OpenAPI
from PIL import Image
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from bench.client import Client
from bench.measure import Budget, Measurement, measure, measure_in_turns
from bench.seed import seed, sqlite_url, throwaway_app
from workflow import transactions
from workflow.config import DEFAULTS
from workflow.evidence.store import document_store
from workflow.models import Document
from workflow.sealing import DataKeys

MB = 1_000_000
SHARES = (0.01, 0.1, 1.0)  # of --megabytes: 100 kB, 1 MB and 10 MB by default
CASES = 20
SECONDS = 20.0  # about the most one measurement may take
A85_GROWTH = 1.25  # reportlab writes image data as ASCII85: five bytes for every four
SIDES = ("sealed", "unsealed")
DOCUMENT_CONTEXT = "documents:"  # how workflow.evidence.documents binds a document's ciphertext
LEGEND = """\
sealed: as Homeward runs (AES-256-GCM); unsealed: documents kept as they are (measuring only);
the two are timed in turns, so that other work on the machine slows both alike
raw rows: sealed = AES-256-GCM and the file I/O together, unsealed = the file I/O alone
reads come from the page cache; ratio = sealed ÷ unsealed
"""
COLUMNS = f"{'size':>9}  {'operation':<26} {'sealed MB/s':>12} {'unsealed MB/s':>14} {'ratio':>6}"


@dataclass(frozen=True)
class Row:
    """One line of the table: timings with sealing, and without where that applies."""

    size: int
    operation: str
    sealed: Measurement
    unsealed: Measurement | None = None


def main(argv: list[str] | None = None) -> int:
    """Upload and download PDFs of three sizes, sealed and unsealed, and print MB/s."""
    args = _options(argv)
    # Being stopped (SIGTERM) unwinds like Ctrl-C, so the temporary files are still removed.
    signal.signal(signal.SIGTERM, lambda _signal, _frame: sys.exit(143))
    sizes = [round(args.megabytes * MB * share) for share in SHARES]
    budget = Budget(iterations=args.rounds, seconds=SECONDS, warmup=1)
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="homeward-documents-bench-") as directory:
        rows = run(Path(directory), sizes, budget)
    print(_heading(budget, (load_before, os.getloadavg()[0])))
    print(_table(rows))
    return 0


def _options(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.documents", description=main.__doc__)
    parser.add_argument("--megabytes", type=float, default=10.0, help="the largest size")
    parser.add_argument("--rounds", type=int, default=5, help="timed calls per figure")
    args = parser.parse_args(argv)
    if not 0 < args.megabytes <= 100 or not 1 <= args.rounds <= 100:
        parser.error("--megabytes must be in (0, 100] and --rounds in [1, 100]")
    return args


def run(workdir: Path, sizes: list[int], budget: Budget) -> list[Row]:
    """Seed a lawyer and their cases, then measure each size through the API and raw."""
    # Room for the largest document, if it is larger than Homeward takes by default.
    limit = max(int(DEFAULTS["MAX_DOCUMENT_BYTES"]), 2 * max(sizes))
    os.environ["HOMEWARD_MAX_DOCUMENT_BYTES"] = str(limit)
    url, password = sqlite_url(workdir), secrets.token_urlsafe(16)
    app = throwaway_app(workdir, url)
    try:
        with app.app_context():
            seed(url, CASES, password)
        client, rows = Client(app, password), list[Row]()
        for size in sizes:
            print(f"Measuring {size / MB:g} MB documents …", flush=True)
            pdf = scan_like_pdf(size)
            rows += through_api(app, client, pdf, budget) + raw(workdir, pdf, budget)
        return rows
    finally:
        app.extensions["homeward.engine"].dispose()


def scan_like_pdf(size: int) -> bytes:
    """A valid one-page PDF of about `size` bytes, mostly an image of noise that no codec
    shrinks, as a scanner makes."""
    side = max(1, round((size / A85_GROWTH) ** 0.5))
    image = Image.frombytes("L", (side, side), random.Random(size).randbytes(side * side))
    out = io.BytesIO()
    canvas = Canvas(out, invariant=True)
    canvas.drawString(72, 760, "Homeward benchmark document")
    canvas.drawImage(ImageReader(image), 72, 200, 450, 450)
    canvas.save()
    return out.getvalue()


def through_api(app: OpenAPI, client: Client, pdf: bytes, budget: Budget) -> list[Row]:
    """POST the PDF and GET it back, sealed and unsealed in turns."""
    client.sign_in("lawyer")  # access tokens live for minutes: a fresh one for each size
    cases = client.get("lawyer", "/api/v1/cases", per_page="100").json or {}
    case_id = next(case["id"] for case in cases["cases"] if case["status"] == "open")
    documents, ids = f"/api/v1/cases/{case_id}/documents", dict[bool, str]()

    def upload(sealed: bool) -> None:
        with _sealing(sealed):
            ids[sealed] = (client.upload("lawyer", documents, pdf, kind="other").json or {})["id"]

    def download(sealed: bool) -> bytes:
        with _sealing(sealed):
            return client.get("lawyer", f"/api/v1/documents/{ids[sealed]}").get_data()

    uploads = measure_in_turns(SIDES, upload, budget)
    for sealed in (True, False):
        if _stored(app, ids[sealed]).startswith(b"%PDF") == sealed or download(sealed) != pdf:
            raise RuntimeError(f"the {'sealed' if sealed else 'unsealed'} turns measure amiss")
    return [
        Row(len(pdf), "upload (POST, HTTP API)", *uploads),
        Row(len(pdf), "download (GET, HTTP API)", *measure_in_turns(SIDES, download, budget)),
    ]


def _stored(app: OpenAPI, document_id: str) -> bytes:
    """What the document store holds for the document."""
    with app.app_context(), transactions.unit_of_work() as session:
        document = session.get(Document, uuid.UUID(document_id))
        assert document is not None
        return document_store().get(document.storage_name)


def _sealing(sealed: bool) -> AbstractContextManager[object]:
    """Homeward as it runs; or, for this benchmark only, document contents kept as they are
    (columns stay sealed)."""
    if sealed:
        return nullcontext()
    patches = ExitStack()
    for name in ("seal", "open"):
        as_is = _as_is_for_documents(getattr(DataKeys, name))
        patches.enter_context(patch.object(DataKeys, name, as_is))
    return patches


def _as_is_for_documents(
    transform: Callable[[DataKeys, bytes, str], bytes],
) -> Callable[[DataKeys, bytes, str], bytes]:
    def identity_for_documents(keys: DataKeys, data: bytes, context: str) -> bytes:
        return data if context.startswith(DOCUMENT_CONTEXT) else transform(keys, data, context)

    return identity_for_documents


def raw(workdir: Path, pdf: bytes, budget: Budget) -> list[Row]:
    """The same bytes through AES-256-GCM alone, and written to and read from a plain file."""
    aead, nonce, context = AESGCM(AESGCM.generate_key(256)), os.urandom(12), b"documents:raw"
    blob = aead.encrypt(nonce, pdf, context)
    files = {True: workdir / "sealed", False: workdir / "raw"}

    def write(sealed: bool) -> None:
        _write(files[sealed], aead.encrypt(nonce, pdf, context) if sealed else pdf)

    def read(sealed: bool) -> bytes:
        data = files[sealed].read_bytes()
        return aead.decrypt(nonce, data, context) if sealed else data

    seal = measure("seal", lambda: aead.encrypt(nonce, pdf, context), budget)
    open_ = measure("open", lambda: aead.decrypt(nonce, blob, context), budget)
    return [
        Row(len(pdf), "AES-256-GCM seal alone", seal),
        Row(len(pdf), "file write + fsync (raw)", *measure_in_turns(SIDES, write, budget)),
        Row(len(pdf), "AES-256-GCM open alone", open_),
        Row(len(pdf), "file read (raw)", *measure_in_turns(SIDES, read, budget)),
    ]


def _write(path: Path, data: bytes) -> None:
    """Write and fsync, as the folder store does before it renames the file into place."""
    with open(path, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())


def _heading(budget: Budget, load: tuple[float, float]) -> str:
    return (
        f"\nHomeward documents benchmark: MB/s (1 MB = 10^6 bytes) at the median of "
        f"{budget.iterations} calls, after {budget.warmup} warm-up call\n"
        f"Python {platform.python_version()}, cryptography {cryptography.__version__}, "
        f"{os.cpu_count()} CPUs, in-process WSGI on 1 thread, SQLite and the folder store in "
        f"{tempfile.gettempdir()}; load average {load[0]:.2f} at the start, "
        f"{load[1]:.2f} at the end\n"
        f"{LEGEND}"
    )


def _table(rows: list[Row]) -> str:
    lines = [COLUMNS, "-" * len(COLUMNS)]
    for row in rows:
        sealed = row.size / MB / (row.sealed.p50_ms / 1000)
        unsealed = row.size / MB / (row.unsealed.p50_ms / 1000) if row.unsealed else None
        ratio = sealed / unsealed if unsealed else None
        lines.append(
            f"{row.size / MB:>6.2f} MB  {row.operation:<26} {sealed:>12,.1f} "
            f"{_figure(unsealed, 14, ',.1f')} {_figure(ratio, 6, '.2f')}"
        )
    return "\n".join(lines)


def _figure(value: float | None, width: int, style: str) -> str:
    return f"{value:>{width}{style}}" if value is not None else f"{'—':>{width}}"


if __name__ == "__main__":
    sys.exit(main())
