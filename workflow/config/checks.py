"""What a setting's value must look like. A refusal names what is wanted, never what was given:
the value may be a secret, and an operator's mistyped secret is still nearly the secret."""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from typing import Annotated
from urllib.parse import SplitResult, urlsplit

from pydantic import AfterValidator, BeforeValidator
from pydantic_core import PydanticCustomError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

LONGEST = 4096  # characters in one value: Linux's longest path
SHORTEST_SECRET = 32  # characters in a key that signs what clients hold
# Digits 0-9 only: int() also reads ' 3', '3_000', '+3' and the Arabic-Indic '٣'.
DIGITS = re.compile(r"[0-9]{1,18}")
HOURS = re.compile(r"([0-9]{1,2})-([0-9]{1,2})")
LANGUAGE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*")
BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")


def wanted(requirement: str) -> PydanticCustomError:
    """A refusal that says what the setting needs, after its name."""
    return PydanticCustomError("setting", requirement)


def plain_text(value: str) -> str:
    """Refuse what no setting needs and a log line or header could be bent by."""
    if len(value) > LONGEST:
        raise wanted(f"must be at most {LONGEST} characters")
    if any(unicodedata.category(character) in ("Cc", "Cf") for character in value):
        raise wanted("must not contain control characters")
    return value


def whole_number(value: object) -> object:
    """Read a whole number written in the digits 0-9, and nothing else."""
    if isinstance(value, str):
        if not DIGITS.fullmatch(value):
            raise wanted("must be a whole number")
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise wanted("must be a whole number")
    return value


def flag(value: object) -> object:
    """Read `true` or `false`, and nothing else: "yes", "1" or "ture" would be a guess."""
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return value == "true"
    raise wanted("must be true or false")


def working_hours(text: str) -> tuple[int, int]:
    """The working day in UTC hours, the end excluded: "08-19" is 8:00 to 18:59."""
    match = HOURS.fullmatch(text)
    start, end = (int(part) for part in match.groups()) if match else (-1, -1)
    if not 0 <= start <= end <= 24:
        raise wanted(
            "must be two UTC hours from 00 to 24 joined by a hyphen, the first not after "
            "the second, such as 08-19"
        )
    return start, end


def web_address(text: str) -> str:
    """An http or https address with a host, and nothing a browser would not send on."""
    parts = _address(text)
    if parts is None or parts.query or parts.fragment:
        raise wanted("must be an http:// or https:// address, such as https://homeward.example")
    return text


def origins(text: str) -> str:
    """Origins separated by commas, each exactly as a browser sends it in Origin."""
    for origin in (part.strip() for part in text.split(",")):
        parts = _address(origin) if origin else None
        if origin and (parts is None or origin != f"{parts.scheme}://{parts.netloc}"):
            raise wanted(
                "must be origins separated by commas, each a scheme, host and optional port "
                "such as https://app.example"
            )
    return text


def _address(text: str) -> SplitResult | None:
    """The parts of an http or https address with a host, a valid port and no password."""
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - reading it checks it
    except ValueError:
        return None
    if parts.scheme in ("http", "https") and parts.hostname and parts.username is None:
        return parts
    return None


def languages(text: str) -> str:
    """Language codes separated by commas, each once: the label sets printed on a form."""
    codes = [part.strip() for part in text.split(",")]
    if not all(LANGUAGE.fullmatch(code) for code in codes) or len(set(codes)) != len(codes):
        raise wanted("must be language codes separated by commas, each once, such as ru,en")
    return text


def database_url(text: str) -> str:
    """A URL SQLAlchemy can open; its own error would repeat the password."""
    try:
        make_url(text)
    except (ArgumentError, ValueError):
        raise wanted(
            "must be a database URL such as postgresql+psycopg://user@host/homeward"
        ) from None
    return text


def document_store(text: str) -> str:
    """A folder, or s3://bucket/prefix; "S3://" or "gs://" would quietly make a folder."""
    if text.startswith("s3://"):
        bucket = text.removeprefix("s3://").partition("/")[0]
        if BUCKET.fullmatch(bucket):
            return text
    elif not SCHEME.match(text):
        return text
    raise wanted("must be a folder, or s3://bucket/prefix with a valid bucket name")


def networks(text: str) -> str:
    """Addresses and networks separated by commas, each as Python's ipaddress reads it; a
    network with host bits set (10.0.0.1/8) is refused, since it is a typo as often as not."""
    parts = [part.strip() for part in text.split(",")]
    try:
        for part in parts:
            ipaddress.ip_network(part)
    except ValueError:
        raise wanted(
            "must be IP addresses or networks separated by commas, such as 127.0.0.1,::1,10.0.0.0/8"
        ) from None
    return text


def long_secret(text: str) -> str:
    """A signing key short enough to guess would let anyone forge a session."""
    if len(text) < SHORTEST_SECRET:
        raise wanted(f"must be at least {SHORTEST_SECRET} characters")
    return text


def _working_hours_text(text: str) -> str:
    working_hours(text)
    return text


Whole = Annotated[int, BeforeValidator(whole_number)]
Flag = Annotated[bool, BeforeValidator(flag)]
Hours = Annotated[str, AfterValidator(_working_hours_text)]
WebAddress = Annotated[str, AfterValidator(web_address)]
Origins = Annotated[str, AfterValidator(origins)]
Languages = Annotated[str, AfterValidator(languages)]
DatabaseUrl = Annotated[str, AfterValidator(database_url)]
DocumentStore = Annotated[str, AfterValidator(document_store)]
Secret = Annotated[str, AfterValidator(long_secret)]
Networks = Annotated[str, AfterValidator(networks)]
