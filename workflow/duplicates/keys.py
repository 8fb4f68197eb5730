"""The digests a child is found by in the duplicate check: each sound-alike key of its names
(`matching.stored_keys`), as an HMAC under the search index key, like the blind search tokens.

A digest is a keyed hash, so the table holds nothing a reader without the key can turn back into
a sound, let alone a name; all it shows is which children share a key, which is no more than the
search tokens show of which names share a word. A fixed prefix keeps a digest from ever equalling
a search token of the same letters.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from workflow.duplicates.matching import ChildSpec, NameSpec, sought_keys, stored_keys
from workflow.sealing import DataKeys, data_keys

DOMAIN = "duplicate-key\x1f"


def stored_digests(keys: DataKeys, names: Iterable[NameSpec]) -> set[str]:
    """The digests to store for a child with these names."""
    return {keys.token(DOMAIN + key) for key in stored_keys(names)}


def sought_digests(keys: DataKeys, names: Iterable[NameSpec]) -> set[str]:
    """The digests to look a new child with these names up by."""
    return {keys.token(DOMAIN + key) for key in sought_keys(names)}


def child_digests(names: Iterable[Any]) -> list[str]:
    """The digests to store for a child whose names are these (anything with given, family
    and patronymic), under the app's search key."""
    return sorted(stored_digests(data_keys(), name_specs(names)))


def name_specs(names: Iterable[Any]) -> tuple[NameSpec, ...]:
    """Names as the matcher reads them, from anything with given, family and patronymic."""
    return tuple(NameSpec(name.given, name.family, name.patronymic) for name in names)


def child_spec(child: Any) -> ChildSpec:
    """The particulars of a child to be recorded (a `ChildIn`), as the matcher reads them."""
    born = child.birth_date
    return ChildSpec(
        names=name_specs(child.names),
        sex=child.sex.value if child.sex else None,
        birth_date=born.value if born else None,
        precision=born.precision if born else None,
    )
