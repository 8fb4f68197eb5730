"""What an e-mail address must look like to be kept: plain ASCII, one `@`, a dotted domain.

Written by hand because the well-kept validator (email-validator) is not a dependency, and staff
mailboxes need no more: anything a header could be bent by (CR, LF, any control or non-ASCII
character, spaces, quotes, angle brackets) is refused outright, never cleaned."""

from __future__ import annotations

import re

from workflow.errors import InvalidInput

LONGEST = 254  # RFC 5321's longest path, less its angle brackets
LOCAL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
LABEL = re.compile(r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?")


def checked_address(text: str, field: str = "email") -> str:
    """The address as kept (its domain in lower case), or InvalidInput naming the field."""
    local, at, domain = text.rpartition("@")
    labels = domain.split(".")
    if (
        len(text) > LONGEST
        or not at
        or len(local) > 64
        or not LOCAL.fullmatch(local)
        or len(labels) < 2
        or not all(LABEL.fullmatch(label) for label in labels)
    ):
        raise InvalidInput(
            "Give an e-mail address such as name@agency.example.",
            [{"field": field, "problem": "email_invalid"}],
        )
    return f"{local}@{domain.lower()}"
