"""Text as it reaches paper: every script in a font that has it, Arabic joined and right to left."""

from __future__ import annotations

import unicodedata
from functools import cache
from pathlib import Path

from arabic_reshaper import ArabicReshaper, config_for_true_type_font
from bidi.algorithm import get_display
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONTS = Path(__file__).parent / "fonts"
REGULAR = "HomewardSans"
BOLD = "HomewardSans-Bold"
RIGHT_TO_LEFT = {"R", "AL"}
LEFT_TO_RIGHT = {"L"}


def register_fonts() -> None:
    """Make the project's own fonts known to reportlab; no system font is assumed."""
    if REGULAR not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(REGULAR, str(FONTS / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont(BOLD, str(FONTS / "DejaVuSans-Bold.ttf")))


@cache
def _reshaper() -> ArabicReshaper:
    # Told which ligatures the font really has, so no letter turns into a missing glyph.
    return ArabicReshaper(configuration=config_for_true_type_font(str(FONTS / "DejaVuSans.ttf")))


def reads_right_to_left(text: str) -> bool:
    """Whether the text's first strongly directed letter is Arabic or Hebrew."""
    for char in text:
        direction = unicodedata.bidirectional(char)
        if direction in RIGHT_TO_LEFT:
            return True
        if direction in LEFT_TO_RIGHT:
            return False
    return False


def visual(text: str) -> str:
    """Put text in drawing order: Arabic joined and reordered (UAX #9), only glyphs the font has."""
    if any(unicodedata.bidirectional(char) in RIGHT_TO_LEFT for char in text):
        shaped = _reshaper().reshape(text)
        # bidi.algorithm mirrors brackets inside right-to-left runs (UAX #9 rule L4); the faster
        # bidi.get_display does not, and "(عالية)" would print as ")عالية(".
        text = str(get_display(shaped, base_dir="R" if reads_right_to_left(text) else "L"))
    return "".join(_drawable(char) for char in text)


@cache
def _glyphs() -> frozenset[int]:
    register_fonts()
    font = pdfmetrics.getFont(REGULAR)
    assert isinstance(font, TTFont)
    return frozenset(font.face.charToGlyph)


@cache
def _drawable(char: str) -> str:
    """Keep the character, else its compatibility form (Ａ as A), else �, or nothing if unseen."""
    # A character the font lacks must show as missing on paper, never silently vanish.
    if ord(char) in _glyphs():
        return char
    folded = unicodedata.normalize("NFKC", char)
    if folded and all(ord(c) in _glyphs() for c in folded):
        return folded
    return "" if unicodedata.category(char) == "Cf" else "\ufffd"


def width(text: str, font: str, size: float) -> float:
    return float(pdfmetrics.stringWidth(visual(text), font, size))


def wrap(text: str, font: str, size: float, room: float) -> list[str]:
    """Split logical text into lines that fit; each line is reordered on its own when drawn."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for word in _fitted_words(paragraph, font, size, room):
            candidate = f"{line} {word}" if line else word
            if line and width(candidate, font, size) > room:
                lines.append(line)
                candidate = word
            line = candidate
        lines.append(line)
    return lines


def _fitted_words(paragraph: str, font: str, size: float, room: float) -> list[str]:
    """Split each word too wide for a line into pieces that fit, so nothing runs off the page."""
    pieces: list[str] = []
    for word in paragraph.split(" "):
        while width(word, font, size) > room and len(word) > 1:
            cut = next(i for i in range(len(word), 0, -1) if width(word[:i], font, size) <= room)
            pieces.append(word[: max(cut, 1)])
            word = word[max(cut, 1) :]
        pieces.append(word)
    return pieces
