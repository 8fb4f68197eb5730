"""Language tags (BCP 47: an ISO 639 language, optionally a script and a region) and country
codes (ISO 3166-1 alpha-2), checked against CLDR's lists through Babel rather than a regular
expression alone, so that "xx" or "QQ" is refused."""

from __future__ import annotations

import re
from functools import cache
from typing import Annotated

from babel import Locale
from pydantic import AfterValidator, Field

MAX_TAG = 35  # the length BCP 47 says every implementation should accept
_TAG = re.compile(r"^([a-z]{2,3})(?:-([a-z]{4}))?(?:-([a-z]{2}|[0-9]{3}))?$", re.IGNORECASE)
# CLDR's "territories" include groupings and placeholders that are no country: the EU, the
# eurozone, the UN, pseudo-regions, unknown.
NOT_COUNTRIES = frozenset({"EU", "EZ", "UN", "QO", "ZZ", "XA", "XB"})


@cache
def _cldr() -> Locale:
    return Locale("en")


def language_tag(value: str) -> str:
    """The tag in its canonical case (kk, sr-Latn, ar-SY); refuse what CLDR does not know."""
    match = _TAG.match(value)
    if match is None:
        raise ValueError("a language is a code such as kk, ru, ar or ar-SY")
    language, script, region = match.groups()
    if language.lower() not in _cldr().languages or language.lower() == "und":
        raise ValueError("no language has this code")
    if script and script.title() not in _cldr().scripts:
        raise ValueError("no script has this code")
    if region and region.upper() not in _cldr().territories:
        raise ValueError("no region has this code")
    parts = [language.lower(), script.title() if script else "", region.upper() if region else ""]
    return "-".join(part for part in parts if part)


@cache
def country_codes() -> frozenset[str]:
    """The ISO 3166-1 alpha-2 codes of the world's countries and territories, from CLDR."""
    codes = {str(code) for code in _cldr().territories}
    return frozenset(c for c in codes if len(c) == 2 and c.isalpha()) - NOT_COUNTRIES


def country_code(value: str) -> str:
    """The two-letter country code, upper case; refuse what is not a country."""
    code = value.upper()
    if len(code) != 2 or not code.isascii() or code in NOT_COUNTRIES:
        raise ValueError("a country is a two-letter code such as KZ or SY")
    if code not in country_codes():
        raise ValueError("no country has this code")
    return code


def a_country(code: str) -> str:
    """A country's code exactly as ISO writes it (upper case), as a step's data gives it."""
    if code not in country_codes():
        raise ValueError("name a country by its ISO 3166-1 alpha-2 code, such as IQ or SY")
    return code


def primary_language(tag: str) -> str:
    """The language a tag names, without its script or region: kk of kk-Cyrl-KZ."""
    return tag.split("-", 1)[0]


LanguageTag = Annotated[str, Field(min_length=2, max_length=MAX_TAG), AfterValidator(language_tag)]
CountryCode = Annotated[str, Field(min_length=2, max_length=2), AfterValidator(country_code)]
