"""What a document says of itself when it is foreign: its language, the original it translates
and by whom, and how it was legalised; as sent with an upload and as changed afterwards."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from workflow.rules.languages import CountryCode, LanguageTag
from workflow.text import Line, ShortLine
from workflow.vocabulary import Legalisation


def _not_future(value: date) -> date:
    if value > datetime.now(UTC).date():
        raise ValueError("date must not be in the future")
    return value


PastDate = Annotated[date, AfterValidator(_not_future)]


class LegalisationIn(BaseModel):
    """How the document was legalised; a country and a date unless it was not."""

    model_config = ConfigDict(extra="forbid")

    legalisation: Legalisation = Legalisation.NONE
    legalisation_country: CountryCode | None = Field(
        default=None, description="ISO 3166-1 alpha-2 code of the country that legalised it"
    )
    legalised_on: PastDate | None = None


class ForeignParticularsIn(LegalisationIn):
    """A document's language and, for a translation, its original and translator."""

    language: LanguageTag | None = Field(default=None, description="BCP 47 tag, e.g. ar, kk, ru")
    translation_of: uuid.UUID | None = Field(
        default=None, description="the document of the same case that this one translates"
    )
    translator_name: Line | None = None
    translator_role: ShortLine | None = Field(default=None, description="e.g. notarised translator")
    translator_sworn: bool | None = None


class DocumentChangeIn(LegalisationIn):
    """A document's language, its legalisation, or both, recorded after its upload: what is
    left out stays as it was, and a legalisation given replaces the one recorded."""

    language: LanguageTag | None = Field(default=None, description="BCP 47 tag, e.g. ar, kk, ru")
