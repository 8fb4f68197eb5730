"""Countries, languages and scripts by their names in the page's language, from CLDR's data
through Babel: never typed by hand, so every language Babel knows names them all."""

from __future__ import annotations

from functools import cache

from babel import Locale
from flask_babel import get_locale


def country_name(code: str | None) -> str:
    """The country's name (SY: Syria, Сирия), else the code as given when CLDR has none."""
    return _name("territories", code)


def language_name(code: str | None) -> str:
    """The language's name (kk: Kazakh, казахский, қазақ тілі), else the code as given."""
    return _name("languages", code)


def script_name(code: str | None) -> str:
    """The script's name (Cyrl: Cyrillic, кириллица, кирилл жазуы), else the code as given."""
    return _name("scripts", code)


def _name(kind: str, code: str | None) -> str:
    if not code:
        return ""
    return _names(str(get_locale() or "en"), kind).get(_canonical(kind, code), code)


def _canonical(kind: str, code: str) -> str:
    """How CLDR spells the code: SY, kk, Cyrl."""
    if kind == "territories":
        return code.upper()
    return code.lower() if kind == "languages" else code.title()


@cache
def _names(language: str, kind: str) -> dict[str, str]:
    """One language's names of one kind, read once."""
    return {str(code): str(name) for code, name in getattr(Locale.parse(language), kind).items()}
