"""The manifest's columns, as data: each name, whether a manifest must have it, and what it holds.

A name is written in up to three scripts for the child (`child_…`, `child2_…`, `child3_…`) and two
for the mother (`mother_…`, `mother2_…`): each with its script (`Latn`, `Cyrl`, `Arab`) and its
given, family and patronymic parts, as `POST /api/v1/cases` takes them."""

from __future__ import annotations

NAME_PARTS = ("script", "given", "family", "patronymic")
CHILD_NAMES = ("child", "child2", "child3")
MOTHER_NAMES = ("mother", "mother2")
REFERENCES = ("reference", "reference2")
MOTHER_FACTS = ("mother_alive", "mother_whereabouts", "mother_citizenship")

REQUIRED = (
    "family_group",
    "child_script",
    "child_given",
    "child_family",
    "sex",
    "birth_date",
    "birth_date_precision",
)

MEANINGS: dict[str, str] = {
    "family_group": "rows with the same value are siblings of one mother; empty: a family of one",
    **{
        f"{prefix}_{part}": f"the child's name ({prefix}): {part}"
        for prefix in CHILD_NAMES
        for part in NAME_PARTS
    },
    "sex": "female, male or unknown",
    "birth_date": "YYYY-MM-DD (the first of the month or year when only those are known)",
    "birth_date_precision": "exact, month, year or estimated",
    "birth_country": "ISO 3166-1 alpha-2, e.g. SY",
    "birth_locality": "the town or camp of birth",
    **{
        f"{prefix}_{part}": f"the mother's name ({prefix}): {part}"
        for prefix in MOTHER_NAMES
        for part in NAME_PARTS
    },
    "mother_alive": "true or false",
    "mother_whereabouts": "in_country, detained_abroad, camp_abroad, deceased or unknown",
    "mother_citizenship": "ISO 3166-1 alpha-2, e.g. KZ",
    **{f"{prefix}_issuer": "icrc, unhcr, camp or repatriation_list" for prefix in REFERENCES},
    **{f"{prefix}_value": "the identifier that issuer gave the child" for prefix in REFERENCES},
    "confirm_distinct": "true: the child may match a case already open but is another child",
}
KNOWN = frozenset(MEANINGS)
MOTHER_COLUMNS = (
    tuple(f"{prefix}_{part}" for prefix in MOTHER_NAMES for part in NAME_PARTS) + MOTHER_FACTS
)
