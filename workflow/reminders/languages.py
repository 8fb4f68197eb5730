"""The language a user's mail is written in: one of the pages' languages, chosen by the user
(on the account page, with the pages' picker, or by an operator), else the service's default."""

from __future__ import annotations

from workflow.errors import InvalidInput
from workflow.vocabulary import Language


def checked_language(text: str, field: str = "language") -> Language:
    """The language of that code, or InvalidInput naming the field (the text is never echoed)."""
    try:
        return Language(text)
    except ValueError:
        raise InvalidInput(
            "Choose one of the languages offered.",
            [{"field": field, "problem": "language_unknown"}],
        ) from None


def mail_language(chosen: Language | None, default: Language) -> Language:
    """The language to write to a user in: theirs, else the default."""
    return chosen if chosen is not None else default
