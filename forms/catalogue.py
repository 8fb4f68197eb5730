"""The forms and their labels as data: read once, checked on load, so a country can change them."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, RootModel

from workflow.vocabulary import AgencyKind

HERE = Path(__file__).parent
PERSONS = {"child", "mother", "father", "reference_person", "proposed_guardian"}
PARTICULARS = {
    "names", "sex", "birth_date", "birth_place", "languages", "residence", "citizenship", "alive",
    "whereabouts",
}  # fmt: skip
CASE_LISTS = {"status", "tracks", "history", "relatives", "siblings", "consents"}
# The child's particulars as registered (`workflow.particulars`), each with its basis.
REGISTERED = {"registered_name", "registered_birth_date"}
# Steps' fields that name a person, or are free prose that may: never a public fact.
NAMING_STEP_FIELDS = {
    "reference_person", "proposed_guardian", "guardian", "parent", "relationship", "reason",
    "grounds", "iin", "relatives_tested", "institution", "adoptive_parent", "father",
    "given_name", "family_name", "patronymic", "birth_date", "name_basis_reference",
    "birth_date_basis_reference",
}  # fmt: skip
REFERENCE_LANGUAGE = "en"


class FormError(ValueError):
    """A form definition or a label set is malformed; the service refuses to start with it."""


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid")

    heading: str
    fields: list[str] = Field(default_factory=list)
    custody_rows: int = Field(default=0, ge=0, le=20)
    # A field the section is printed only with: a result from abroad, on cases that have one.
    only_with: str | None = None


class FormDefinition(BaseModel):
    model_config = ConfigDict(extra="forbid")

    recipient: AgencyKind | None
    sections: list[Section]
    # What the form states that names no one, kept when it is issued and shown by its check.
    facts: list[str] = Field(default_factory=list)

    def printed(self) -> set[str]:
        return {field for section in self.sections for field in section.fields}


Definitions = RootModel[dict[str, FormDefinition]]


def label_key(field: str) -> str:
    """`field.` and the last word of the field's name; every consent's is `field.consent`."""
    return "field.consent" if field.startswith("consent.") else "field." + field.rsplit(".", 1)[-1]


def check_field(field: str) -> None:
    parts = field.split(".")
    if parts[0] in PERSONS and len(parts) == 2 and parts[1] in PARTICULARS:
        return
    if parts[0] == "step" and len(parts) == 3:
        return
    if parts[0] == "consent" and len(parts) == 2:
        return
    if parts[0] == "case" and len(parts) == 2 and parts[1] in CASE_LISTS:
        return
    if parts[0] == "policy" and len(parts) == 2:
        return
    if parts[0] == "registered" and len(parts) == 2 and parts[1] in REGISTERED:
        return
    raise FormError(f"unknown form field {field!r}")


def check_fact(field: str, definition: FormDefinition) -> None:
    """A fact is a step's number, date or choice the form prints: never a person or prose."""
    parts = field.split(".")
    if parts[0] != "step" or len(parts) != 3 or parts[2] in NAMING_STEP_FIELDS:
        raise FormError(f"{field!r} cannot be a public fact: it may name someone")
    if field not in definition.printed():
        raise FormError(f"{field!r} is a fact the form does not print")


def load_labels(directory: Path) -> dict[str, dict[str, str]]:
    """Every label set in the folder, each holding exactly the keys of the English one."""
    labels = {path.stem: _read_mapping(path) for path in sorted(directory.glob("*.yaml"))}
    reference = labels.get(REFERENCE_LANGUAGE)
    if reference is None:
        raise FormError(f"no {REFERENCE_LANGUAGE}.yaml label set in {directory}")
    for language, texts in labels.items():
        missing = sorted(reference.keys() - texts.keys())
        extra = sorted(texts.keys() - reference.keys())
        if missing or extra:
            raise FormError(f"label set {language}: missing {missing}, unknown {extra}")
    return labels


def load_definitions(path: Path, labels: dict[str, str]) -> dict[str, FormDefinition]:
    """The forms, each field known and each heading and field labelled."""
    forms = Definitions.model_validate(yaml.safe_load(path.read_text(encoding="utf-8"))).root
    for name, form in forms.items():
        needed = [f"form.{name}"]
        for section in form.sections:
            needed.append(f"section.{section.heading}")
            for field in section.fields:
                check_field(field)
                needed.append(label_key(field))
        for fact in form.facts:
            check_fact(fact, form)
        missing = sorted(set(needed) - labels.keys())
        if missing:
            raise FormError(f"form {name}: no label for {missing}")
    return forms


@cache
def catalogue(
    labels_dir: Path = HERE / "labels", definitions: Path = HERE / "definitions.yaml"
) -> tuple[dict[str, FormDefinition], dict[str, dict[str, str]]]:
    labels = load_labels(labels_dir)
    return load_definitions(definitions, labels[REFERENCE_LANGUAGE]), labels


def label_in(language: str, kind: str, name: object) -> str | None:
    """The label of `kind.name` in that language's set, else the English one; None if neither
    knows it. The pages and the mail name tracks, states and agencies with it."""
    key = f"{kind}.{name}"
    labels = catalogue()[1]
    return labels.get(language, {}).get(key) or labels[REFERENCE_LANGUAGE].get(key)


def named(language: str, kind: str, name: object) -> str:
    """The label of `kind.name` in that language, else English, else the name in words."""
    return label_in(language, kind, name) or str(name).replace("_", " ")


def _read_mapping(path: Path) -> dict[str, str]:
    loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(loaded, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in loaded.items()
    ):
        raise FormError(f"{path.name} must map label keys to text")
    return loaded
