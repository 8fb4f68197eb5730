"""Manifests as operations send them: built row by row, written as CSV bytes."""

from __future__ import annotations

import csv
import io
from typing import Any

from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from tests.factories import Api

COLUMNS = [
    "family_group",
    "child_script",
    "child_given",
    "child_family",
    "child2_script",
    "child2_given",
    "child2_family",
    "sex",
    "birth_date",
    "birth_date_precision",
    "birth_country",
    "birth_locality",
    "mother_script",
    "mother_given",
    "mother_family",
    "mother_alive",
    "mother_whereabouts",
    "reference_issuer",
    "reference_value",
]
# Each child's given name in Cyrillic and Latin, a girl's and a boy's in turn.
GIVEN = [
    ("Әлия", "Aliya"),
    ("Нұрлан", "Nurlan"),
    ("Айгерім", "Aigerim"),
    ("Дәулет", "Daulet"),
    ("Мадина", "Madina"),
    ("Ерлан", "Yerlan"),
    ("Сәуле", "Saule"),
    ("Тимур", "Timur"),
    ("Аружан", "Aruzhan"),
]
FAMILIES = [
    ("Нұрғалиева", "Nurgalieva"),
    ("Сейітова", "Seitova"),
    ("Қасымова", "Kassymova"),
    ("Бекова", "Bekova"),
    ("Жұмабаева", "Zhumabayeva"),
    ("Омарова", "Omarova"),
]


def child_row(family: int, child: int, **cells: str) -> dict[str, str]:
    """The row of one child of a family; the mother only on the family's first row."""
    given, surname = GIVEN[child % len(GIVEN)], FAMILIES[family % len(FAMILIES)]
    row = {
        "family_group": f"F{family}",
        "child_script": "Cyrl",
        "child_given": given[0],
        "child_family": surname[0],
        "child2_script": "Latn",
        "child2_given": given[1],
        "child2_family": surname[1],
        "sex": "male" if child % 2 else "female",
        "birth_date": f"{2012 + child % 8}-0{1 + child % 9}-1{child % 10}",
        "birth_date_precision": "exact",
        "birth_country": "SY",
        "birth_locality": "Al-Hol",
    }
    if child == 0:
        row |= {
            "mother_script": "Cyrl",
            "mother_given": "Гүлнар",
            "mother_family": surname[0],
            "mother_alive": "true",
            "mother_whereabouts": "detained_abroad",
        }
    return row | cells


def operation(families: int = 5, children: int = 8) -> list[dict[str, str]]:
    return [child_row(f, c) for f in range(families) for c in range(children)]


def as_csv(
    rows: list[dict[str, str]], columns: list[str] | None = None, bom: bool = False
) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=columns or COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return (b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode("utf-8")


def send(api: Api, content: bytes, commit: bool = False, who: str = "lawyer") -> Any:
    """Upload the manifest as a browser would; the body built in memory, never spooled."""
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(content), "manifest.csv")})
    return api.client.post(
        "/api/v1/intake" + ("?commit=true" if commit else ""),
        data=body,
        headers=api.headers(who),
        content_type=f"multipart/form-data; boundary={boundary}",
    )
