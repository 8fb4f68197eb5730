"""Text typed by people: normalised, bounded, free of control characters; and its search key."""

from __future__ import annotations

import unicodedata
import uuid
from typing import Annotated

from pydantic import AfterValidator, Field

# Arabic short vowels and other marks that people type inconsistently; a search ignores them.
_ARABIC_MARKS = {chr(c) for c in range(0x064B, 0x0660)} | {"\u0670", "\u0640"}
# Arabic alef forms and final letters, and the Kazakh letters that a Russian keyboard lacks, fold
# to one letter each, so a name is found however the person searching can type it.
_FOLDS = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ى": "ي",
        "ة": "ه",
        "ә": "а",
        "ғ": "г",
        "қ": "к",
        "ң": "н",
        "ө": "о",
        "ұ": "у",
        "ү": "у",
        "һ": "х",
        "і": "и",
    }
)


def clean_line(value: str) -> str:
    """Normalise to NFC and refuse control characters, unpaired surrogates and blank text."""
    return _clean(value, allow_newlines=False)


def clean_paragraph(value: str) -> str:
    """As clean_line, but newlines and tabs are kept."""
    return _clean(value, allow_newlines=True)


def exact_token(value: str) -> str:
    """Refuse control characters and unpaired surrogates; keep everything else as typed."""
    _refuse_controls(value, allowed=set())
    return value


def _refuse_controls(value: str, allowed: set[str]) -> None:
    for char in value:
        category = unicodedata.category(char)
        if category == "Cs":
            raise ValueError("text contains an invalid character")
        if category == "Cc" and char not in allowed:
            raise ValueError("text contains a control character")


def _clean(value: str, *, allow_newlines: bool) -> str:
    _refuse_controls(value, allowed={"\n", "\t"} if allow_newlines else set())
    cleaned = unicodedata.normalize("NFC", value).strip()
    if not cleaned:
        raise ValueError("text must not be blank")
    return cleaned


def search_key(*parts: str | None) -> str:
    """Fold names for search: case, compatibility forms, Latin accents and Arabic vowel marks."""
    text = " ".join(part for part in parts if part)
    folded = unicodedata.normalize("NFKC", text).casefold().translate(_FOLDS)
    decomposed = unicodedata.normalize("NFD", folded)
    kept = (c for c in decomposed if not _is_ignorable_mark(c))
    return " ".join(unicodedata.normalize("NFC", "".join(kept)).split())


def _is_ignorable_mark(char: str) -> bool:
    # Combining marks on Latin letters are accents; on Cyrillic they are letters (Й, Ё), so the
    # Cyrillic letters are recomposed by keeping only marks outside U+0306 and U+0308.
    if char in _ARABIC_MARKS:
        return True
    return unicodedata.category(char) == "Mn" and char not in {"\u0306", "\u0308"}


Line = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(clean_line)]
ShortLine = Annotated[str, Field(min_length=1, max_length=100), AfterValidator(clean_line)]
Paragraph = Annotated[str, Field(min_length=1, max_length=2000), AfterValidator(clean_paragraph)]


def is_uuid(value: object) -> bool:
    """Whether the value reads as a UUID: an id, never a name."""
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def as_uuid(value: object) -> uuid.UUID | None:
    """The id a text names, or None for anything else (a step's data holds ids as text)."""
    try:
        return uuid.UUID(value) if isinstance(value, str) else None
    except ValueError:
        return None
