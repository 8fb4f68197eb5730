"""The domain's words on the pages: tracks, states, actions, relations, in the user's language.

They come from the same label sets as the printed forms, so a country that renames a state or
adds a language does it in one place; a name no label set knows is shown as the name itself."""

from __future__ import annotations

from flask_babel import get_locale

from forms.catalogue import REFERENCE_LANGUAGE, label_in, named


def label(kind: str, name: object) -> str:
    """The label of `kind.name` in the page's language, else English, else the name itself."""
    return named(_language(), kind, name)


def known_label(kind: str, name: object) -> str | None:
    return label_in(_language(), kind, name)


def _language() -> str:
    return str(get_locale() or REFERENCE_LANGUAGE)
