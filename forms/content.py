"""A form's content: its fields filled from the case, labelled in each of the chosen languages."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from forms.casefile import CaseFile
from forms.catalogue import FormDefinition, Section, label_key
from workflow.disclosure import Disclosure
from workflow.models import Consent, Person, RegisteredParticulars
from workflow.text import is_uuid
from workflow.vocabulary import DatePrecision

WHERE_PEOPLE_ARE = {"residence", "whereabouts"}
CUSTODY_COLUMNS = [
    "custody.sample",
    "custody.collected",
    "custody.handed_by",
    "custody.received_by",
    "custody.when",
]


class Words:
    """Labels in the chosen languages, joined as `Русский / English`."""

    def __init__(self, labels: dict[str, dict[str, str]], languages: list[str]) -> None:
        self.sets = [labels[language] for language in languages]

    def each(self, key: str, fallback: str | None = None) -> list[str]:
        texts = [texts.get(key, fallback or key) for texts in self.sets]
        return list(dict.fromkeys(texts))  # once, when two languages say the same

    def __call__(self, key: str, fallback: str | None = None) -> str:
        return " / ".join(self.each(key, fallback))


@dataclass(frozen=True)
class Row:
    label: list[str]
    lines: list[str]


@dataclass(frozen=True)
class Part:
    heading: list[str]
    rows: list[Row]
    custody: list[list[str]] = field(default_factory=list)  # header and rows of a blank table


def compose(
    definition: FormDefinition, case_file: CaseFile, words: Words, shown: Disclosure
) -> list[Part]:
    """Each section of the form with the fields `shown` allows, filled from the case."""
    reader = Reader(case_file, words, shown)
    parts = []
    for section in definition.sections:
        if section.only_with and not reader.lines(section.only_with):
            continue
        rows = [
            Row(words.each(label_key(name)), reader.lines(name) or [words("common.not_recorded")])
            for name in section.fields
            if disclosed(name, shown)
        ]
        parts.append(Part(words.each(f"section.{section.heading}"), rows, reader.custody(section)))
    return parts


def disclosed(name: str, shown: Disclosure) -> bool:
    """A form's field is printed only for someone who may see it in the API and on the page."""
    head, _, rest = name.partition(".")
    if name.rsplit(".", 1)[-1] in WHERE_PEOPLE_ARE:
        return shown.where_people_are
    if head == "consent" or name == "case.consents":
        return shown.consents
    if head == "step":
        return shown.every_step or rest.partition(".")[0] in shown.tracks
    if head == "registered":
        return shown.registered_particulars
    return True


