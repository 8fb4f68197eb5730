"""Whether a step's foreign-language evidence is named beside a translation into the languages
the step asks for: a pure check of the documents' languages and what each translates."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from workflow.rules.languages import primary_language


def untranslated(
    named: Sequence[uuid.UUID],
    languages: Mapping[uuid.UUID, str | None],
    originals: Mapping[uuid.UUID, uuid.UUID | None],
    into: Sequence[str],
) -> list[dict[str, Any]]:
    """Each named document that is in none of `into` and has no translation into one of them
    among the named documents; by its place in the list and its id, never its contents."""
    wanted = {primary_language(tag) for tag in into}
    translated = {
        originals[document]
        for document in named
        if originals.get(document) and _in(languages.get(document), wanted)
    }
    problems = []
    for index, document in enumerate(named):
        language = languages.get(document)
        if language is None:
            problems.append(_problem(index, document, "language_not_recorded", into))
        elif not _in(language, wanted) and document not in translated:
            problems.append(_problem(index, document, "translation_missing", into))
    return problems


def _in(language: str | None, wanted: set[str]) -> bool:
    return language is not None and primary_language(language) in wanted


def _problem(index: int, document: uuid.UUID, problem: str, into: Sequence[str]) -> dict[str, Any]:
    messages = {
        "language_not_recorded": "Record the language of the document first.",
        "translation_missing": "Name a translation of the document beside it.",
    }
    return {
        "field": f"evidence_ids.{index}",
        "problem": problem,
        "document": str(document),
        "languages": list(into),
        "message": messages[problem],
    }
