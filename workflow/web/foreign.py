"""How the case page describes a foreign document: its language, what it translates and by
whom, and how it was legalised, in the page's language."""

from __future__ import annotations

from functools import cache
from typing import Any

from babel import Locale
from flask_babel import get_locale, gettext

from workflow.rules.languages import primary_language
from workflow.vocabulary import Legalisation
from workflow.web.blueprint import web
from workflow.web.filters import day
from workflow.web.names import country_name, language_name


@web.app_template_filter("document_particulars")
def document_particulars(document: dict[str, Any]) -> str:
    """The language, translation and legalisation of a document, each when recorded."""
    parts = [_language(document), _translation(document), _legalisation(document)]
    return " · ".join(part for part in parts if part)


def _language(document: dict[str, Any]) -> str:
    if not document.get("language"):
        return ""
    name = language_name(primary_language(document["language"]))
    return str(gettext("in %(language)s", language=name))


def _translation(document: dict[str, Any]) -> str:
    translator = document.get("translator")
    if not document.get("translation_of") or not translator:
        return ""
    text = gettext(
        "translation of %(original)s by %(name)s",
        original=document["translation_of"][:8],
        name="\u2068" + translator["name"] + "\u2069",  # isolated, as the page's other names
    )
    return str(text) + (" " + str(gettext("(sworn)")) if translator.get("sworn") else "")


def _legalisation(document: dict[str, Any]) -> str:
    legalisation = document["legalisation"]
    if legalisation["status"] == "none":
        return ""
    values = {"country": country_name(legalisation["country"]), "on": day(legalisation["on"])}
    if legalisation["status"] == "apostille":
        return str(gettext("apostille of %(country)s, %(on)s", **values))
    return str(gettext("legalised by %(country)s, %(on)s", **values))


@web.app_template_global("legalisation_options")
def legalisation_options() -> list[tuple[str, str]]:
    """The ways a document may have been legalised, in the page's language."""
    return [
        (Legalisation.NONE.value, str(gettext("not legalised"))),
        (Legalisation.LEGALISED.value, str(gettext("legalised by a consulate"))),
        (Legalisation.APOSTILLE.value, str(gettext("apostille"))),
    ]


@web.app_template_global("document_languages")
def document_languages() -> list[tuple[str, str]]:
    """Every language a document may be in, by its name in the page's language."""
    return _languages(str(get_locale() or "en"))


@cache
def _languages(language: str) -> list[tuple[str, str]]:
    """The list for one page language, built once."""
    names = {str(code): str(name) for code, name in Locale.parse(language).languages.items()}
    codes = [code for code in names if "_" not in code and code not in ("und", "zxx")]
    return sorted(((code, names[code]) for code in codes), key=lambda pair: pair[1])
