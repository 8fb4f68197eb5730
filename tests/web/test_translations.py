"""Every English text of the web pages has its Russian and its Kazakh translation, each keeping
the English text's placeholders, and the pages use them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from workflow.web import LANGUAGES

ROOT = Path(__file__).resolve().parents[2]
CATALOGS = ROOT / "workflow" / "web" / "translations"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None}
METHODS = [("workflow/web/**.py", "python"), ("workflow/web/templates/**.html", "jinja2")]
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")
TRANSLATED = sorted(set(LANGUAGES) - {"en"})


def _texts_in_code() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        ROOT, METHODS, keywords=KEYWORDS
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def _catalog(language: str) -> Catalog:
    with (CATALOGS / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle)


def _english(message: Message) -> str:
    return message.id[0] if isinstance(message.id, tuple) else message.id


def _translations(message: Message) -> list[str]:
    return list(message.string) if isinstance(message.string, tuple) else [message.string]


def test_every_picked_language_has_a_catalog_of_its_own() -> None:
    assert TRANSLATED == ["kk", "ru"]
    assert LANGUAGES["kk"] == "Қазақша"


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_text_of_the_pages_is_translated(language: str) -> None:
    catalog = _catalog(language)
    translated = {
        _english(message)
        for message in catalog
        if message.id and not message.fuzzy and all(_translations(message))
    }
    missing = sorted(_texts_in_code() - translated)
    assert not missing, f"run `make messages` and translate into {language}: {missing}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_each_translation_keeps_the_placeholders_of_its_english_text(language: str) -> None:
    wrong = [
        (_english(message), text)
        for message in _catalog(language)
        if message.id
        for text in _translations(message)
        if sorted(PLACEHOLDER.findall(text)) != sorted(PLACEHOLDER.findall(_english(message)))
    ]
    assert not wrong


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_plural_forms_are_those_of_the_language(language: str) -> None:
    catalog = _catalog(language)
    rule = get_plural(language)

    assert catalog.plural_forms == rule.plural_forms
    plurals = [message for message in catalog if isinstance(message.id, tuple)]
    assert plurals and all(len(_translations(m)) == rule.num_plurals for m in plurals)


def test_kazakh_is_written_in_kazakh_cyrillic() -> None:
    texts = [_english(m) for m in _catalog("kk") if m.id]
    strings = [text for m in _catalog("kk") if m.id for text in _translations(m)]

    assert len(strings) >= len(texts)
    # Letters Kazakh has and Russian has not: the catalog is not Russian under another name.
    assert sum(bool(re.search("[әғқңөұүһі]", text)) for text in strings) > len(strings) * 0.7