class Reader:
    """Reads one field of the form from the case file, as the lines to print."""

    def __init__(self, case_file: CaseFile, words: Words, shown: Disclosure) -> None:
        self.file, self.words, self.shown = case_file, words, shown
        self.case_lists: dict[str, Callable[[], list[str]]] = {
            "status": lambda: [words(f"status.{case_file.case.status.value}")],
            "tracks": self.tracks,
            "history": self.history,
            "relatives": self.relatives,
            "siblings": lambda: list(case_file.siblings),
            "consents": lambda: [self.consent_line(c) for c in case_file.consents],
        }

    def lines(self, name: str) -> list[str]:
        head, _, rest = name.partition(".")
        if head == "case":
            return self.case_lists[rest]()
        if head == "step":
            track, _, step_field = rest.partition(".")
            return self.step_lines(self.file.step_value(track, step_field))
        if head == "consent":
            return self.consent_of_tested(rest)
        if head == "policy":
            value = self.file.policy.get(rest)
            return [self.words(f"policy.{value}", value)] if value else []
        if head == "registered":
            return registered(self.file.registered, rest, self.words)
        person = self.file.person(head)
        return particular(person, rest, self.words) if person else []

    def step_lines(self, value: Any) -> list[str]:
        if value is None or value == "":
            return []
        if isinstance(value, list) and all(isinstance(item, dict) for item in value):
            return [line for item in value for line in self.relative_tested(item)]
        if isinstance(value, list):
            return [", ".join(str(item) for item in value)]
        if isinstance(value, dict):  # an institution appointed guardian: name, kind, country
            kind = str(value.get("kind"))
            words = self.words(f"choice.{kind}", kind)
            return [f"{value.get('name')} ({words}, {value.get('country')})"]
        person = self.file.person_by_id(value) if is_uuid(value) else None
        if person:
            return names(person)
        return [self.words(f"choice.{value}", str(value))]

    def relative_tested(self, item: dict[str, Any]) -> list[str]:
        """A relative a test compared with the child, and the relationship tested."""
        person = self.file.person_by_id(item.get("person"))
        relationship = self.words(f"choice.{item.get('relationship')}", "")
        return [f"{name} ({relationship})" for name in (names(person) if person else [])]

    def consent_of_tested(self, purpose: str) -> list[str]:
        tested = self.file.person("reference_person")
        return [
            self.consent_line(consent)
            for consent in self.file.consents
            if tested and consent.person_id == tested.id and consent.purpose.value == purpose
        ]

    def consent_line(self, consent: Consent) -> str:
        person = self.file.person_by_id(consent.person_id)
        who = self.words(f"relation.{person.relation.value}") if person else "?"
        state = self.words("consent.in_force" if consent.in_force else "consent.withdrawn")
        withdrawn = f" {consent.withdrawn_on.isoformat()}" if consent.withdrawn_on else ""
        purpose = self.words(f"purpose.{consent.purpose.value}")
        return f"{purpose}: {who}, {consent.given_on.isoformat()}; {state}{withdrawn}"

    def tracks(self) -> list[str]:
        return [
            f"{self.words(f'track.{t.track}', t.track)}: {self.state(t.state)} ({_day(t.since)})"
            for t in self.file.case.tracks
        ]

    def history(self) -> list[str]:
        lines = []
        for record in self.file.history:
            kind = self.file.agency_kinds.get(record.agency_id)
            by = self.words(f"agency.{kind.value}") if kind else ""
            step = f"{self.state(record.from_state)} → {self.state(record.to_state)}"
            track = self.words(f"track.{record.track}", record.track)
            lines.append(f"{_day(record.at)}  {track}: {step} ({by})")
        return lines

    def relatives(self) -> list[str]:
        lines = []
        for person in self.file.case.relatives:
            facts = [self.words(f"relation.{person.relation.value}"), *names(person)]
            facts += particular(person, "birth_date", self.words)
            facts += particular(person, "citizenship", self.words)
            if self.shown.where_people_are:
                facts += particular(person, "whereabouts", self.words)
            lines.append("; ".join(facts))
        return lines

    def custody(self, section: Section) -> list[list[str]]:
        if not section.custody_rows:
            return []
        samples = self.file.step_value("dna", "sample_ids") or []
        collected = self.file.step_value("dna", "collected_on") or ""
        rows = [[str(sample), str(collected), "", "", ""] for sample in samples]
        rows += [[""] * len(CUSTODY_COLUMNS)] * max(section.custody_rows - len(rows), 0)
        return [[self.words(column) for column in CUSTODY_COLUMNS], *rows]

    def state(self, name: str) -> str:
        return self.words(f"state.{name}", name)


def names(person: Person) -> list[str]:
    """Each recorded name in its own script, family name first, exactly as typed."""
    return [
        " ".join(part for part in (n.family, n.given, n.patronymic) if part) for n in person.names
    ]


def particular(person: Person, name: str, words: Words) -> list[str]:
    if name == "names":
        return names(person)
    if name == "birth_place":
        place = [person.birth_locality, person.birth_country]
        return [", ".join(p for p in place if p)] if any(place) else []
    if name == "birth_date":
        return [_birth_date(person, words)] if person.birth_date else []
    value: Any = getattr(person, name)
    if value is None or value == []:
        return []
    if isinstance(value, bool):
        return [words("common.yes" if value else "common.no")]
    if isinstance(value, list):
        return [", ".join(value)]
    if name in ("sex", "whereabouts"):
        return [words(f"{name}.{value.value}")]
    return [str(value)]


def registered(version: RegisteredParticulars | None, name: str, words: Words) -> list[str]:
    """The registered name or birth date, and on the next line what it rests on."""
    if version is None:
        return []
    if name == "registered_name":
        parts = (version.family_name, version.given_name, version.patronymic)
        value = " ".join(part for part in parts if part)
        basis, reference = version.name_basis, version.name_basis_reference
    else:
        value = version.birth_date.isoformat() if version.birth_date else ""
        basis, reference = version.birth_date_basis, version.birth_date_basis_reference
    if not value:
        return []
    rests_on = words(f"choice.{basis.value}") if basis else ""
    return [value, ", ".join(part for part in (rests_on, reference) if part)]


def _birth_date(person: Person, words: Words) -> str:
    assert person.birth_date is not None
    precision = person.birth_precision or DatePrecision.EXACT
    shown = {DatePrecision.MONTH: 7, DatePrecision.YEAR: 4}.get(precision, 10)
    text = person.birth_date.isoformat()[:shown]
    if precision is DatePrecision.EXACT:
        return text
    return f"{text} ({words(f'precision.{precision.value}')})"


def _day(moment: datetime | date) -> str:
    return moment.date().isoformat() if isinstance(moment, datetime) else moment.isoformat()
