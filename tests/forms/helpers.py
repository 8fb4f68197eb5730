"""Read generated forms back the way a person or another program would: text, pixels, QR code."""

from __future__ import annotations

import io
import unicodedata
from typing import Any

import pypdfium2
import zxingcpp
from pdfminer.high_level import extract_pages, extract_text
from pdfminer.layout import LTTextContainer
from PIL.Image import Image
from pypdf import PdfReader
from werkzeug.test import TestResponse

from tests.factories import Api

FORMS = [
    "birth-registration",
    "dna-request",
    "guardianship-petition",
    "citizenship-application",
    "case-summary",
]
KAZAKH_CHILD: dict[str, Any] = {
    "names": [
        {"script": "Cyrl", "given": "Ұлпан", "family": "Әбілқайырова", "patronymic": "Қайратқызы"},
        {"script": "Arab", "given": "ئۇلپان", "family": "عبد الخير"},
        {"script": "Latn", "given": "Ulpan", "family": "Abilkaiyrova"},
    ],
    "sex": "female",
    "birth_date": {"value": "2017-05-01", "precision": "month"},
    "birth_place": {"country": "SY", "locality": "Әл-Һол"},
    "languages": ["kk", "ar"],
    "residence": "Өскемен, with her grandmother",
}
KAZAKH_LETTERS = "ӘҒҚҢӨҰҮҺІ әғқңөұүһі"


def generate(api: Api, case_id: str, form: str, username: str = "lawyer", **query: str) -> Any:
    suffix = "?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else ""
    return api.post(username, f"/api/v1/cases/{case_id}/forms/{form}{suffix}")


def issued(response: TestResponse) -> bytes:
    assert response.status_code == 201, response.data[:400]
    assert response.mimetype == "application/pdf"
    return bytes(response.data)


def logical_text(pdf: bytes) -> str:
    """The text in reading order (pypdf reorders right-to-left runs), exactly as extracted, with
    wrapped lines joined by single spaces."""
    pages = PdfReader(io.BytesIO(pdf)).pages
    return " ".join("\n".join(page.extract_text() for page in pages).split())


def folded(text: str) -> str:
    """Arabic's joined (presentation) forms folded back to its letters, for comparison."""
    return unicodedata.normalize("NFKC", text)


def text_boxes(pdf: bytes) -> list[tuple[float, float, float, float, float, float]]:
    """Every line of text pdfminer finds, with its box and the size of its page."""
    boxes = []
    for page in extract_pages(io.BytesIO(pdf)):
        for element in page:
            if isinstance(element, LTTextContainer):
                boxes += [
                    (*line.bbox, page.width, page.height)
                    for line in element
                    if hasattr(line, "bbox")  # a line, not a space pdfminer inferred
                ]
    return boxes


def drawn_lines(pdf: bytes) -> list[str]:
    """Each line as drawn on the page, left to right, with pdfminer: glyphs exactly as placed."""
    return [line.strip() for line in extract_text(io.BytesIO(pdf)).splitlines() if line.strip()]


def arabic_lines(pdf: bytes) -> list[str]:
    return [line for line in drawn_lines(pdf) if any(is_arabic(char) for char in line)]


def is_arabic(char: str) -> bool:
    return "ARABIC" in unicodedata.name(char, "")


def pages(pdf: bytes, scale: float = 2.0) -> list[Image]:
    """Every page rendered to pixels by PDFium, the engine of Chrome's PDF viewer."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        return [page.render(scale=scale).to_pil() for page in document]
    finally:
        document.close()


def qr_payload(pdf: bytes) -> str:
    """What a phone reads from the QR code on the first page."""
    found = zxingcpp.read_barcodes(pages(pdf)[0])
    assert found, "no QR code found on the first page"
    return str(found[0].text)


def full_name(name: dict[str, str]) -> str:
    return " ".join(name[part] for part in ("family", "given", "patronymic") if name.get(part))
