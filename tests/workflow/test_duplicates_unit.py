"""The duplicate matcher on hand-picked pairs, per pair of scripts."""

from __future__ import annotations

from datetime import date

import pytest

from workflow.duplicates.matching import ChildSpec, NameSpec, dates_agree, same_child
from workflow.vocabulary import DatePrecision as P


def child(given: str, family: str, sex: str | None = None) -> ChildSpec:
    return ChildSpec((NameSpec(given, family),), sex, date(2015, 3, 7), P.YEAR)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (("Әлия", "Нұрғалиева"), ("Алия", "Нургалиева")),  # Kazakh / Russian Cyrillic
        (("Әлия", "Нұрғалиева"), ("Aliya", "Nurgaliyeva")),  # Kazakh Cyrillic / Latin
        (("Aliya", "Nurgalieva"), ("Aliia", "Nurgaliewa")),  # Latin / Latin
        (("عالية", "نورغالييفا"), ("Алия", "Нургалиева")),  # Arabic / Cyrillic
        (("محمد", "جومابايف"), ("Muhammad", "Zhumabayev")),  # Arabic / Latin
        (("Ибраһим", "Қасымов"), ("Ibragim", "Kasymov")),
        (("Нұрғалиева", "Әлия"), ("Aliya", "Nurgalieva")),  # given and family swapped
    ],
)
def test_one_child_in_two_scripts_is_one(a: tuple[str, str], b: tuple[str, str]) -> None:
    assert same_child(child(*a), child(*b))


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (("Aliya", "Nurgalieva"), ("Alina", "Nurgalieva")),
        (("Akhmed", "Isaev"), ("Mukhammed", "Isaev")),
        (("Ахмед", "Исаев"), ("محمد", "عيسايف")),
        (("Omar", "Kasymov"), ("Omar", "Kasenov")),
    ],
)
def test_children_whose_names_differ_are_two(a: tuple[str, str], b: tuple[str, str]) -> None:
    assert not same_child(child(*a), child(*b))


def test_sexes_that_disagree_are_two_children() -> None:
    assert not same_child(
        child("Aliya", "Nurgalieva", "female"), child("Aliya", "Nurgalieva", "male")
    )


@pytest.mark.parametrize(
    ("a", "b", "agree"),
    [
        ((date(2015, 3, 7), P.EXACT), (date(2015, 3, 7), P.EXACT), True),
        ((date(2015, 3, 7), P.EXACT), (date(2015, 7, 3), P.EXACT), True),  # day and month swapped
        ((date(2015, 3, 7), P.EXACT), (date(2015, 3, 8), P.EXACT), False),
        ((date(2015, 3, 7), P.EXACT), (date(2015, 3, 1), P.MONTH), True),
        ((date(2015, 3, 7), P.EXACT), (date(2015, 4, 1), P.MONTH), False),
        ((date(2015, 3, 7), P.EXACT), (date(2015, 1, 1), P.YEAR), True),
        ((date(2015, 3, 7), P.EXACT), (date(2016, 1, 1), P.YEAR), False),
        ((date(2015, 3, 7), P.EXACT), (date(2017, 1, 1), P.ESTIMATED), True),
        ((date(2015, 3, 7), P.EXACT), (date(2018, 1, 1), P.ESTIMATED), False),
        ((None, None), (date(2018, 1, 1), P.EXACT), True),
    ],
)
def test_birth_dates_agree_within_their_precision(a: tuple, b: tuple, agree: bool) -> None:  # type: ignore[type-arg]
    assert dates_agree(a[0], a[1], b[0], b[1]) is agree
