"""The domain's words on the pages: tracks, states, actions, relations, in the user's language.

They come from the same label sets as the printed forms, so a country that renames a state or
adds a language does it in one place; a name no label set knows is shown as the name itself."""

from __future__ import annotations

from flask_babel import get_locale

from forms.catalogue import REFERENCE_LANGUAGE, catalogue


def label(kind: str, name: object) -> str:
    """The label of `kind.name` in the page's language, else English, else the name itself."""
    return known_label(kind, name) or str(name).replace("_", " ")


def known_label(kind: str, name: object) -> str | None:
    key = f"{kind}.{name}"
    labels = catalogue()[1]
    language = str(get_locale() or REFERENCE_LANGUAGE)
    return labels.get(language, {}).get(key) or labels[REFERENCE_LANGUAGE].get(key)
