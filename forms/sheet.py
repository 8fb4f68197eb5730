"""Draw up a form's sheet for a case: its title, header notes, filled sections and footer."""

from __future__ import annotations

from datetime import date

from flask import current_app

from forms.casefile import CaseFile
from forms.catalogue import FormDefinition, catalogue
from forms.content import Words, compose
from forms.layout import Sheet
from workflow.config import ConfigError
from workflow.disclosure import Disclosure
from workflow.errors import NotFound
from workflow.vocabulary import AgencyKind


def draw_up(
    case_file: CaseFile,
    kind: str,
    *,
    issuer: str,
    issued_on: date,
    shown: Disclosure,
    redacted: bool,
    code: str,
    languages: list[str] | None = None,
) -> tuple[Sheet, str]:
    """Fill the form's sheet with what `shown` allows of the case (less where people are when
    `redacted`), its labels in `languages` (else the configured ones); return it with the PDF's
    title (English, no names)."""
    definition, labels = form_definition(kind), catalogue()[1]
    case = case_file.case
    words = Words(labels, languages or form_languages())
    url = verification_url(code)
    notes = [
        *([words("variant.redacted")] if redacted else []),
        *_recipient(definition.recipient, words),
        f"{words('common.case_reference')}: {case.reference}",
        f"{words('common.issued_by')}: {issuer}",
        f"{words('common.issued_on')}: {issued_on.isoformat()}",
    ]
    sheet = Sheet(
        title=words.each(f"form.{kind}"),
        notes=notes,
        parts=compose(definition, case_file, words, shown.redacted() if redacted else shown),
        closing=[f"{words('common.signature')}: {'_' * 24}    {words('common.date')}: {'_' * 12}"],
        footer=f"{words('common.case_reference')}: {case.reference}.  "
        f"{words('common.verification_code')}: {code}.  {words('common.verify_at')}: {url}",
        url=url,
        code=code,
    )
    return sheet, labels["en"][f"form.{kind}"]


def form_definition(kind: str) -> FormDefinition:
    """The definition of a kind of form; an unknown kind is not found."""
    definitions = catalogue()[0]
    definition = definitions.get(kind)
    if definition is None:
        raise NotFound("There is no such form.", {"forms": sorted(definitions)})
    return definition


def form_languages() -> list[str]:
    """Read the configured label sets; an unknown one stops the service from starting."""
    _definitions, labels = catalogue()
    chosen = [part.strip() for part in current_app.config["FORM_LANGUAGES"].split(",")]
    languages = [language for language in chosen if language]
    unknown = sorted(set(languages) - labels.keys())
    if unknown or not languages:
        raise ConfigError(f"HOMEWARD_FORM_LANGUAGES names no label set for {unknown or 'any'}")
    return languages


def form_title(kind: str) -> str:
    _definitions, labels = catalogue()
    return Words(labels, ["en", *form_languages()])(f"form.{kind}")


def verification_url(code: str) -> str:
    """Build the link printed on a form; in production it must be https, as it cannot change."""
    base = str(current_app.config["PUBLIC_URL"]).rstrip("/")
    if current_app.config["ENV"] == "production" and not base.startswith("https://"):
        raise ConfigError("HOMEWARD_PUBLIC_URL must be the service's https address in production")
    return f"{base}/verify/{code}"


def _recipient(kind: AgencyKind | None, words: Words) -> list[str]:
    return [f"{words('common.to')}: {words(f'agency.{kind.value}')}"] if kind else []
