"""The facts a form states that name no one: kept when it is issued, shown when it is checked.

A printout altered after issue (the probability of kinship, a court order's number) still
carries a genuine code; comparing the printout with the facts Homeward kept catches it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from forms.casefile import CaseFile
from forms.catalogue import FormDefinition, catalogue, label_key
from workflow.text import is_uuid

Kept = list[dict[str, str | None]]  # what the issued form's row holds: field and value


@dataclass(frozen=True)
class Fact:
    """One fact as a reader sees it: its label and its value in one language."""

    label: str
    value: str


def facts_of(definition: FormDefinition, case_file: CaseFile) -> Kept:
    """The form's facts as it prints them; a value that turns out to be a person is left out."""
    kept: Kept = []
    for field in definition.facts:
        _step, track, name = field.split(".")
        value = _printed(case_file.step_value(track, name))
        if value is not None and is_uuid(value):
            continue  # a person: the form prints their names, which are never public
        kept.append({"field": field, "value": value})
    return kept


def shown(kept: Kept, language: str) -> list[Fact]:
    """The kept facts labelled as the form labels them, in the language asked for."""
    texts = catalogue()[1][language]
    return [
        Fact(texts[label_key(str(fact["field"]))], _in_words(fact["value"], texts)) for fact in kept
    ]


def _printed(value: Any) -> str | None:
    """The value as the form prints it, before a choice is put into words."""
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def _in_words(value: str | None, texts: dict[str, str]) -> str:
    if value is None:
        return texts["common.not_recorded"]
    return texts.get(f"choice.{value}", value)
